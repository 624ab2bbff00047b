"""`setup` and `teardown` of a whole environment: the project's main job in one call each.

setup (local): start the endpoint, build Lambda zips, converge envs/local (``tablekit.lifecycle.converge``:
reconcile the state with the endpoint, plan, check what the endpoint cannot apply, apply that
plan), load seed data, run the stream handler over the stream once so aggregates are correct,
export app config.
teardown: show what will be destroyed, demand the env name as confirmation for anything but
local, destroy, and (local) stop the endpoint. Tearing down nothing is success.
status (local): whether the state and the endpoint agree (``tablekit.lifecycle.converge.compare``).

The local path of each is idempotent: whatever an earlier run left (an endpoint restarted, a run
killed mid-apply, a teardown already done), running it again converges or says there is nothing
to do, and an endpoint that stops answering mid-command is one line naming the step and how to
resume (``tablekit.lifecycle.resume``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from tablekit import envs
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError
from tablekit.lifecycle import converge, resume
from tablekit.lifecycle.steps import Steps, console
from tablekit.operations import appconfig
from tablekit.paths import ROOT


def _mapping(value: object) -> dict[str, Any]:
    """An output value that should be a map (outputs are untyped JSON)."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


@dataclass
class SetupResult:
    """What setup produced; tests read it instead of re-querying Terraform."""

    ctx: envs.EnvContext
    outputs: dict[str, object]
    app_config_path: Path | None = None
    details: dict[str, object] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        return _mapping(self.outputs.get("tables"))

    @property
    def app_config(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in _mapping(self.outputs.get("app_config")).items()}

    def client(self, service: str) -> Any:
        """A boto3 client bound to this env (the local endpoint for local, the default chain otherwise)."""
        return self.ctx.clients().client(service)


def setup(
    env: str = "local",
    port: int | None = None,
    data_dir: Path | None = None,
    seed: bool = True,
    endpoint: Endpoint | None = None,
    quiet: bool = False,
    variables: dict[str, object] | None = None,
    var_files: list[Path] | None = None,
    recreate: Sequence[str] = (),
    on_apply_line: Callable[[str], None] | None = None,
    source_root: Path | None = None,
    account_name: str | None = None,
    endpoint_url: str | None = None,
) -> SetupResult:
    """Create (or converge) an environment and everything it needs (dev/prod: on `account_name`,
    tablekit.envs.account; `endpoint_url` is the simulated account's endpoint).

    local only: `recreate` names tables to delete and create again (with their seed data), for
    changes the local endpoint cannot apply in place; `on_apply_line` sees every line of the apply.
    `source_root` sets up another tree's envs/ and modules/ (envs.context).
    """
    if recreate and env != "local":
        raise UserError(f"--recreate is for the local env only, not {env}: real tables are never recreated by setup")
    steps = Steps(f"setup {env}")
    if env == "local":
        ep = endpoint or (Endpoint(port=port) if port else Endpoint())
        with steps.step("start local endpoint") as info:
            endpoint_url = ep.start()
            info["detail"] = endpoint_url
    ctx = envs.context(
        env,
        endpoint_url=endpoint_url,
        data_dir=data_dir,
        variables=variables,
        var_files=var_files,
        source_root=source_root,
        account_name=account_name,
    )
    envs.ensure_endpoint(ctx)
    if env == "local":
        with resume.guard(endpoint_url, "setup"):
            return _setup_local(ctx, steps, seed, quiet, recreate, on_apply_line)
    with steps.step(f"terraform init + apply envs/{env}") as info:
        outputs = envs.apply(ctx)
        info["detail"] = f"{len(_mapping(outputs.get('tables')))} tables"
    return _finish(ctx, steps, SetupResult(ctx=ctx, outputs=outputs), seed, quiet)


def _setup_local(
    ctx: envs.EnvContext,
    steps: Steps,
    seed: bool,
    quiet: bool,
    recreate: Sequence[str],
    on_apply_line: Callable[[str], None] | None,
) -> SetupResult:
    """The local converge as visible steps (see tablekit.lifecycle.converge), then seed, stream, app config."""
    run = converge.LocalConverge(ctx)
    with steps.step("terraform init envs/local"):
        run.tf  # noqa: B018 - init now, so its time is its own step
    with steps.step("reconcile state with the endpoint") as info:
        run.reconcile()
        info["detail"] = run.reconciled.detail()
    with steps.step("plan envs/local") as info:
        plan = run.plan(recreate)
        info["detail"] = plan.counts().line()
    with steps.step("check the plan against the endpoint") as info:
        run.check(plan)
        info["detail"] = f"{run.reconciled.detail()}; reconcile and check took {run.reconciled.seconds:.2f}s"
    with steps.step("apply envs/local") as info:
        applied = run.apply(plan, on_apply_line)
        outputs = run.outputs()
        info["detail"] = f"{len(outputs.get('tables', {}))} tables" + (
            "" if applied else " (no changes: apply skipped)"
        )
    result = SetupResult(ctx=ctx, outputs=outputs)
    result.details["reconcile"] = run.reconciled
    result.details["plan"] = plan.counts()
    return _finish(ctx, steps, result, seed, quiet)


def _finish(ctx: envs.EnvContext, steps: Steps, result: SetupResult, seed: bool, quiet: bool) -> SetupResult:
    """Seed data, stream aggregates (local) and app config after the apply."""
    env, outputs = ctx.env, result.outputs
    if seed:
        from tablekit.seed import load_env

        with steps.step("load seed data") as info:
            # Key schemas come from the outputs apply just returned: one source of truth, no re-read.
            # Only the families the env declares (a root with fewer families seeds just those).
            families = sorted(_mapping(outputs.get("families"))) or None
            summary = load_env(result.tables, ctx.clients(), env=env, families=families, progress=not quiet)
            result.details["seed"] = summary
            info["detail"] = (
                f"{summary.items} items into {len(summary.tables)} tables "
                f"({', '.join(summary.sets)}; {summary.retries} retries)"
            )
    university = _mapping(outputs.get("university"))
    if env == "local" and university and not _stream_on(ctx, str(university["table_name"])):
        with steps.step("apply stream changes to aggregates") as info:
            info["detail"] = "stream off (stream_enabled = false): nothing to drain"
    elif env == "local" and university:
        # The local endpoint never invokes Lambdas: run the stream handler in-process over the
        # stream once, so the aggregates match the seeded items when setup returns.
        from tablekit.stream import drain
        from tablekit.stream.checkpoint import checkpoint_dir

        with steps.step("apply stream changes to aggregates") as info:
            drained = drain(
                str(university["table_name"]),
                ctx.clients(),
                checkpoint_dir=checkpoint_dir(ctx.data_dir),
                dlq_url=university.get("dlq_url"),
                function_name=university.get("function_name"),
                progress=not quiet,
            )
            result.details["stream"] = drained
            info["detail"] = f"{drained.records} records in {drained.batches} batches"
    app_config = result.app_config
    if app_config:
        with steps.step("export app config") as info:
            result.app_config_path = appconfig.write(app_config, ctx.data_dir / "app-config.json")
            appconfig.write(app_config, ctx.data_dir / "app-config.env")
            shown = result.app_config_path
            if shown.is_relative_to(ROOT):
                shown = shown.relative_to(ROOT)
            info["detail"] = f"{len(app_config)} variables → {shown} (+ .env)"
    if not quiet:
        console.print(steps.summary())
    return result


def _stream_on(ctx: envs.EnvContext, table: str) -> bool:
    """Whether the table has a stream now (modules/university can switch it off)."""
    described = ctx.clients().client("dynamodb").describe_table(TableName=table)["Table"]
    return bool((described.get("StreamSpecification") or {}).get("StreamEnabled"))


def destroy_preview(ctx: envs.EnvContext) -> list[str]:
    """Addresses a destroy would remove (from a destroy plan)."""
    plan = envs.plan(ctx, destroy=True, refresh=True)
    return sorted(rc.address for rc in plan.destroyed())


def teardown(
    env: str = "local",
    confirm: str | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
    endpoint: Endpoint | None = None,
    variables: dict[str, object] | None = None,
    var_files: list[Path] | None = None,
    source_root: Path | None = None,
    account_name: str | None = None,
    endpoint_url: str | None = None,
) -> list[str]:
    """Destroy an env after showing what goes; non-local envs need confirm == env name.

    Tearing down nothing (no state, an empty one, or an endpoint that already lost everything) is
    success: it says "nothing to destroy".
    """
    if env != "local" and confirm != env:
        raise UserError(
            f"refusing to tear down {env!r} without confirmation: run `just teardown {env} {env}` "
            f"(or `tablekit teardown {env} --confirm {env}`) if you really mean to destroy it"
        )
    ep = endpoint or (Endpoint(port=port) if port else Endpoint())
    endpoint_url = ep.url if env == "local" else endpoint_url
    ctx = envs.context(
        env,
        endpoint_url=endpoint_url,
        data_dir=data_dir,
        variables=variables,
        var_files=var_files,
        source_root=source_root,
        account_name=account_name,
    )
    if env == "local":
        with resume.guard(endpoint_url, "teardown"):
            removed = _teardown_local(ctx, ep)
        stopped = ep.stop()
        console.print("local endpoint stopped" if stopped else "local endpoint was not started by tablekit")
        return removed
    removed = destroy_preview(ctx)
    _show_destroy(env, removed)
    envs.destroy(ctx)
    return removed


def _show_destroy(env: str, removed: Sequence[str]) -> None:
    table = Table(title=f"teardown {env}: {len(removed)} resources will be destroyed")
    table.add_column("resource")
    for address in removed:
        table.add_row(address)
    console.print(table)


def _teardown_local(ctx: envs.EnvContext, ep: Endpoint) -> list[str]:
    """Destroy what the local state tracks, after making it agree with the endpoint (no plan fails
    on an object the endpoint lost); objects an interrupted apply left untracked are deleted too."""
    from tablekit.envs import reconcile
    from tablekit.envs.listings import Remote
    from tablekit.lifecycle.applylog import ApplyLog

    try:
        tracked = reconcile.read_state_file(ctx.state_path) or []
    except reconcile.StateUnreadable as exc:
        console.print(f"{exc}: set aside as {reconcile.set_aside(ctx.state_path)}")
        tracked = []
    pending = ApplyLog(ctx.data_dir).pending()
    if not tracked and not pending:
        console.print("nothing to destroy: the local state tracks no resources")
        return []
    if not ep.status()["healthy"]:
        kept = reconcile.set_aside(ctx.state_path)
        ApplyLog(ctx.data_dir).clear()
        console.print(
            f"nothing to destroy: the local endpoint at {ep.url} is not running, and it keeps everything in memory, "
            f"so the {len(tracked)} resources the state tracked are gone with it (state kept as {kept})"
        )
        return []
    remote = Remote(ctx.clients())
    steps = Steps("teardown local")
    with steps.step("compare the state with the endpoint"):
        check, leftovers = converge.compare(ctx, remote)
    if leftovers:
        with steps.step("delete objects an interrupted apply left"):
            reconcile.delete_untracked(remote, leftovers)
        console.print(f"deleted {len(leftovers)} object(s) an interrupted apply left without recording them")
    if check.lost or not check.tracked:
        kept = reconcile.set_aside(ctx.state_path)
        ApplyLog(ctx.data_dir).clear()
        console.print(
            f"nothing to destroy: the local endpoint holds none of the {check.tracked} resources the state tracked "
            f"(it restarted since the last setup; state kept as {kept})"
        )
        return []
    with steps.step("terraform init envs/local"):
        tf = envs.init(ctx)
    if check.missing:
        gone = [entry.address for entry in check.missing]
        tf.state_rm(*gone)
        console.print(f"{len(gone)} resource(s) the state tracked were already gone from the endpoint: forgotten")
    with steps.step("plan the destroy"):
        removed = destroy_preview(ctx)
    _show_destroy("local", removed)
    with steps.step("destroy envs/local"):
        envs.destroy(ctx)
    ApplyLog(ctx.data_dir).clear()
    return removed


def status(env: str = "local", port: int | None = None, data_dir: Path | None = None) -> converge.Agreement:
    """Whether the local state and the endpoint agree (read-only); see tablekit.lifecycle.converge.agreement."""
    if env != "local":
        raise UserError(
            f"status compares the local state with the local endpoint; for {env} run `./just plan {env}` "
            "(a state/account mismatch there stops with the commands to review)"
        )
    ep = Endpoint(port=port) if port else Endpoint()
    ctx = envs.context(env, endpoint_url=ep.url, data_dir=data_dir)
    return converge.agreement(ctx, healthy=bool(ep.status()["healthy"]))

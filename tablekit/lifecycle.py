"""`setup` and `teardown` of a whole environment: the project's main job in one call each.

setup (local): start the endpoint, build Lambda zips, init + apply envs/local, load seed data,
run the stream handler over the stream once so aggregates are correct, export app config.
teardown: show what will be destroyed, demand the env name as confirmation for anything but
local, destroy, and (local) stop the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from tablekit import appconfig, envs
from tablekit.endpoint import Endpoint
from tablekit.errors import UserError
from tablekit.paths import ROOT
from tablekit.steps import Steps, console


@dataclass
class SetupResult:
    """What setup produced; tests read it instead of re-querying Terraform."""

    ctx: envs.EnvContext
    outputs: dict[str, object]
    app_config_path: Path | None = None
    details: dict[str, object] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        tables = self.outputs.get("tables")
        return dict(tables) if isinstance(tables, dict) else {}

    @property
    def app_config(self) -> dict[str, str]:
        config = self.outputs.get("app_config")
        return {str(k): str(v) for k, v in config.items()} if isinstance(config, dict) else {}

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
    account_name: str | None = None,
    endpoint_url: str | None = None,
) -> SetupResult:
    """Create (or converge) an environment and everything it needs (dev/prod: on `account_name`)."""
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
        account_name=account_name,
    )
    envs.ensure_endpoint(ctx)
    with steps.step(f"terraform init + apply envs/{env}") as info:
        outputs = envs.apply(ctx)
        info["detail"] = f"{len(outputs.get('tables') or {})} tables"
    result = SetupResult(ctx=ctx, outputs=outputs)
    if seed:
        from tablekit.seed import load_env

        with steps.step("load seed data") as info:
            # Key schemas come from the outputs apply just returned: one source of truth, no re-read.
            summary = load_env(result.tables, ctx.clients(), env=env, progress=not quiet)
            result.details["seed"] = summary
            info["detail"] = (
                f"{summary.items} items into {len(summary.tables)} tables "
                f"({', '.join(summary.sets)}; {summary.retries} retries)"
            )
    university = outputs.get("university") or {}
    if env == "local" and university:
        # The local endpoint never invokes Lambdas: run the stream handler in-process over the
        # stream once, so the aggregates match the seeded items when setup returns.
        from tablekit.stream import drain

        with steps.step("apply stream changes to aggregates") as info:
            drained = drain(
                university["table_name"],
                ctx.clients(),
                checkpoint_dir=ctx.data_dir / "stream",
                dlq_url=university.get("dlq_url"),
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
    account_name: str | None = None,
    endpoint_url: str | None = None,
) -> list[str]:
    """Destroy an env after showing what goes; non-local envs need confirm == env name."""
    if env != "local" and confirm != env:
        raise UserError(
            f"refusing to tear down {env!r} without confirmation: run `just teardown {env} {env}` "
            f"(or `tablekit teardown {env} --confirm {env}`) if you really mean to destroy it"
        )
    ep = endpoint or (Endpoint(port=port) if port else Endpoint())
    ctx = envs.context(
        env,
        endpoint_url=ep.url if env == "local" else endpoint_url,
        data_dir=data_dir,
        variables=variables,
        var_files=var_files,
        account_name=account_name,
    )
    if env == "local" and not ctx.state_path.exists():
        console.print("no local state: nothing to destroy")
        removed: list[str] = []
    elif env == "local" and not ep.status()["healthy"]:
        raise UserError(
            f"the local endpoint at {ep.url} is not running, so its tables are already gone: "
            f"delete {ctx.state_path} or start it with `just up` and retry"
        )
    else:
        removed = destroy_preview(ctx)
        table = Table(title=f"teardown {env}: {len(removed)} resources will be destroyed")
        table.add_column("resource")
        for address in removed:
            table.add_row(address)
        console.print(table)
        envs.destroy(ctx)
    if env == "local":
        stopped = ep.stop()
        console.print("local endpoint stopped" if stopped else "local endpoint was not started by tablekit")
    return removed

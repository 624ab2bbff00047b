"""Environment commands: setup, teardown, status, plan, apply, app-config (`tablekit COMMAND ENV ...`, docs/cli.md).

`plan` saves the plan file it shows; `apply` applies exactly that file (or the one `--saved-plan`
names), never a fresh plan. `--account simulated` (or TABLEKIT_ACCOUNT=simulated) runs dev and
prod on the local endpoint with their real backend and provider configuration (tablekit.envs.account).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import asdict
from pathlib import Path

from tablekit import cliargs, envs
from tablekit.endpoint.server import DEFAULT_PORT
from tablekit.errors import UserError
from tablekit.lifecycle import local_env
from tablekit.operations import appconfig
from tablekit.paths import BUILD

# `plan --fail-on-destroy` exit code when the plan destroys or replaces something (docs/cli.md).
DESTRUCTIVE_EXIT = 3
DEFAULT_ENDPOINT_URL = envs.DEFAULT_ENDPOINT.format(port=DEFAULT_PORT)


def _account(args: argparse.Namespace) -> str | None:
    return getattr(args, "account", None)


def _context(args: argparse.Namespace, start: bool = True) -> envs.EnvContext:
    """The env's context; with `start`, its endpoint running (local, simulated account).

    A command with inputs to check first passes start=False and calls envs.ensure_endpoint itself
    once they passed, so a refused command never leaves an endpoint behind.
    """
    ctx = envs.context(
        args.env,
        endpoint_url=getattr(args, "endpoint_url", None),
        account_name=_account(args),
        variables=cliargs.variables(getattr(args, "var", [])),
        var_files=getattr(args, "var_file", []),
    )
    if start:
        envs.ensure_endpoint(ctx)
    return ctx


def _label(ctx: envs.EnvContext) -> str:
    return f"{ctx.env} (simulated account)" if ctx.simulated else ctx.env


def _setup(args: argparse.Namespace) -> int:
    local_env.setup(
        args.env,
        port=args.port,
        seed=not args.no_seed,
        variables=cliargs.variables(args.var),
        var_files=args.var_file,
        recreate=args.recreate,
        account_name=args.account,
        endpoint_url=args.endpoint_url,
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    found = local_env.status(args.env, port=args.port)
    if args.json:
        print(json.dumps({"agrees": found.agrees, "verdict": found.verdict(), **asdict(found)}))
    else:
        print(f"endpoint   {found.endpoint_url} ({'running' if found.healthy else 'not running'})")
        print(f"state      {found.tracked} resources tracked, {found.present} on the endpoint")
        for address in found.missing[:10]:
            print(f"  gone     {address}")
        for entry in found.untracked[:10]:
            print(f"  untracked {entry}")
        print(found.verdict())
    return 0 if found.agrees else 1


def _teardown(args: argparse.Namespace) -> int:
    local_env.teardown(
        args.env,
        confirm=args.confirm,
        port=args.port,
        variables=cliargs.variables(args.var),
        var_files=args.var_file,
        account_name=args.account,
        endpoint_url=args.endpoint_url,
    )
    return 0


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plan(args: argparse.Namespace) -> int:
    if args.refresh_only and (args.base or args.no_refresh):
        raise UserError("--refresh-only reads the account: it cannot go with --base or --no-refresh")
    if args.base and args.env != "local":
        raise UserError(f"--base is for local only: {args.env} plans against its account's own state")
    out = Path(args.out) if args.out else BUILD / "plans" / f"{args.env}.json"
    saved = Path(args.saved_plan).resolve() if args.saved_plan else None
    planned_only: list[dict[str, str]] = []
    planned_lines: list[str] = []
    if args.base:
        from tablekit.lifecycle import base_plan

        ctx = envs.context("local", variables=cliargs.variables(args.var), var_files=args.var_file)
        saved = saved or ctx.data_dir.parent / "local-base" / "plan.tfplan"
        plan = base_plan.plan_against(
            args.base, ctx.data_dir.parent / "local-base", out, ctx.variables, ctx.var_files, saved
        )
    elif args.refresh_only:
        ctx = _context(args)
        if args.env == "local":
            ctx.endpoint_url = ctx.endpoint_url or DEFAULT_ENDPOINT_URL
        saved = saved or ctx.data_dir / "drift.tfplan"
        plan = envs.plan(
            ctx, out, lock=not args.no_lock, lock_timeout=args.lock_timeout, plan_file=saved, refresh_only=True
        )
    else:
        ctx = _context(args)
        if args.env == "local":
            ctx.endpoint_url = ctx.endpoint_url or DEFAULT_ENDPOINT_URL
        reviewed = envs.review(
            ctx,
            out,
            refresh=not args.no_refresh,
            lock=not args.no_lock,
            lock_timeout=args.lock_timeout,
            plan_file=saved,
        )
        plan, saved = reviewed.plan, reviewed.plan_file
        planned_only = [p.as_dict() for p in reviewed.planned_only]
        planned_lines = [p.line() for p in reviewed.planned_only]
    counts = plan.counts()
    destroyed = [rc.address for rc in plan.destroyed()]
    digest = sha256(saved)
    lock_file = envs.lock_file_for(saved)
    if args.json:
        result = {
            "env": args.env,
            "account": ctx.account,
            "plan_json": str(out),
            "saved_plan": str(saved),
            "sha256": digest,
            "lock_file": str(lock_file) if lock_file.is_file() else None,
            "counts": asdict(counts),
            "destroys": destroyed,
            "planned_only": planned_only,
        }
        print(json.dumps(result))
    elif args.refresh_only:
        drifted = sum(1 for rc in plan.resource_drift if rc.managed and rc.action.changes)
        print(f"{_label(ctx)}: refresh-only plan, {drifted} resource(s) changed outside Terraform (plan JSON: {out})")
    else:
        base = f" against {args.base}'s applied state" if args.base else ""
        print(f"{_label(ctx)}{base}: {counts.line()} (plan JSON: {out})")
        print(f"saved plan: {saved} (sha256 {digest}); `tablekit apply {args.env}` applies exactly this file")
        if lock_file.is_file():
            print(f"lock file : {lock_file} (apply initialises with exactly these providers)")
    if planned_only:
        print(
            f"planned only on the simulated account ({len(planned_only)}): the saved plan holds everything else; "
            "these are checked by the full plan but not applied here:",
            file=sys.stderr,
        )
        for line in planned_lines:
            print(f"  {line}", file=sys.stderr)
    if args.fail_on_destroy and destroyed:
        for address in destroyed:
            print(f"destroys: {address}", file=sys.stderr)
        print(f"error: the {args.env} plan destroys or replaces {len(destroyed)} resource(s)", file=sys.stderr)
        return DESTRUCTIVE_EXIT
    return 0


def _apply(args: argparse.Namespace) -> int:
    ctx = _context(args, start=False)
    if args.env == "local":
        ctx.endpoint_url = ctx.endpoint_url or DEFAULT_ENDPOINT_URL
    lock_file = Path(args.lock_file) if args.lock_file else None
    saved, _ = envs.saved_plan_files(ctx, Path(args.saved_plan) if args.saved_plan else ctx.saved_plan, lock_file)
    if args.sha256 and sha256(saved) != args.sha256.lower():
        raise UserError(
            f"--sha256: {saved} is not the plan that was shown (sha256 {sha256(saved)}, expected {args.sha256}); "
            "apply only the plan file whose digest was reviewed"
        )
    envs.ensure_endpoint(ctx)
    outputs = envs.apply_saved(ctx, saved, lock_timeout=args.lock_timeout, lock_file=lock_file)
    tables = outputs.get("tables") or {}
    if args.json:
        print(json.dumps({"env": args.env, "account": ctx.account, "saved_plan": str(saved), "tables": len(tables)}))
    else:
        print(f"{_label(ctx)}: applied {saved} ({len(tables)} tables)")
    return 0


def _app_config(args: argparse.Namespace) -> int:
    ctx = _context(args)
    values = envs.outputs(ctx).get("app_config", {})
    if args.out:
        appconfig.write(values, Path(args.out), args.format)
    else:
        sys.stdout.write(appconfig.render(values, args.format or "json"))
    return 0


def _endpoint_and_account(parser: argparse.ArgumentParser, help: str = "local endpoint URL") -> None:
    cliargs.add_account(parser)
    cliargs.add_endpoint_url(parser, f"{help} (local, simulated account; default {DEFAULT_ENDPOINT_URL})")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    setup = sub.add_parser("setup", help="create an env: endpoint (local), apply, seed, aggregates")
    cliargs.add_env(setup, default="local")
    setup.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    setup.add_argument("--no-seed", action="store_true", help="skip loading seed data")
    _endpoint_and_account(setup)
    setup.add_argument(
        "--recreate",
        metavar="TABLE",
        action="append",
        default=[],
        help="local only: delete and create this table again with its seed data (repeatable); setup offers it "
        "for changes the local endpoint cannot apply in place",
    )
    cliargs.add_inputs(setup)
    setup.set_defaults(func=_setup)

    teardown = sub.add_parser("teardown", help="destroy an env (dev/prod need --confirm ENV)")
    cliargs.add_env(teardown, default="local")
    teardown.add_argument("--confirm", metavar="ENV", help="the env name again, required for dev/prod")
    teardown.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    _endpoint_and_account(teardown)
    cliargs.add_inputs(teardown)
    teardown.set_defaults(func=_teardown)

    status = sub.add_parser("status", help="local: does the state agree with the endpoint? (exit 1 when not)")
    cliargs.add_env(status, default="local")
    status.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    cliargs.add_json(status, "the comparison")
    status.set_defaults(func=_status)

    plan = sub.add_parser("plan", help="plan an env into a saved plan file and write its JSON")
    cliargs.add_env(plan)
    _endpoint_and_account(plan)
    plan.add_argument("--out", metavar="FILE", help="where to write the plan JSON (default build/plans/ENV.json)")
    plan.add_argument(
        "--saved-plan", metavar="FILE", help="where to save the plan file `apply` applies (default: the env's data dir)"
    )
    plan.add_argument("--no-refresh", action="store_true", help="plan with -refresh=false")
    plan.add_argument(
        "--refresh-only",
        action="store_true",
        help="plan with -refresh-only: what changed outside Terraform (resource_drift), nothing to apply",
    )
    plan.add_argument(
        "--no-lock", action="store_true", help="plan with -lock=false (read-only roles: PR plans never take the lock)"
    )
    plan.add_argument(
        "--lock-timeout", type=cliargs.duration, metavar="DURATION", help="wait this long for the state lock (e.g. 5m)"
    )
    plan.add_argument(
        "--base", metavar="REF", help="local only: plan against REF's applied state (REF applied to a fresh endpoint)"
    )
    plan.add_argument(
        "--fail-on-destroy", action="store_true", help=f"exit {DESTRUCTIVE_EXIT} when the plan destroys or replaces"
    )
    cliargs.add_inputs(plan)
    cliargs.add_json(plan, "the counts, destroyed addresses, saved plan, its sha256 and what is planned only")
    plan.set_defaults(func=_plan)

    apply = sub.add_parser("apply", help="apply exactly a saved plan file (the one `plan` wrote)")
    cliargs.add_env(apply)
    _endpoint_and_account(apply)
    apply.add_argument("--saved-plan", metavar="FILE", help="the plan file to apply (default: the one `plan` saved)")
    apply.add_argument(
        "--sha256",
        type=cliargs.sha256_digest,
        metavar="DIGEST",
        help="refuse a plan file whose sha256 differs (the reviewed one)",
    )
    apply.add_argument(
        "--lock-timeout", type=cliargs.duration, metavar="DURATION", help="wait this long for the state lock (e.g. 10m)"
    )
    apply.add_argument(
        "--lock-file",
        metavar="FILE",
        help="the .terraform.lock.hcl the plan's init wrote (default: next to the saved plan, PLAN.lock.hcl); "
        "init uses exactly these providers",
    )
    cliargs.add_json(apply, "what was applied")
    apply.set_defaults(func=_apply)

    app = sub.add_parser("app-config", help="print/write the env's table-name map for application code")
    cliargs.add_env(app)
    _endpoint_and_account(app)
    app.add_argument("--format", choices=("json", "dotenv"), help="output format (default from --out suffix)")
    app.add_argument("--out", metavar="FILE", help="file to write (.env → dotenv)")
    app.set_defaults(func=_app_config)

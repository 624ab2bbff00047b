"""Environment commands: setup, teardown, status, plan, app-config (`tablekit COMMAND ENV ...`, docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from tablekit import appconfig, cliargs, envs, lifecycle
from tablekit.endpoint import DEFAULT_PORT
from tablekit.paths import BUILD

# `plan --fail-on-destroy` exit code when the plan destroys or replaces something (docs/cli.md).
DESTRUCTIVE_EXIT = 3


def _setup(args: argparse.Namespace) -> int:
    lifecycle.setup(
        args.env,
        port=args.port,
        seed=not args.no_seed,
        variables=cliargs.variables(args.var),
        var_files=args.var_file,
        recreate=args.recreate,
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    found = lifecycle.status(args.env, port=args.port)
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
    lifecycle.teardown(
        args.env, confirm=args.confirm, port=args.port, variables=cliargs.variables(args.var), var_files=args.var_file
    )
    return 0


def _plan(args: argparse.Namespace) -> int:
    ctx = envs.context(
        args.env,
        endpoint_url=args.endpoint_url,
        offline=args.offline,
        variables=cliargs.variables(args.var),
        var_files=args.var_file,
    )
    out = Path(args.out) if args.out else BUILD / "plans" / f"{args.env}.json"
    plan = envs.plan(ctx, out_json=out, refresh=not args.no_refresh)
    counts = plan.counts()
    destroyed = [rc.address for rc in plan.destroyed()]
    if args.json:
        print(json.dumps({"env": args.env, "plan_json": str(out), "counts": asdict(counts), "destroys": destroyed}))
    else:
        print(f"{args.env}: {counts.line()} (plan JSON: {out})")
    if args.fail_on_destroy and destroyed:
        for address in destroyed:
            print(f"destroys: {address}", file=sys.stderr)
        print(f"error: the {args.env} plan destroys or replaces {len(destroyed)} resource(s)", file=sys.stderr)
        return DESTRUCTIVE_EXIT
    return 0


def _app_config(args: argparse.Namespace) -> int:
    ctx = envs.context(args.env)
    values = envs.outputs(ctx).get("app_config", {})
    if args.out:
        appconfig.write(values, Path(args.out), args.format)
    else:
        sys.stdout.write(appconfig.render(values, args.format or "json"))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    setup = sub.add_parser("setup", help="create an env: endpoint (local), apply, seed, aggregates")
    cliargs.add_env(setup, default="local")
    setup.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    setup.add_argument("--no-seed", action="store_true", help="skip loading seed data")
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
    cliargs.add_inputs(teardown)
    teardown.set_defaults(func=_teardown)

    status = sub.add_parser("status", help="local: does the state agree with the endpoint? (exit 1 when not)")
    cliargs.add_env(status, default="local")
    status.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    cliargs.add_json(status, "the comparison")
    status.set_defaults(func=_status)

    plan = sub.add_parser("plan", help="plan an env and write its plan JSON")
    cliargs.add_env(plan)
    plan.add_argument(
        "--offline", action="store_true", help="plan dev/prod against the local endpoint with a local backend"
    )
    cliargs.add_endpoint_url(plan, "local endpoint URL", default=f"http://127.0.0.1:{DEFAULT_PORT}")
    plan.add_argument("--out", metavar="FILE", help="where to write the plan JSON (default build/plans/ENV.json)")
    plan.add_argument("--no-refresh", action="store_true", help="plan with -refresh=false")
    plan.add_argument(
        "--fail-on-destroy", action="store_true", help=f"exit {DESTRUCTIVE_EXIT} when the plan destroys or replaces"
    )
    cliargs.add_inputs(plan)
    cliargs.add_json(plan, "the counts and destroyed addresses")
    plan.set_defaults(func=_plan)

    app = sub.add_parser("app-config", help="print/write the env's table-name map for application code")
    cliargs.add_env(app)
    app.add_argument("--format", choices=("json", "dotenv"), help="output format (default from --out suffix)")
    app.add_argument("--out", metavar="FILE", help="file to write (.env → dotenv)")
    app.set_defaults(func=_app_config)

"""Environment commands: setup, teardown, plan, app-config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tablekit import appconfig, envs, lifecycle
from tablekit.endpoint import DEFAULT_PORT
from tablekit.paths import BUILD, ENV_NAMES


def _setup(args: argparse.Namespace) -> int:
    lifecycle.setup(args.env, port=args.port, seed=not args.no_seed)
    return 0


def _teardown(args: argparse.Namespace) -> int:
    lifecycle.teardown(args.env, confirm=args.confirm, port=args.port)
    return 0


def _plan(args: argparse.Namespace) -> int:
    ctx = envs.context(args.env, endpoint_url=args.endpoint_url, offline=args.offline)
    out = Path(args.json_out) if args.json_out else BUILD / "plans" / f"{args.env}.json"
    plan = envs.plan(ctx, out_json=out, refresh=not args.no_refresh)
    counts = {"create": 0, "update": 0, "delete": 0}
    for rc in plan.get("resource_changes", []):
        for action in rc["change"]["actions"]:
            if action in counts:
                counts[action] += 1
    print(
        f"{args.env}: {counts['create']} to add, {counts['update']} to change, {counts['delete']} to destroy "
        f"(plan JSON: {out})"
    )
    return 0


def _app_config(args: argparse.Namespace) -> int:
    ctx = envs.context(args.env)
    values = envs.outputs(ctx).get("app_config", {})
    if args.out:
        appconfig.write(values, Path(args.out), args.format)  # type: ignore[arg-type]
    else:
        sys.stdout.write(appconfig.render(values, args.format or "json"))  # type: ignore[arg-type]
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    env_arg = {"choices": ENV_NAMES, "help": "environment"}

    setup = sub.add_parser("setup", help="create an env: endpoint (local), apply, seed, aggregates")
    setup.add_argument("env", nargs="?", default="local", **env_arg)
    setup.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    setup.add_argument("--no-seed", action="store_true", help="skip loading seed data")
    setup.set_defaults(func=_setup)

    teardown = sub.add_parser("teardown", help="destroy an env (non-local envs need --confirm ENV)")
    teardown.add_argument("env", nargs="?", default="local", **env_arg)
    teardown.add_argument("--confirm", help="the env name again, required for dev/prod")
    teardown.add_argument("--port", type=int, default=DEFAULT_PORT, help="local endpoint port")
    teardown.set_defaults(func=_teardown)

    plan = sub.add_parser("plan", help="plan an env and write its plan JSON")
    plan.add_argument("env", **env_arg)
    plan.add_argument(
        "--offline",
        action="store_true",
        help="plan dev/prod against the local endpoint with a local backend (no AWS account)",
    )
    plan.add_argument("--endpoint-url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="local endpoint URL")
    plan.add_argument("--json-out", help="where to write the plan JSON (default build/plans/ENV.json)")
    plan.add_argument("--no-refresh", action="store_true", help="plan with -refresh=false")
    plan.set_defaults(func=_plan)

    app = sub.add_parser("app-config", help="print/write the env's table-name map for application code")
    app.add_argument("env", **env_arg)
    app.add_argument("--format", choices=("json", "dotenv"), help="output format (default from --out suffix)")
    app.add_argument("--out", help="file to write (.env → dotenv)")
    app.set_defaults(func=_app_config)

"""`tablekit endpoint start|stop|status|install`: manage the local endpoint (moto, or AWS's DynamoDB Local).

tablekit endpoint start                                   # moto's server (what `just up` runs)
tablekit endpoint --engine dynamodb-local start           # AWS's DynamoDB Local (Java 17)
tablekit endpoint --engine dynamodb-local --port 8000 start --tables local
                                                          # ... with the local env's tables created
tablekit endpoint --port 8000 stop                        # whichever engine tablekit runs there
tablekit endpoint --engine dynamodb-local install         # fetch the jar into build/ (the bootstrap does)
"""

from __future__ import annotations

import argparse

from tablekit.endpoint.server import DEFAULT_PORT, ENGINE_NAMES, Endpoint
from tablekit.errors import UserError
from tablekit.paths import ENV_NAMES


def _endpoint(args: argparse.Namespace) -> Endpoint:
    if args.engine is None:
        return Endpoint.running(port=args.port) if args.action != "start" else Endpoint(port=args.port)
    return Endpoint(port=args.port, engine=args.engine)


def _start(args: argparse.Namespace) -> int:
    endpoint = _endpoint(args)
    if args.tables and endpoint.engine != "dynamodb-local":
        raise UserError(
            "--tables is for --engine dynamodb-local: moto's endpoint gets its tables from Terraform (`just setup`)"
        )
    url = endpoint.start(timeout=args.timeout)
    print(f"local endpoint ({endpoint.engine}) healthy at {url}")
    if args.tables:
        from tablekit import aws, envs
        from tablekit.endpoint.dynamodb_local import create_tables
        from tablekit.seed.loader import tables_of

        tables = tables_of(envs.context(args.tables))
        created = create_tables(aws.clients(url).dynamodb(), tables)
        print(f"created {len(created)} of the {len(tables)} tables of env {args.tables!r} (from its `tables` output)")
    return 0


def _stop(args: argparse.Namespace) -> int:
    endpoint = _endpoint(args)
    stopped = endpoint.stop()
    print(
        f"local endpoint ({endpoint.engine}) stopped"
        if stopped
        else "no endpoint started by tablekit on this port; nothing stopped"
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _endpoint(args).status()
    width = max(len(key) for key in status)
    for key, value in status.items():
        print(f"{key:<{width}} : {value}")
    return 0 if status["healthy"] else 1


def _install(args: argparse.Namespace) -> int:
    if args.engine != "dynamodb-local":
        print("moto is installed with the project's venv; nothing to fetch (use --engine dynamodb-local)")
        return 0
    from tablekit.endpoint.dynamodb_local import install

    print(install(force=args.force).line())
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "endpoint", help="start/stop/status of the local endpoint (moto or DynamoDB Local)", description=__doc__
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 4566 or TABLEKIT_ENDPOINT_PORT)")
    parser.add_argument(
        "--engine",
        choices=ENGINE_NAMES,
        default=None,
        help="moto (default for start) or dynamodb-local; stop/status find the engine running on the port",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    start = actions.add_parser("start", help="start the engine and wait until healthy")
    start.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for health")
    start.add_argument(
        "--tables",
        choices=ENV_NAMES,
        metavar="ENV",
        help="dynamodb-local only: create ENV's tables from its `tables` output (ENV must have been applied)",
    )
    start.set_defaults(func=_start)
    actions.add_parser("stop", help="stop the endpoint this project started").set_defaults(func=_stop)
    actions.add_parser("status", help="show engine, port, pid, health, log").set_defaults(func=_status)
    install = actions.add_parser("install", help="fetch DynamoDB Local into build/ (the bootstrap runs this)")
    install.add_argument("--force", action="store_true", help="fetch again even when installed")
    install.set_defaults(func=_install)

"""`tablekit endpoint start|stop|status`: manage the local AWS endpoint (moto server)."""

from __future__ import annotations

import argparse

from tablekit.endpoint import DEFAULT_PORT, Endpoint


def _endpoint(args: argparse.Namespace) -> Endpoint:
    return Endpoint(port=args.port)


def _start(args: argparse.Namespace) -> int:
    url = _endpoint(args).start(timeout=args.timeout)
    print(f"local endpoint healthy at {url}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    stopped = _endpoint(args).stop()
    print("local endpoint stopped" if stopped else "no endpoint started by tablekit on this port; nothing stopped")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _endpoint(args).status()
    width = max(len(key) for key in status)
    for key, value in status.items():
        print(f"{key:<{width}} : {value}")
    return 0 if status["healthy"] else 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("endpoint", help="start/stop/status of the local AWS endpoint")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 4566 or TABLEKIT_ENDPOINT_PORT)")
    actions = parser.add_subparsers(dest="action", required=True)
    start = actions.add_parser("start", help="start moto's server and wait until healthy")
    start.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for health")
    start.set_defaults(func=_start)
    actions.add_parser("stop", help="stop the endpoint this project started").set_defaults(func=_stop)
    actions.add_parser("status", help="show port, pid, health, log").set_defaults(func=_status)

"""`tablekit` command line: one sub-command per module in tablekit.commands (contract: docs/cli.md).

Each module in tablekit/commands/ exposes `register(subparsers)`; sub-commands are discovered, so
adding a capability never means editing a central list.

Exit codes (docs/cli.md): 0 success; 1 the operation ran and failed (a failed Terraform run, a
gate that found problems); 2 usage or bad input; 3 `plan --fail-on-destroy` found destructive
changes; 130 interrupted. Every user mistake is one line on stderr, never a traceback; an
unexpected error is one line too, with TABLEKIT_DEBUG=1 to see the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from importlib.metadata import PackageNotFoundError, version
from typing import Sequence

from tablekit import commands
from tablekit.cliargs import Parser
from tablekit.errors import OperationFailed, UserError


def package_version() -> str:
    try:
        return version("tablekit")
    except PackageNotFoundError:  # running from a bare checkout without the package installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tablekit", description="Create, seed, test and tear down the DynamoDB table families of each env."
    )
    parser.add_argument("--version", action="version", version=f"tablekit {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def _connection_error(exc: BaseException) -> str | None:
    """botocore's 'cannot connect' errors, in words (they carry the URL but not what to do)."""
    name = type(exc).__name__
    if name in {"EndpointConnectionError", "ConnectionClosedError", "ConnectTimeoutError", "ReadTimeoutError"}:
        return f"{exc}: is the endpoint running (`just up` for the local one) and the URL right?"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from tablekit.terraform.toolchain import retired_notice

    notice = retired_notice()
    if notice:
        print(notice, file=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OperationFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("TABLEKIT_DEBUG"):
            traceback.print_exc()
        message = _connection_error(exc) or f"unexpected {type(exc).__name__}: {exc}"
        print(f"error: {message} (TABLEKIT_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""`tablekit check-queries ENV --source DIR [--declared FILE] [--run] [--json]`.

Checks every DynamoDB call of an application's Python and JavaScript/TypeScript code against the
tables and indexes the env declares (tablekit.queries): keys and key-condition operators, indexes,
placeholders, reserved words; scans and filter-only queries are warnings. Prints linter lines
(`file:line:col: severity: message [rule]` and the fix) and a summary table; exit 1 on errors.
`--run` also executes every fully literal call on a throwaway DynamoDB Local holding the env's
tables and prints DynamoDB's own verdict next to the static one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from rich.console import Console

from tablekit import cliargs


def _plan(env: str, scratch: Path) -> Path:
    from tablekit.commands.lint import plan_envs  # lint owns "plan an env on a throwaway endpoint"

    return plan_envs([env], scratch, data_root=scratch / "data")[env]


def _run(args: argparse.Namespace) -> int:
    from tablekit.queries import declared, source
    from tablekit.queries.report import print_report

    err = Console(stderr=True, highlight=False)
    files = source.source_files(Path(args.source))  # bad --source stops here, before anything starts
    if args.run:
        from tablekit.queries import verify

        verify.preflight()
    if args.declared:
        schema = declared.from_file(Path(args.declared))
    else:
        with contextlib.redirect_stdout(sys.stderr):  # planning talks; stdout stays the report (--json)
            schema = declared.load(args.env, _plan, say=lambda line: err.print(line))
    progress = None
    if not args.json and len(files) > 200:
        progress = lambda done, total: err.print(f"checked {done}/{total} files") if done % 250 == 0 else None  # noqa: E731
    report = source.check_tree(Path(args.source), schema, progress)
    if args.run:
        report.verdicts = verify.run(report.calls, schema, say=lambda line: err.print(line))
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report, Console(highlight=False, file=sys.stdout), args.env)
    return 1 if report.errors else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "check-queries",
        help="check the DynamoDB calls of application code against an env's tables and indexes",
        description=__doc__,
    )
    cliargs.add_env(parser, what="environment whose declared tables the calls are checked against")
    parser.add_argument("--source", required=True, help="application source tree (or one file): .py, .js, .ts, ...")
    parser.add_argument(
        "--declared",
        metavar="FILE",
        help="the env's outputs as JSON (tables, app_config) or its plan JSON, instead of planning the env",
    )
    parser.add_argument(
        "--run", action="store_true", help="also run every fully literal call on a throwaway DynamoDB Local"
    )
    cliargs.add_json(parser, "the findings")
    parser.set_defaults(func=_run)

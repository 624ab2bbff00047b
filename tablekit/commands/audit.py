"""`tablekit audit [ENV | --declared FILE] --source DIR [--endpoint-url URL | --list-tables] [--json]`.

Compares the DynamoDB table names an application's code uses with the names an environment
declares and, when reachable, with the tables that exist (ListTables). Exits 1 when code refers to
a table that is not declared (mismatched: a close declared name exists; phantom: none does).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tablekit import cliargs
from tablekit.errors import UserError
from tablekit.operations import audit
from tablekit.paths import ENV_NAMES


def _declared(args: argparse.Namespace) -> list[str] | None:
    if args.declared and args.env:
        raise UserError(f"give the env ({args.env}) or --declared FILE, not both")
    if args.declared:
        return audit.declared_from_file(Path(args.declared))
    if args.env:
        from tablekit import envs  # owned by the environments capability; only needed here

        names = audit.declared_from_outputs(envs.outputs(envs.context(args.env)))
        if not names:
            raise UserError(
                f"env {args.env!r} has no `tables`/`app_config` outputs yet: apply it first "
                f"(`just up` + apply) or pass --declared FILE"
            )
        return names
    return None


def _print(report: audit.AuditReport, console: Console, declared_source: str) -> None:
    table = Table(
        title=f"table-name audit ({len(report.declared)} declared by {declared_source}, "
        f"{len({r.name for r in report.references})} referenced)"
    )
    for col in ("status", "table", "detail", "referenced at"):
        table.add_column(col, overflow="fold")

    def where(name: str) -> str:
        return "\n".join(f"{r.file}:{r.line} ({r.context})" for r in report.where(name))

    for name, suggestion in report.mismatched.items():
        table.add_row("[red]mismatched[/]", name, f"not declared; did you mean {suggestion}?", where(name))
    for name in report.phantom:
        table.add_row("[red]phantom[/]", name, "not declared, no similar declared name", where(name))
    for name in report.matched:
        table.add_row("[green]matched[/]", name, "", where(name))
    for name in report.unused:
        table.add_row("[yellow]unused[/]", name, "declared, not referenced by the code", "")
    if report.live is not None:
        for name in report.missing_live:
            table.add_row("[red]not in account[/]", name, "declared or referenced, but ListTables lacks it", "")
        for name in report.unmanaged_live:
            table.add_row("[yellow]unmanaged[/]", name, "exists, but not declared", "")
    console.print(table)
    console.print(
        f"matched {len(report.matched)}, mismatched {len(report.mismatched)}, phantom "
        f"{len(report.phantom)}, unused {len(report.unused)}"
        + (f", not in account {len(report.missing_live)}" if report.live is not None else "")
    )
    console.print(
        "[green]audit passed[/]"
        if report.problems == 0
        else f"[red]audit failed: {report.problems} referenced table(s) not declared[/]"
    )


def _run(args: argparse.Namespace) -> int:
    declared = _declared(args)
    live = None
    if args.endpoint_url or args.list_tables:
        live = audit.list_tables(endpoint_url=args.endpoint_url, region=args.region)
    if declared is None and live is None:
        raise UserError(
            "nothing to compare with: give an ENV or --declared FILE, and/or --endpoint-url URL or --list-tables"
        )
    source_label = args.declared or (f"env {args.env}" if args.env else "ListTables")
    report = audit.audit(Path(args.source), declared if declared is not None else live or [], live)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print(report, Console(highlight=False), source_label)
    return 0 if report.problems == 0 else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "audit", help="compare table names used by app code with declared/live tables", description=__doc__
    )
    parser.add_argument(
        "env",
        nargs="?",
        choices=ENV_NAMES,
        metavar="ENV",
        help="compare with this env's Terraform outputs (tables, app_config); or give --declared",
    )
    parser.add_argument("--source", required=True, help="application source tree (or one file) to scan")
    parser.add_argument(
        "--declared", metavar="FILE", help="JSON: list of names, app-config map, tables map, or env outputs"
    )
    live = parser.add_mutually_exclusive_group()
    live.add_argument("--endpoint-url", metavar="URL", help="also ListTables on this endpoint (e.g. the local one)")
    live.add_argument(
        "--list-tables", action="store_true", help="also ListTables on the account of the current AWS credentials"
    )
    parser.add_argument("--region", help="region for ListTables (default: the AWS configuration's)")
    cliargs.add_json(parser, "the report")
    parser.set_defaults(func=_run)

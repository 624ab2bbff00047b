"""upgrade-check's report for people (tables on stderr) and for machines (`--json`), and its exit code."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tablekit.errors import OperationFailed, UserError
from tablekit.upgrade import migrations
from tablekit.upgrade.upgrade_check import Report, console, ref_label
from tablekit.upgrade.verdicts import Finding, Verdict


def findings_table(report: Report) -> Table:
    table = Table(title=escape(f"upgrade-check from {ref_label(report.source)}: every destroy and replacement"))
    for column in ("env", "address", "object", "action", "reason", "verdict"):
        table.add_column(column, overflow="fold")
    for result in report.results:
        for f in result.findings:
            style = {Verdict.FAIL: "bold red", Verdict.ALLOWED: "yellow"}.get(f.verdict, "dim")
            verdict = f.verdict.value
            if f.allowed_by is not None:
                verdict += f" by {f.allowed_by.label}: {f.allowed_by.reason}"
            cells = (f.env, f.address, f.object, f.action, f.reason)
            table.add_row(*(escape(c) for c in cells), f"[{style}]{escape(verdict)}[/]")
    return table


def summary_table(report: Report) -> Table:
    table = Table(title="upgrade-check per env")
    for column in ("env", "migrations", "plan", "destroy/replace", "items", "result", "seconds"):
        table.add_column(column, overflow="fold")
    for r in report.results:
        moved = sum(1 for s in r.migrations if s.outcome == migrations.Outcome.MOVE)
        items = f"{len(r.items) - len(r.lost)}/{len(r.items)} tables intact" if r.applied else "not applied"
        failing = len(r.failures)
        shown = f"{len(r.findings)} ({failing} failing)" if r.findings else "0"
        result = "[green]pass[/]" if r.passed else "[bold red]FAIL[/]"
        table.add_row(r.env, f"{moved} moved", r.counts.line(), shown, items, result, f"{sum(r.timings.values()):.0f}")
    return table


def print_report(report: Report, out: Console | None = None) -> None:
    out = out or console
    if any(r.findings for r in report.results):
        out.print(findings_table(report))
    out.print(summary_table(report))
    for r in report.results:
        for f in r.failures:
            out.print(f"[bold red]FAIL[/] {escape(f'[{r.env}] {f.address}: {f.reason}')}")
            if f.suggestion:
                out.print(f"  add to migrations/unreleased.txt: {escape(f.suggestion)}")
        for check in r.lost:
            out.print(f"[bold red]FAIL[/] {escape(f'[{r.env}] {check.problem}')}")
    for entry in report.stale:
        out.print(f"[bold red]stale[/] {escape(entry.label)} matches no destroy or replace")
    for r in report.results:
        out.print(f"[dim]{escape(f'{r.env}: {r.coverage}')}[/]")
    verdict = "[green]passed[/]" if report.passed else "[bold red]failed[/]"
    label = escape(f"upgrade-check from {ref_label(report.source)} to {report.head[:12]}")
    out.print(f"{label} {verdict} in {report.seconds:.0f}s")


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "address": f.address,
        "type": f.type,
        "action": f.action,
        "object": f.object,
        "reason": f.reason,
        "data_bearing": f.data_bearing,
        "verdict": f.verdict.value,
        "moved_to": f.moved_to,
        "suggested_migration": f.suggestion or None,
        "allowed_by": {"entry": f.allowed_by.label, "reason": f.allowed_by.reason} if f.allowed_by else None,
    }


def to_json(report: Report) -> dict[str, Any]:
    return {
        "from": {
            "ref": report.source.ref,
            "commit": report.source.commit,
            "release": report.source.release.version if report.source.release else None,
        },
        "head": report.head,
        "passed": report.passed,
        "seconds": report.seconds,
        "stale_allow_entries": [e.label for e in report.stale],
        "envs": {
            r.env: {
                "passed": r.passed,
                "coverage": r.coverage,
                "counts": asdict(r.counts),
                "migrations": [
                    {
                        "line": s.move.where,
                        "from": s.move.source,
                        "to": s.move.destination,
                        "result": s.outcome.value,
                    }
                    for s in r.migrations
                ],
                "findings": [_finding_json(f) for f in r.findings],
                "applied": r.applied,
                "seeded_items": r.seeded,
                "items": [
                    {
                        "table": c.table,
                        "before": c.before.items,
                        "after": c.after.items if c.after else None,
                        "ok": c.ok,
                    }
                    for c in r.items
                ],
                "seconds": r.timings,
            }
            for r in report.results
        },
    }


def exit_code(report: Report) -> int:
    """0 passed; 2 when an allow entry is stale (bad input); 1 when the check failed."""
    if report.stale:
        entry = report.stale[0]
        raise UserError(
            f"{entry.label} matches no destroy or replace in {', '.join(r.env for r in report.results)}: remove it "
            f"(the upgrade it allowed has shipped) or fix its address"
        )
    if not report.passed:
        problems = [f"{r.env}: {f.address}" for r in report.results for f in r.failures]
        problems += [f"{r.env}: {c.problem}" for r in report.results for c in r.lost]
        raise OperationFailed(
            f"upgrade-check from {report.source.ref} failed: {len(problems)} problem(s), first {problems[0]}"
            if problems
            else f"upgrade-check from {report.source.ref} failed"
        )
    return 0


def dumps(report: Report) -> str:
    return json.dumps(to_json(report), indent=1, sort_keys=True)

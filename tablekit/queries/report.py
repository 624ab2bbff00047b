"""Findings, and the linter-style report of a run: lines, a summary table, JSON.

Severities: `error` (DynamoDB refuses the request: the run fails, exit 1), `warning` (it runs, but
reads more than it returns), `not-checked` (the finder could not resolve something the check needs:
never counted as passing).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tablekit.queries.model import Call, Position

SEVERITIES = ("error", "warning", "not-checked")


@dataclass(frozen=True)
class Finding:
    file: str
    pos: Position
    severity: str
    rule: str
    message: str
    fix: str = ""
    table: str | None = None
    call: int = -1  # index of the call in Report.calls (-1: none)

    def line(self) -> str:
        """`file:line:col: severity: message (rule)` and the fix, as compilers and linters print it."""
        text = f"{self.file}:{self.pos.line}:{self.pos.col}: {self.severity}: {self.message} [{self.rule}]"
        return text + (f"\n    fix: {self.fix}" if self.fix else "")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("pos")
        data.pop("call")
        return {"line": self.pos.line, "col": self.pos.col, **data}


@dataclass
class Verdict:
    """DynamoDB Local's answer to one literal call (`--run`)."""

    call: Call
    accepted: bool
    message: str


@dataclass
class Report:
    calls: list[Call]
    findings: list[Finding]
    files: int = 0
    verdicts: list[Verdict] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    def static_errors_at(self, call: Call) -> list[Finding]:
        index = next((i for i, c in enumerate(self.calls) if c is call), -2)
        return [f for f in self.findings if f.severity == "error" and f.call == index]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.errors == 0,
            "files": self.files,
            "calls": len(self.calls),
            "counts": {s: self.count(s) for s in SEVERITIES},
            "findings": [f.to_json() for f in self.findings],
            "verdicts": [
                {
                    "file": v.call.file,
                    "line": v.call.pos.line,
                    "col": v.call.pos.col,
                    "operation": v.call.operation,
                    "static": "refused" if self.static_errors_at(v.call) else "accepted",
                    "dynamodb_local": "accepted" if v.accepted else "refused",
                    "message": v.message,
                }
                for v in self.verdicts
            ],
        }


def print_report(report: Report, console: Console, env: str) -> None:
    """Findings as lines, then one table per table touched, then the totals."""
    for finding in report.findings:
        style = {"error": "red", "warning": "yellow"}.get(finding.severity, "cyan")
        console.print(f"[{style}]{escape(finding.line())}[/]", highlight=False, soft_wrap=True)
    if report.verdicts:
        _print_verdicts(report, console)
    summary = Table(title=f"DynamoDB calls checked against env {env}")
    for column in ("table", "calls", "errors", "warnings", "not checked"):
        summary.add_column(column, justify="left" if column == "table" else "right")
    per_table: Counter[str] = Counter(c.table.name or "(unresolved)" for c in report.calls)
    by = Counter((f.table or "(unresolved)", f.severity) for f in report.findings)
    for name in sorted(per_table):
        summary.add_row(
            name, str(per_table[name]), str(by[name, "error"]), str(by[name, "warning"]), str(by[name, "not-checked"])
        )
    console.print(summary)
    console.print(
        f"{report.files} files, {len(report.calls)} calls: {report.errors} errors, {report.count('warning')} "
        f"warnings, {report.count('not-checked')} not checked"
    )


def _print_verdicts(report: Report, console: Console) -> None:
    table = Table(title="static verdict and DynamoDB Local's own (--run)")
    for column in ("call", "operation", "static", "DynamoDB Local", "DynamoDB's message"):
        table.add_column(column, overflow="fold")
    for verdict in report.verdicts:
        static = "refused" if report.static_errors_at(verdict.call) else "accepted"
        local = "accepted" if verdict.accepted else "refused"
        mark = "" if static == local else " [red](disagree)[/]"
        table.add_row(
            f"{verdict.call.file}:{verdict.call.pos.line}",
            verdict.call.operation,
            static,
            local + mark,
            escape(verdict.message),
        )
    console.print(table)

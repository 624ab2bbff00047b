"""What adapting a staged copy to the double removed or relaxed, and saying it once per run.

The findings (`Finding`, `Relaxation`, `Adaptation`) are the record tablekit.staging.compat
produces; this module keeps them per process and prints each removal once, grouped by the
planned resources it affected, so a run on the double always says what it did not run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Finding:
    """Something a schema does not accept, at a file and line."""

    path: str  # relative to the tree root, e.g. modules/dynamodb-table/main.tf
    line: int
    owner: str  # "resource aws_dynamodb_table" / "data source aws_region" / "provider aws"
    address: str  # "aws_dynamodb_table.this" / "data.aws_region.current" / "provider.aws"
    what: str  # "argument", "block", "resource type", "data source", "attribute"
    name: str  # dotted path inside the owner, e.g. point_in_time_recovery.recovery_period_in_days
    problem: str  # "does not exist" or "is deprecated: <message>"
    span: tuple[int, int] | None = None  # characters to delete for a strippable finding

    @property
    def strippable(self) -> bool:
        return self.span is not None and self.problem == "does not exist"

    def message(self, schema_label: str) -> str:
        subject = f"{self.what} {self.name} of {self.owner}" if self.what in {"argument", "block"} else self.name
        if self.what == "attribute":
            subject = f"attribute {self.name} of {self.owner} (read here)"
        elif self.what in {"resource type", "data source"}:
            subject = f"{self.what} {self.name}"
        return f"{self.path}:{self.line}: {subject} {self.problem} in {schema_label}"


@dataclass(frozen=True)
class Relaxation:
    path: str
    line: int
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.old} -> {self.new}"


@dataclass
class Adaptation:
    """What adapting one staged copy changed."""

    root: Path
    schema_label: str
    removals: list[Finding] = field(default_factory=list)
    relaxations: list[Relaxation] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"{r.path}:{r.line}: {r.owner}: {r.what} {r.name} removed (unknown to {self.schema_label})"
            for r in self.removals
        ]


_REPORTED: dict[str, Finding] = {}


_INSTANCES: dict[str, set[str]] = {}


_STATS = {"adaptations": 0, "seconds": 0.0}


def record(result: Adaptation) -> None:
    _STATS["adaptations"] += 1
    _STATS["seconds"] += result.seconds
    new = []
    for line, removal in zip(result.lines(), result.removals, strict=True):
        if line not in _REPORTED:
            _REPORTED[line] = removal
            new.append(line)
    if new and _ECHO["on"]:
        sys.stderr.write(
            f"tablekit: adapted the staged copy to {result.schema_label} (the offline provider) in "
            f"{result.seconds * 1000:.0f} ms; removed what it does not know:\n" + "".join(f"  {line}\n" for line in new)
        )


_ECHO = {"on": True}


def echo(enabled: bool) -> None:
    """Print new removals to stderr as they happen (the CLI) or only in a final summary (tests)."""
    _ECHO["on"] = enabled


def instances(plan: Mapping[str, Any], removals: Mapping[str, Finding]) -> dict[str, list[str]]:
    """Which planned resources each removal applied to (report line => sorted resource addresses).

    A removal is made once per file, but it matters per resource instance (deletion protection per
    table): the plan's configuration tells which module directory every instance comes from.
    """
    sources = _module_sources(plan.get("configuration", {}).get("root_module", {}), "", Path("."))
    by_line: dict[str, list[str]] = {}
    for line, removal in removals.items():
        module_dir = str(Path(removal.path).parent)
        kind, _, name = removal.address.removeprefix("data.").partition(".")
        hits = []
        for rc in plan.get("resource_changes", []):
            if rc.get("type") != kind or rc.get("name") != name:
                continue
            mode_ok = (rc.get("mode") == "data") == removal.address.startswith("data.")
            module = re.sub(r"\[[^\]]*\]", "", rc.get("module_address", ""))
            if mode_ok and _same_dir(sources.get(module), module_dir):
                hits.append(rc["address"])
        if hits:
            by_line[line] = sorted(hits)
    return by_line


def _same_dir(source: str | None, module_dir: str) -> bool:
    """A module's source (relative to the root) ends with the removal's directory (relative to the stage)."""
    return source is not None and (source == module_dir or source.endswith("/" + module_dir))


def note_instances(plan: Mapping[str, Any]) -> dict[str, list[str]]:
    """Record (and, for the CLI, print) the instances of this plan each reported removal applied to.

    Printed grouped: one line per resource type and set of instances (table names where the plan
    has them), then the arguments those instances lost, so a prod plan reads as "deletion
    protection, table class, ... on these 35 tables".
    """
    by_line = instances(plan, _REPORTED)
    for line, hits in by_line.items():
        _INSTANCES.setdefault(line, set()).update(hits)
    if by_line and _ECHO["on"]:
        sys.stderr.write(grouped_report(plan, by_line))
    return by_line


def grouped_report(plan: Mapping[str, Any], by_line: Mapping[str, list[str]]) -> str:
    """by_line grouped by instance set: '<n> <type>: <names>' then the arguments they lost."""
    names = {
        rc["address"]: ((rc.get("change") or {}).get("after") or {}).get("name") or rc["address"]
        for rc in plan.get("resource_changes", [])
    }
    groups: dict[tuple[str, ...], list[str]] = {}
    for line, line_hits in by_line.items():
        groups.setdefault(tuple(line_hits), []).append(_REPORTED[line].name)
    out = ["tablekit: planned from code whose modern-only settings were removed for the offline provider:\n"]
    for hits, arguments in sorted(groups.items()):
        kind = _REPORTED[next(k for k, v in by_line.items() if tuple(v) == hits)].owner
        out.append(f"  {len(hits)} x {kind}: {', '.join(sorted(names.get(h, h) for h in hits))}\n")
        out.append(f"      without: {', '.join(sorted(arguments))}\n")
    return "".join(out)


def _module_sources(module: Mapping[str, Any], address: str, directory: Path) -> dict[str, str]:
    out = {address: directory.as_posix()}
    for name, call in module.get("module_calls", {}).items():
        child = Path(*[p for p in (directory / call.get("source", "")).as_posix().split("/") if p not in ("", ".")])
        parts: list[str] = []
        for part in child.parts:
            if part == ".." and parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append(part)
        child_address = f"{address}.module.{name}" if address else f"module.{name}"
        out.update(_module_sources(call.get("module", {}), child_address, Path(*parts) if parts else Path(".")))
    return out


def summary() -> str:
    """The run's report: every removal once, with the instances it applied to where known."""
    if not _REPORTED:
        return ""
    lines = [
        f"tablekit compat: {len(_REPORTED)} modern-only arguments/blocks removed from staged copies for the "
        f"offline provider ({_STATS['adaptations']} adaptations, {_STATS['seconds']:.2f} s in total):"
    ]
    for line in sorted(_REPORTED):
        lines.append(f"  {line}")
        hits = sorted(_INSTANCES.get(line, ()))
        if hits:
            lines.append(f"      not applied to {len(hits)} planned resources, e.g. {hits[0]}")
    return "\n".join(lines)


def reported() -> dict[str, Finding]:
    """Removals reported so far in this process (line => finding)."""
    return dict(_REPORTED)

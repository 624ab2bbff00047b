"""Walking an application source tree: each file to its language's finder, each call to the rules.

The walk is `audit`'s (same skipped directories, same size limit), so both commands read the
same files. A file that does not parse is one "not checked" finding, never silence.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from tablekit.errors import UserError
from tablekit.queries import python_calls, rules
from tablekit.queries.appcode import walk_source
from tablekit.queries.model import Call, Position
from tablekit.queries.report import Finding, Report
from tablekit.queries.schema import Declared

PYTHON = frozenset({".py"})
SCRIPT = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})


def source_files(source: Path) -> list[Path]:
    """The Python and JavaScript/TypeScript files under source (or source itself)."""
    if not source.exists():
        raise UserError(f"--source {source}: no such file or directory")
    files = [source] if source.is_file() else list(walk_source(source))
    return [f for f in files if f.suffix in PYTHON | SCRIPT and not f.name.endswith(".d.ts")]


def calls_of(path: Path, rel: str, declared: Declared) -> list[Call]:
    """Every DynamoDB call of one file; SyntaxError when it does not parse."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in PYTHON:
        return python_calls.find_calls(text, rel, declared.app_config)
    from tablekit.queries import js_calls  # tree-sitter loads only when a tree has scripts

    return js_calls.find_calls(text, rel, declared.app_config, path.suffix)


def _check_files(jobs: list[tuple[Path, str]], declared: Declared) -> list[tuple[list[Call], list[Finding]]]:
    """Find and check the calls of some files: per file, its calls and findings (call = index in that list)."""
    out = []
    for path, rel in jobs:
        findings: list[Finding] = []
        try:
            calls = calls_of(path, rel, declared)
        except SyntaxError as exc:
            position = Position(exc.lineno or 1, exc.offset or 1)
            findings.append(Finding(rel, position, "not-checked", "syntax", f"does not parse: {exc.msg}"))
            calls = []
        for index, call in enumerate(calls):
            findings += [dataclasses.replace(f, call=index) for f in rules.check(call, declared)]
        out.append((calls, findings))
    return out


def check_tree(source: Path, declared: Declared, progress: Callable[[int, int], None] | None = None) -> Report:
    """Find and check every call under source, in file order.

    One process: the benchmark (bench/bench_queries.py) measured two worker processes no faster on
    the project's 2-core machines, as pickling the calls back costs what the second core saves.
    """
    source = Path(source)
    files = source_files(source)
    base = source.parent if source.is_file() else source
    report = Report(calls=[], findings=[], files=len(files))
    for number, path in enumerate(files, start=1):
        for calls, findings in _check_files([(path, path.relative_to(base).as_posix())], declared):
            offset = len(report.calls)
            report.calls += calls
            report.findings += [dataclasses.replace(f, call=f.call + offset) if f.call >= 0 else f for f in findings]
        if progress is not None:
            progress(number, len(files))
    return report

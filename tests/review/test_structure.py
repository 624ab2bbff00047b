"""The renderer cannot print a raw plan value or unescaped text: checked on its source.

By construction every line of the comment is `markdown.Md`, made from template literals
(`lit`, `fmt`, `join` with literal templates) and from `redact.Display` values (`code`, `value`).
This test holds the renderer to that: a template built from a variable, or an `Md(...)` made
outside markdown.py, would let plan text in unescaped.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tablekit.paths import ROOT

RENDERERS = ["tablekit/review/comment.py", "tablekit/review/drift_issue.py"]
TEMPLATE_FUNCTIONS = {"lit": 0, "fmt": 0, "join": 0}


def calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]


def name(call: ast.Call) -> str:
    """The called function's name (`fmt`, `markdown.fmt`); str methods like "\\n".join are not ours."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and not isinstance(func.value, ast.Constant):
        return func.attr
    return ""


def literal_constants(path: Path) -> set[str]:
    """Module-level names bound to a string literal (MARKER = "..."): as good as the literal."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("module", RENDERERS)
def test_templates_are_literals(module: str) -> None:
    bad = []
    constants = literal_constants(ROOT / module)
    for call in calls(ROOT / module):
        position = TEMPLATE_FUNCTIONS.get(name(call))
        if position is None:
            continue
        arg = call.args[position] if len(call.args) > position else None
        literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        if not literal and not (isinstance(arg, ast.Name) and arg.id in constants):
            bad.append(f"{module}:{call.lineno}: {name(call)}() with a non-literal template")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", RENDERERS)
def test_markdown_is_made_only_by_the_markdown_module(module: str) -> None:
    bad = [f"{module}:{c.lineno}" for c in calls(ROOT / module) if name(c) in ("Md", "Display")]
    assert not bad, f"Md/Display constructed directly: {bad}"


def test_display_is_made_only_by_redact() -> None:
    """Display() is constructed in redact.py only: everything else gets values through its maskers."""
    for path in sorted((ROOT / "tablekit").glob("*.py")):
        if path.name == "redact.py":
            continue
        bad = [c.lineno for c in calls(path) if name(c) == "Display"]
        assert not bad, f"{path.name}: Display(...) at lines {bad}"


def test_the_guard_sees_a_violation(tmp_path: Path) -> None:
    """The AST check really flags a template built from a variable."""
    sample = tmp_path / "sample.py"
    sample.write_text("x = 'a'\nfmt(x, y)\nlit('ok')\nMd(z)\n")
    found = [(name(c), c.lineno) for c in calls(sample)]
    assert ("fmt", 2) in found and ("Md", 4) in found
    first = next(c for c in calls(sample) if name(c) == "fmt")
    assert not isinstance(first.args[0], ast.Constant)

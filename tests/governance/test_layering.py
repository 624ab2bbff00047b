"""The package layering docs/architecture.md promises holds in the code.

The architecture page lists tablekit's packages from the CLI layer down to the shared leaves and
says no package imports one listed above it. That order is what lets a reader follow `setup`
through each subsystem once; this test reads the table and every import of tablekit/ (module
level and inside functions) and fails on an import that runs back up, naming the file and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tablekit.paths import ROOT

PACKAGE = ROOT / "tablekit"


def layers() -> list[set[str]]:
    """The table's rows, top first: each row the set of first-level names under tablekit/ it names."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    start = text.index("| package | owns |", text.index("## The tablekit package"))
    rows = [line for line in text[start : text.index("\n\n", start)].splitlines() if line.startswith("| `")]
    return [
        {name.rstrip("/").removesuffix(".py") for name in re.findall(r"`([a-z_./]+)`", row.split("|")[1])}
        for row in rows
    ]


def top_level(module: str) -> str:
    """`tablekit.envs.runs` -> `envs`; `tablekit.aws` -> `aws`."""
    return module.split(".")[1]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported tablekit module) of every import in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("tablekit."):
            found.append((node.lineno, str(node.module)))
        elif isinstance(node, ast.ImportFrom) and node.module == "tablekit":
            found += [(node.lineno, f"tablekit.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("tablekit.")]
    return found


def violations(order: list[set[str]]) -> list[str]:
    rank = {name: index for index, row in enumerate(order) for name in row}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] in {"__init__.py", "__main__.py"}:
            continue
        own = parts[0].removesuffix(".py")
        for line, module in imports(path):
            other = top_level(module)
            if other != own and rank[other] < rank[own]:
                found.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {module}, listed above it")
    return found


def test_the_table_names_every_package_and_leaf_once() -> None:
    order = layers()
    named = [name for row in order for name in row]
    present = {
        p.name.removesuffix(".py")
        for p in PACKAGE.iterdir()
        if p.name not in {"__init__.py", "__main__.py", "__pycache__"}
    }
    assert len(named) == len(set(named)), f"named twice: {sorted(n for n in named if named.count(n) > 1)}"
    assert set(named) == present, (
        f"missing from the table: {sorted(present - set(named))}; gone: {sorted(set(named) - present)}"
    )


def test_no_package_imports_one_listed_above_it() -> None:
    assert violations(layers()) == []


def test_an_import_that_runs_back_up_is_named() -> None:
    """The check itself: swapping two rows that import each other one way makes it fail, by file."""
    order = layers()
    envs = next(i for i, row in enumerate(order) if "envs" in row)
    terraform = next(i for i, row in enumerate(order) if "terraform" in row)
    swapped = list(order)
    swapped[envs], swapped[terraform] = swapped[terraform], swapped[envs]
    found = violations(swapped)
    assert any(line.startswith("tablekit/envs/") and "imports tablekit.terraform" in line for line in found), found

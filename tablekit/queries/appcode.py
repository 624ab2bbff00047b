"""Reading application code and env outputs: what `audit` and `check-queries` both need.

`audit` (tablekit.operations.audit) checks the table names application code uses; `check-queries`
(this package) checks the calls it makes. Both walk Python syntax trees the same way, read the
same `terraform output -json` values and suggest the same closest declared name, so those
helpers live here once.
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path
from typing import Any, Iterator, Sequence

NAME_SEPARATOR = re.compile(r"[-_.]")


_TYPO_CUTOFF = 0.85


def string_value(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def target_names(targets: Sequence[ast.AST]) -> list[str]:
    out = []
    for t in targets:
        if isinstance(t, ast.Name):
            out.append(t.id)
        elif isinstance(t, ast.Attribute):
            out.append(t.attr)
        elif isinstance(t, ast.Subscript) and string_value(t.slice):
            out.append(str(string_value(t.slice)))
    return out


def callee(node: ast.Call) -> tuple[str, str]:
    """(attribute or function name, receiver text) of a call, e.g. ("get", "os.environ")."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr, ast.unparse(func.value)
    if isinstance(func, ast.Name):
        return func.id, ""
    return "", ""


def unwrap_output(value: Any) -> Any:
    """`terraform output -json` wraps each output as {"value": ..., "type": ..., "sensitive": ...}."""
    if isinstance(value, dict) and "value" in value and ("type" in value or "sensitive" in value):
        return value["value"]
    return value


def namespace(name: str) -> str:
    """The namespace word (`ielts` of `ielts-genai-prep-users`): a suggestion never crosses it."""
    return NAME_SEPARATOR.split(name.lower())[0]


def entity(name: str) -> str:
    word = NAME_SEPARATOR.split(name.lower())[-1]
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def closest(name: str, declared: Sequence[str]) -> str | None:
    """The declared name a reference most likely meant, or None (see module docstring)."""
    same_entity = [d for d in declared if entity(d) == entity(name) and namespace(d) == namespace(name)]
    if same_entity:
        return max(same_entity, key=lambda d: (difflib.SequenceMatcher(None, name, d).ratio(), d))
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=_TYPO_CUTOFF)
    return close[0] if close else None


SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".terraform", "build", "dist", ".tox"}


MAX_FILE_BYTES = 2_000_000


def walk_source(source: Path) -> Iterator[Path]:
    for path in sorted(source.rglob("*")):
        if any(part in SKIP_DIRS for part in path.relative_to(source).parts[:-1]):
            continue
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            yield path

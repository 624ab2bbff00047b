"""Table-name audit: which DynamoDB table names does application code use, and do they exist?

Why: the IELTS audit (seed 003) was done by hand and found a rubrics table referenced under a name
that no environment declares, two "phantom" tables nothing creates, and eleven declared tables no
code uses. This automates it: names are collected from an application source tree, compared with
the names an environment declares (its `tables`/`app_config` outputs, or a JSON export) and, when
an account or endpoint is reachable, with ListTables.

What counts as a reference (Python, via the ast module — no regex over source text, so comments
and log messages never count):
- the first argument or `name=`/`TableName=` keyword of a `Table(...)` / `.Table(...)` call, and
  `TableName=` in any call (low-level client calls);
- the default of `os.environ.get("X", "default")` / `os.getenv(...)` / `environ.get(...)`, when X
  mentions TABLE or the default looks like a table name;
- string values of a dict literal assigned to something named like `*table*`, or of a dict whose
  values all look like declared table names;
- a string constant assigned to a name containing TABLE (`USERS_TABLE = "..."`);
- app-config exports in the tree (JSON maps or dotenv files of `*TABLE*=name`).

"Looks like a table name" means: the lower-case `word-word` / `word_word` shape, sharing its first
word with a declared name (so `us-east-1` or `utf-8` never count).

Closest-name matching: plain difflib over whole names is dominated by shared namespace prefixes
(`ielts-assessment-rubrics` is closer to `ielts-assessment-questions` than to the real
`ielts-genai-prep-rubrics`), so a declared name with the same first word (the application) and the
same last word (the entity) wins first; only without one does a close whole-name match (a typo)
count. `ielts-ai-safety-logs` therefore stays a phantom next to `aitutor_audit_logs`.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tablekit.errors import UserError
from tablekit.queries.appcode import (
    NAME_SEPARATOR,
    callee,
    closest,
    string_value,
    target_names,
    unwrap_output,
    walk_source,
)

_NAME_SHAPE = re.compile(r"^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$")
_ENV_GETTERS = {"get", "getenv"}


@dataclass(frozen=True)
class Reference:
    """One place in the source tree that names a table."""

    name: str
    file: str
    line: int
    context: str


@dataclass
class AuditReport:
    """The comparison of referenced, declared and (optionally) live table names."""

    references: list[Reference]
    declared: list[str]
    live: list[str] | None = None
    matched: list[str] = field(default_factory=list)
    mismatched: dict[str, str] = field(default_factory=dict)  # referenced -> closest declared
    phantom: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    missing_live: list[str] = field(default_factory=list)  # declared or referenced, absent from ListTables
    unmanaged_live: list[str] = field(default_factory=list)  # in the account, not declared

    @property
    def problems(self) -> int:
        """Findings that fail the audit: mismatched and phantom references."""
        return len(self.mismatched) + len(self.phantom)

    def where(self, name: str) -> list[Reference]:
        return [r for r in self.references if r.name == name]

    def to_json(self) -> dict[str, Any]:
        def refs(name: str) -> list[dict[str, Any]]:
            return [{"file": r.file, "line": r.line, "context": r.context} for r in self.where(name)]

        return {
            "ok": self.problems == 0,
            "problems": self.problems,
            "declared_count": len(self.declared),
            "referenced_count": len({r.name for r in self.references}),
            "matched": [{"name": n, "references": refs(n)} for n in self.matched],
            "mismatched": [
                {"name": n, "closest_declared": c, "references": refs(n)} for n, c in self.mismatched.items()
            ],
            "phantom": [{"name": n, "references": refs(n)} for n in self.phantom],
            "unused": self.unused,
            "live_checked": self.live is not None,
            "missing_live": self.missing_live,
            "unmanaged_live": self.unmanaged_live,
        }


# --------------------------------------------------------------------------------------------
# collecting references
# --------------------------------------------------------------------------------------------


def _first_words(names: Iterable[str]) -> set[str]:
    return {NAME_SEPARATOR.split(n.lower())[0] for n in names if n}


def looks_like_table(value: str, prefixes: set[str] | None) -> bool:
    """Table-name shape, and (when declared names are known) a first word some declared name has."""
    if not _NAME_SHAPE.match(value) or len(value) > 255:
        return False
    return prefixes is None or NAME_SEPARATOR.split(value)[0] in prefixes


class _Visitor(ast.NodeVisitor):
    def __init__(self, rel: str, prefixes: set[str] | None):
        self.rel = rel
        self.prefixes = prefixes
        self.found: list[Reference] = []

    def add(self, value: str | None, node: ast.AST, context: str, strict: bool = False) -> None:
        """Record value; strict contexts (env defaults, anonymous dicts) also need the table-name shape."""
        if value is None or not value.strip():
            return
        if strict and not looks_like_table(value, self.prefixes):
            return
        self.found.append(Reference(value, self.rel, getattr(node, "lineno", 0), context))

    def visit_Call(self, node: ast.Call) -> None:
        name, receiver = callee(node)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name == "Table":
            arg = node.args[0] if node.args else keywords.get("name") or keywords.get("TableName")
            self.add(string_value(arg), node, "Table(...)")
        elif "TableName" in keywords:
            self.add(string_value(keywords["TableName"]), node, f"{name}(TableName=...)")
        if name in _ENV_GETTERS and ("environ" in receiver or name == "getenv") and len(node.args) >= 2:
            var = string_value(node.args[0]) or ""
            default = string_value(node.args[1])
            if default is not None:
                strict = "TABLE" not in var.upper()
                self.add(default, node, f"env default {var}", strict=strict)
        self.generic_visit(node)

    def _dict(self, node: ast.Dict, targets: list[str]) -> None:
        values = [(k, v) for k, v in zip(node.keys, node.values, strict=True) if string_value(v) is not None]
        if not values:
            return
        named = any("table" in t.lower() for t in targets)
        strs = [str(string_value(v)) for _, v in values]
        all_tableish = len(strs) >= 2 and all(looks_like_table(s, self.prefixes) for s in strs)
        if not (named or all_tableish):
            return
        for key, value in values:
            label = string_value(key) if key is not None else None
            self.add(string_value(value), value, f"dict {'.'.join(targets) or '{…}'}[{label!r}]", strict=not named)

    def _assign(self, targets: list[str], value: ast.AST | None) -> None:
        if isinstance(value, ast.Dict):
            self._dict(value, targets)
        elif value is not None and string_value(value) is not None and any("TABLE" in t.upper() for t in targets):
            self.add(string_value(value), value, f"constant {targets[0]}", strict=False)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(target_names(node.targets), node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign(target_names([node.target]), node.value)
        self.generic_visit(node)


def _python_refs(path: Path, rel: str, prefixes: set[str] | None) -> list[Reference]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=rel)
    except SyntaxError:
        return []
    visitor = _Visitor(rel, prefixes)
    visitor.visit(tree)
    assigned = {id(n.value) for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign))}
    for node in ast.walk(tree):  # dict literals not assigned to a name (arguments, returns, nested)
        if isinstance(node, ast.Dict) and id(node) not in assigned:
            visitor._dict(node, [])
    return visitor.found


def _config_refs(path: Path, rel: str) -> list[Reference]:
    """App-config exports: a JSON map or dotenv file of `*TABLE*` variable -> table name."""
    found: list[Reference] = []
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return []
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and "TABLE" in str(key).upper():
                    found.append(Reference(value, rel, 1, f"app config {key}"))
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and "TABLE" in key.upper() and not key.startswith("#"):
            found.append(Reference(value.strip().strip("'\""), rel, number, f"app config {key.strip()}"))
    return found


def find_references(source: Path, declared: Iterable[str] | None = None) -> list[Reference]:
    """Every table-name reference under source (a directory or a single file)."""
    source = Path(source)
    if not source.exists():
        raise UserError(f"--source {source}: no such file or directory")
    prefixes = _first_words(declared) if declared else None
    files = [source] if source.is_file() else list(walk_source(source))
    base = source.parent if source.is_file() else source
    found: list[Reference] = []
    for path in files:
        rel = path.relative_to(base).as_posix()
        if path.suffix == ".py":
            found += _python_refs(path, rel, prefixes)
        elif (
            path.suffix == ".env"
            or path.name.startswith(".env")
            or (path.suffix == ".json" and "config" in path.name.lower())
        ):
            found += _config_refs(path, rel)
    return sorted(set(found), key=lambda r: (r.file, r.line, r.name, r.context))


# --------------------------------------------------------------------------------------------
# declared and live names
# --------------------------------------------------------------------------------------------


def declared_from_outputs(outputs: Mapping[str, Any]) -> list[str]:
    """Table names of an env's outputs: keys of `tables`, values of `app_config` (either may be absent)."""
    names: set[str] = set()
    tables = unwrap_output(outputs.get("tables"))
    if isinstance(tables, dict):
        names |= {str(k) for k in tables}
    app_config = unwrap_output(outputs.get("app_config"))
    if isinstance(app_config, dict):
        names |= {str(v) for v in app_config.values() if isinstance(v, str)}
    return sorted(names)


def declared_from_file(path: Path) -> list[str]:
    """Names from a JSON file: a list of names, env outputs ({tables, app_config}), a `tables` map
    (name -> key schema) or an app-config map (VAR -> name)."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise UserError(f"--declared {path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise UserError(f"--declared {path}: not JSON ({exc})") from exc
    if isinstance(data, list) and all(isinstance(n, str) for n in data):
        return sorted(set(data))
    if isinstance(data, dict):
        if "tables" in data or "app_config" in data:
            return declared_from_outputs(data)
        if data and all(isinstance(v, str) for v in data.values()):
            return sorted(set(data.values()))
        if data and all(isinstance(v, dict) for v in data.values()):
            return sorted(data)
    raise UserError(
        f"--declared {path}: expected a JSON list of table names, an app-config map (VAR -> name), "
        f"a tables map (name -> schema) or env outputs with `tables`/`app_config`"
    )


def list_tables(endpoint_url: str | None = None, region: str | None = None) -> list[str]:
    """ListTables (all pages) on the endpoint, or on the account of the default credentials."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tablekit import aws  # imported lazily: only live checks need boto3

    try:
        return aws.list_tables(aws.clients(endpoint_url, region).dynamodb())
    except (BotoCoreError, ClientError) as exc:
        where = endpoint_url or "the AWS account of your credentials"
        raise UserError(f"ListTables on {where} failed: {exc}") from exc


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------


def compare(references: Sequence[Reference], declared: Iterable[str], live: Iterable[str] | None = None) -> AuditReport:
    """Classify every referenced and declared name."""
    declared_list = sorted(set(declared))
    declared_set = set(declared_list)
    report = AuditReport(
        references=list(references), declared=declared_list, live=sorted(set(live)) if live is not None else None
    )
    referenced = sorted({r.name for r in references})
    for name in referenced:
        if name in declared_set:
            report.matched.append(name)
            continue
        suggestion = closest(name, declared_list)
        if suggestion:
            report.mismatched[name] = suggestion
        else:
            report.phantom.append(name)
    accounted = set(report.matched) | set(report.mismatched.values())
    report.unused = [n for n in declared_list if n not in accounted]
    if report.live is not None:
        live_set = set(report.live)
        report.missing_live = sorted(n for n in declared_set | set(referenced) if n not in live_set)
        report.unmanaged_live = sorted(live_set - declared_set)
    return report


def audit(source: Path, declared: Iterable[str], live: Iterable[str] | None = None) -> AuditReport:
    """find_references + compare."""
    declared = list(declared)
    return compare(find_references(source, declared), declared, live)

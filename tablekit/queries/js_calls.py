"""Finding DynamoDB calls in JavaScript and TypeScript with tree-sitter's grammars (pinned wheels).

What counts as a call:
- AWS SDK v3 commands: `new QueryCommand(params)`, `GetCommand`, `PutCommand`, ... of
  `@aws-sdk/lib-dynamodb` (plain values) and `QueryCommand`, `GetItemCommand`, ... of
  `@aws-sdk/client-dynamodb` (typed values), batch and transaction commands included;
- AWS SDK v2 (and v3's aggregated clients): `x.query(params)`, `.get`, `.put`, `.update`,
  `.delete`, `.scan`, `.batchGet`, ... (DocumentClient, plain values) and `.getItem`, `.putItem`,
  ... (low-level, typed values), when the params object names a `TableName` (or `RequestItems`,
  `TransactItems`), so a `Map.get(key)` is never taken for DynamoDB.

Params objects resolve through `const`/`let` declarations of the same file (the nearest one above
the call); table names through literals, `process.env.X` (the env's app config, or the `|| "default"`
beside it) and same-file constants, as in Python.
"""

from __future__ import annotations

import codecs
from bisect import bisect_right
from collections import defaultdict
from functools import cache
from typing import Any, Mapping

import tree_sitter as ts
import tree_sitter_javascript as ts_javascript
import tree_sitter_typescript as ts_typescript

from tablekit.queries.model import SPREAD, TRANSACT, UNKNOWN, Call, Param, Position, TableRef, env_table, expand_batch

_DOCUMENT_COMMANDS = {"Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
_TYPED_COMMANDS = {"GetItem": "GetItem", "PutItem": "PutItem", "UpdateItem": "UpdateItem", "DeleteItem": "DeleteItem"}
_BATCH_COMMANDS = {"BatchGet", "BatchWrite", "TransactGet", "TransactWrite"} | {
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
}
_V2_DOCUMENT = {"get": "GetItem", "put": "PutItem", "update": "UpdateItem", "delete": "DeleteItem"}
_V2_TYPED = {"getItem": "GetItem", "putItem": "PutItem", "updateItem": "UpdateItem", "deleteItem": "DeleteItem"}
_V2_BATCH = {"batchGet", "batchWrite", "transactGet", "transactWrite"} | {
    "batchGetItem",
    "batchWriteItem",
    "transactGetItems",
    "transactWriteItems",
}
_WRAPPERS = {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"}
_QUERY = """
(variable_declarator name: (identifier) @name value: (_) @value)
(new_expression constructor: (identifier) @ctor arguments: (arguments) @args) @new
(call_expression function: (member_expression object: (_) @receiver property: (property_identifier) @method)
  arguments: (arguments) @args) @call
(import_statement source: (string) @source) @import
"""
_MAX_DEPTH = 8


@cache
def _language(suffix: str) -> ts.Language:
    if suffix == ".tsx":
        return ts.Language(ts_typescript.language_tsx())
    if suffix in (".ts", ".mts", ".cts"):
        return ts.Language(ts_typescript.language_typescript())
    return ts.Language(ts_javascript.language())


@cache
def _parser(suffix: str) -> tuple[ts.Parser, ts.Query]:
    language = _language(suffix)
    return ts.Parser(language), ts.Query(language, _QUERY)


def _text(node: ts.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _pos(node: ts.Node) -> Position:
    return Position(node.start_point[0] + 1, node.start_point[1] + 1)


def _unwrap(node: ts.Node | None) -> ts.Node | None:
    while node is not None and node.type in _WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def _string(node: ts.Node | None) -> str | None:
    """The value of a string literal or a template without substitutions."""
    node = _unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(_text(child))
        elif child.type == "escape_sequence":
            parts.append(codecs.decode(_text(child), "unicode_escape"))
        else:
            return None  # a ${substitution}
    return "".join(parts)


class _File:
    """One parsed script: declarations by name, imported names by module, value resolution."""

    def __init__(self, rel: str, app_config: Mapping[str, str], language: str) -> None:
        self.rel = rel
        self.app_config = app_config
        self.language = language
        self.bindings: dict[str, list[tuple[int, ts.Node]]] = defaultdict(list)
        self.imports: dict[str, str] = {}  # local name -> module it comes from

    def bind(self, name: ts.Node, value: ts.Node) -> None:
        self.bindings[_text(name)].append((name.start_point[0], value))

    def imported(self, node: ts.Node, source: ts.Node) -> None:
        module = _string(source) or ""
        for spec in _descendants(node, "import_specifier"):
            local = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
            original = spec.child_by_field_name("name")
            if local is not None and original is not None:
                self.imports[_text(local)] = module + "#" + _text(original)

    def lookup(self, name: str, row: int) -> ts.Node | None:
        entries = self.bindings.get(name)
        if not entries:
            return None
        at = bisect_right([e[0] for e in entries], row) - 1
        return entries[max(at, 0)][1]

    # -- table names ------------------------------------------------------------------------------

    def table_ref(self, node: ts.Node | None, depth: int = 0) -> TableRef:
        node = _unwrap(node)
        if node is None:
            return TableRef(None, "no TableName")
        text = _string(node)
        if text is not None:
            return TableRef(text, "literal")
        env = self._env_var(node)
        if env is not None:
            return env_table(*env, self.app_config)
        if depth < _MAX_DEPTH and node.type in ("identifier", "member_expression", "subscript_expression"):
            value = self.value(node, depth + 1)
            if isinstance(value, str):
                return TableRef(value, f"constant {_text(node)}")
            if node.type == "identifier":
                bound = self.lookup(_text(node), node.start_point[0])
                if bound is not None:
                    return self.table_ref(bound, depth + 1)
        return TableRef(None, f"`{_text(node)[:60]}`")

    def _env_var(self, node: ts.Node) -> tuple[str, str | None] | None:
        """(variable, default) of process.env.X, process.env["X"], or either `|| "default"` / `?? "default"`."""
        if node.type == "binary_expression" and node.child_by_field_name("operator") is not None:
            operator = _text(node.child_by_field_name("operator"))  # type: ignore[arg-type]
            left = _unwrap(node.child_by_field_name("left"))
            if operator in ("||", "??") and left is not None:
                inner = self._env_var(left)
                if inner is not None:
                    return inner[0], _string(node.child_by_field_name("right"))
            return None
        if node.type in ("member_expression", "subscript_expression"):
            target = node.child_by_field_name("object")
            if target is not None and _text(target) == "process.env":
                field = node.child_by_field_name("property") or node.child_by_field_name("index")
                name = _string(field) if field is not None and field.type != "property_identifier" else None
                return (name or (_text(field) if field is not None else "")), None
        return None

    # -- values -----------------------------------------------------------------------------------

    def value(self, node: ts.Node | None, depth: int = 0) -> Any:
        """A literal value (str, number, bool, None, dict, list) or UNKNOWN."""
        node = _unwrap(node)
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        kind = node.type
        text = _string(node)
        if text is not None:
            return text
        if kind == "number":
            return _number(_text(node))
        if kind in ("true", "false"):
            return kind == "true"
        if kind in ("null", "undefined"):
            return None
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return [self.value(child, depth + 1) for child in node.named_children if child.type != "comment"]
        if kind == "identifier":
            bound = self.lookup(_text(node), node.start_point[0])
            return self.value(bound, depth + 1) if bound is not None and bound != node else UNKNOWN
        if kind in ("member_expression", "subscript_expression"):
            base = self.value(node.child_by_field_name("object"), depth + 1)
            field = node.child_by_field_name("property") or node.child_by_field_name("index")
            key = (
                _text(field)
                if field is not None and field.type == "property_identifier"
                else self.value(field, depth + 1)
            )
            if isinstance(base, dict) and isinstance(key, str) and key in base:
                return base[key]
        return UNKNOWN

    def _object(self, node: ts.Node, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in node.named_children:
            if child.type == "pair":
                key = self.key(child.child_by_field_name("key"), depth)
                out[key if key is not None else SPREAD] = (
                    self.value(child.child_by_field_name("value"), depth + 1) if key is not None else UNKNOWN
                )
            elif child.type == "shorthand_property_identifier":
                bound = self.lookup(_text(child), child.start_point[0])
                out[_text(child)] = self.value(bound, depth + 1) if bound is not None else UNKNOWN
            elif child.type in ("spread_element", "method_definition"):
                out[SPREAD] = UNKNOWN
        return out

    def key(self, node: ts.Node | None, depth: int = 0) -> str | None:
        """An object key: identifier, string, number, or a computed key whose value is literal."""
        if node is None:
            return None
        if node.type in ("property_identifier", "number"):
            return _text(node)
        if node.type == "computed_property_name":
            inner = self.value(node.named_children[0] if node.named_children else None, depth + 1)
            return inner if isinstance(inner, str) else None
        return _string(node)

    def pairs(self, node: ts.Node | None, depth: int = 0) -> list[tuple[ts.Node, ts.Node]]:
        """(key node, value node) of an object literal, through an identifier bound to one."""
        node = _unwrap(node)
        if node is not None and node.type == "identifier" and depth < _MAX_DEPTH:
            return self.pairs(self.lookup(_text(node), node.start_point[0]), depth + 1)
        if node is None or node.type != "object":
            return []
        found = []
        for child in node.named_children:
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if child.type == "pair" and key is not None and value is not None:
                found.append((key, value))
        return found


def _number(text: str) -> Any:
    try:
        return int(text, 0) if text.isdigit() or text.lower().startswith(("0x", "0o", "0b")) else float(text)
    except ValueError:
        return UNKNOWN


def _descendants(node: ts.Node, kind: str) -> list[ts.Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            found.append(current)
        stack.extend(current.named_children)
    return found


# -- finding the calls ----------------------------------------------------------------------------------


def find_calls(text: str, rel: str, app_config: Mapping[str, str], suffix: str = ".js") -> list[Call]:
    """Every DynamoDB call of one script (tree-sitter recovers from syntax errors, so none is raised)."""
    parser, query = _parser(suffix)
    tree = parser.parse(text.encode("utf-8"))
    language = "typescript" if suffix in (".ts", ".mts", ".cts", ".tsx") else "javascript"
    file = _File(rel, app_config, language)
    sites: list[tuple[str, dict[str, list[ts.Node]]]] = []
    for _pattern, captures in ts.QueryCursor(query).matches(tree.root_node):
        if "name" in captures:
            file.bind(captures["name"][0], captures["value"][0])
        elif "import" in captures:
            file.imported(captures["import"][0], captures["source"][0])
        else:
            sites.append(("new" if "new" in captures else "call", captures))
    calls: list[Call] = []
    for kind, captures in sites:
        calls += _command(file, captures) if kind == "new" else _method(file, captures)
    return sorted(calls, key=lambda c: (c.pos.line, c.pos.col))


def _first_arg(args: ts.Node) -> ts.Node | None:
    named = [c for c in args.named_children if c.type != "comment"]
    return named[0] if named else None


def _command(file: _File, captures: dict[str, list[ts.Node]]) -> list[Call]:
    """`new XCommand(params)` of the v3 SDK."""
    local = _text(captures["ctor"][0])
    module, _, original = file.imports.get(local, "#" + local).partition("#")
    if not original.endswith("Command"):
        return []
    base = original.removesuffix("Command")
    at, arg = captures["new"][0], _first_arg(captures["args"][0])
    via = f"new {original}"
    if base in ("Query", "Scan"):
        style = {"@aws-sdk/lib-dynamodb": "document", "@aws-sdk/client-dynamodb": "typed"}.get(module, "unknown")
        return _single(file, at, arg, base, style, via)
    if base in _DOCUMENT_COMMANDS:
        return _single(file, at, arg, _DOCUMENT_COMMANDS[base], "document", via)
    if base in _TYPED_COMMANDS:
        return _single(file, at, arg, _TYPED_COMMANDS[base], "typed", via)
    if base in _BATCH_COMMANDS:
        return _batch(file, at, arg, "typed" if base.endswith(("Item", "Items")) else "document", via)
    return []


def _method(file: _File, captures: dict[str, list[ts.Node]]) -> list[Call]:
    """`client.query(params)` and friends (v2 SDK, v3 aggregated clients): only with a params object
    that names a table, so that `map.get(key)` or an ORM's `query()` is never taken for DynamoDB."""
    method = _text(captures["method"][0])
    at, arg = captures["call"][0], _first_arg(captures["args"][0])
    keys = {file.key(k) for k, _v in file.pairs(arg)}
    if method in _V2_BATCH:
        if keys & {"RequestItems", "TransactItems"}:
            return _batch(file, at, arg, "typed" if method.endswith(("Item", "Items")) else "document", f".{method}")
        return []
    if "TableName" not in keys:
        return []
    via = f".{method}"
    if method in _V2_DOCUMENT:
        return _single(file, at, arg, _V2_DOCUMENT[method], "document", via)
    if method in _V2_TYPED:
        return _single(file, at, arg, _V2_TYPED[method], "typed", via)
    if method in ("query", "scan"):
        receiver = _text(captures["receiver"][0])
        bound = file.lookup(receiver, at.start_point[0])
        made = _text(bound) if bound is not None else receiver
        style = "document" if "Document" in made else "typed" if "DynamoDB" in made else "unknown"
        return _single(file, at, arg, method.capitalize(), style, via)
    return []


def _single(file: _File, at: ts.Node, arg: ts.Node | None, operation: str, style: str, via: str) -> list[Call]:
    whole = file.value(arg)
    fields = {file.key(k): v for k, v in file.pairs(arg)}
    if not isinstance(whole, dict):
        shown = _text(arg)[:40] if arg is not None else "nothing"
        table = TableRef(None, f"params `{shown}` are not an object literal of this file")
        return [
            Call(file.rel, _pos(at), file.language, operation, table, {SPREAD: Param(UNKNOWN, _pos(at))}, via, style)
        ]
    table = file.table_ref(fields.pop("TableName", None))
    params = {k: Param(file.value(v), _pos(v)) for k, v in fields.items() if k is not None}
    if SPREAD in whole:
        params[SPREAD] = Param(UNKNOWN, _pos(at))
    return [Call(file.rel, _pos(at), file.language, operation, table, params, via, style)]


def _batch(file: _File, at: ts.Node, arg: ts.Node | None, style: str, via: str) -> list[Call]:
    fields = {file.key(k): v for k, v in file.pairs(arg)}
    calls: list[Call] = []
    for key, value in file.pairs(fields.get("RequestItems")):
        if key.type == "computed_property_name" and key.named_children:
            table = file.table_ref(key.named_children[0])
        else:
            name = file.key(key)
            table = TableRef(name, "literal") if name else TableRef(None, f"`{_text(key)[:40]}`")
        calls += expand_batch(file.rel, file.language, table, file.value(value), _pos(value), style, via)
    items = _unwrap(fields.get("TransactItems"))
    if items is not None and items.type == "identifier":
        items = _unwrap(file.lookup(_text(items), items.start_point[0]))
    for item in items.named_children if items is not None and items.type == "array" else []:
        for kind, body in file.pairs(item):
            operation = TRANSACT.get(file.key(kind) or "")
            if operation is not None:
                calls += _single(file, body, body, operation, style, via)
    return calls

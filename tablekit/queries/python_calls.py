"""Finding DynamoDB calls in Python source with the `ast` module.

What counts as a call:
- a low-level client method (`client.query(TableName=..., ...)`, `get_item`, `put_item`,
  `update_item`, `delete_item`, `scan`) that passes `TableName=`: typed values (`{"S": ...}`);
- a resource table method (`table.query(...)`, `.get_item(...)`, `batch.put_item(...)` of a
  `batch_writer()`) whose receiver is bound in the same file to `<resource>.Table(name)`, or is
  itself called `...table...`: plain values, `Key()`/`Attr()` conditions;
- `batch_get_item` / `batch_write_item` (`RequestItems`) and `transact_get_items` /
  `transact_write_items` (`TransactItems`), one call per table entry or transaction item.

A receiver that is neither is not DynamoDB (`session.query(...)` of an ORM) and is ignored.

Names resolve like `audit` resolves them: a literal, an `os.environ[...]` / `os.environ.get(...)` /
`os.getenv(...)` variable looked up in the env's app config (its default otherwise), or a name,
attribute (`self.table_names`) or dict entry assigned in the same file. The nearest assignment above
the use wins, so two functions binding `table` differently each get their own.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from tablekit.queries import expressions as ex
from tablekit.queries.appcode import callee, string_value, target_names
from tablekit.queries.model import SPREAD, TRANSACT, UNKNOWN, Call, Param, Position, TableRef, env_table, expand_batch

METHODS = {
    "query": "Query",
    "scan": "Scan",
    "get_item": "GetItem",
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
}
BATCH = {"batch_get_item", "batch_write_item", "transact_get_items", "transact_write_items"}
_COMPARE = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_FUNCS = {"begins_with": "begins_with", "contains": "contains", "attribute_type": "attribute_type"}
_EXISTS = {"exists": "attribute_exists", "not_exists": "attribute_not_exists"}
_MAX_DEPTH = 8


class _File:
    """One parsed file: its assignments by name, and everything needed to resolve values."""

    def __init__(self, tree: ast.Module, rel: str, app_config: Mapping[str, str]) -> None:
        self.rel = rel
        self.app_config = app_config
        self.bindings: dict[str, list[tuple[int, ast.AST]]] = defaultdict(list)
        self.sites: list[ast.Call] = []  # calls of a DynamoDB method name, found in the same single walk
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Attribute) and (node.func.attr in METHODS or node.func.attr in BATCH):
                    self.sites.append(node)
            elif isinstance(node, ast.Assign):
                self._bind(node.targets, node.value, node.lineno)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind([node.target], node.value, node.lineno)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind([item.optional_vars], item.context_expr, node.lineno)
        for entries in self.bindings.values():
            entries.sort(key=lambda e: e[0])

    def _bind(self, targets: list[ast.expr], value: ast.AST, line: int) -> None:
        for target in targets:
            if isinstance(target, (ast.Name, ast.Attribute)):
                self.bindings[target_names([target])[0]].append((line, value))

    def lookup(self, node: ast.AST, line: int) -> ast.AST | None:
        """The value last assigned to a name or attribute at or before line (else the first one)."""
        key = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        entries = self.bindings.get(key or "")
        if not entries:
            return None
        at = bisect_right([e[0] for e in entries], line) - 1
        value = entries[max(at, 0)][1]
        return None if value is node else value

    # -- table names ------------------------------------------------------------------------------

    def table_ref(self, node: ast.AST | None, line: int, depth: int = 0) -> TableRef:
        if node is None:
            return TableRef(None, "no table name")
        text = string_value(node)
        if text is not None:
            return TableRef(text, "literal")
        env = self._env_var(node)
        if env is not None:
            return env_table(*env, self.app_config)
        if depth < _MAX_DEPTH and isinstance(node, (ast.Name, ast.Attribute)):
            bound = self.lookup(node, line)
            if bound is not None:
                found = self.table_ref(bound, line, depth + 1)
                label = ast.unparse(node)
                return TableRef(found.name, f"constant {label}" if found.how == "literal" else found.how)
        if depth < _MAX_DEPTH and isinstance(node, ast.Subscript):
            mapping = self.value(node.value, line, depth + 1)
            key = self.value(node.slice, line, depth + 1)
            if isinstance(mapping, dict) and isinstance(key, str) and isinstance(mapping.get(key), str):
                return TableRef(mapping[key], f"constant {ast.unparse(node)}")
        return TableRef(None, f"`{ast.unparse(node)[:60]}`")

    def _env_var(self, node: ast.AST) -> tuple[str, str | None] | None:
        """(variable, default) of os.environ[...] / os.environ.get(...) / os.getenv(...)."""
        if isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value) and string_value(node.slice):
            return str(string_value(node.slice)), None
        if isinstance(node, ast.Call):
            name, receiver = callee(node)
            if (name == "get" and "environ" in receiver) or name == "getenv":
                var = string_value(node.args[0]) if node.args else None
                if var is not None:
                    default = string_value(node.args[1]) if len(node.args) > 1 else None
                    return var, default
        return None

    # -- values -----------------------------------------------------------------------------------

    def value(self, node: ast.AST | None, line: int, depth: int = 0) -> Any:
        """A literal Python value, a condition tree for Key()/Attr(), or UNKNOWN."""
        if node is None or depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Dict):
            out: dict[str, Any] = {}
            for key, item in zip(node.keys, node.values, strict=True):
                name = string_value(key) if key is not None else None
                out[name if name is not None else SPREAD] = self.value(item, line, depth + 1) if name else UNKNOWN
            return out
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return [self.value(e, line, depth + 1) for e in node.elts]
        if isinstance(node, (ast.Name, ast.Attribute)):
            bound = self.lookup(node, line)
            return self.value(bound, line, depth + 1) if bound is not None else UNKNOWN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand, line, depth + 1)
            return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else UNKNOWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Decimal":
            try:
                return Decimal(str(self.value(node.args[0], line, depth + 1))) if node.args else UNKNOWN
            except InvalidOperation:
                return UNKNOWN
        condition = self.condition(node, line, depth)
        return condition

    def condition(self, node: ast.AST, line: int, depth: int = 0) -> Any:
        """boto3.dynamodb.conditions Key()/Attr() objects as an expression tree (else UNKNOWN)."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            left, right = self.condition(node.left, line, depth), self.condition(node.right, line, depth)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            op = "AND" if isinstance(node.op, ast.BitAnd) else "OR"
            items = [*_flat(left, op), *_flat(right, op)]
            return ex.Logical(op, tuple(items))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            inner = self.condition(node.operand, line, depth)
            return UNKNOWN if inner is UNKNOWN else ex.Not(inner)
        if isinstance(node, ast.Name) and depth < _MAX_DEPTH:
            bound = self.lookup(node, line)
            return self.condition(bound, line, depth + 1) if bound is not None else UNKNOWN
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            return UNKNOWN
        base = node.func.value
        if not (isinstance(base, ast.Call) and isinstance(base.func, ast.Name) and base.func.id in ("Key", "Attr")):
            return UNKNOWN
        attribute = string_value(base.args[0]) if base.args else None
        if attribute is None:
            return UNKNOWN
        return _method(ex.Name(tuple(attribute.split(".")), auto=True), node.func.attr, self._args(node, line, depth))

    def _args(self, node: ast.Call, line: int, depth: int) -> list[ex.Value]:
        return [ex.Value(None, self.value(a, line, depth + 1)) for a in node.args]


def _flat(node: Any, op: str) -> tuple[Any, ...]:
    return node.items if isinstance(node, ex.Logical) and node.op == op else (node,)


def _method(name: ex.Name, method: str, args: list[ex.Value]) -> Any:
    if method in _COMPARE and len(args) == 1:
        return ex.Compare(_COMPARE[method], name, args[0])
    if method == "between" and len(args) == 2:
        return ex.Between(name, args[0], args[1])
    if method in _FUNCS and len(args) == 1:
        return ex.Func(_FUNCS[method], (name, args[0]))
    if method in _EXISTS and not args:
        return ex.Func(_EXISTS[method], (name,))
    if method == "is_in" and len(args) == 1:
        options = args[0].inline
        if isinstance(options, list):
            return ex.In(name, tuple(ex.Value(None, o) for o in options))
    return UNKNOWN


# -- finding the calls ----------------------------------------------------------------------------------


def _pos(node: ast.AST) -> Position:
    return Position(getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def find_calls(text: str, rel: str, app_config: Mapping[str, str]) -> list[Call]:
    """Every DynamoDB call of one Python file (SyntaxError propagates: the caller reports it)."""
    tree = ast.parse(text, filename=rel)
    file = _File(tree, rel, app_config)
    calls: list[Call] = []
    for node in file.sites:
        assert isinstance(node.func, ast.Attribute)
        calls += _single(file, node) if node.func.attr in METHODS else _batch(file, node)
    return sorted(calls, key=lambda c: (c.pos.line, c.pos.col))


def _table_receiver(file: _File, node: ast.AST, line: int, depth: int = 0) -> ast.AST | None:
    """The name argument of the `X.Table(name)` a receiver is bound to (through batch_writer()), or None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "Table":
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            return node.args[0] if node.args else keywords.get("name") or keywords.get("TableName")
        if node.func.attr == "batch_writer":
            return _table_receiver(file, node.func.value, line, depth + 1)
        return None
    if isinstance(node, (ast.Name, ast.Attribute)):
        bound = file.lookup(node, line)
        return _table_receiver(file, bound, line, depth + 1) if bound is not None else None
    return None


def _style(file: _File, receiver: ast.AST, line: int) -> str:
    """typed for a boto3 client, document for a resource, unknown when the receiver is not bound here."""
    bound: ast.AST | None = receiver
    for _ in range(_MAX_DEPTH):
        if isinstance(bound, ast.Call):
            name, _receiver = callee(bound)
            return {"client": "typed", "resource": "document"}.get(name, "unknown")
        if not isinstance(bound, (ast.Name, ast.Attribute)):
            break
        bound = file.lookup(bound, line)
    return "unknown"


def _keywords(file: _File, node: ast.Call) -> dict[str, tuple[Any, Position, ast.AST | None]]:
    """Keyword arguments, with `**params` of a literal dict expanded (else one SPREAD entry)."""
    out: dict[str, tuple[Any, Position, ast.AST | None]] = {}
    for keyword in node.keywords:
        if keyword.arg is not None:
            out[keyword.arg] = (file.value(keyword.value, node.lineno), _pos(keyword.value), keyword.value)
            continue
        spread = keyword.value
        bound = file.lookup(spread, node.lineno) if isinstance(spread, (ast.Name, ast.Attribute)) else spread
        if isinstance(bound, ast.Dict) and all(string_value(k) is not None for k in bound.keys):
            for key, value in zip(bound.keys, bound.values, strict=True):
                out[str(string_value(key))] = (file.value(value, node.lineno), _pos(value), value)
        else:
            out[SPREAD] = (UNKNOWN, _pos(spread), None)
    return out


def _single(file: _File, node: ast.Call) -> list[Call]:
    assert isinstance(node.func, ast.Attribute)
    receiver = node.func.value
    keywords = _keywords(file, node)
    if "TableName" in keywords:
        table = file.table_ref(keywords.pop("TableName")[2], node.lineno)
        style, via = _style(file, receiver, node.lineno), f"client.{node.func.attr}"
        style = "typed" if style == "unknown" else style
    else:
        name_node = _table_receiver(file, receiver, node.lineno)
        if name_node is not None:
            table = file.table_ref(name_node, node.lineno)
        elif "table" in ast.unparse(receiver).lower():
            table = TableRef(None, f"receiver `{ast.unparse(receiver)[:40]}` is not bound to Table(...) in this file")
        else:
            return []  # not DynamoDB: an ORM's query(), a dict's get_item()...
        style, via = "document", f"table.{node.func.attr}"
    params = {k: Param(v, p) for k, (v, p, _n) in keywords.items()}
    return [Call(file.rel, _pos(node), "python", METHODS[node.func.attr], table, params, via, style)]


def _entries(file: _File, node: ast.AST | None, line: int) -> list[tuple[ast.AST | None, ast.AST]]:
    """(key node, value node) of a dict literal (through a name bound to one), or [] when not literal."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        node = file.lookup(node, line)
    if isinstance(node, ast.Dict):
        return list(zip(node.keys, node.values, strict=True))
    return []


def _batch(file: _File, node: ast.Call) -> list[Call]:
    """batch_get/batch_write: one call per table and request; transact_*: one per item."""
    assert isinstance(node.func, ast.Attribute)
    style = _style(file, node.func.value, node.lineno)
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    calls: list[Call] = []
    via = f"{node.func.attr}"
    if node.func.attr.startswith("batch_"):
        for key_node, value_node in _entries(file, keywords.get("RequestItems"), node.lineno):
            table = file.table_ref(key_node, node.lineno)
            value = file.value(value_node, node.lineno)
            calls += expand_batch(file.rel, "python", table, value, _pos(value_node), style, via)
        return calls
    items: ast.AST | None = keywords.get("TransactItems")
    if isinstance(items, (ast.Name, ast.Attribute)):
        items = file.lookup(items, node.lineno)
    for item in items.elts if isinstance(items, (ast.List, ast.Tuple)) else []:
        for kind_node, body in _entries(file, item, node.lineno):
            operation = TRANSACT.get(string_value(kind_node) or "")
            if operation is None:
                continue
            fields = dict((string_value(k), v) for k, v in _entries(file, body, node.lineno) if string_value(k))
            table = file.table_ref(fields.pop("TableName", None), node.lineno)
            params = {k: Param(file.value(v, node.lineno), _pos(v)) for k, v in fields.items() if k}
            calls.append(Call(file.rel, _pos(body), "python", operation, table, params, via, style))
    return calls

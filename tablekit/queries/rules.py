"""The checks: what DynamoDB itself would refuse (errors) or run wastefully (warnings), per call.

Every rule mirrors a validation DynamoDB performs on the request, and the property tests compare
the verdict with DynamoDB Local's on generated key conditions. A rule that needs something the
finder could not resolve says "not checked" instead of passing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tablekit.queries import expressions as ex
from tablekit.queries.appcode import closest
from tablekit.queries.model import SPREAD, UNKNOWN, Call, Position, Typed
from tablekit.queries.report import Finding
from tablekit.queries.reserved import is_reserved
from tablekit.queries.schema import Declared, KeySchema, TableSchema
from tablekit.queries.values import typed

STRING_EXPRESSIONS = {
    "KeyConditionExpression": "condition",
    "FilterExpression": "condition",
    "ConditionExpression": "condition",
    "ProjectionExpression": "projection",
    "UpdateExpression": "update",
}
SORT_KEY_OPERATORS = frozenset({"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"})


@dataclass
class _Ctx:
    call: Call
    table: TableSchema
    findings: list[Finding] = field(default_factory=list)

    def add(self, severity: str, rule: str, message: str, fix: str = "", pos: Position | None = None) -> None:
        self.findings.append(
            Finding(self.call.file, pos or self.call.pos, severity, rule, message, fix, self.table.name)
        )

    def at(self, param: str, offset: int | None) -> Position:
        """Where `offset` of a string parameter is in the source (the opening quote + 1 + offset)."""
        pos = self.call.where(param)
        return pos if offset is None or param not in self.call.params else Position(pos.line, pos.col + 1 + offset)

    def mapping(self, param: str) -> Any:
        """A names/values map: {} when absent, UNKNOWN when not literal (or it spreads another map)."""
        value = self.call.param(param)
        if value is None:
            return {}
        if not isinstance(value, dict) or SPREAD in value:
            return UNKNOWN
        return value


def check(call: Call, declared: Declared) -> list[Finding]:
    """Every finding of one call."""
    if call.table.name is None:
        return [
            Finding(
                call.file,
                call.pos,
                "not-checked",
                "table-unresolved",
                f"{call.operation} on a table whose name is not known statically ({call.table.how}): not checked",
                "name the table literally, through an app-config variable (os.environ['DYNAMODB_...'], "
                "process.env.X) or a constant in the same file",
            )
        ]
    table = declared.tables.get(call.table.name)
    if table is None:
        suggestion = closest(call.table.name, sorted(declared.tables))
        return [
            Finding(
                call.file,
                call.pos,
                "error",
                "table-not-declared",
                f"table {call.table.name!r} ({call.table.how}) is not declared by this env",
                f"use {suggestion!r}" if suggestion else "declare the table in its family's tables.tf, or fix the name",
                call.table.name,
            )
        ]
    ctx = _Ctx(call, table)
    parsed = _strings(ctx)
    _placeholders(ctx, parsed)
    if call.operation in ("Query", "Scan"):
        key = _index(ctx)
        if key is not None and call.operation == "Query":
            _query(ctx, key, parsed)
        elif key is not None:
            _scan(ctx, key, parsed)
    elif call.operation == "PutItem":
        _item(ctx)
    else:
        _key(ctx)
    return ctx.findings


# -- string expressions: syntax, reserved words, placeholders --------------------------------------------


def _strings(ctx: _Ctx) -> dict[str, ex.Used | None]:
    """Each string expression's names and placeholders (None: not a literal string, or no parse)."""
    parsed: dict[str, ex.Used | None] = {}
    for param, kind in STRING_EXPRESSIONS.items():
        text = ctx.call.param(param)
        if not isinstance(text, str):
            continue
        try:
            if kind == "condition":
                ex.parse_condition(text)
            found = ex.used(text, kind)
        except ex.ExpressionError as exc:
            ctx.add("error", "expression-syntax", f"{param} does not parse: {exc}", "", ctx.at(param, exc.offset))
            parsed[param] = None
            continue
        parsed[param] = found
        for name, offset in found.names:
            if is_reserved(name):
                ctx.add(
                    "error",
                    "reserved-word",
                    f"{param} uses {name!r}, a DynamoDB reserved word, unaliased",
                    f"write #{name} in the expression and add ExpressionAttributeNames {{'#{name}': '{name}'}}",
                    ctx.at(param, offset),
                )
    return parsed


def _placeholders(ctx: _Ctx, parsed: dict[str, ex.Used | None]) -> None:
    """Every #name and :value used is defined, and every one defined is used (DynamoDB refuses both)."""
    opaque = any(
        ctx.call.param(p) is not None and not isinstance(ctx.call.param(p), str) for p in STRING_EXPRESSIONS
    ) or any(v is None for v in parsed.values())
    for param, kind, label in (
        ("ExpressionAttributeNames", "aliases", "name"),
        ("ExpressionAttributeValues", "values", "value"),
    ):
        defined = ctx.mapping(param)
        used: dict[str, tuple[str, int]] = {}
        for expr, found in parsed.items():
            for token, offset in getattr(found, kind, ()):
                used.setdefault(token, (expr, offset))
        if defined is UNKNOWN:
            continue
        for token, (expr, offset) in used.items():
            if token not in defined:
                ctx.add(
                    "error",
                    "placeholder-undefined",
                    f"{expr} uses {token} but {param} does not define it",
                    f"add {token!r} to {param}",
                    ctx.at(expr, offset),
                )
        if not opaque:
            for token in sorted(set(defined) - set(used)):
                ctx.add(
                    "error",
                    "placeholder-unused",
                    f"{param} defines {token}, which no expression uses (DynamoDB refuses unused {label}s)",
                    f"remove {token!r}, or use it",
                    ctx.call.where(param),
                )


# -- indexes and key conditions -----------------------------------------------------------------------


def _index(ctx: _Ctx) -> KeySchema | None:
    """The key schema the call reads (table or index); None when the index is unknown or undeclared."""
    index = ctx.call.param("IndexName")
    if index is None:
        return ctx.table.key
    if index is UNKNOWN or not isinstance(index, str):
        ctx.add("not-checked", "index-unresolved", "IndexName is not known statically: key condition not checked")
        return None
    if index not in ctx.table.indexes:
        names = sorted(ctx.table.indexes)
        suggestion = closest(index, names) if names else None
        ctx.add(
            "error",
            "index-not-declared",
            f"table {ctx.table.name!r} has no index {index!r}",
            f"use {suggestion!r}" if suggestion else f"indexes of {ctx.table.name}: {', '.join(names) or 'none'}",
            ctx.call.where("IndexName"),
        )
        return None
    return ctx.table.indexes[index]


def _condition(ctx: _Ctx, param: str) -> Any:
    """A condition parameter as a tree: a parsed string, a Key()/Attr() tree, None, or UNKNOWN."""
    value = ctx.call.param(param)
    if isinstance(value, str):
        try:
            return ex.parse_condition(value)
        except ex.ExpressionError:
            return UNKNOWN  # reported by _strings
    return value


def _attribute(ctx: _Ctx, name: ex.Name) -> Any:
    """The attribute an operand names (aliases resolved); UNKNOWN when an alias is not literal."""
    names = ctx.mapping("ExpressionAttributeNames")
    parts = []
    for part in name.parts:
        if part.startswith("#") and not name.auto:
            if names is UNKNOWN or part not in names or not isinstance(names[part], str):
                return UNKNOWN
            part = names[part]
        parts.append(part)
    return ".".join(parts)


def _literal(ctx: _Ctx, operand: Any) -> Typed | None:
    """The typed value of a value operand, when it is literal."""
    if not isinstance(operand, ex.Value):
        return None
    if operand.placeholder is None:
        return typed(operand.inline, ctx.call.style)
    values = ctx.mapping("ExpressionAttributeValues")
    if values is UNKNOWN or operand.placeholder not in values:
        return None
    return typed(values[operand.placeholder], ctx.call.style)


def _where(key: KeySchema, ctx: _Ctx) -> str:
    index = ctx.call.param("IndexName")
    return f"index {index!r}" if isinstance(index, str) else f"table {ctx.table.name!r}"


def _query(ctx: _Ctx, key: KeySchema, parsed: dict[str, ex.Used | None]) -> None:
    node = _condition(ctx, "KeyConditionExpression")
    if node is None:
        ctx.add(
            "error", "key-condition-missing", "query without a KeyConditionExpression", "add one on the partition key"
        )
        return
    if node is UNKNOWN:
        if not isinstance(ctx.call.param("KeyConditionExpression"), str):  # a string that fails to parse is an error
            ctx.add("not-checked", "key-condition-unresolved", "KeyConditionExpression is not known statically")
        return
    conditions = _key_conditions(ctx, node, key)
    if conditions is None:
        return
    _filter(ctx, key, conditions)


def _key_conditions(ctx: _Ctx, node: Any, key: KeySchema) -> dict[str, tuple[str, tuple[Any, ...]]] | None:
    """attribute -> (operator, value operands) of a well-formed key condition; None after an error."""
    where = ctx.call.where("KeyConditionExpression")
    items = node.items if isinstance(node, ex.Logical) and node.op == "AND" else (node,)
    found: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for item in items:
        parts = _key_part(item)
        if parts is None:
            ctx.add(
                "error",
                "key-condition-operator",
                "a key condition allows only `=`, `<`, `<=`, `>`, `>=`, BETWEEN and begins_with, joined by AND",
                "move the other conditions to FilterExpression",
                where,
            )
            return None
        name, op, operands = parts
        attribute = _attribute(ctx, name)
        if attribute is UNKNOWN:
            ctx.add("not-checked", "name-unresolved", "a key-condition name is an alias that is not literal", pos=where)
            return None
        if attribute in found:
            ctx.add("error", "key-condition-duplicate", f"key condition names {attribute!r} twice", "keep one", where)
            return None
        found[attribute] = (op, operands)
    return found if _key_rules(ctx, key, found) else None


def _key_part(item: Any) -> tuple[ex.Name, str, tuple[Any, ...]] | None:
    """(attribute, operator, value operands) of one key-condition term, or None if not allowed there."""
    if (
        isinstance(item, ex.Compare)
        and item.op != "<>"
        and isinstance(item.left, ex.Name)
        and isinstance(item.right, ex.Value)
    ):
        return item.left, item.op, (item.right,)
    if (
        isinstance(item, ex.Between)
        and isinstance(item.operand, ex.Name)
        and isinstance(item.low, ex.Value)
        and isinstance(item.high, ex.Value)
    ):
        return item.operand, "BETWEEN", (item.low, item.high)
    if isinstance(item, ex.Func) and item.name == "begins_with" and len(item.args) == 2:
        name, value = item.args
        if isinstance(name, ex.Name) and isinstance(value, ex.Value):
            return name, "begins_with", (value,)
    return None


def _key_rules(ctx: _Ctx, key: KeySchema, found: dict[str, tuple[str, tuple[Any, ...]]]) -> bool:
    """The conditions name the partition key with `=` and at most the sort key; types match."""
    where = ctx.call.where("KeyConditionExpression")
    ok = True
    for attribute in found:
        if attribute not in key.names:
            ctx.add(
                "error",
                "key-condition-attribute",
                f"{attribute!r} is not a key of {_where(key, ctx)} (keys: {', '.join(key.names)})",
                _index_hint(ctx.table, attribute) or "move it to FilterExpression",
                where,
            )
            ok = False
    if key.hash_key not in found:
        serving = [a for a in found if _index_hint(ctx.table, a)]
        ctx.add(
            "error",
            "key-condition-partition",
            f"key condition has no equality on the partition key {key.hash_key!r} of {_where(key, ctx)}",
            _index_hint(ctx.table, serving[0]) if serving else f"add `{key.hash_key} = :value`",
            where,
        )
        return False
    if found[key.hash_key][0] != "=":
        ctx.add(
            "error",
            "key-condition-operator",
            f"the partition key {key.hash_key!r} needs `=`, not {found[key.hash_key][0]}",
            "use equality; a range over partition keys needs a Scan or another index",
            where,
        )
        ok = False
    range_type = ctx.table.type_of(key.range_key or "")
    if key.range_key in found and found[key.range_key][0] == "begins_with" and range_type not in ("S", "B"):
        ctx.add(
            "error",
            "key-condition-operator",
            f"begins_with on {key.range_key!r}, a {range_type} key (only S and B allow it)",
            "use BETWEEN or a comparison",
            where,
        )
        ok = False
    for attribute, (op, operands) in found.items():
        ok = _key_values(ctx, attribute, op, operands) and ok
    return ok


def _key_values(ctx: _Ctx, attribute: str, op: str, operands: tuple[Any, ...]) -> bool:
    """Literal key values: the declared type, not empty, BETWEEN bounds in order."""
    where = ctx.call.where("KeyConditionExpression")
    declared_type = ctx.table.type_of(attribute)
    values = [_literal(ctx, operand) for operand in operands]
    for value in values:
        if value is None or value.value is UNKNOWN:
            continue
        if declared_type and value.type != declared_type:
            ctx.add(
                "error",
                "key-condition-type",
                f"{attribute!r} is {declared_type} but the key condition gives it a {value.type} value",
                f"pass a {declared_type} value",
                where,
            )
            return False
        if value.type in ("S", "B") and len(value.value) == 0:
            ctx.add(
                "error",
                "key-condition-empty",
                f"the key condition gives {attribute!r} an empty value (DynamoDB refuses empty key values)",
                "pass a non-empty value",
                where,
            )
            return False
    low, high = values if op == "BETWEEN" else (None, None)
    if low is not None and high is not None and _order(low) > _order(high):
        ctx.add(
            "error",
            "key-condition-between",
            f"BETWEEN on {attribute!r} has its lower bound above its upper bound",
            "swap the bounds",
            where,
        )
        return False
    return True


def _order(value: Typed) -> Any:
    """How DynamoDB orders key values: numbers by value, strings by UTF-8 bytes, binary by bytes."""
    if value.type == "N":
        return Decimal(str(value.value))
    if value.type == "S":
        return str(value.value).encode("utf-8")
    return bytes(value.value)


def _index_hint(table: TableSchema, attribute: str) -> str:
    """`add IndexName=...` when an index of the table is partitioned by attribute."""
    for name, key in sorted(table.indexes.items()):
        if key.hash_key == attribute:
            return f"add IndexName={name!r} (its partition key is {attribute!r})"
    return ""


# -- filters and scans --------------------------------------------------------------------------------


def _filtered(ctx: _Ctx) -> list[tuple[str, str]]:
    """(attribute, operator) of each comparison in the FilterExpression that is literal."""
    node = _condition(ctx, "FilterExpression")
    if node is None or node is UNKNOWN:
        return []
    out = []
    for part in ex.walk(node):
        if isinstance(part, (ex.Compare, ex.Between, ex.Func)):
            name = (
                part.left
                if isinstance(part, ex.Compare)
                else (part.operand if isinstance(part, ex.Between) else (part.args[0] if part.args else None))
            )
            if isinstance(name, ex.Name):
                attribute = _attribute(ctx, name)
                if isinstance(attribute, str):
                    op = part.op if isinstance(part, ex.Compare) else type(part).__name__.lower()
                    out.append((attribute, op if not isinstance(part, ex.Func) else part.name))
    return out


def _filter(ctx: _Ctx, key: KeySchema, conditions: dict[str, tuple[str, tuple[Any, ...]]]) -> None:
    filtered = _filtered(ctx)
    where = ctx.call.where("FilterExpression")
    on_keys = sorted({a for a, _ in filtered if a in key.names})
    for attribute in on_keys:
        ctx.add(
            "error",
            "filter-on-key",
            f"FilterExpression names {attribute!r}, a key of {_where(key, ctx)} (DynamoDB refuses key "
            "attributes in a query's filter)",
            "move it into the KeyConditionExpression",
            where,
        )
    if on_keys or not filtered or (key.range_key and key.range_key in conditions):
        return
    serving = sorted(
        name
        for name, other in ctx.table.indexes.items()
        if other.hash_key == key.hash_key and other.range_key in {a for a, _ in filtered}
    )
    ctx.add(
        "warning",
        "filter-only-query",
        f"query reads the whole {key.hash_key!r} partition of {_where(key, ctx)} only to filter it",
        f"query index {serving[0]!r} with a key condition on its sort key instead"
        if serving
        else "add a sort-key condition, or an index keyed by what the filter compares",
        where,
    )


def _scan(ctx: _Ctx, key: KeySchema, parsed: dict[str, ex.Used | None]) -> None:
    equal = [a for a, op in _filtered(ctx) if op == "="]
    candidates = [(name, k) for name, k in sorted(ctx.table.indexes.items()) if k.hash_key in equal]
    if ctx.table.key.hash_key in equal:
        candidates.insert(0, ("", ctx.table.key))
    if candidates:
        name, serving = candidates[0]
        what = f"index {name!r}" if name else "the table's own key"
        fix = f"query {what} with `{serving.hash_key} = :value` instead"
    else:
        fix = "if this runs on a request path, add an index keyed by what it looks for and query it"
    ctx.add("warning", "scan", f"scan reads every item of {_where(key, ctx)}", fix)


# -- keys and items -----------------------------------------------------------------------------------


def _key(ctx: _Ctx) -> None:
    """GetItem, DeleteItem, UpdateItem, ConditionCheck: the Key is exactly the table's key."""
    value = ctx.call.param("Key")
    where = ctx.call.where("Key")
    wanted = ctx.table.key.names
    if value is None:
        ctx.add("error", "key-missing", f"{ctx.call.operation} without a Key", f"add Key with {', '.join(wanted)}")
        return
    if value is UNKNOWN or not isinstance(value, dict):
        ctx.add("not-checked", "key-unresolved", f"the Key of {ctx.call.operation} is not known statically")
        return
    given = set(value) - {SPREAD}
    missing = [k for k in wanted if k not in given] if SPREAD not in value else []
    extra = sorted(given - set(wanted))
    if missing or extra:
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"not key attributes: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        ctx.add(
            "error",
            "key-mismatch",
            f"Key must be exactly {ctx.table.name}'s key ({', '.join(wanted)}): {detail}",
            f"give Key {{{', '.join(repr(k) + ': ...' for k in wanted)}}}",
            where,
        )
    _types(ctx, {k: v for k, v in value.items() if k in wanted}, "Key", where)


def _item(ctx: _Ctx) -> None:
    """PutItem: the item carries the table's key, and every key attribute (of table and indexes) its type."""
    value = ctx.call.param("Item")
    where = ctx.call.where("Item")
    if value is UNKNOWN or not isinstance(value, dict):
        if value is None:
            ctx.add("error", "item-missing", "PutItem without an Item", "add Item")
        return
    missing = [k for k in ctx.table.key.names if k not in value] if SPREAD not in value else []
    if missing:
        ctx.add(
            "error",
            "item-key-missing",
            f"the item lacks {', '.join(missing)}, key of {ctx.table.name!r}",
            f"add {', '.join(missing)} to the item",
            where,
        )
    _types(ctx, value, "Item", where)


def _types(ctx: _Ctx, values: dict[str, Any], param: str, where: Position) -> None:
    for attribute, raw in sorted(values.items()):
        declared = ctx.table.type_of(attribute)
        found = typed(raw, ctx.call.style) if attribute != SPREAD else None
        if declared and found is not None and found.type != declared:
            ctx.add(
                "error",
                "key-type",
                f"{param} gives {attribute!r} a {found.type} value; the table declares it {declared}",
                f"pass a {declared} value",
                where,
            )

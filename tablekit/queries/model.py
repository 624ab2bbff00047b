"""One DynamoDB call found in source, in a language-neutral shape the rules read.

Why one model: Python's boto3 and JavaScript's SDKs spell the same request differently (keyword
arguments or a params object, `Key('a').eq(v)` or a string expression), but DynamoDB validates one
request shape. Each finder translates what it sees into `Call`; the rules never see source syntax.

A value the finder cannot know statically (a variable, a function result) is `UNKNOWN`: the rules
skip what depends on it and the call says what was not checked, so nothing unknown ever passes
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


class _Unknown:
    """A value only known at run time."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
SPREAD = "..."  # dict key standing for `**other` / `...other`: the dict may hold more keys than it shows

# Operation names are DynamoDB's API names; the finders map SDK method and command names onto them.
READS_BY_KEY = frozenset({"GetItem", "DeleteItem", "UpdateItem"})
TRANSACT = {"Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"} | {
    "ConditionCheck": "ConditionCheck"
}
BATCH_REQUESTS = {"PutRequest": "PutItem", "DeleteRequest": "DeleteItem"}
OPERATIONS = frozenset({"Query", "Scan", "GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheck"})


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based


@dataclass(frozen=True)
class TableRef:
    """How a call names its table: the resolved name, or None with the reason it is not known."""

    name: str | None
    how: str  # "literal", "env DYNAMODB_X", "constant USERS_TABLE", or why it is unresolved


def env_table(var: str, default: str | None, app_config: Mapping[str, str]) -> TableRef:
    """The table behind an app-config variable: the env's value, else the code's default, else unknown."""
    if var in app_config:
        return TableRef(app_config[var], f"env {var}")
    if default is not None:
        return TableRef(default, f"env {var} default (not in this env's app config)")
    return TableRef(None, f"env {var}, not in this env's app config")


@dataclass(frozen=True)
class Typed:
    """A literal value with its DynamoDB type (S, N, B, BOOL, NULL, M, L, SS, NS, BS) or UNKNOWN."""

    type: str
    value: Any = None


@dataclass
class Param:
    """One request parameter: its value (str, dict, Typed, a Key()/Attr() condition, or UNKNOWN)."""

    value: Any
    pos: Position


@dataclass
class Call:
    """One DynamoDB request as the code writes it."""

    file: str
    pos: Position
    language: str  # python | javascript | typescript
    operation: str  # one of OPERATIONS
    table: TableRef
    params: dict[str, Param] = field(default_factory=dict)
    via: str = ""  # how it was written, e.g. "table.query", "new QueryCommand", for messages
    style: str = "unknown"  # values: "document" (plain, serialized by the SDK), "typed" ({"S": ...}), "unknown"

    def param(self, name: str) -> Any:
        """The value of a parameter, None when absent, UNKNOWN when not known statically (or when the
        parameters spread another object that may hold it)."""
        found = self.params.get(name)
        if found is None:
            return UNKNOWN if SPREAD in self.params else None
        return found.value

    def where(self, name: str) -> Position:
        found = self.params.get(name)
        return found.pos if found else self.pos

    @property
    def literal(self) -> bool:
        """Every parameter and the table are known: DynamoDB Local can run it as written."""
        return self.table.name is not None and all(_known(p.value) for p in self.params.values())


def _known(value: Any) -> bool:
    if value is UNKNOWN:
        return False
    if isinstance(value, Typed):
        return value.type is not UNKNOWN and _known(value.value)
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_known(v) for v in value)
    return True


def expand_batch(
    file: str, language: str, table: TableRef, value: Any, pos: Position, style: str, via: str
) -> list[Call]:
    """One table's entry of a BatchGetItem / BatchWriteItem as one call per key or request."""
    calls: list[Call] = []
    if isinstance(value, dict):  # batch get: {"Keys": [...], "ProjectionExpression": ...}
        extra = {k: Param(v, pos) for k, v in value.items() if k != "Keys"}
        keys = value.get("Keys", UNKNOWN)
        for key in keys if isinstance(keys, list) else [UNKNOWN]:
            calls.append(Call(file, pos, language, "GetItem", table, {"Key": Param(key, pos), **extra}, via, style))
    elif isinstance(value, list):  # batch write: [{"PutRequest": {"Item": ...}}, {"DeleteRequest": {"Key": ...}}]
        for request in value:
            for kind, body in request.items() if isinstance(request, dict) else []:
                if kind in BATCH_REQUESTS and isinstance(body, dict):
                    params = {k: Param(v, pos) for k, v in body.items()}
                    calls.append(Call(file, pos, language, BATCH_REQUESTS[kind], table, params, via, style))
    return calls

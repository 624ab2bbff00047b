"""Check every row against the key schema the environment declares, and build what will be written.

Why the schema comes only from the env's Terraform outputs (`tables`): a second, hand-written copy
of key names drifts the day someone renames a key, and the loader would then write items the real
table rejects half-way through. The `tables` output is the same object the table module used to
create the table.

The rules, in the order a row meets them, are DynamoDB's own (each is proven against AWS's
DynamoDB Local in tests/conformance): the file must name a declared table (closest name suggested);
a row in DynamoDB JSON is refused with the plain form to write; each table key must be present, of
its declared type (S/N/B) and non-empty; index keys (GSI and LSI), when present, must have their
declared type and be non-empty; every string or binary key value must fit its role's limit (2048
bytes for a partition key, 1024 for a sort key, table or index; the strictest role wins); the TTL
attribute must be a number (DynamoDB would store anything, but TTL would ignore it); every value
and attribute name must be storable (tablekit.dynamodb_json); the item, names included, must fit in
400 KB. Duplicate keys are not errors: the later row wins and a warning says which rows collided,
because BatchWriteItem rejects a request that names one key twice.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tablekit.dynamodb_json import (
    BINARY_TAG,
    MAX_ITEM_BYTES,
    SET_TAG,
    ConversionError,
    Item,
    dynamodb_json_type,
    key_value,
    plain_equivalent,
    to_item,
)
from tablekit.seed.files import Row, SeedFile
from tablekit.seed.problems import Origin, Problem

# DynamoDB limits on key values.
_MAX_KEY_BYTES = {"hash": 2048, "range": 1024}
_TYPE_WORDS = {"S": "a string", "N": "a number", "B": "binary"}
_EXAMPLES = {"S": '"<text>"', "N": "123", "B": f'{{"{BINARY_TAG}": "<base64>"}}'}
# Epoch seconds pass 1e11 only in the year 5138; bigger values are almost surely milliseconds.
_TTL_MILLIS_THRESHOLD = 100_000_000_000
# TTL leaves alone items whose expiry passed more than five years ago.
_TTL_IGNORED_AFTER = 5 * 365 * 86_400

KeyTuple = tuple[Any, ...]


@dataclass
class TablePlan:
    """The validated items of one real table, deduplicated by key, in file order (last row wins)."""

    name: str
    schema: Mapping[str, Any]
    items: dict[KeyTuple, Item] = field(default_factory=dict)
    origins: dict[KeyTuple, Origin] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def key_names(self) -> list[str]:
        return key_names(self.schema)


@dataclass
class Validation:
    """Result of validating everything: plans per table, every problem, every warning."""

    tables: dict[str, TablePlan] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def key_names(schema: Mapping[str, Any]) -> list[str]:
    """[hash key name] or [hash key name, range key name] of a `key_schema` object."""
    names = [schema["hash_key"]["name"]]
    if schema.get("range_key"):
        names.append(schema["range_key"]["name"])
    return names


def _value_type(value: Any) -> str | None:
    """S/N/B when the plain value can be that key type, else None."""
    kind = type(value)
    if kind is str:
        return "S"
    if kind is int or kind is Decimal or kind is float:
        return "N"
    if kind is bytes or (kind is dict and len(value) == 1 and BINARY_TAG in value):
        return "B"
    return None


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def resolve_table(file_table: str, tables: Mapping[str, Any], name_prefix: str | None = None) -> str | None:
    """Real table name a file stem refers to, or None.

    Files carry the contract names (`bandup-evaluations`); an env with a `name_prefix` (dev) declares
    `<prefix>bandup-evaluations`. Without an explicit prefix we accept the one real name that is
    `<p><file stem>` where every declared table starts with the same `<p>` (a prefix applies to all).
    """
    if name_prefix is not None:
        real = f"{name_prefix}{file_table}"
        return real if real in tables else None
    if file_table in tables:
        return file_table
    for real in tables:
        if real.endswith(file_table) and len(real) > len(file_table):
            prefix = real[: -len(file_table)]
            if all(name.startswith(prefix) for name in tables):
                return real
    return None


def _unknown_table_problem(seed_file: SeedFile, tables: Mapping[str, Any], env: str | None) -> Problem:
    declared = sorted(tables)
    close = difflib.get_close_matches(seed_file.table, declared, n=1, cutoff=0.5)
    where = f"env {env!r}" if env else "the target environment"
    if close:
        fix = f"did you mean {close[0]!r}? rename the file to {close[0]}{seed_file.path.suffix}"
    else:
        fix = "rename the file after a declared table, or add the table to its family module"
    listing = ", ".join(declared) if len(declared) <= 12 else f"{len(declared)} tables"
    return Problem(
        Origin(seed_file.path, 1),
        f"table {seed_file.table!r} is not declared by {where} (declared: {listing or 'none'})",
        fix,
    )


@dataclass(frozen=True)
class KeyRule:
    """One key attribute of the table or of its indexes, and what DynamoDB checks on its value.

    An attribute can be a key several times (the table's sort key and a GSI's sort key): DynamoDB
    applies the strictest size limit of all its roles, so one rule carries them all.
    """

    name: str
    type: str
    max_bytes: int
    roles: tuple[str, ...]  # "range key of university", "partition key of index studentID-index", ...
    table_role: str | None  # "hash" / "range" for table keys (present in every row), None for index keys

    @property
    def where(self) -> str:
        return " and ".join(self.roles)


def key_rules(schema: Mapping[str, Any], table: str) -> list[KeyRule]:
    """Every key attribute of a `key_schema` (table keys first), with DynamoDB's size limit for its roles."""
    roles: dict[str, list[tuple[str, int]]] = {}
    table_roles: dict[str, str] = {}
    for role in ("hash", "range"):
        key = schema.get(f"{role}_key")
        if key:
            table_roles[key["name"]] = role
            roles.setdefault(key["name"], []).append((f"{role} key of {table}", _MAX_KEY_BYTES[role]))
    for index, spec in sorted((schema.get("indexes") or {}).items()):
        for role, word in (("hash", "partition"), ("range", "sort")):
            name = spec.get(f"{role}_key")
            if name and not (spec.get("kind") == "LSI" and role == "hash"):
                roles.setdefault(name, []).append((f"{word} key of index {index}", _MAX_KEY_BYTES[role]))
    types = schema.get("attributes") or {}
    for role in ("hash", "range"):
        key = schema.get(f"{role}_key")
        if key:
            types = {**types, key["name"]: key["type"]}
    return [
        KeyRule(
            name=name,
            type=types[name],
            max_bytes=min(limit for _, limit in found),
            roles=tuple(where for where, _ in found),
            table_role=table_roles.get(name),
        )
        for name, found in sorted(roles.items(), key=lambda pair: pair[0] not in table_roles)
        if name in types
    ]


def _check_key(origin: Origin, row: Mapping[str, Any], rule: KeyRule, table: str, problems: list[Problem]) -> None:
    name, wanted = rule.name, rule.type
    if name not in row:
        if rule.table_role is not None:
            problems.append(
                Problem(
                    origin,
                    f"missing key attribute {name!r} ({rule.table_role} key of {table}, type {wanted})",
                    f'add "{name}": {_EXAMPLES[wanted]} to this row',
                )
            )
        return  # an item without an index key is simply not in that index
    value = row[name]
    got = _value_type(value)
    if got != wanted:
        if rule.table_role is None:
            problems.append(
                Problem(
                    origin,
                    f"{name!r} is an index key of type {wanted} in {table} ({rule.where}), "
                    f"got {_describe(value)} (DynamoDB rejects the write)",
                    f"write it as {_TYPE_WORDS[wanted]}, or omit the attribute to keep the item out of the index",
                )
            )
            return
        if wanted == "S" and got == "N":
            fix = f'quote it: "{name}": "{value}"'
        elif wanted == "N" and got == "S":
            fix = f'write it as a JSON number without quotes: "{name}": {value}'
        else:
            fix = f'write "{name}": {_EXAMPLES[wanted]}'
        problems.append(
            Problem(
                origin,
                f"key attribute {name!r} must be {_TYPE_WORDS[wanted]} ({wanted}) in {table}, got {_describe(value)}",
                fix,
            )
        )
        return
    if wanted == "N":
        return  # a number key is at most 21 bytes
    size = _key_bytes(value)
    if size is None:
        return  # not encodable or not base64: the converter reports it with its fix
    if not size:
        empty = "an empty string" if wanted == "S" else "empty binary"
        if rule.table_role is not None:
            problems.append(
                Problem(origin, f"key attribute {name!r} is {empty} (DynamoDB rejects empty keys)", "give it a value")
            )
        else:
            problems.append(
                Problem(
                    origin,
                    f"index key {name!r} ({rule.where}) is {empty} (DynamoDB rejects it)",
                    "omit the attribute instead, which keeps the item out of the index",
                )
            )
    elif size > rule.max_bytes:
        problems.append(
            Problem(
                origin,
                f"key attribute {name!r} is {size:,} bytes; as the {rule.where} it holds at most "
                f"{rule.max_bytes:,} bytes (DynamoDB rejects the write)",
                "shorten it (keep long text in a non-key attribute)",
            )
        )


def _key_bytes(value: Any) -> int | None:
    """Size of an S or B key value as DynamoDB counts it, or None when the converter will reject it anyway."""
    if type(value) is str:
        try:
            return len(value.encode("utf-8"))
        except UnicodeEncodeError:
            return None
    if type(value) is bytes:
        return len(value)
    try:
        return len(base64.b64decode(value[BINARY_TAG], validate=True))
    except (binascii.Error, ValueError, TypeError):
        return None


def _check_ttl(
    origin: Origin, row: Mapping[str, Any], ttl: str | None, problems: list[Problem], warnings: list[str]
) -> None:
    if not ttl or ttl not in row or row[ttl] is None:
        return
    value = row[ttl]
    if _value_type(value) != "N":
        problems.append(
            Problem(
                origin,
                f"TTL attribute {ttl!r} must be a number of epoch seconds, got "
                f"{_describe(value)} (DynamoDB TTL ignores anything else)",
                f'write it as a JSON number, e.g. "{ttl}": 1767225600',
            )
        )
    elif value > _TTL_MILLIS_THRESHOLD:
        warnings.append(
            f"{origin}: TTL attribute {ttl!r} = {value} looks like milliseconds; TTL expects "
            "epoch seconds (divide by 1000)"
        )


def _dynamodb_json_row(origin: Origin, row: Mapping[str, Any], rules: Sequence[KeyRule]) -> Problem | None:
    """One problem for a row exported as DynamoDB JSON (`{"pk": {"S": "a"}}`) instead of one per attribute."""
    wrapped = [rule.name for rule in rules if rule.table_role and dynamodb_json_type(row.get(rule.name)) is not None]
    if not wrapped:
        return None
    example = ", ".join(f'"{name}": {plain_equivalent(row[name])}' for name in wrapped)
    return Problem(
        origin,
        'this row is written in DynamoDB JSON (every value wrapped in a type such as {"S": ...}), '
        "but seed files hold plain JSON",
        f"unwrap every value, e.g. {example}; numbers without quotes, sets as {{{json.dumps(SET_TAG)}: [...]}}",
    )


def check_row(
    origin: Origin,
    row: Mapping[str, Any],
    schema: Mapping[str, Any],
    table: str,
    problems: list[Problem],
    warnings: list[str],
    rules: Sequence[KeyRule] | None = None,
) -> tuple[KeyTuple, Item] | None:
    """(key tuple, DynamoDB item) of a valid row; otherwise appends problems and returns None.

    `rules` are `key_rules(schema, table)`, computed once per table by callers that check many rows.
    """
    rules = key_rules(schema, table) if rules is None else rules
    dynamodb_json = _dynamodb_json_row(origin, row, rules)
    if dynamodb_json is not None:
        problems.append(dynamodb_json)
        return None
    before = len(problems)
    for rule in rules:
        _check_key(origin, row, rule, table, problems)
    _check_ttl(origin, row, schema.get("ttl_attribute"), problems, warnings)
    try:
        item, size = to_item(row)
    except ConversionError as exc:
        problems.append(Problem(origin, str(exc), exc.fix))
        return None
    if size > MAX_ITEM_BYTES:
        problems.append(
            Problem(
                origin,
                f"item is {size:,} bytes (attribute names included), over DynamoDB's 400 KB "
                f"({MAX_ITEM_BYTES:,} bytes) limit",
                "move large values to S3 and store their key, or split the item",
            )
        )
    if len(problems) != before:
        return None
    names = key_names(schema)
    return tuple(key_value(item[name]) for name in names), item


def format_key(names: Sequence[str], key: KeyTuple) -> str:
    """`pk='course#1', n=7` — strings quoted, numbers bare, binary as base64, as an author would write them."""

    def show(value: Any) -> str:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bytes):
            return f"{{{BINARY_TAG}: {base64.b64encode(value).decode()}}}"
        return repr(value)

    return ", ".join(f"{name}={show(value)}" for name, value in zip(names, key, strict=True))


def _expires_on_load(value: Any, now: float) -> bool:
    """True when DynamoDB's TTL would delete an item with this TTL value soon after it is written.

    TTL deletes items whose epoch-seconds value has passed, but ignores values more than five years
    in the past (DynamoDB Local does the same, within about a second).
    """
    return _value_type(value) == "N" and now - _TTL_IGNORED_AFTER < value < now


def add_rows(plan: TablePlan, rows: Iterable[Row], validation: Validation, now: float | None = None) -> None:
    """Validate rows into plan (dedupe by key, later row wins, warn on each collision and on expired TTLs)."""
    names = plan.key_names
    rules = key_rules(plan.schema, plan.name)
    ttl = plan.schema.get("ttl_attribute")
    now = time.time() if now is None else now
    expired: list[Origin] = []
    for row in rows:
        checked = check_row(
            row.origin, row.data, plan.schema, plan.name, validation.problems, validation.warnings, rules
        )
        if checked is None:
            continue
        key, item = checked
        if key in plan.items:
            validation.warnings.append(
                f"{row.origin}: duplicate key ({format_key(names, key)}) also at {plan.origins[key]}; "
                "the later row wins"
            )
            del plan.items[key]  # re-insert so the item moves to where the winning row is
        plan.items[key] = item
        plan.origins[key] = row.origin
        if ttl and _expires_on_load(row.data.get(ttl), now):
            expired.append(row.origin)
    if expired:
        validation.warnings.append(
            f"{expired[0]}: {len(expired)} row(s) for {plan.name} have a TTL ({ttl}) that has already passed: "
            "DynamoDB deletes such items within days of loading them (DynamoDB Local within seconds; moto never), "
            "so they will not stay; move the expiry into the future if the data should last"
        )


def validate(
    tables: Mapping[str, Mapping[str, Any]],
    files: Sequence[tuple[SeedFile, list[Row]]],
    env: str | None = None,
    name_prefix: str | None = None,
) -> Validation:
    """Validate every row of every file against `tables` (real name -> key_schema); never writes."""
    validation = Validation()
    for seed_file, rows in files:
        real = resolve_table(seed_file.table, tables, name_prefix)
        if real is None:
            validation.problems.append(_unknown_table_problem(seed_file, tables, env))
            continue
        plan = validation.tables.get(real)
        if plan is None:
            plan = validation.tables[real] = TablePlan(name=real, schema=tables[real])
        plan.files.append(seed_file.path)
        add_rows(plan, rows, validation)
    return validation

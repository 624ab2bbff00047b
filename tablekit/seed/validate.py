"""Check every row against the key schema the environment declares, and build what will be written.

Why the schema comes only from the env's Terraform outputs (`tables`): a second, hand-written copy
of key names drifts the day someone renames a key, and the loader would then write items the real
table rejects half-way through. The `tables` output is the same object the table module used to
create the table.

The rules, in the order a row meets them: the file must name a declared table (closest name
suggested); each table key must be present, of its declared type (S/N/B) and non-empty; index keys,
when present, must have their declared type (DynamoDB rejects the write otherwise); the TTL
attribute must be a number; every value must be storable; the item must fit in 400 KB. Duplicate
keys are not errors: the later row wins and a warning says which rows collided, because
BatchWriteItem rejects a request that names one key twice.
"""

from __future__ import annotations

import base64
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from tablekit.seed.convert import BINARY_TAG, MAX_ITEM_BYTES, ConversionError, key_value, to_item
from tablekit.seed.files import Row, SeedFile
from tablekit.seed.problems import Origin, Problem

# DynamoDB limits on key values.
_MAX_KEY_BYTES = {"hash": 2048, "range": 1024}
_TYPE_WORDS = {"S": "a string", "N": "a number", "B": "binary"}
_EXAMPLES = {"S": '"<text>"', "N": "123", "B": f'{{"{BINARY_TAG}": "<base64>"}}'}
# Epoch seconds pass 1e11 only in the year 5138; bigger values are almost surely milliseconds.
_TTL_MILLIS_THRESHOLD = 100_000_000_000

KeyTuple = tuple[Any, ...]


@dataclass
class TablePlan:
    """The validated items of one real table, deduplicated by key, in file order (last row wins)."""

    name: str
    schema: Mapping[str, Any]
    items: dict[KeyTuple, dict[str, dict]] = field(default_factory=dict)
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


def _check_key(
    origin: Origin, row: Mapping[str, Any], role: str, key: Mapping[str, str], table: str, problems: list[Problem]
) -> None:
    name, wanted = key["name"], key["type"]
    if name not in row:
        problems.append(
            Problem(
                origin,
                f"missing key attribute {name!r} ({role} key of {table}, type {wanted})",
                f'add "{name}": {_EXAMPLES[wanted]} to this row',
            )
        )
        return
    value = row[name]
    got = _value_type(value)
    if got != wanted:
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
    if wanted == "S":
        size = len(value.encode())
        if not size:
            problems.append(
                Problem(
                    origin,
                    f"key attribute {name!r} is an empty string (DynamoDB rejects empty keys)",
                    "give it a non-empty value",
                )
            )
        elif size > _MAX_KEY_BYTES[role]:
            problems.append(
                Problem(
                    origin,
                    f"key attribute {name!r} is {size} bytes; a {role} key holds at most {_MAX_KEY_BYTES[role]}",
                    "shorten it",
                )
            )


def _check_index_keys(
    origin: Origin,
    row: Mapping[str, Any],
    schema: Mapping[str, Any],
    table: str,
    table_keys: set[str],
    problems: list[Problem],
) -> None:
    for name, wanted in (schema.get("attributes") or {}).items():
        if name in table_keys or name not in row:
            continue
        value = row[name]
        got = _value_type(value)
        if got != wanted:
            problems.append(
                Problem(
                    origin,
                    f"{name!r} is an index key of type {wanted} in {table}, "
                    f"got {_describe(value)} (DynamoDB rejects the write)",
                    f"write it as {_TYPE_WORDS[wanted]}, or omit the attribute to keep the item out of the index",
                )
            )
        elif got == "S" and not value:
            problems.append(
                Problem(
                    origin,
                    f"index key {name!r} is an empty string (DynamoDB rejects it)",
                    "omit the attribute instead, which keeps the item out of the index",
                )
            )


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


def check_row(
    origin: Origin,
    row: Mapping[str, Any],
    schema: Mapping[str, Any],
    table: str,
    problems: list[Problem],
    warnings: list[str],
) -> tuple[KeyTuple, dict[str, dict]] | None:
    """(key tuple, DynamoDB item) of a valid row; otherwise appends problems and returns None."""
    before = len(problems)
    hash_key, range_key = schema["hash_key"], schema.get("range_key")
    _check_key(origin, row, "hash", hash_key, table, problems)
    if range_key:
        _check_key(origin, row, "range", range_key, table, problems)
    table_keys = {hash_key["name"], range_key["name"] if range_key else hash_key["name"]}
    _check_index_keys(origin, row, schema, table, table_keys, problems)
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
                f"item is {size:,} bytes, over DynamoDB's 400 KB ({MAX_ITEM_BYTES:,} bytes) limit",
                "move large values to S3 and store their key, or split the item",
            )
        )
    if len(problems) != before:
        return None
    key = (key_value(item[hash_key["name"]]),) + ((key_value(item[range_key["name"]]),) if range_key else ())
    return key, item


def format_key(names: Sequence[str], key: KeyTuple) -> str:
    """`pk='course#1', n=7` — strings quoted, numbers bare, binary as base64, as an author would write them."""

    def show(value: Any) -> str:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bytes):
            return f"{{{BINARY_TAG}: {base64.b64encode(value).decode()}}}"
        return repr(value)

    return ", ".join(f"{name}={show(value)}" for name, value in zip(names, key, strict=True))


def add_rows(plan: TablePlan, rows: Iterable[Row], validation: Validation) -> None:
    """Validate rows into plan (dedupe by key, later row wins, warn on each collision)."""
    names = plan.key_names
    for row in rows:
        checked = check_row(row.origin, row.data, plan.schema, plan.name, validation.problems, validation.warnings)
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

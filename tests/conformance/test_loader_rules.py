"""Every loader validation rule, proven against DynamoDB itself (AWS's DynamoDB Local) and moto.

For each rule: the validator refuses the bad row with its message; the item a naive writer would
send for that row is refused by DynamoDB Local too (or, for the few rules marked as guards, stored:
those protect the author from a mistake DynamoDB would silently keep); and the nearest row the
validator accepts goes through the real loader and is stored on both engines.

moto disagrees with DynamoDB Local on some of these; each disagreement is listed in MOTO (and in
docs/engines.md, "moto and DynamoDB Local"), so a moto upgrade that changes one fails here and gets noticed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conformance_support import Engine

from tablekit.dynamodb_json import MAX_ITEM_BYTES, ConversionError, InvalidConstant, Item, to_item
from tablekit.endpoint.dynamodb_local import create_tables
from tablekit.seed import SeedRolledBack, load_rows
from tablekit.seed.problems import Origin, Problem
from tablekit.seed.validate import check_row

pytestmark = pytest.mark.slow

# Tables shaped like a `key_schema` output: every kind of key the rules talk about.
SCHEMAS: dict[str, dict[str, Any]] = {
    "cf-rules": {
        "name": "cf-rules",
        "hash_key": {"name": "pk", "type": "S"},
        "range_key": {"name": "sk", "type": "S"},
        "attributes": {"pk": "S", "sk": "S", "g": "S", "gs": "S", "gn": "N", "bk": "B", "l": "S"},
        "indexes": {
            "g-index": {"hash_key": "g", "range_key": "gs", "kind": "GSI", "projection_type": "ALL"},
            "n-index": {"hash_key": "gn", "range_key": None, "kind": "GSI", "projection_type": "KEYS_ONLY"},
            "b-index": {"hash_key": "bk", "range_key": None, "kind": "GSI", "projection_type": "KEYS_ONLY"},
            "l-index": {"hash_key": "pk", "range_key": "l", "kind": "LSI", "projection_type": "ALL"},
        },
        "ttl_attribute": "expiresAt",
        "stream_view_type": None,
    },
    # pk is the table's partition key and the sort key of by-owner: the stricter 1024 bytes apply.
    "cf-roles": {
        "name": "cf-roles",
        "hash_key": {"name": "pk", "type": "S"},
        "range_key": None,
        "attributes": {"pk": "S", "owner": "S"},
        "indexes": {"by-owner": {"hash_key": "owner", "range_key": "pk", "kind": "GSI", "projection_type": "ALL"}},
        "ttl_attribute": None,
    },
    "cf-blobs": {
        "name": "cf-blobs",
        "hash_key": {"name": "id", "type": "B"},
        "range_key": None,
        "attributes": {"id": "B"},
        "indexes": {},
        "ttl_attribute": None,
    },
}
KEY = {"pk": "a", "sk": "b"}


def b64(data: bytes) -> dict[str, str]:
    return {"$binary": base64.b64encode(data).decode()}


def nested(depth: int, leaf: Any = "v") -> Any:
    """`depth` maps inside each other around a leaf (the attribute itself is level 1)."""
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


def nested_wire(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "v"}
    for _ in range(depth):
        value = {"M": {"k": value}}
    return value


def padded(target: int, row: dict[str, Any]) -> dict[str, Any]:
    """`row` plus a string attribute `p` sized so the item is exactly `target` bytes (tablekit's count)."""
    _, size = to_item({**row, "p": ""})
    return {**row, "p": "x" * (target - size)}


def long_names(target: int) -> dict[str, Any]:
    """An item of `target` bytes made almost only of attribute names (values are one byte)."""
    row: dict[str, Any] = dict(KEY)
    index = 0
    while to_item(row)[1] + 50_000 < target:
        row[f"{index:04d}".ljust(49_990, "n")] = "v"
        index += 1
    _, size = to_item({**row, "z": "v"})
    row["z".ljust(1 + target - size, "z")] = "v"
    return row


NEGATIVES = {f"n{i}": Decimal("-1.5") for i in range(2_000)}  # 4 bytes each to DynamoDB (2 by the old count)


@dataclass(frozen=True)
class Rule:
    id: str
    table: str
    bad: dict[str, Any]  # the plain row an author writes
    message: str  # what the validator says about it
    good: dict[str, Any]  # the nearest row the validator accepts
    wire: Item | None = None  # what a naive writer sends for `bad` when tablekit cannot even build it
    guard: bool = False  # True: DynamoDB would store `bad`; tablekit refuses it to protect the author


RULES = [
    Rule("missing_key", "cf-rules", {"sk": "b"}, "missing key attribute 'pk'", KEY),
    Rule("key_of_the_wrong_type", "cf-rules", {"pk": 1, "sk": "b"}, "must be a string (S)", {"pk": "1", "sk": "b"}),
    Rule("empty_key", "cf-rules", {"pk": "", "sk": "b"}, "key attribute 'pk' is an empty string", KEY),
    Rule(
        "partition_key_over_2048_bytes",
        "cf-rules",
        {"pk": "é" * 1025, "sk": "b"},  # 1025 characters, 2050 bytes: the limit counts bytes
        "is 2,050 bytes; as the hash key of cf-rules it holds at most 2,048 bytes",
        {"pk": "é" * 1024, "sk": "b"},
    ),
    Rule(
        "sort_key_over_1024_bytes",
        "cf-rules",
        {"pk": "a", "sk": "x" * 1025},
        "at most 1,024",
        {"pk": "a", "sk": "x" * 1024},
    ),
    Rule(
        "gsi_partition_key_over_2048_bytes",
        "cf-rules",
        {**KEY, "g": "x" * 2049},
        "as the partition key of index g-index it holds at most 2,048 bytes",
        {**KEY, "g": "x" * 2048},
    ),
    Rule(
        "gsi_sort_key_over_1024_bytes",
        "cf-rules",
        {**KEY, "g": "a", "gs": "x" * 1025},
        "as the sort key of index g-index it holds at most 1,024 bytes",
        {**KEY, "g": "a", "gs": "x" * 1024},
    ),
    Rule(
        "lsi_sort_key_over_1024_bytes",
        "cf-rules",
        {**KEY, "l": "x" * 1025},
        "as the sort key of index l-index it holds at most 1,024 bytes",
        {**KEY, "l": "x" * 1024},
    ),
    Rule(
        "key_with_two_roles_gets_the_stricter_limit",
        "cf-roles",
        {"pk": "x" * 1025, "owner": "o"},
        "as the hash key of cf-roles and sort key of index by-owner it holds at most 1,024 bytes",
        {"pk": "x" * 1024, "owner": "o"},
    ),
    Rule(
        "index_key_of_the_wrong_type", "cf-rules", {**KEY, "g": 5}, "'g' is an index key of type S", {**KEY, "g": "5"}
    ),
    Rule(
        "number_index_key_as_text", "cf-rules", {**KEY, "gn": "7"}, "'gn' is an index key of type N", {**KEY, "gn": 7}
    ),
    Rule("null_index_key", "cf-rules", {**KEY, "g": None}, "'g' is an index key of type S", KEY),
    Rule(
        "empty_index_key",
        "cf-rules",
        {**KEY, "g": ""},
        "index key 'g' (partition key of index g-index) is an empty string",
        KEY,
    ),
    Rule(
        "empty_binary_index_key",
        "cf-rules",
        {**KEY, "bk": b64(b"")},
        "index key 'bk' (partition key of index b-index) is empty binary",
        {**KEY, "bk": b64(b"\x00")},
    ),
    Rule("empty_binary_key", "cf-blobs", {"id": b64(b"")}, "key attribute 'id' is empty binary", {"id": b64(b"\x00")}),
    Rule(
        "binary_key_over_2048_bytes",
        "cf-blobs",
        {"id": b64(b"\x01" * 2049)},
        "is 2,049 bytes",
        {"id": b64(b"\x01" * 2048)},
    ),
    Rule(
        "empty_attribute_name",
        "cf-rules",
        {**KEY, "": "v"},
        'the attribute name is empty ("")',
        {**KEY, "v": "v"},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "": {"S": "v"}},
    ),
    Rule(
        "empty_map_key",
        "cf-rules",
        {**KEY, "m": {"": "v"}},
        'attribute m.: the attribute name is empty ("")',
        {**KEY, "m": {"k": "v"}},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "m": {"M": {"": {"S": "v"}}}},
    ),
    Rule(
        "attribute_name_over_50000_characters",
        "cf-rules",
        {**KEY, "n" * 50_001: "v"},
        "the attribute name is 50,001 characters",
        {**KEY, "n" * 50_000: "v"},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n" * 50_001: {"S": "v"}},
    ),
    Rule(
        "item_over_400_kb",
        "cf-rules",
        padded(MAX_ITEM_BYTES + 1, KEY),
        "item is 409,601 bytes (attribute names included), over DynamoDB's 400 KB",
        padded(MAX_ITEM_BYTES, KEY),
    ),
    Rule(
        "attribute_names_count_towards_400_kb",
        "cf-rules",
        long_names(MAX_ITEM_BYTES + 1),
        "item is 409,601 bytes (attribute names included)",
        long_names(MAX_ITEM_BYTES),
    ),
    Rule(
        "numbers_are_sized_like_dynamodb",
        "cf-rules",
        padded(MAX_ITEM_BYTES + 1, {**KEY, **NEGATIVES}),
        "item is 409,601 bytes",
        padded(MAX_ITEM_BYTES, {**KEY, **NEGATIVES}),
    ),
    Rule(
        "nesting_over_32_levels",
        "cf-rules",
        {**KEY, "m": nested(32)},
        "nesting is deeper than DynamoDB's 32 levels",
        {**KEY, "m": nested(31)},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "m": nested_wire(32)},
    ),
    Rule(
        "not_a_number",
        "cf-rules",
        {**KEY, "n": InvalidConstant("NaN")},
        "NaN is not a number DynamoDB can store",
        {**KEY, "n": 0},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "NaN"}},
    ),
    Rule(
        "integer_over_38_digits",
        "cf-rules",
        {**KEY, "n": int("1" * 39)},
        "more than 38 significant digits",
        {**KEY, "n": int("1" * 38 + "000")},  # trailing zeros are not significant
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1" * 39}},
    ),
    Rule(
        "decimal_over_38_digits",
        "cf-rules",
        {**KEY, "n": Decimal("1." + "1" * 41)},
        "more than 38 significant digits (42)",
        {**KEY, "n": Decimal("1." + "1" * 37)},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1." + "1" * 41}},
    ),
    Rule(
        "number_over_9_99e125",
        "cf-rules",
        {**KEY, "n": Decimal("1E+126")},
        "outside DynamoDB's range",
        {**KEY, "n": Decimal("9." + "9" * 37 + "E+125")},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1E+126"}},
    ),
    Rule(
        "number_under_1e-130",
        "cf-rules",
        {**KEY, "n": Decimal("1E-131")},
        "outside DynamoDB's range",
        {**KEY, "n": Decimal("-1E-130")},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1E-131"}},
    ),
    Rule(
        "empty_set",
        "cf-rules",
        {**KEY, "s": {"$set": []}},
        "needs a non-empty list",
        {**KEY, "s": {"$set": [""]}},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "s": {"SS": []}},
    ),
    Rule(
        "string_set_with_duplicates",
        "cf-rules",
        {**KEY, "s": {"$set": ["a", "a"]}},
        "string set has duplicate elements",
        {**KEY, "s": {"$set": ["a", "A"]}},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "s": {"SS": ["a", "a"]}},
    ),
    Rule(
        "number_set_with_equal_numbers",
        "cf-rules",
        {**KEY, "s": {"$set": [1, Decimal("1.0")]}},
        "number set has duplicate element",
        {**KEY, "s": {"$set": [1, Decimal("1.01")]}},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "s": {"NS": ["1", "1.0"]}},
    ),
    Rule(
        "row_in_dynamodb_json",
        "cf-rules",
        {"pk": {"S": "a"}, "sk": {"S": "b"}},
        "this row is written in DynamoDB JSON",
        KEY,
        wire={"pk": {"M": {"S": {"S": "a"}}}, "sk": {"M": {"S": {"S": "b"}}}},
    ),
    Rule(
        "value_in_dynamodb_json",
        "cf-rules",
        {**KEY, "title": {"S": "x"}},
        '{"S": ...} is DynamoDB JSON, but seed files hold plain JSON',
        {**KEY, "title": "x"},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "title": {"M": {"S": {"S": "x"}}}},
        guard=True,
    ),
    Rule(
        "ttl_that_is_not_a_number",
        "cf-rules",
        {**KEY, "expiresAt": "2025-01-01"},
        "TTL attribute 'expiresAt' must be a number of epoch seconds",
        {**KEY, "expiresAt": 4102444800},
        guard=True,
    ),
    Rule(
        "lone_surrogate",
        "cf-rules",
        {**KEY, "text": "broken \ud83d"},
        "lone surrogate \\ud83d",
        {**KEY, "text": "fine \U0001f600"},
        wire={"pk": {"S": "a"}, "sk": {"S": "b"}, "text": {"S": "broken \ud83d"}},
        guard=True,
    ),
]
IDS = [rule.id for rule in RULES]

# Where moto differs from DynamoDB Local (docs/engines.md, "moto and DynamoDB Local"): rules whose bad item
# moto stores, and rules whose good item moto refuses.
MOTO_STORES_BAD = {
    "lsi_sort_key_over_1024_bytes",
    "index_key_of_the_wrong_type",
    "number_index_key_as_text",
    "empty_binary_index_key",
    "empty_binary_key",
    "empty_attribute_name",
    "empty_map_key",
    "attribute_name_over_50000_characters",
    "nesting_over_32_levels",
    "integer_over_38_digits",
    "decimal_over_38_digits",
    "number_over_9_99e125",
    "string_set_with_duplicates",
    "number_set_with_equal_numbers",
}
MOTO_REFUSES_GOOD = {"item_over_400_kb", "attribute_names_count_towards_400_kb", "numbers_are_sized_like_dynamodb"}
MOTO_FAILS_ON_GUARD = {"lone_surrogate"}  # moto answers HTTP 500 where DynamoDB Local stores the string


@pytest.fixture(scope="module")
def rule_tables(engine: Engine) -> Engine:
    """The tables twice: bad items go to `<table>-bad`, so what moto stores of them (an item with an
    empty attribute name breaks every later read in botocore) never meets the loader's good rows."""
    create_tables(engine.clients.dynamodb(), {**SCHEMAS, **{f"{name}-bad": schema for name, schema in SCHEMAS.items()}})
    return engine


def _check(rule: Rule, row: dict[str, Any]) -> tuple[list[Problem], Item | None]:
    problems: list[Problem] = []
    checked = check_row(Origin(Path("rule.jsonl"), 1), row, SCHEMAS[rule.table], rule.table, problems, [])
    return problems, None if checked is None else checked[1]


def _wire(rule: Rule) -> Item:
    if rule.wire is not None:
        return rule.wire
    try:
        return to_item(rule.bad)[0]
    except ConversionError as exc:  # pragma: no cover - a rule without `wire` must be buildable
        raise AssertionError(f"{rule.id}: give the rule a wire item ({exc})") from None


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_validator_refuses_the_bad_row_and_accepts_the_good_one(rule: Rule) -> None:
    problems, _ = _check(rule, rule.bad)
    assert problems, f"{rule.id}: the validator accepted {str(rule.bad)[:200]}"
    assert any(rule.message in str(problem) for problem in problems), [str(p)[:300] for p in problems]
    assert all(problem.fix for problem in problems)
    good_problems, item = _check(rule, rule.good)
    assert not good_problems and item is not None, [str(p)[:300] for p in good_problems]


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_engine_refuses_what_the_validator_refuses(rule_tables: Engine, rule: Rule) -> None:
    engine = rule_tables
    if engine.name == "moto":
        expect_refused = rule.id in MOTO_FAILS_ON_GUARD or (not rule.guard and rule.id not in MOTO_STORES_BAD)
    else:
        expect_refused = not rule.guard
    try:
        engine.raw().put_item(TableName=f"{rule.table}-bad", Item=_wire(rule))
        refused = None
    except ClientError as exc:
        refused = exc.response.get("Error", {}).get("Code")
    if expect_refused:
        assert refused is not None, f"{engine.name} stored the item of {rule.id}"
    else:
        assert refused is None, f"{engine.name} refused the item of {rule.id} ({refused})"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_the_engine_stores_what_the_validator_accepts(rule_tables: Engine, rule: Rule) -> None:
    """The good row goes through the real loader (validation, journal, BatchWriteItem)."""
    engine = rule_tables
    tables = {rule.table: SCHEMAS[rule.table]}
    if engine.name == "moto" and rule.id in MOTO_REFUSES_GOOD:
        with pytest.raises(SeedRolledBack, match=r"ValidationException|Item size"):
            load_rows(tables, rule.table, [rule.good], engine.clients, workers=1)
        return
    summary = load_rows(tables, rule.table, [rule.good], engine.clients, workers=1)
    assert summary.items == 1

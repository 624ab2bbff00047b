"""Plain JSON -> DynamoDB types: exact numbers (never a binary float), sets, binary, nesting, and the
values DynamoDB would reject named with their attribute path."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tablekit.dynamodb_json import MAX_ITEM_BYTES, ConversionError, from_item, to_attribute, to_item
from tablekit.seed import load_rows
from tablekit.seed.files import plain_json, read_rows

ROUND_TRIP_ROW = {
    "evaluation_id": "eval-types",
    "user_id": "user-1",
    "int": 1733644800,
    "negative": -42,
    "large_int": 12345678901234567890123456789012345678,  # 38 digits: DynamoDB's maximum precision
    "float": Decimal("0.1"),
    "band": Decimal("7.5"),
    "tiny": Decimal("1E-130"),
    "empty_string": "",
    "flag": True,
    "off": False,
    "nothing": None,
    "nested": {"scores": {"fluency": Decimal("6.5"), "list": [1, "two", {"three": [Decimal("3.25")]}]}, "empty": {}},
    "list": ["a", 1, None, True, [], {"k": "v"}],
    "strings": {"$set": ["b", "a"]},
    "numbers": {"$set": [1, Decimal("2.5"), 10]},
    "blob": {"$binary": base64.b64encode(b"\x00\x01binary\xff").decode()},
    "blobs": {"$set": [{"$binary": "AAE="}, {"$binary": "/w=="}]},
}


def _sorted_sets(row: dict) -> dict:
    """Sets come back in DynamoDB's order; compare them as sorted lists."""
    out = {}
    for key, value in row.items():
        if isinstance(value, dict) and set(value) == {"$set"}:
            out[key] = sorted(value["$set"], key=repr)
        else:
            out[key] = value
    return out


def test_round_trip_through_the_endpoint(env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations")
    table = next(iter(tables))
    summary = load_rows(tables, "bandup-evaluations", [ROUND_TRIP_ROW], factory, workers=1)
    assert summary.items == 1
    (stored,) = scan(table).values()
    assert _sorted_sets(stored) == _sorted_sets(ROUND_TRIP_ROW)
    assert type(stored["int"]) is int and stored["large_int"] == ROUND_TRIP_ROW["large_int"]
    assert stored["float"] == Decimal("0.1")  # exact: never 0.1000000000000000055...


def test_file_numbers_are_read_as_exact_decimals(tmp_path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"a": 0.1, "b": 7.50, "c": 1733644800, "d": 123456789012345678901234567890, "e": 1e3}\n')
    (row,), problems = read_rows(path)
    assert not problems
    item, _ = to_item(row.data)
    assert item == {
        "a": {"N": "0.1"},
        "b": {"N": "7.50"},
        "c": {"N": "1733644800"},
        "d": {"N": "123456789012345678901234567890"},
        "e": {"N": "1E+3"},
    }
    assert type(row.data["c"]) is int  # epoch seconds stay integers


def test_python_floats_go_through_their_shortest_text() -> None:
    assert to_attribute(0.1)[0] == {"N": "0.1"}
    assert to_attribute(2.675)[0] == {"N": "2.675"}


def test_plain_json_writer_is_the_inverse_of_the_reader(tmp_path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(plain_json(ROUND_TRIP_ROW) + "\n")
    (row,), problems = read_rows(path)
    assert not problems and row.data == ROUND_TRIP_ROW
    # Sets come back sorted (DynamoDB keeps no order); everything else is identical.
    assert from_item(to_item(row.data)[0]) == {**ROUND_TRIP_ROW, "strings": {"$set": ["a", "b"]}}


@pytest.mark.parametrize(
    ("value", "message", "fix"),
    [
        (Decimal("NaN"), "not a number DynamoDB can store", "null or a string"),
        (10**38 + 1, "more than 38 significant digits", "string"),
        (Decimal("1E+126"), "outside DynamoDB's range", "string"),
        ({"$set": []}, "non-empty list", "drop the attribute"),
        ({"$set": ["a", 1]}, "mixes strings", "every element a string"),
        ({"$set": ["a", "a"]}, "duplicate", "remove the duplicates"),
        ({"$set": [1, Decimal("1.0")]}, "duplicate", "remove the duplicates"),
        ({"$binary": "not base64!"}, "not valid base64", "standard base64"),
        ({"$sett": ["a"]}, "unknown tag '$sett'", "did you mean '$set'?"),
    ],
)
def test_unstorable_values_name_the_path_and_fix(value, message, fix) -> None:
    with pytest.raises(ConversionError) as caught:
        to_item({"outer": {"inner": value}})
    assert caught.value.path.startswith("outer.inner")
    assert message in str(caught.value)
    assert fix in caught.value.fix


def test_item_size_follows_dynamodb_rules() -> None:
    _, size = to_item({"pk": "abc", "n": 12345, "flag": True, "m": {"k": "v"}, "l": ["x"]})
    # pk 2+3, n 1+(5+1)//2+1=4, flag 4+1, m 1+(3 + 1+1+1), l 1+(3 + 1+1)
    assert size == 5 + 5 + 5 + 7 + 6
    _, big = to_item({"pk": "x", "blob": "y" * MAX_ITEM_BYTES})
    assert big > MAX_ITEM_BYTES

"""DynamoDB JSON (AttributeValues) <-> Python values: the harness's one converter.

Why one module: the seed loader, the access patterns, the stream tests and the benchmarks each had
their own converter (boto3's TypeSerializer in one, hand-written copies in others), and they
disagreed on floats, sets and sizes. Every part of the harness now reads and writes items here.
(The Lambda handler under lambda_function/ keeps a small copy because its zip ships alone.)

Three views of a value:

- plain JSON, as seed files hold it: `to_attribute` / `to_item` (with the item size DynamoDB
  charges) and back with `from_attribute` / `from_item`. Plain JSON lacks two DynamoDB types, so
  two tags stand in for them: `{"$set": [...]}` (SS/NS/BS) and `{"$binary": "<base64>"}` (B).
- native Python (Decimal numbers, real sets, bytes), as application code and the stream handler
  see items: `to_python` / `python_item`; `serialize` / `serialize_item` accept these too.
- key values (`key_value`): hashable, so keys from files and from the table compare equal.

Writing rejects everything DynamoDB rejects, naming the attribute path and the fix
(`ConversionError`), because the loader validates every row before its first request. The rules
and the size arithmetic were measured against AWS's DynamoDB Local (tests/conformance):

- numbers: at most 38 significant digits, magnitude 1E-130 .. 9.99E+125; NaN/Infinity refused;
  size = 1 byte + 1 byte per pair of digits (pairs aligned on the decimal point, leading and
  trailing zero pairs dropped) + 1 byte when negative; zero is 1 byte;
- strings and names: UTF-8 (a lone surrogate cannot be stored); attribute names, map keys
  included, are 1..65,535 bytes, and at most 50,000 characters (DynamoDB Local's limit);
- maps and lists: 3 bytes + per element 1 byte (+ the key's bytes in a map), nesting <= 32 levels;
- sets: non-empty, no duplicates (`1` and `1.0` are the same number);
- a one-key object such as `{"S": "x"}` is DynamoDB JSON pasted into a plain-JSON file: refused
  with the plain value to write instead (DynamoDB would silently store a nested map).

Numbers: the seed reader parses JSON floats straight to Decimal (text -> Decimal, never through a
binary float) and ints to int, so `7.5`, `1733644800` and 38-digit integers arrive exact. Python
floats are converted via `repr` -> Decimal for the same reason.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

MAX_ITEM_BYTES = 400 * 1024
MAX_DEPTH = 32  # DynamoDB nests maps/lists at most 32 levels deep
MAX_NUMBER_DIGITS = 38
MAX_NAME_BYTES = 65_535
MAX_NAME_CHARS = 50_000  # DynamoDB Local fails (InternalFailure) on longer attribute names
# Adjusted exponent (position of the first significant digit) DynamoDB accepts.
_MAX_EXPONENT = 125
_MIN_EXPONENT = -130

SET_TAG = "$set"
BINARY_TAG = "$binary"
TAGS = (SET_TAG, BINARY_TAG)

# The value shape of each DynamoDB JSON type: what makes `{"S": "x"}` DynamoDB JSON rather than a map.
_TYPE_SHAPES: dict[str, tuple[type, ...]] = {
    "S": (str,),
    "N": (str,),
    "B": (str, bytes),
    "BOOL": (bool,),
    "NULL": (bool,),
    "M": (dict,),
    "L": (list,),
    "SS": (list,),
    "NS": (list,),
    "BS": (list,),
}


class ConversionError(ValueError):
    """A value DynamoDB cannot store; `path` is the attribute path, `fix` tells the author what to write."""

    def __init__(self, path: str, message: str, fix: str):
        super().__init__(f"attribute {path}: {message}")
        self.path = path
        self.message = message
        self.fix = fix


class InvalidConstant:
    """What the reader puts where the JSON text had NaN/Infinity, so the row (with its line) is rejected."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


# -- numbers -------------------------------------------------------------------------------------


def _significant(value: int | Decimal) -> tuple[int, tuple[int, ...], int]:
    """(sign, significant digits, exponent of the last one), exact for any precision.

    Decimal.normalize() would round to the context's 28 digits and hide a 40-digit number.
    """
    sign, digits, exponent = Decimal(value).as_tuple()
    assert isinstance(exponent, int)  # finite: callers rejected NaN/Infinity
    kept = list(digits)
    while len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    while len(kept) > 1 and kept[0] == 0:
        kept.pop(0)
    return sign, tuple(kept), exponent


def number_size(value: int | Decimal) -> int:
    """Bytes DynamoDB charges for a number (DynamoDB Local's arithmetic, see the module docstring)."""
    sign, digits, exponent = _significant(value)
    if digits == (0,):
        return 1
    pairs = (exponent + len(digits) - 1) // 2 - exponent // 2 + 1
    return 1 + pairs + sign


def _number_text(value: int | Decimal, path: str) -> tuple[str, int]:
    """DynamoDB N text of a number plus its size in bytes; rejects what DynamoDB would reject."""
    if isinstance(value, Decimal) and not value.is_finite():
        raise ConversionError(path, f"{value} is not a number DynamoDB can store", "use null or a string")
    text = str(value)
    _sign, digits, exponent = _significant(value)
    if len(digits) > MAX_NUMBER_DIGITS:
        shown = text if len(text) <= 48 else text[:45] + "..."
        raise ConversionError(
            path,
            f"{shown} has more than {MAX_NUMBER_DIGITS} significant digits ({len(digits)}), DynamoDB's precision",
            "round it, or store it as a string if every digit matters",
        )
    if digits != (0,):
        adjusted = exponent + len(digits) - 1
        if adjusted > _MAX_EXPONENT or adjusted < _MIN_EXPONENT:
            shown = text if len(text) <= 48 else text[:45] + "..."
            raise ConversionError(
                path,
                f"{shown} is outside DynamoDB's range 1E-130 .. 9.99E+125",
                "store it as a string, or rescale it",
            )
    return text, number_size(value)


def _is_number(value: Any) -> bool:
    return type(value) in (int, Decimal, float)


def _as_number(value: int | Decimal | float) -> int | Decimal:
    # repr() of a Python float is the shortest text that round-trips: 0.1 -> "0.1", not 0.1000000000000000055...
    return Decimal(repr(value)) if type(value) is float else value  # type: ignore[return-value]


# -- strings, names, binary ----------------------------------------------------------------------


def _utf8(text: str, path: str, what: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise ConversionError(
            path,
            f"{what} holds a lone surrogate \\u{ord(bad):04x}, which is not valid Unicode (DynamoDB stores UTF-8)",
            "write the character itself, or both halves of its surrogate pair (\\ud83d\\ude00)",
        ) from None


def _name_bytes(name: Any, path: str) -> int:
    """Size of an attribute name or map key; rejects names DynamoDB rejects."""
    if type(name) is not str:
        raise ConversionError(path, f"attribute names must be strings, got {type(name).__name__}", "use a string")
    if not name:
        raise ConversionError(
            path, 'the attribute name is empty ("")', "give the attribute a name, or remove it (DynamoDB rejects it)"
        )
    size = len(_utf8(name, path, "the attribute name"))
    if size > MAX_NAME_BYTES or len(name) > MAX_NAME_CHARS:
        raise ConversionError(
            path[:60] + "...",
            f"the attribute name is {len(name):,} characters ({size:,} bytes); DynamoDB allows {MAX_NAME_BYTES:,} "
            f"bytes and DynamoDB Local {MAX_NAME_CHARS:,} characters",
            "use a short name and put long text in the value",
        )
    return size


def _decode_binary(data: Any, path: str) -> bytes:
    if not isinstance(data, str):
        raise ConversionError(
            path,
            f"{BINARY_TAG} needs a base64 string, got {type(data).__name__}",
            f'write {{"{BINARY_TAG}": "aGVsbG8="}} (standard base64)',
        )
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConversionError(
            path,
            f"{BINARY_TAG} value is not valid base64 ({exc})",
            "encode the bytes with standard base64 (A-Z a-z 0-9 + /, = padding)",
        ) from exc


# -- DynamoDB JSON pasted into plain JSON ---------------------------------------------------------


def dynamodb_json_type(value: Any) -> str | None:
    """The type tag when `value` looks like one DynamoDB-JSON attribute value ({"S": "x"}), else None."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((tag, raw),) = value.items()
    shapes = _TYPE_SHAPES.get(tag)
    return tag if shapes is not None and isinstance(raw, shapes) else None


def plain_equivalent(value: Mapping[str, Any]) -> str:
    """What to write instead of one DynamoDB-JSON value, as plain-JSON text (for error messages)."""
    ((tag, raw),) = value.items()
    if tag == "S":
        text = json.dumps(raw, ensure_ascii=False)
    elif tag == "N":
        text = str(raw)
    elif tag == "BOOL":
        text = "true" if raw else "false"
    elif tag == "NULL":
        text = "null"
    elif tag == "B":
        text = f'{{"{BINARY_TAG}": "{raw if isinstance(raw, str) else base64.b64encode(raw).decode()}"}}'
    elif tag in ("SS", "NS", "BS"):
        text = f'{{"{SET_TAG}": [...]}}'
    else:
        text = "the object itself" if tag == "M" else "the list itself"
    return text if len(text) <= 60 else text[:57] + "..."


def _dynamodb_json_error(value: Mapping[str, Any], tag: str, path: str) -> ConversionError:
    return ConversionError(
        path,
        f'{{"{tag}": ...}} is DynamoDB JSON, but seed files hold plain JSON '
        f'(DynamoDB would store a map with a key "{tag}")',
        f"write {plain_equivalent(value)} instead; if you really mean a map, give it another key",
    )


# -- plain JSON -> AttributeValue -----------------------------------------------------------------


def _convert_set(elements: Any, path: str) -> tuple[AttributeValue, int]:
    if not isinstance(elements, list) or not elements:
        raise ConversionError(
            path,
            f"{SET_TAG} needs a non-empty list (DynamoDB has no empty sets)",
            f'write {{"{SET_TAG}": ["a", "b"]}}, or drop the attribute when the set is empty',
        )
    first = elements[0]
    if isinstance(first, str):
        if not all(type(e) is str for e in elements):
            raise ConversionError(path, "a string set mixes strings with other types", "make every element a string")
        if len(set(elements)) != len(elements):
            raise ConversionError(path, "string set has duplicate elements", "remove the duplicates")
        return {"SS": list(elements)}, sum(len(_utf8(e, path, "a set element")) for e in elements)
    if isinstance(first, (bytes, bytearray)) or (isinstance(first, dict) and set(first) == {BINARY_TAG}):
        blobs = []
        for index, element in enumerate(elements):
            if isinstance(element, (bytes, bytearray)):
                blobs.append(bytes(element))
                continue
            if not (isinstance(element, dict) and set(element) == {BINARY_TAG}):
                raise ConversionError(
                    f"{path}[{index}]",
                    "a binary set mixes binary with other types",
                    f'make every element {{"{BINARY_TAG}": "<base64>"}}',
                )
            blobs.append(_decode_binary(element[BINARY_TAG], f"{path}[{index}]"))
        if len(set(blobs)) != len(blobs):
            raise ConversionError(path, "binary set has duplicate elements", "remove the duplicates")
        return {"BS": blobs}, sum(len(b) for b in blobs)
    if _is_number(first):
        texts, size, seen = [], 0, set()
        for index, element in enumerate(elements):
            if not _is_number(element):
                raise ConversionError(
                    f"{path}[{index}]",
                    "a number set mixes numbers with other types",
                    "make every element a JSON number",
                )
            number = _as_number(element)
            if number in seen:
                raise ConversionError(path, f"number set has duplicate element {element}", "remove the duplicates")
            seen.add(number)
            text, nbytes = _number_text(number, f"{path}[{index}]")
            texts.append(text)
            size += nbytes
        return {"NS": texts}, size
    raise ConversionError(
        path,
        f"{SET_TAG} elements must be strings, numbers or {BINARY_TAG} objects",
        "use a list (without $set) for anything else",
    )


def to_attribute(value: Any, path: str = "item", depth: int = 0) -> tuple[AttributeValue, int]:
    """(AttributeValue, size in bytes) of one plain value; raises ConversionError naming the path."""
    kind = type(value)
    if kind is str:
        return {"S": value}, len(_utf8(value, path, "the string"))
    if kind is int or kind is Decimal or kind is float:
        text, size = _number_text(_as_number(value), path)
        return {"N": text}, size
    if kind is bool:
        return {"BOOL": value}, 1
    if value is None:
        return {"NULL": True}, 1
    if depth >= MAX_DEPTH:
        raise ConversionError(path, f"nesting is deeper than DynamoDB's {MAX_DEPTH} levels", "flatten the structure")
    if kind is dict:
        if len(value) == 1:
            (only,) = value
            if only == SET_TAG:
                return _convert_set(value[SET_TAG], path)
            if only == BINARY_TAG:
                blob = _decode_binary(value[BINARY_TAG], path)
                return {"B": blob}, len(blob)
            if isinstance(only, str) and only.startswith("$"):
                close = difflib.get_close_matches(only, TAGS, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ConversionError(
                    path,
                    f"unknown tag {only!r} (known tags: {', '.join(TAGS)})",
                    f"{hint}a one-key object whose key starts with $ is read as a tag",
                )
            tag = dynamodb_json_type(value)
            if tag is not None:
                raise _dynamodb_json_error(value, tag, path)
        converted, size = {}, 3
        for key, element in value.items():
            child_path = f"{path}.{key}"
            name_size = _name_bytes(key, child_path)
            child, child_size = to_attribute(element, child_path, depth + 1)
            converted[key] = child
            size += name_size + child_size + 1
        return {"M": converted}, size
    if kind is list or kind is tuple:
        items, size = [], 3
        for index, element in enumerate(value):
            child, child_size = to_attribute(element, f"{path}[{index}]", depth + 1)
            items.append(child)
            size += child_size + 1
        return {"L": items}, size
    if kind is bytes or kind is bytearray:
        return {"B": bytes(value)}, len(value)
    if kind is set or kind is frozenset:  # Python API callers may pass real sets
        return _convert_set(sorted(value, key=repr), path)
    if kind is InvalidConstant:
        raise ConversionError(path, f"{value!r} is not a number DynamoDB can store", "use null or a string")
    raise ConversionError(
        path,
        f"values of type {kind.__name__} cannot be stored",
        "use a JSON string, number, boolean, null, list or object",
    )


def to_item(row: Mapping[str, Any]) -> tuple[Item, int]:
    """(DynamoDB item, size in bytes, attribute names included) of one plain row."""
    item: Item = {}
    size = 0
    for name, value in row.items():
        name_size = _name_bytes(name, name if type(name) is str else repr(name))
        attribute, nbytes = to_attribute(value, name, 1)
        item[name] = attribute
        size += name_size + nbytes
    return item, size


def serialize(value: Any) -> AttributeValue:
    """The AttributeValue of one plain or native Python value (floats via their shortest text)."""
    return to_attribute(value)[0]


def serialize_item(row: Mapping[str, Any]) -> Item:
    """A whole item (or key) as DynamoDB JSON."""
    return to_item(row)[0]


# -- AttributeValue -> plain JSON / Python --------------------------------------------------------


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """Plain value of one AttributeValue: the inverse of to_attribute (sets come back as tagged objects).

    Numbers come back as int when integral, else Decimal, so a round trip never touches a binary float.
    """
    ((kind, raw),) = attribute.items()
    if kind == "S":
        return raw
    if kind == "N":
        return _number_from_text(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "B":
        return {BINARY_TAG: base64.b64encode(bytes(raw)).decode()}
    if kind == "M":
        return {key: from_attribute(value) for key, value in raw.items()}
    if kind == "L":
        return [from_attribute(value) for value in raw]
    if kind == "SS":
        return {SET_TAG: sorted(raw)}
    if kind == "NS":
        return {SET_TAG: sorted(_number_from_text(text) for text in raw)}
    if kind == "BS":
        return {SET_TAG: [{BINARY_TAG: base64.b64encode(bytes(b)).decode()} for b in sorted(bytes(b) for b in raw)]}
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def from_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Plain row of one DynamoDB item (what `to_item` would turn back into the same item)."""
    return {name: from_attribute(value) for name, value in item.items()}


def to_python(attribute: Mapping[str, Any]) -> Any:
    """Native Python value of one AttributeValue: Decimal numbers, real sets, bytes (as boto3's resource API)."""
    ((kind, raw),) = attribute.items()
    if kind == "S":
        return raw
    if kind == "N":
        return Decimal(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(raw)
    if kind == "M":
        return {key: to_python(value) for key, value in raw.items()}
    if kind == "L":
        return [to_python(value) for value in raw]
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {Decimal(text) for text in raw}
    if kind == "BS":
        return {bytes(b) for b in raw}
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def python_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A whole item (or stream image) as native Python values."""
    return {name: to_python(value) for name, value in item.items()}


def _number_from_text(text: str) -> int | Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - DynamoDB never returns this
        raise ValueError(f"not a number: {text!r}") from exc
    # DynamoDB returns integers without a point or exponent ("7.0" is stored and returned as "7").
    return number if "." in text or "e" in text.lower() else int(text)


def key_value(attribute: Mapping[str, Any]) -> str | Decimal | bytes:
    """Hashable native value of a key AttributeValue (S/N/B), comparable with values from seed rows.

    Numbers become Decimal: Decimal("1.0") == 1 and hashes alike, so `1` in a file and `1.0` in the
    table are the same key, as they are in DynamoDB.
    """
    ((kind, raw),) = attribute.items()
    if kind == "N":
        return Decimal(raw)
    if kind == "B":
        return bytes(raw)
    return str(raw)

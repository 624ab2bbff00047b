"""Plain JSON values <-> DynamoDB AttributeValues, and the DynamoDB item-size rule.

Why our own converter instead of boto3's TypeSerializer: seed files are plain JSON, and the loader
must (a) name the exact attribute path of a bad value with a fix, (b) compute the item size in the
same pass (the 400 KB limit), and (c) understand the two tags plain JSON lacks: `{"$set": [...]}`
(SS/NS/BS) and `{"$binary": "<base64>"}` (B). TypeSerializer rejects floats and knows no tags.

Numbers: the file reader parses JSON floats straight to Decimal (text -> Decimal, never through a
binary float) and ints to int, so `7.5`, `1733644800` and 40-digit integers arrive exact. Python
floats handed to the API are converted via `repr` -> Decimal for the same reason.
"""

from __future__ import annotations

import base64
import binascii
import difflib
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

MAX_ITEM_BYTES = 400 * 1024
MAX_DEPTH = 32  # DynamoDB nests maps/lists at most 32 levels deep
MAX_NUMBER_DIGITS = 38
# Magnitude range DynamoDB accepts for a non-zero number.
_MIN_MAGNITUDE = Decimal("1E-130")
_MAX_MAGNITUDE = Decimal("9.9999999999999999999999999999999999999E+125")

SET_TAG = "$set"
BINARY_TAG = "$binary"
TAGS = (SET_TAG, BINARY_TAG)


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


def _number_text(value: int | Decimal, path: str) -> tuple[str, int]:
    """DynamoDB N text of a number plus its size in bytes; rejects what DynamoDB would reject."""
    if type(value) is int:
        text = str(value)
        unsigned = text.lstrip("-")
        if len(unsigned) > 126:
            raise ConversionError(
                path,
                f"{text[:24]}... is larger than DynamoDB's maximum 9.99E+125",
                "store it as a string, or rescale it",
            )
        digits = len(unsigned.rstrip("0")) or 1  # trailing zeros of an integer are not significant
        if digits > MAX_NUMBER_DIGITS:
            raise ConversionError(
                path,
                f"{text} has more than {MAX_NUMBER_DIGITS} significant digits",
                "store it as a string if every digit matters, or round it",
            )
        return text, (digits + 1) // 2 + 1
    if not value.is_finite():
        raise ConversionError(path, f"{value} is not a number DynamoDB can store", "use null or a string")
    if value:
        magnitude = abs(value)
        if magnitude < _MIN_MAGNITUDE or magnitude > _MAX_MAGNITUDE:
            raise ConversionError(
                path, f"{value} is outside DynamoDB's range 1E-130 .. 9.99E+125", "store it as a string or rescale it"
            )
    digits = len(value.normalize().as_tuple().digits) if value else 1
    if digits > MAX_NUMBER_DIGITS:
        raise ConversionError(
            path,
            f"{value} has more than {MAX_NUMBER_DIGITS} significant digits",
            "round it, or store it as a string if every digit matters",
        )
    return str(value), (digits + 1) // 2 + 1


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


def _convert_set(elements: Any, path: str) -> tuple[dict, int]:
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
        return {"SS": list(elements)}, sum(len(e.encode()) for e in elements)
    if isinstance(first, dict) and set(first) == {BINARY_TAG}:
        blobs = []
        for index, element in enumerate(elements):
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


def _is_number(value: Any) -> bool:
    return type(value) in (int, Decimal, float)


def _as_number(value: int | Decimal | float) -> int | Decimal:
    # repr() of a Python float is the shortest text that round-trips: 0.1 -> "0.1", not 0.1000000000000000055...
    return Decimal(repr(value)) if type(value) is float else value


def to_attribute(value: Any, path: str = "item", depth: int = 0) -> tuple[dict, int]:
    """(AttributeValue, size in bytes) of one plain value; raises ConversionError naming the path."""
    kind = type(value)
    if kind is str:
        return {"S": value}, len(value.encode())
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
        converted, size = {}, 3
        for key, element in value.items():
            child, child_size = to_attribute(element, f"{path}.{key}", depth + 1)
            converted[key] = child
            size += len(key.encode()) + child_size + 1
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


def to_item(row: Mapping[str, Any]) -> tuple[dict[str, dict], int]:
    """(DynamoDB item, size in bytes) of one plain row (a mapping of attribute name -> plain value)."""
    item: dict[str, dict] = {}
    size = 0
    for name, value in row.items():
        attribute, nbytes = to_attribute(value, name, 1)
        item[name] = attribute
        size += len(name.encode()) + nbytes
    return item, size


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
    return raw

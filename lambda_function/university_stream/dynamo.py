"""DynamoDB-JSON <-> Python, without boto3.

Why not boto3's TypeDeserializer: the processing modules must import on a bare python3.8 (tests run
them there) and in the harness without pulling botocore into the pure parts. Numbers become
``Decimal`` so grade sums stay exact (a float would drift after many MODIFYs).
"""
# The harness converts with tablekit.dynamodb_json; this copy stays because the Lambda zip ships alone.

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, Mapping


def deserialize(value: Mapping[str, Any]) -> Any:
    """One typed attribute value ({"S": "x"}, {"N": "1"}, {"M": {...}}, ...) as a Python value."""
    if len(value) != 1:
        raise ValueError(f"not a DynamoDB attribute value: {value!r}")
    ((tag, raw),) = value.items()
    if tag == "S":
        return raw
    if tag == "N":
        return Decimal(raw)
    if tag == "BOOL":
        return bool(raw)
    if tag == "NULL":
        return None
    if tag == "M":
        return {k: deserialize(v) for k, v in raw.items()}
    if tag == "L":
        return [deserialize(v) for v in raw]
    if tag == "SS":
        return set(raw)
    if tag == "NS":
        return {Decimal(v) for v in raw}
    if tag in ("B", "BS"):
        return raw
    raise ValueError(f"unknown DynamoDB type tag {tag!r}")


def deserialize_item(item: Mapping[str, Any]) -> Dict[str, Any]:
    """A whole typed item (or stream image) as a plain dict."""
    return {name: deserialize(value) for name, value in item.items()}


def serialize(value: Any) -> Dict[str, Any]:
    """A Python value as a typed attribute value; ints and Decimals become N, never float."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, float):
        raise TypeError("floats are not stored: pass a Decimal so the value stays exact")
    if isinstance(value, Mapping):
        return {"M": {str(k): serialize(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f"cannot serialize {type(value).__name__}")

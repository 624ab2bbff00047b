"""Literal values of a call as DynamoDB types: plain (boto3 resource, DocumentClient) or typed.

Why both: boto3's resource and JavaScript's DocumentClient / lib-dynamodb take plain values and
serialize them (str -> S, number -> N, bytes -> B); the low-level clients take typed values
(`{"S": "x"}`). A finder says which style a call uses when it can tell; otherwise a value that is a
one-key map of a DynamoDB type is read as typed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tablekit.queries.model import UNKNOWN, Typed

TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})


def is_typed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPES


def typed(value: Any, style: str) -> Typed | None:
    """The DynamoDB type of a literal value (None when the value itself is not known)."""
    if value is UNKNOWN:
        return None
    if isinstance(value, Typed):
        return value
    if style == "typed" or (style == "unknown" and is_typed(value)):
        if is_typed(value):
            kind = next(iter(value))
            return Typed(kind, value[kind])
        return None
    return plain(value)


def plain(value: Any) -> Typed | None:
    if isinstance(value, bool):
        return Typed("BOOL", value)
    if isinstance(value, str):
        return Typed("S", value)
    if isinstance(value, (int, float, Decimal)):
        return Typed("N", value)
    if isinstance(value, (bytes, bytearray)):
        return Typed("B", bytes(value))
    if value is None:
        return Typed("NULL", True)
    if isinstance(value, dict):
        return Typed("M", value)
    if isinstance(value, (list, tuple)):
        return Typed("L", list(value))
    return None

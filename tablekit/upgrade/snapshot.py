"""Item snapshots: per table, how many items it holds and one hash of their content.

Why a hash and not a copy: the question after an upgrade or an adoption is "is every item still
there, unchanged?", for every table at once. A count catches lost items, a content hash catches
items that were rewritten or replaced by different ones with the same count, and both fit in a log
line. The hash does not depend on the order a Scan returns items in: each item is hashed on its own
(canonical JSON of its attribute values, set members sorted), and the table hash is the hash of the
sorted item hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tablekit import aws
from tablekit.aws import ClientFactory

_SETS = ("SS", "NS", "BS")


@dataclass(frozen=True)
class TableSnapshot:
    table: str
    items: int
    digest: str  # sha256 hex of the sorted item hashes


@dataclass(frozen=True)
class ItemCheck:
    """One table compared before and after."""

    table: str
    before: TableSnapshot
    after: TableSnapshot | None

    @property
    def ok(self) -> bool:
        return (
            self.after is not None and self.after.items == self.before.items and self.after.digest == self.before.digest
        )

    @property
    def problem(self) -> str:
        if self.after is None:
            return f"table {self.table} is gone ({self.before.items} items lost)"
        if self.after.items != self.before.items:
            return f"table {self.table} holds {self.after.items} items, {self.before.items} before"
        if self.after.digest != self.before.digest:
            return f"table {self.table}: same item count ({self.after.items}) but item contents changed"
        return ""


def _canonical(value: Any) -> Any:
    """An attribute value with set members sorted (DynamoDB sets have no order)."""
    if isinstance(value, Mapping):
        out = {}
        for key, inner in value.items():
            if key in _SETS and isinstance(inner, list):
                out[key] = sorted(str(v) for v in inner)
            else:
                out[key] = _canonical(inner)
        return out
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


def item_hash(item: Mapping[str, Any]) -> str:
    text = json.dumps(_canonical(item), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def table_snapshot(client: Any, table: str) -> TableSnapshot:
    """Scan one table (strongly consistent, every page) into its snapshot."""
    hashes: list[str] = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        hashes.extend(item_hash(item) for item in page.get("Items", []))
    digest = hashlib.sha256("".join(sorted(hashes)).encode()).hexdigest()
    return TableSnapshot(table=table, items=len(hashes), digest=digest)


def take(clients: ClientFactory, tables: Iterable[str] | None = None, workers: int = 4) -> dict[str, TableSnapshot]:
    """Snapshots of `tables` (default: every table the account/endpoint lists), scanned in parallel."""
    names = sorted(tables) if tables is not None else aws.list_tables(clients("dynamodb"))

    def one(name: str) -> TableSnapshot:
        return table_snapshot(clients("dynamodb"), name)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return {snap.table: snap for snap in pool.map(one, names)}


def compare(before: Mapping[str, TableSnapshot], after: Mapping[str, TableSnapshot]) -> list[ItemCheck]:
    """One check per table of `before` (tables created since are not a loss)."""
    return [ItemCheck(table=name, before=snap, after=after.get(name)) for name, snap in sorted(before.items())]

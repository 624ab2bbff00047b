"""Recompute every aggregate item from the table's base items, for a replay idempotency cannot cover.

The processor's marks (``processor``) make a redelivered record harmless only while its mark is
kept: marks older than the idempotency horizon are pruned. A replay that reaches further back
(the local endpoint keeps stream records forever; `tablekit stream --from-start` a week later)
would apply those records a second time and double-count. Replaying is the wrong tool there: the
table itself holds the answer. ``totals(items)`` sums ``model.contributions`` over the base items,
the same rule the stream deltas come from, so a rebuilt aggregate equals what an exact,
complete delivery would have produced.

``expiredEnrollments`` is history, not state (how many roster entries TTL removed): no base item
carries it, so a rebuild keeps each aggregate's current value of it.

Rebuilt items get fresh marks (``applied = {}``) and the next version ``v``, written with the same
optimistic condition as every processor write, so a concurrent processor write fails the rebuild
instead of being overwritten. The caller (the local stream runner) makes sure no base item changed
while it scanned.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Tuple

from .dynamo import deserialize_item, serialize
from .model import AGG_PREFIX, HASH_KEY, RANGE_KEY, SUMMARY_SK, checked_contributions, is_own_item

# Counters a base item contributes (model.contributions); a rebuild sets each of them exactly.
DERIVED = ("enrolledStudents", "submissions", "gradeSum", "gradeCount", "orders")
# Counters no base item carries: kept as they are.
HISTORY = ("expiredEnrollments",)

Totals = Dict[str, Dict[str, Decimal]]


def totals(items: Iterable[Mapping[str, Any]]) -> Tuple[Totals, int]:
    """(aggregate pk => counter => exact value, number of invalid items counted as nothing)."""
    result: Totals = {}
    invalid = 0
    for item in items:
        if is_own_item(item.get(HASH_KEY)):
            continue
        contribution, problem = checked_contributions(item)
        invalid += problem is not None
        for pk, counters in contribution.items():
            bucket = result.setdefault(pk, {})
            for counter, value in counters.items():
                bucket[counter] = bucket.get(counter, Decimal(0)) + value
    return result, invalid


def scan(db: Any, table_name: str, on_page: Optional[Callable[[int], None]] = None) -> Iterator[Dict[str, Any]]:
    """Every item of the table (consistent Scan), as plain values; `on_page(n)` after each page."""
    args: Dict[str, Any] = {"TableName": table_name, "ConsistentRead": True}
    while True:
        page = db.scan(**args)
        items = page.get("Items", [])
        for item in items:
            yield deserialize_item(item)
        if on_page is not None:
            on_page(len(items))
        if "LastEvaluatedKey" not in page:
            return
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _write(
    db: Any, table_name: str, pk: str, counters: Mapping[str, Decimal], old: Mapping[str, Any], now: int
) -> None:
    version = old.get("v")
    item: Dict[str, Any] = {
        HASH_KEY: pk,
        RANGE_KEY: SUMMARY_SK,
        "entityType": "aggregate",
        "aggregateOf": pk[len(AGG_PREFIX) :],
        "applied": {},
        "v": (version or 0) + 1,
        "updatedAt": now,
    }
    for counter in DERIVED:
        if counter in counters or counter in old:
            item[counter] = counters.get(counter, Decimal(0))
    for counter in HISTORY:
        if counter in old:
            item[counter] = old[counter]
    request: Dict[str, Any] = {
        "TableName": table_name,
        "Item": {name: serialize(value) for name, value in item.items()},
        "ExpressionAttributeNames": {"#v": "v"},
    }
    if version is None:
        request["ConditionExpression"] = "attribute_not_exists(#v)"
    else:
        request["ConditionExpression"] = "#v = :expected"
        request["ExpressionAttributeValues"] = {":expected": serialize(version)}
    db.put_item(**request)


def write(
    db: Any,
    table_name: str,
    computed: Totals,
    existing: Mapping[str, Mapping[str, Any]],
    now: int,
    on_item: Optional[Callable[[], None]] = None,
) -> int:
    """Write every aggregate: the computed ones, and existing ones nothing contributes to any more
    (their derived counters become 0). Returns how many items were written."""
    written = 0
    for pk in sorted(set(computed) | set(existing)):
        _write(db, table_name, pk, computed.get(pk, {}), existing.get(pk, {}), now)
        written += 1
        if on_item is not None:
            on_item()
    return written

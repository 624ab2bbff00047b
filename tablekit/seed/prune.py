"""Find items a table holds that the seed files no longer contain (for `--prune`).

Why a Scan: DynamoDB cannot answer "which keys are not in this list" any other way. A Scan reads the
whole table (one read unit per 4 KB, paginated at 1 MB), which is fine for seed-sized tables on the
local endpoint or dev, and exactly why pruning is opt-in and lists what it will delete first. Only
the key attributes are projected, so the Scan moves keys, not items.

Careful with derived items: anything not in a seed file is "stale" to the pruner, including items a
stream handler derived from seed rows (aggregates). They are rebuilt on the next stream pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tablekit.dynamodb_json import Item, key_value
from tablekit.seed.validate import KeyTuple, TablePlan, format_key


@dataclass(frozen=True)
class StaleItem:
    """One item to delete: its typed key (for DeleteRequest) and a readable form."""

    table: str
    key: Item
    text: str


def scan_keys(client: Any, table: str, names: list[str]) -> dict[KeyTuple, Item]:
    """Every key in the table: native key tuple -> typed key."""
    aliases = {f"#k{i}": name for i, name in enumerate(names)}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "ProjectionExpression": ", ".join(aliases),
        "ExpressionAttributeNames": aliases,
    }
    keys: dict[KeyTuple, Item] = {}
    while True:
        page = client.scan(**kwargs)
        for item in page.get("Items", []):
            typed = {name: item[name] for name in names}
            keys[tuple(key_value(typed[name]) for name in names)] = typed
        start = page.get("LastEvaluatedKey")
        if not start:
            return keys
        kwargs["ExclusiveStartKey"] = start


def stale_items(client: Any, plan: TablePlan) -> list[StaleItem]:
    """Items in plan's table whose key no seed row has, sorted for a stable listing."""
    names = plan.key_names
    existing = scan_keys(client, plan.name, names)
    stale = [
        StaleItem(plan.name, typed, format_key(names, key)) for key, typed in existing.items() if key not in plan.items
    ]
    return sorted(stale, key=lambda s: s.text)

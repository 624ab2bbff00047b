"""Access patterns: every read the seed documents describe, as a named function.

Why functions and not examples in prose: a pattern that runs against the local endpoint proves the
keys and indexes in modules/ really serve it (the BandUp seed's flashcard query did not). Patterns
may only Query and GetItem: a Scan reads the whole table, so its cost grows with the data rather
than with the answer. They resolve table names through the env's `app_config` (environment
variable => real table name), exactly as application code does, so no table name is written here.

The helpers below are shared by the family modules (bandup, ielts, aitutor).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Mapping

from tablekit.dynamodb_json import python_item, serialize

Item = dict[str, Any]
AppConfig = Mapping[str, str]
Pattern = Callable[..., Any]

# The only DynamoDB operations a pattern may issue (tests enforce it on the wire).
ALLOWED_OPERATIONS = frozenset({"Query", "GetItem"})


def table_name(config: AppConfig, env_var: str) -> str:
    """The real table name behind an environment variable; a clear error names what is missing."""
    try:
        return config[env_var]
    except KeyError:
        known = ", ".join(sorted(config)) or "none"
        raise KeyError(f"app_config has no {env_var} (known: {known}): is the family enabled in this env?") from None


def _plain(value: Any) -> Any:
    """DynamoDB values back to plain JSON-like Python (Decimal => int/float), as seed files hold them."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def _typed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: serialize(v) for k, v in values.items()}


def from_dynamo(item: Mapping[str, Any]) -> Item:
    """One DynamoDB-typed item as a plain dict."""
    return {k: _plain(v) for k, v in python_item(item).items()}


def get_item(db: Any, table: str, key: Mapping[str, Any]) -> Item | None:
    """GetItem by full primary key; None when absent."""
    found = db.get_item(TableName=table, Key=_typed(key)).get("Item")
    return from_dynamo(found) if found else None


def query(
    db: Any,
    table: str,
    key_condition: str,
    names: Mapping[str, str],
    values: Mapping[str, Any],
    *,
    index: str | None = None,
    filter_expression: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[Item]:
    """Query one partition (of the table or a GSI), following pages until `limit` items passed the filter.

    Attribute names always go through placeholders (`names`): `status`, `timestamp` and `token`
    are reserved words, and the seeds' raw expressions (`status = :pending_review`) are rejected.
    """
    args: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": key_condition,
        "ExpressionAttributeNames": dict(names),
        "ExpressionAttributeValues": _typed(values),
        "ScanIndexForward": not newest_first,
    }
    if index:
        args["IndexName"] = index
    if filter_expression:
        args["FilterExpression"] = filter_expression
    if limit:
        args["Limit"] = limit
    items: list[Item] = []
    while True:
        page = db.query(**args)
        items += [from_dynamo(i) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page or (limit and len(items) >= limit):
            return items[:limit] if limit else items
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def registry(*patterns: Pattern) -> dict[str, Pattern]:
    """Name => function, so tests can check every documented pattern exists and is exercised."""
    return {p.__name__: p for p in patterns}

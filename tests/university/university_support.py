"""Helpers of the university tests (importable by name; conftest files are not)."""

from __future__ import annotations

import itertools
import sys
import uuid
from collections import Counter
from typing import Any, Callable

from tablekit.paths import LAMBDA_SRC

if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))

from tablekit.dynamodb_json import python_item, serialize_item

_START_SEQ = 4_100_000_000_000_000_000_001


def plain_to_typed(item: dict[str, Any]) -> dict[str, Any]:
    """Seed-style plain values (floats allowed) as DynamoDB JSON, floats via their text so they stay exact."""
    return serialize_item(item)


class Records:
    """Builds Lambda-shaped DynamoDB stream records with increasing sequence numbers."""

    def __init__(self, stream_arn: str = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/label"):
        self.stream_arn = stream_arn
        self._seq = itertools.count(_START_SEQ)

    def _record(self, name: str, old: dict | None, new: dict | None, identity: dict | None = None) -> dict:
        image = new or old or {}
        data: dict[str, Any] = {
            "ApproximateCreationDateTime": 1_790_000_000,
            "Keys": plain_to_typed({k: image[k] for k in ("pk", "sk") if k in image}),
            "SequenceNumber": str(next(self._seq)),
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        if new is not None:
            data["NewImage"] = plain_to_typed(new)
        if old is not None:
            data["OldImage"] = plain_to_typed(old)
        record = {
            "eventID": uuid.uuid4().hex,
            "eventName": name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": data,
            "eventSourceARN": self.stream_arn,
        }
        if identity:
            record["userIdentity"] = identity
        return record

    def insert(self, item: dict) -> dict:
        return self._record("INSERT", None, item)

    def modify(self, old: dict, new: dict) -> dict:
        return self._record("MODIFY", old, new)

    def remove(self, old: dict, ttl: bool = False) -> dict:
        identity = {"type": "Service", "principalId": "dynamodb.amazonaws.com"} if ttl else None
        return self._record("REMOVE", old, None, identity)


class CountingClient:
    """Wraps a boto3 DynamoDB client; counts UpdateItem calls per aggregate key and can inject a hook.

    `before_update(request)` runs before each UpdateItem is sent (tests use it to simulate a
    concurrent writer winning the race).
    """

    def __init__(self, client: Any):
        self._client = client
        self.updates: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.before_update: Callable[[dict], None] | None = None

    def update_item(self, **request: Any) -> Any:
        self.calls["UpdateItem"] += 1
        self.updates[request["Key"]["pk"]["S"]] += 1
        if self.before_update:
            hook, self.before_update = self.before_update, None
            hook(request)
        return self._client.update_item(**request)

    def batch_get_item(self, **request: Any) -> Any:
        self.calls["BatchGetItem"] += 1
        return self._client.batch_get_item(**request)

    def get_item(self, **request: Any) -> Any:
        self.calls["GetItem"] += 1
        return self._client.get_item(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def read_aggregate(client: Any, table_name: str, pk: str) -> dict[str, Any] | None:
    """An aggregate item as plain values (Decimal numbers), or None."""
    item = client.get_item(
        TableName=table_name, Key={"pk": {"S": pk}, "sk": {"S": "summary"}}, ConsistentRead=True
    ).get("Item")
    return python_item(item) if item else None

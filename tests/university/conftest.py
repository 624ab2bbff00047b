"""Fixtures of the university tests: a fresh table per test, synthetic stream records, a write counter.

Handler tests feed synthetic records (exact control over sequence numbers, redelivery and TTL
identities, which moto cannot produce) straight to the processor against the session endpoint;
runner tests use moto's real stream.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator

import pytest
from university_support import CountingClient, Records, read_aggregate


@pytest.fixture
def records() -> Records:
    return Records()


@pytest.fixture
def table(aws) -> Iterator[str]:
    """A fresh pk/sk table (stream on) on the session endpoint, deleted afterwards."""
    name = f"university-{uuid.uuid4().hex[:8]}"
    db = aws("dynamodb")
    db.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    yield name
    db.delete_table(TableName=name)


@pytest.fixture
def db(aws) -> CountingClient:
    return CountingClient(aws("dynamodb"))


@pytest.fixture
def aggregate(aws, table) -> Callable[[str], dict[str, Any] | None]:
    """aggregate("agg#course#101") -> plain item of the test's table."""
    client = aws("dynamodb")
    return lambda pk: read_aggregate(client, table, pk)

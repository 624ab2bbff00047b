"""Types and helpers of the conformance suite (importable by name; conftest files are not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tablekit import aws
from tablekit.seed import Summary
from tablekit.stream import DrainSummary

ENGINES = ("moto", "dynamodb-local")
PREFIX = "cf-"
REGION = "us-east-1"


@dataclass(frozen=True)
class Engine:
    """One engine under test: its name (in every test id) and URL."""

    name: str
    url: str

    @property
    def clients(self) -> aws.Clients:
        return aws.clients(self.url, REGION)

    def raw(self) -> Any:
        """A DynamoDB client that sends whatever it is given: no retries, no botocore parameter checks
        (the conformance tests put invalid items on the wire on purpose)."""
        return self.clients.for_bulk_writes().dynamodb()


@dataclass
class Estate:
    """The local env's tables on one engine, seeded and drained."""

    engine: Engine
    tables: dict[str, dict[str, Any]]  # real (prefixed) name -> key_schema
    app_config: dict[str, str]  # env var -> real (prefixed) name
    seed: Summary
    stream: DrainSummary


def scan(client: Any, table: str) -> list[dict[str, Any]]:
    """Every item of a table (verification only; no access pattern may Scan)."""
    items, args = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = client.scan(**args)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

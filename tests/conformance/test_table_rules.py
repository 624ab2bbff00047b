"""The dynamodb-table module's CreateTable rules, proven against DynamoDB Local (and where moto differs).

Each case has the id of its plan-time rule in tests/modules/test_dynamodb_table_validation.py: the
module refuses the bad schema at plan time; here DynamoDB Local refuses the same table at
CreateTable, and creates the nearest valid one. moto creates every bad table (docs/engines.md,
"moto and DynamoDB Local"), which is why the module has to check these itself.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conformance_support import Engine

from tablekit.endpoint.dynamodb_local import create_table_request

pytestmark = pytest.mark.slow


def key_schema(
    range_key: str | None = "sk", indexes: dict[str, dict[str, Any]] | None = None, **attributes: str
) -> dict[str, Any]:
    return {
        "name": "t",
        "hash_key": {"name": "pk", "type": "S"},
        "range_key": {"name": range_key, "type": "S"} if range_key else None,
        "attributes": {"pk": "S", **({range_key: "S"} if range_key else {}), **attributes},
        "indexes": indexes or {},
    }


def gsi(hash_key: str, range_key: str | None = None, **projection: Any) -> dict[str, Any]:
    return {"hash_key": hash_key, "range_key": range_key, "kind": "GSI", "projection_type": "ALL", **projection}


def lsi(range_key: str, **projection: Any) -> dict[str, Any]:
    return {"hash_key": "pk", "range_key": range_key, "kind": "LSI", "projection_type": "ALL", **projection}


def include(*names: str) -> dict[str, Any]:
    return {"projection_type": "INCLUDE", "non_key_attributes": list(names)}


def attrs(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


# (rule id in the module tests, bad key_schema, nearest good key_schema)
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("range_key_same_as_hash_key", key_schema(range_key="pk"), key_schema()),
    (
        "gsi_range_key_same_as_hash_key",
        key_schema(indexes={"by-x": gsi("x", "x")}, x="S"),
        key_schema(indexes={"by-x": gsi("x", "y")}, x="S", y="S"),
    ),
    (
        "lsi_range_key_is_table_hash_key",
        key_schema(indexes={"by-y": lsi("pk")}),
        key_schema(indexes={"by-y": lsi("y")}, y="S"),
    ),
    (
        "projected_over_100",
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 50))), "gsi-b": gsi("x", **include(*attrs("b", 51)))},
            x="S",
        ),
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 50))), "gsi-b": gsi("x", **include(*attrs("b", 50)))},
            x="S",
        ),
    ),
    (
        "projected_over_100_with_lsi",
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 60))), "lsi-b": lsi("y", **include(*attrs("b", 41)))},
            x="S",
            y="S",
        ),
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 60))), "lsi-b": lsi("y", **include(*attrs("b", 40)))},
            x="S",
            y="S",
        ),
    ),
    (
        "projected_attributes_count_per_index",  # the same 51 names in two indexes are 102 projections
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 51))), "gsi-b": gsi("x", **include(*attrs("a", 51)))},
            x="S",
        ),
        key_schema(
            indexes={"gsi-a": gsi("x", **include(*attrs("a", 50))), "gsi-b": gsi("x", **include(*attrs("a", 50)))},
            x="S",
        ),
    ),
    ("gsi_bad_name", key_schema(indexes={"ix": gsi("x")}, x="S"), key_schema(indexes={"ixx": gsi("x")}, x="S")),
    ("lsi_bad_name", key_schema(indexes={"by y": lsi("y")}, y="S"), key_schema(indexes={"by_y": lsi("y")}, y="S")),
    (
        "non_key_listed_twice",
        key_schema(indexes={"by-x": gsi("x", **include("a", "a"))}, x="S"),
        key_schema(indexes={"by-x": gsi("x", **include("a", "b"))}, x="S"),
    ),
    (
        "non_key_name_too_long",
        key_schema(indexes={"by-x": gsi("x", **include("n" * 256))}, x="S"),
        key_schema(indexes={"by-x": gsi("x", **include("n" * 255))}, x="S"),
    ),
]


def _create(engine: Engine, schema: dict[str, Any]) -> str | None:
    """Create the table under a fresh name; the error code when the engine refuses it."""
    client = engine.raw()
    name = f"tr-{uuid.uuid4().hex[:10]}"
    try:
        client.create_table(**create_table_request(schema, name))
    except ClientError as exc:
        return str(exc.response.get("Error", {}).get("Code"))
    client.delete_table(TableName=name)
    return None


@pytest.mark.parametrize(("rule", "bad", "good"), CASES, ids=[case[0] for case in CASES])
def test_create_table_refuses_what_the_module_refuses(engine: Engine, rule: str, bad: Any, good: Any) -> None:
    refused = _create(engine, bad)
    if engine.name == "moto":
        assert refused is None, f"moto now refuses {rule} ({refused}): update the differences in docs/engines.md"
    else:
        assert refused == "ValidationException", f"DynamoDB Local created the table of {rule}"
    assert _create(engine, good) is None, f"{engine.name} refused the valid table next to {rule}"


# -- rules of the 2026 inputs (issue 22) ------------------------------------------------------------


def _create_request(engine: Engine, **extra: Any) -> str | None:
    """CreateTable of a one-GSI on-demand table with extra request fields; the error code if refused."""
    client = engine.raw()
    name = f"tr-{uuid.uuid4().hex[:10]}"
    request = create_table_request(key_schema(range_key=None, indexes={"by-x": gsi("x")}, x="S"), name)
    for key, value in extra.items():
        if key == "GlobalSecondaryIndexes":
            request[key] = [{**request[key][0], **value}]
        else:
            request[key] = value
    try:
        client.create_table(**request)
    except ClientError as exc:
        return str(exc.response.get("Error", {}).get("Code"))
    client.delete_table(TableName=name)
    return None


@pytest.mark.parametrize("engine_name", ["dynamodb-local"])
def test_gsi_on_demand_maximum_of_zero_is_refused(engines: dict[str, Engine], engine_name: str) -> None:
    """Rule gsi_on_demand_zero of the module tests: a GSI's on-demand maximum is >= 1 or -1."""
    engine = engines[engine_name]
    for zero in (
        {"MaxReadRequestUnits": 0, "MaxWriteRequestUnits": 5},
        {"MaxReadRequestUnits": 5, "MaxWriteRequestUnits": 0},
    ):
        refused = _create_request(engine, GlobalSecondaryIndexes={"OnDemandThroughput": zero})
        assert refused == "ValidationException", zero
    # (Local also wants both maximums when either is given; AWS's API documents each as optional,
    # so the module does not require both.)
    for good in (
        {"MaxReadRequestUnits": 1, "MaxWriteRequestUnits": 5},
        {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1},
    ):
        assert _create_request(engine, GlobalSecondaryIndexes={"OnDemandThroughput": good}) is None, good


def test_dynamodb_local_cannot_show_the_kms_region_or_warm_throughput_rules(engines: dict[str, Engine]) -> None:
    """Why kms_key_in_another_region and the warm-throughput minimums are plan-time rules without an
    oracle here: DynamoDB Local accepts both (AWS refuses them). If a later Local starts refusing
    them, move them into the proven cases above."""
    engine = engines["dynamodb-local"]
    other_region_key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other_region_key}
    assert _create_request(engine, SSESpecification=sse) is None
    assert _create_request(engine, WarmThroughput={"ReadUnitsPerSecond": 100, "WriteUnitsPerSecond": 100}) is None

"""End to end on the session endpoint: apply modules/university, load the demo seed, drain the stream
through the local runner, and check every aggregate against a recomputation from the base items.

Why Terraform apply rather than boto3 create_table: it proves the module really creates what the
handler and the access patterns rely on (keys, both GSIs, stream images, the DLQ, the IAM wiring)
and costs ~8 s. The instance uses environment "dev" with a name prefix so it never collides with
the `university` table of the local estate on the same endpoint; `create_event_source_mapping =
false` because moto discards a stream that has a mapping attached (the runner is the consumer).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from university_support import plain_to_typed

from tablekit.access_patterns import university as patterns
from tablekit.dynamodb_json import python_item
from tablekit.paths import SEED_DATA
from tablekit.staging import compat
from tablekit.staging.copies import scratch_root
from tablekit.staging.lambda_build import build_all
from tablekit.stream import drain
from tablekit.terraform.runner import Terraform

pytestmark = [pytest.mark.apply, pytest.mark.slow]

SEED = SEED_DATA / "university" / "demo" / "university.json"


@pytest.fixture(scope="module")
def estate(endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """modules/university applied once for this file; yields its outputs plus a scratch dir."""
    root = tmp_path_factory.mktemp("university-e2e")
    zip_path = build_all(out_dir=root / "lambda")["university-stream"]
    prefix = f"t{uuid.uuid4().hex[:6]}-"
    main = (
        'module "university" {\n  source = "../modules/university"\n  environment = "dev"\n'
        f'  name_prefix = "{prefix}"\n  lambda_zip_path = {json.dumps(str(zip_path))}\n'
        f"  lambda_runtime = {json.dumps(compat.PINNED_VARIABLES['lambda_runtime'])}\n"
        "  create_event_source_mapping = false\n  alarms_enabled = true\n}\n"
        'output "university" { value = module.university }\n'
    )
    runner = Terraform(scratch_root(root, main, endpoint_url))
    runner.init()
    runner.apply()
    outputs = runner.output()["university"]
    # No destroy: the names are unique to this run and the endpoint dies with the session (saves ~10 s).
    yield {**outputs, "scratch": root}


@pytest.fixture(scope="module")
def seeded(estate: dict[str, Any], endpoint_url: str) -> dict[str, Any]:
    """The demo seed written with BatchWriteItem, then drained once."""
    import boto3

    def clients(service: str) -> Any:
        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    table = estate["table_names"]["university"]
    items = json.loads(SEED.read_text(), parse_float=Decimal)
    db = clients("dynamodb")
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": plain_to_typed(item)}} for item in items[start : start + 25]]
        db.batch_write_item(RequestItems={table: requests})
    summary = drain(table, clients, checkpoint_dir=estate["scratch"] / "checkpoints", dlq_url=estate["dlq_url"])
    return {"table": table, "clients": clients, "summary": summary, "items": items}


def base_items(db: Any, table: str) -> list[dict[str, Any]]:
    """Every base item (test-only Scan: verification, not an access pattern)."""
    items, args = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = db.scan(**args)
        items += [python_item(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def recompute(items: list[dict[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """The aggregates, computed from scratch without the handler's code."""
    expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in items:
        kind = item.get("entityType")
        if kind == "student":
            expected[f"agg#{item['pk']}"]["enrolledStudents"] += 1
        elif kind == "order":
            expected[f"agg#{item['pk']}"]["orders"] += 1
        elif kind == "submission":
            expected[f"agg#{item['pk']}"]["submissions"] += 1
            if item.get("grade") is not None:
                for owner in (f"agg#student#{item['studentID']}", f"agg#course#{item['courseID']}"):
                    expected[owner]["gradeSum"] += Decimal(str(item["grade"]))
                    expected[owner]["gradeCount"] += 1
    return {pk: dict(counters) for pk, counters in expected.items()}


def stored(items: list[dict[str, Any]]) -> dict[str, dict[str, Decimal]]:
    counters = ("enrolledStudents", "orders", "submissions", "gradeSum", "gradeCount")
    result = {}
    for item in items:
        if item["pk"].startswith("agg#"):
            values = {c: item[c] for c in counters if c in item and item[c] != 0}
            if values:
                result[item["pk"]] = values
    return result


def check_consistent(db: Any, table: str) -> None:
    everything = base_items(db, table)
    base = [i for i in everything if not i["pk"].startswith("agg#")]
    assert stored(everything) == {
        pk: {c: v for c, v in cs.items() if v != 0}
        for pk, cs in recompute(base).items()
        if any(v != 0 for v in cs.values())
    }


def test_seed_then_drain_gives_exact_aggregates(seeded):
    summary = seeded["summary"]
    assert summary.dead_lettered == []
    assert summary.counters["applied"] > 0 and summary.counters["conflicts"] == 0
    # every aggregate written once by the one seed batch (56 items < batch size 100)
    assert summary.counters["writes"] == len(recompute(seeded["items"]))
    check_consistent(seeded["clients"]("dynamodb"), seeded["table"])


def test_access_patterns_return_the_seed_answers(seeded):
    db, config = seeded["clients"]("dynamodb"), {"DYNAMODB_UNIVERSITY": seeded["table"]}
    roster = patterns.students_in_course(db, config, "101")
    assert [i["studentID"] for i in roster] == ["201", "202", "203", "204"]
    orders = patterns.user_orders(db, config, "201")
    assert [i["orderID"] for i in orders] == ["5001", "5002", "5007"]  # date order; 2024's order excluded
    student = patterns.student_by_id(db, config, "201")
    assert {i["entityType"] for i in student} == {"student", "submission", "user"} and len(student) == 8
    courses = patterns.courses_by_date_range(db, config, "2025-09-01", "2025-12-31")
    assert [i["courseID"] for i in courses] == ["101", "102", "103"]
    course = patterns.aggregate_summary(db, config, "course", "101")
    assert course["enrolledStudents"] == 4
    assert course["gradeAverage"] == pytest.approx((92 + 85.5 + 78 + 88 + 91) / 5)
    assert "applied" not in course


def test_changes_keep_aggregates_exact_and_redelivery_is_harmless(seeded, estate):
    db, table = seeded["clients"]("dynamodb"), seeded["table"]
    key = {"pk": "assignment#a1011", "sk": "student#203"}
    db.update_item(
        TableName=table,
        Key=plain_to_typed(key),
        UpdateExpression="SET grade = :g",
        ExpressionAttributeValues={":g": {"N": "99.5"}},
    )
    db.delete_item(TableName=table, Key=plain_to_typed({"pk": "course#102", "sk": "student#206"}))
    db.put_item(
        TableName=table,
        Item=plain_to_typed(
            {"pk": "user#202", "sk": "2025-11-02#order#5010", "entityType": "order", "orderID": "5010", "total": 12}
        ),
    )
    checkpoints = estate["scratch"] / "checkpoints"
    drain(seeded["table"], seeded["clients"], checkpoint_dir=checkpoints)
    check_consistent(db, table)

    again = drain(seeded["table"], seeded["clients"], checkpoint_dir=checkpoints, from_start=True)
    assert again.counters["writes"] == 0 and again.counters["applied"] == 0
    check_consistent(db, table)


def test_poison_record_lands_in_the_dlq(seeded, estate):
    db, sqs, table = seeded["clients"]("dynamodb"), seeded["clients"]("sqs"), seeded["table"]
    db.put_item(
        TableName=table,
        Item=plain_to_typed(
            {
                "pk": "assignment#a1031",
                "sk": "student#203",
                "entityType": "submission",
                "studentID": "203",
                "courseID": "103",
                "grade": "A+",
            }
        ),
    )
    db.put_item(
        TableName=table,
        Item=plain_to_typed({"pk": "course#103", "sk": "student#205", "entityType": "student", "studentID": "205"}),
    )
    summary = drain(
        table,
        seeded["clients"],
        checkpoint_dir=estate["scratch"] / "checkpoints",
        dlq_url=estate["dlq_url"],
        max_retries=1,
    )
    assert len(summary.dead_lettered) == 1
    body = json.loads(sqs.receive_message(QueueUrl=estate["dlq_url"])["Messages"][0]["Body"])
    assert body["DDBStreamBatchInfo"]["startSequenceNumber"] == summary.dead_lettered[0]
    agg = patterns.aggregate_summary(db, {"DYNAMODB_UNIVERSITY": table}, "course", "103")
    assert agg["enrolledStudents"] == 4  # 202, 203, 201 from the seed + 205 now

    # Repair, as the README's DLQ runbook says: write the item again, valid. It applies exactly.
    db.update_item(
        TableName=table,
        Key=plain_to_typed({"pk": "assignment#a1031", "sk": "student#203"}),
        UpdateExpression="SET grade = :g",
        ExpressionAttributeValues={":g": {"N": "77"}},
    )
    repaired = drain(
        table, seeded["clients"], checkpoint_dir=estate["scratch"] / "checkpoints", dlq_url=estate["dlq_url"]
    )
    assert repaired.dead_lettered == []
    check_consistent(db, table)


def test_stream_policy_names_this_tables_stream(seeded, estate):
    iam = seeded["clients"]("iam")
    role = estate["stream_processor_role_arn"].rsplit("/", 1)[-1]
    document = iam.get_role_policy(RoleName=role, PolicyName="read-table-stream")["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    read = next(s for s in document["Statement"] if s["Sid"] == "ReadThisStream")
    assert read["Resource"] == estate["stream_arns"][seeded["table"]]
    assert Path(estate["scratch"]).exists()


def test_setup_leaves_every_aggregate_equal_to_a_recomputation(local_env):
    """`setup` (apply + seed + one stream drain) ends with the aggregates right for the seeded items."""
    table = local_env.app_config["DYNAMODB_UNIVERSITY"]
    assert table == "university"
    assert local_env.details["stream"].dead_lettered == []
    check_consistent(local_env.client("dynamodb"), table)

"""Plan-only checks of modules/dynamodb-table: reviewed inventories, outputs, replicas.

Why plan-only: replicas cannot be applied on the local endpoint (moto does not implement them and
the apply hangs), and inventories describe what Terraform intends, which a plan shows without
creating anything. All cases are module calls in one root module, planned once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inventories.inventory import check_inventory, summarize_plan
from modules_support import NO_ENDPOINT, Workdir, module_block

from tablekit.paths import ROOT
from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Plan

pytestmark = pytest.mark.slow

INVENTORIES = ROOT / "tests" / "inventories" / "dynamodb-table"
KMS = "arn:aws:kms:us-east-1:123456789012:key/0d2a4c1e-0000-4000-8000-00000000aaaa"
REPLICA_KMS = "arn:aws:kms:eu-west-1:123456789012:key/0d2a4c1e-0000-4000-8000-00000000bbbb"
TOPIC = "arn:aws:sns:us-east-1:123456789012:dynamodb-alerts"

CASES: dict[str, dict[str, Any]] = {
    "minimal": {
        "name": "inv-minimal",
        "schema": {"hash_key": {"name": "pk", "type": "S"}},
    },
    "full": {
        "name": "inv-full",
        "schema": {
            "hash_key": {"name": "pk", "type": "S"},
            "range_key": {"name": "sk", "type": "S"},
            "global_secondary_indexes": [
                {
                    "name": "studentID-index",
                    "hash_key": {"name": "studentID", "type": "S"},
                    "range_key": {"name": "sk", "type": "S"},
                },
                {
                    "name": "email-index",
                    "hash_key": {"name": "email", "type": "S"},
                    "projection_type": "INCLUDE",
                    "non_key_attributes": ["displayName", "createdAt"],
                },
            ],
            "local_secondary_indexes": [
                {"name": "by-created", "range_key": {"name": "createdAt", "type": "N"}, "projection_type": "KEYS_ONLY"},
            ],
            "ttl_attribute": "expiresAt",
        },
        "stream_view_type": "NEW_AND_OLD_IMAGES",
        "sse_kms_key_arn": KMS,
        "replica_regions": ["eu-west-1", "us-west-2"],
        "replica_kms_key_arns": {"eu-west-1": REPLICA_KMS},
        "alarms": {
            "enabled": True,
            "actions": [TOPIC],
            "user_errors_threshold": 25,
            "latency_threshold_ms": 40,
            "latency_operations": ["GetItem", "Query"],
            "latency_statistic": "p99",
        },
        "tags": {"Environment": "test", "Family": "university"},
    },
    "provisioned": {
        "name": "inv-provisioned",
        "schema": {
            "hash_key": {"name": "id", "type": "N"},
            "global_secondary_indexes": [
                {"name": "by-owner", "hash_key": {"name": "owner", "type": "S"}, "projection_type": "KEYS_ONLY"}
            ],
        },
        "billing": {
            "mode": "PROVISIONED",
            "read": {"min": 2, "max": 50},
            "write": {"min": 1, "max": 20},
            "target_utilization": 60,
        },
        "point_in_time_recovery": False,
        "sse_enabled": False,
    },
}


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """One plan with every case as its own module call; the full case's key_schema is an output."""
    main_tf = "\n".join(module_block(label, inputs) for label, inputs in CASES.items())
    main_tf += 'output "full_key_schema" {\n  value = module.full.key_schema\n}\n'
    main_tf += 'output "full_iam_resource_arns" {\n  value = module.full.iam_resource_arns\n}\n'
    workdir = Workdir(scratch_root(Path(tmp_path_factory.mktemp("plan")), main_tf, NO_ENDPOINT))
    workdir.init()
    return workdir.plan(detail=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_inventory_matches_reviewed_file(plan: Plan, case: str) -> None:
    check_inventory(summarize_plan(plan, module=f"module.{case}"), INVENTORIES / f"{case}.json")


@pytest.mark.parametrize("case", sorted(CASES))
def test_exactly_one_table_and_only_creates(plan: Plan, case: str) -> None:
    inventory = summarize_plan(plan, module=f"module.{case}")
    assert inventory["resource_counts"]["aws_dynamodb_table"] == 1
    actions = {rc.address: list(rc.actions) for rc in plan.changes(module=f"module.{case}")}
    assert actions and all(acts == ["create"] for acts in actions.values()), actions


def test_replicas_are_planned(plan: Plan) -> None:
    """Replica blocks reach the plan (they can never be applied on the local endpoint)."""
    table = next(rc for rc in plan.managed() if rc.address == "module.full.aws_dynamodb_table.this")
    replicas = sorted(table.after["replica"], key=lambda r: r["region_name"])
    assert [r["region_name"] for r in replicas] == ["eu-west-1", "us-west-2"]
    assert replicas[0]["kms_key_arn"] == REPLICA_KMS
    assert table.after["stream_view_type"] == "NEW_AND_OLD_IMAGES"


def test_key_schema_output_has_the_contract_shape(plan: Plan) -> None:
    """The shape documented in docs/architecture.md, known at plan time for the seed loader."""
    assert plan.raw["planned_values"]["outputs"]["full_key_schema"]["value"] == {
        "name": "inv-full",
        "hash_key": {"name": "pk", "type": "S"},
        "range_key": {"name": "sk", "type": "S"},
        "attributes": {"pk": "S", "sk": "S", "studentID": "S", "email": "S", "createdAt": "N"},
        "indexes": {
            "studentID-index": {
                "hash_key": "studentID",
                "range_key": "sk",
                "kind": "GSI",
                "projection_type": "ALL",
                "non_key_attributes": [],
            },
            "email-index": {
                "hash_key": "email",
                "range_key": None,
                "kind": "GSI",
                "projection_type": "INCLUDE",
                "non_key_attributes": ["displayName", "createdAt"],
            },
            "by-created": {
                "hash_key": "pk",
                "range_key": "createdAt",
                "kind": "LSI",
                "projection_type": "KEYS_ONLY",
                "non_key_attributes": [],
            },
        },
        "ttl_attribute": "expiresAt",
        "stream_view_type": "NEW_AND_OLD_IMAGES",
    }


def test_provisioned_tables_get_autoscaling_for_table_and_every_gsi(plan: Plan) -> None:
    inventory = summarize_plan(plan, module="module.provisioned")
    targets = inventory["resources"]["aws_appautoscaling_target"].values()
    assert sorted((t["resource_id"], t["dimension"], t["min"], t["max"]) for t in targets) == [
        ("table/inv-provisioned", "dynamodb:table:ReadCapacityUnits", 2, 50),
        ("table/inv-provisioned", "dynamodb:table:WriteCapacityUnits", 1, 20),
        ("table/inv-provisioned/index/by-owner", "dynamodb:index:ReadCapacityUnits", 2, 50),
        ("table/inv-provisioned/index/by-owner", "dynamodb:index:WriteCapacityUnits", 1, 20),
    ]
    policies = inventory["resources"]["aws_appautoscaling_policy"].values()
    assert {p["target_value"] for p in policies} == {60}
    table = inventory["resources"]["aws_dynamodb_table"]["aws_dynamodb_table.this"]
    assert table["capacity"] == {"read": 2, "write": 1}
    assert table["global_secondary_indexes"]["by-owner"]["capacity"] == {"read": 2, "write": 1}


def test_alarms_cover_table_and_every_gsi(plan: Plan) -> None:
    alarms = summarize_plan(plan, module="module.full")["resources"]["aws_cloudwatch_metric_alarm"]
    names = sorted(a["alarm_name"] for a in alarms.values())
    assert names == sorted(
        [
            "inv-full-read-throttles",
            "inv-full-write-throttles",
            "inv-full-studentID-index-read-throttles",
            "inv-full-studentID-index-write-throttles",
            "inv-full-email-index-read-throttles",
            "inv-full-email-index-write-throttles",
            "inv-full-system-errors",
            "inv-full-user-errors",
            "inv-full-getitem-latency",
            "inv-full-query-latency",
        ]
    )
    assert all(a["actions"] == 1 for a in alarms.values())
    assert "module.minimal" not in {a.rsplit(".aws_", 1)[0] for a in plan.actions_by_address() if "metric_alarm" in a}


def test_iam_resource_arns_list_table_then_indexes(plan: Plan) -> None:
    """Unknown until apply (the ARN is computed), but the list length is fixed by the schema."""
    change = next(o for o in plan.output_changes if o.name == "full_iam_resource_arns")
    assert change.after_unknown is True or len(change.after_unknown) == 4

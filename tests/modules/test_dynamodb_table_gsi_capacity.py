"""Autoscaling owns GSI capacity: a plan never undoes what autoscaling set on a GSI (issue 22).

Runs on the local endpoint with the offline double (Terraform 1.0.3 + hashicorp/aws 3.39.0), which
proves the part 3.39 can run: reading the live table (data source aws_dynamodb_table) and planning
each existing GSI at its live capacity. The double has no ListTables data source
(aws_dynamodb_tables, 6.x), so staging drops it and these steps pass existing_table_names, the
module's own way to skip the listing; the drop itself is checked at the end.

Capacity is moved outside Terraform with UpdateTable, as Application Auto Scaling does (moto accepts
GSI capacity updates; it never runs target tracking itself).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from modules_support import Workdir, module_block

from tablekit.aws import ClientFactory, clients
from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Action, Plan

pytestmark = [pytest.mark.apply, pytest.mark.slow]

NAME = "gsi-capacity-table"
TABLE = "module.table.aws_dynamodb_table.this"


def gsi(name: str, key: str) -> dict[str, Any]:
    return {"name": name, "hash_key": {"name": key, "type": "S"}}


def inputs(gsis: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": NAME,
        "schema": {"hash_key": {"name": "pk", "type": "S"}, "global_secondary_indexes": gsis},
        "billing": {"mode": "PROVISIONED", "read": {"min": 5, "max": 100}, "write": {"min": 5, "max": 50}},
        "deletion_protection_enabled": False,
        "existing_table_names": [NAME],
        **extra,
    }


def capacity(client: ClientFactory) -> dict[str, tuple[int, int]]:
    desc = client("dynamodb").describe_table(TableName=NAME)["Table"]
    return {
        g["IndexName"]: (
            g["ProvisionedThroughput"]["ReadCapacityUnits"],
            g["ProvisionedThroughput"]["WriteCapacityUnits"],
        )
        for g in desc.get("GlobalSecondaryIndexes", [])
    }


def planned_gsis(plan: Plan) -> list[dict[str, Any]]:
    """The table's global_secondary_index blocks as planned (after the change)."""
    return list(next(rc for rc in plan.resource_changes if rc.address == TABLE).after["global_secondary_index"])


def scale(client: ClientFactory, index: str, read: int, write: int) -> None:
    """What Application Auto Scaling does to a GSI: UpdateTable outside Terraform."""
    client("dynamodb").update_table(
        TableName=NAME,
        GlobalSecondaryIndexUpdates=[
            {
                "Update": {
                    "IndexName": index,
                    "ProvisionedThroughput": {"ReadCapacityUnits": read, "WriteCapacityUnits": write},
                }
            }
        ],
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, endpoint_url: str) -> tuple[Workdir, ClientFactory]:
    client = clients(endpoint_url)
    root = scratch_root(
        Path(tmp_path_factory.mktemp("gsi")), module_block("table", inputs([gsi("by-day", "day")])), endpoint_url
    )
    workdir = Workdir(root)
    workdir.init()
    # The first plan must not read the table (it does not exist yet): existing_table_names = [] here.
    workdir.write(module_block("table", inputs([gsi("by-day", "day")], existing_table_names=[])))
    created = workdir.apply_changes()
    assert created.actions_by_address()[TABLE] == Action.CREATE
    assert capacity(client) == {"by-day": (5, 5)}
    return workdir, client


def test_a_plan_after_autoscaling_leaves_gsi_capacity_alone(setup: tuple[Workdir, ClientFactory]) -> None:
    workdir, client = setup
    scale(client, "by-day", 40, 30)
    workdir.write(module_block("table", inputs([gsi("by-day", "day")])))
    clean, text = workdir.is_clean()
    assert clean, f"the plan undoes autoscaling:\n{text}"


def test_without_the_live_read_the_plan_resets_capacity(setup: tuple[Workdir, ClientFactory]) -> None:
    """The old behaviour, still what the double does when it cannot tell the table exists."""
    workdir, _ = setup
    workdir.write(module_block("table", inputs([gsi("by-day", "day")], existing_table_names=[])))
    plan = workdir.plan(detail=True)
    after = planned_gsis(plan)
    assert [(g["name"], g["read_capacity"], g["write_capacity"]) for g in after] == [("by-day", 5, 5)]


def test_adding_a_gsi_is_planned_and_keeps_the_scaled_one(setup: tuple[Workdir, ClientFactory]) -> None:
    workdir, client = setup
    workdir.write(module_block("table", inputs([gsi("by-day", "day"), gsi("by-shop", "shop")])))
    plan = workdir.plan(detail=True)
    assert plan.actions_by_address()[TABLE] == Action.UPDATE
    after = {g["name"]: (g["read_capacity"], g["write_capacity"]) for g in planned_gsis(plan)}
    assert after == {"by-day": (40, 30), "by-shop": (5, 5)}
    workdir.apply()
    assert capacity(client) == {"by-day": (40, 30), "by-shop": (5, 5)}
    clean, text = workdir.is_clean()
    assert clean, text


def test_capacity_outside_min_max_is_brought_back_within(setup: tuple[Workdir, ClientFactory]) -> None:
    """Raising min above the live capacity is a change the plan must make (and show)."""
    workdir, _ = setup
    higher = inputs([gsi("by-day", "day"), gsi("by-shop", "shop")])
    higher["billing"] = {**higher["billing"], "read": {"min": 50, "max": 100}}
    workdir.write(module_block("table", higher))
    plan = workdir.plan(detail=True)
    after = {g["name"]: g["read_capacity"] for g in planned_gsis(plan)}
    assert after == {"by-day": 50, "by-shop": 50}


def test_removing_a_gsi_is_planned(setup: tuple[Workdir, ClientFactory]) -> None:
    workdir, client = setup
    workdir.write(module_block("table", inputs([gsi("by-day", "day")])))
    plan = workdir.plan(detail=True)
    after = [g["name"] for g in planned_gsis(plan)]
    assert after == ["by-day"] and plan.actions_by_address()[TABLE] == Action.UPDATE
    workdir.apply()
    assert capacity(client) == {"by-day": (40, 30)}

"""The plan inventory (tests/inventories/inventory.py) on hand-written plan JSON: no Terraform needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inventories.inventory import (
    UNKNOWN,
    UPDATE_ENV,
    InventoryMismatch,
    action_counts,
    check_inventory,
    main,
    render,
    summarize_plan,
)


def change(address: str, rtype: str, actions: list[str], after: Any, unknown: Any = None) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "change": {"actions": actions, "after": after, "after_unknown": unknown or {}},
    }


TABLE_AFTER = {
    "name": "t1",
    "hash_key": "pk",
    "range_key": "",
    "billing_mode": "PAY_PER_REQUEST",
    "attribute": [{"name": "pk", "type": "S"}, {"name": "g", "type": "N"}],
    "global_secondary_index": [
        {
            "name": "by-g",
            "hash_key": "g",
            "range_key": "",
            "projection_type": "INCLUDE",
            "non_key_attributes": ["z", "a"],
        }
    ],
    "local_secondary_index": [],
    "ttl": [{"attribute_name": "exp", "enabled": False}],
    "stream_enabled": False,
    "stream_view_type": "",
    "point_in_time_recovery": [{"enabled": True}],
    "server_side_encryption": [{"enabled": True}],
    "replica": [{"region_name": "eu-west-1", "kms_key_arn": "arn:aws:kms:eu-west-1:1:key/x"}],
    "tags": {"a": "b"},
}
PLAN = {
    "format_version": "1.0",
    "planned_values": {},
    "resource_changes": [
        change(
            "module.m.aws_dynamodb_table.this",
            "aws_dynamodb_table",
            ["create"],
            TABLE_AFTER,
            {"server_side_encryption": [{"kms_key_arn": True}]},
        ),
        change("module.m.aws_sns_topic.t", "aws_sns_topic", ["update"], {"name": "x"}),
        change("module.m.aws_sns_topic.gone", "aws_sns_topic", ["delete"], None),
        change("module.other.aws_sns_topic.t", "aws_sns_topic", ["create"], {"name": "y"}),
        {**change("data.aws_region.r", "aws_region", ["read"], {}), "mode": "data"},
    ],
}


def test_table_summary_and_module_scoping() -> None:
    inventory = summarize_plan(PLAN, module="module.m")
    assert inventory["resource_counts"] == {"aws_dynamodb_table": 1, "aws_sns_topic": 1}
    table = inventory["resources"]["aws_dynamodb_table"]["aws_dynamodb_table.this"]
    assert table["range_key"] is None
    assert table["global_secondary_indexes"] == {
        "by-g": {
            "hash_key": "g",
            "range_key": None,
            "capacity": None,
            "projection": {"type": "INCLUDE", "non_key_attributes": ["a", "z"]},
        }
    }
    assert table["ttl"] == {"attribute": "exp", "enabled": False}
    assert table["stream"] == {"enabled": False, "view_type": None}
    assert table["sse"] == {"enabled": True, "kms_key_set": UNKNOWN}
    assert table["replicas"] == [{"region": "eu-west-1", "kms_key_set": True}]
    assert table["point_in_time_recovery"] is True


def test_whole_plan_and_action_counts() -> None:
    assert summarize_plan(PLAN)["resource_counts"] == {"aws_dynamodb_table": 1, "aws_sns_topic": 2}
    assert action_counts(PLAN, module="module.m") == {"create": 1, "delete": 1, "update": 1}


def test_check_inventory_shows_a_diff(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(render({"resource_counts": {"aws_dynamodb_table": 2}}))
    with pytest.raises(InventoryMismatch) as err:
        check_inventory({"resource_counts": {"aws_dynamodb_table": 1}}, path, update=False)
    assert '-    "aws_dynamodb_table": 2' in str(err.value)
    assert '+    "aws_dynamodb_table": 1' in str(err.value)
    assert UPDATE_ENV in str(err.value)


def test_missing_inventory_explains_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(InventoryMismatch, match=UPDATE_ENV):
        check_inventory({}, tmp_path / "missing.json", update=False)


def test_update_mode_writes_sorted_pretty_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    path = tmp_path / "sub" / "inv.json"
    check_inventory({"b": 1, "a": [1]}, path)
    assert path.read_text() == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}\n'
    monkeypatch.delenv(UPDATE_ENV)
    check_inventory({"a": [1], "b": 1}, path)


def test_cli_prints_an_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(render(PLAN))
    assert main([str(plan_file), "module.other"]) == 0
    assert '"aws_sns_topic": 1' in capsys.readouterr().out
    assert main([]) == 2

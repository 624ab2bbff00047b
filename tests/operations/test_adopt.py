"""`tablekit adopt`: tables created outside Terraform end up in state with a plan that changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tablekit import aws
from tablekit.operations import adopt
from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Action, Counts, Plan
from tablekit.terraform.runner import Terraform

from .operations_support import create_out_of_band, main_tf

# Two of the three declared tables exist before Terraform runs; the third is left for the plan.
EXISTING = ["adopt-sessions", "adopt-users"]
MISSING = "adopt-results"


@pytest.fixture(scope="module")
def existing_tables(endpoint_url: str) -> list[str]:
    create_out_of_band(aws.clients(endpoint_url), EXISTING)
    return EXISTING


def _root(tmp: Path, endpoint_url: str) -> Terraform:
    tf = Terraform(scratch_root(tmp, main_tf(), endpoint_url))
    tf.init()
    return tf


def _state_addresses(tf: Terraform) -> list[str]:
    return tf.state_list()


@pytest.mark.apply
def test_dry_run_prints_import_commands_and_imports_nothing(
    existing_tables: list[str], endpoint_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf = _root(tmp_path, endpoint_url)
    report = adopt.adopt(tf, {}, aws.clients(endpoint_url), tmp_path / "plans", dry_run=True)
    adopt.print_report(report)
    out = capsys.readouterr().out

    actions = {item.table: item.action for item in report.items if item.type == "aws_dynamodb_table"}
    assert actions == {"adopt-sessions": "would import", "adopt-users": "would import", MISSING: "not in account"}
    for name in existing_tables:
        assert f"terraform import -input=false 'module.table[\"{name}\"].aws_dynamodb_table.this' {name}" in out
    assert f'import \'module.table["{MISSING}"]' not in out
    assert "plan before: 3 to add, 0 to change, 0 to destroy, 0 to replace" in out
    assert _state_addresses(tf) == [], "a dry run must not write state"


@pytest.mark.apply
def test_adopt_imports_existing_tables_and_the_next_plan_changes_nothing(
    existing_tables: list[str], endpoint_url: str, tmp_path: Path
) -> None:
    tf = _root(tmp_path, endpoint_url)
    report = adopt.adopt(tf, {}, aws.clients(endpoint_url), tmp_path / "plans")

    imported = sorted(item.table for item in report.imported)
    assert imported == existing_tables
    assert sorted(_state_addresses(tf)) == sorted(f'module.table["{n}"].aws_dynamodb_table.this' for n in imported)

    # adopt plans again after importing; that plan is the one a user would apply next.
    for name in existing_tables:
        action, changed = report.tables_after[f'module.table["{name}"].aws_dynamodb_table.this']
        assert action == Action.NOOP, f"{name} must match the code after import; differs in {changed}"
    assert report.plan_after == Counts(create=1)


# ------------------------------------------------------------------------------------------------
# Related resources: found from a plan JSON alone, so no Terraform run is needed.
# ------------------------------------------------------------------------------------------------


def _rc(address: str, kind: str, after: dict, module: str | None, actions: list[str] | None = None) -> dict:
    rc = {
        "address": address,
        "type": kind,
        "mode": "managed",
        "change": {"actions": actions or ["create"], "after": after},
    }
    if module:
        rc["module_address"] = module
    return rc


class _FakeAccount:
    """Stands in for boto3: which tables, scalable targets, policies and alarms exist."""

    def __init__(self, tables: set[str], targets: set[str], policies: set[str], alarms: set[str]):
        self.tables, self.targets, self.policies, self.alarms = tables, targets, policies, alarms

    def __call__(self, service: str) -> _FakeAccount:
        return self

    def get_paginator(self, _: str) -> _FakeAccount:
        return self

    def paginate(self) -> list[dict]:
        return [{"TableNames": sorted(self.tables)}]

    def describe_scalable_targets(self, ServiceNamespace: str, ResourceIds: list[str], ScalableDimension: str):
        found = f"{ResourceIds[0]}|{ScalableDimension}" in self.targets
        return {"ScalableTargets": [{}] if found else []}

    def describe_scaling_policies(
        self, ServiceNamespace: str, ResourceId: str, ScalableDimension: str, PolicyNames: list[str]
    ):
        return {"ScalingPolicies": [{}] if PolicyNames[0] in self.policies else []}

    def describe_alarms(self, AlarmNames: list[str]):
        return {"MetricAlarms": [{}] if AlarmNames[0] in self.alarms else []}


def test_related_resources_get_provider_import_ids_and_only_existing_ones_are_imported() -> None:
    mod = 'module.estate.module.ielts_genai_prep.module.table["ielts-genai-prep-users"]'
    other = 'module.estate.module.ielts_genai_prep.module.table["ielts-genai-prep-sessions"]'
    target = {
        "service_namespace": "dynamodb",
        "resource_id": "table/ielts-genai-prep-users",
        "scalable_dimension": "dynamodb:table:ReadCapacityUnits",
    }
    index_target = {**target, "resource_id": "table/ielts-genai-prep-users/index/email-index"}
    plan = {
        "format_version": "1.0",
        "planned_values": {},
        "resource_changes": [
            _rc(f"{mod}.aws_dynamodb_table.this", "aws_dynamodb_table", {"name": "ielts-genai-prep-users"}, mod),
            _rc(
                f'{mod}.aws_cloudwatch_metric_alarm.this["users-read-throttles"]',
                "aws_cloudwatch_metric_alarm",
                {"alarm_name": "users-read-throttles"},
                mod,
            ),
            _rc(
                f'{mod}.aws_appautoscaling_policy.this["table:read"]',
                "aws_appautoscaling_policy",
                {**target, "name": "table-users-read"},
                mod,
            ),
            _rc(f'{mod}.aws_appautoscaling_target.this["table:read"]', "aws_appautoscaling_target", target, mod),
            _rc(
                f'{mod}.aws_appautoscaling_target.this["index:email-index:read"]',
                "aws_appautoscaling_target",
                index_target,
                mod,
            ),
            # Same module, but not importable in provider 3.39: never listed.
            _rc(f'{mod}.aws_dynamodb_table_item.this["x"]', "aws_dynamodb_table_item", {"table_name": "x"}, mod),
            # Another table of the family that does not exist: listed as not in account, nothing related.
            _rc(f"{other}.aws_dynamodb_table.this", "aws_dynamodb_table", {"name": "ielts-genai-prep-sessions"}, other),
            _rc(
                f'{other}.aws_cloudwatch_metric_alarm.this["s"]',
                "aws_cloudwatch_metric_alarm",
                {"alarm_name": "sessions-read-throttles"},
                other,
            ),
        ],
    }
    account = _FakeAccount(
        tables={"ielts-genai-prep-users", "unrelated"},
        targets={"table/ielts-genai-prep-users|dynamodb:table:ReadCapacityUnits"},
        policies={"table-users-read"},
        alarms={"users-read-throttles", "sessions-read-throttles"},
    )
    items = adopt.find_imports(Plan.parse(json.loads(json.dumps(plan))), account)
    rows = [(item.type, item.import_id, item.exists) for item in items]
    assert rows == [
        ("aws_dynamodb_table", "ielts-genai-prep-sessions", False),
        ("aws_dynamodb_table", "ielts-genai-prep-users", True),
        (
            "aws_appautoscaling_target",
            "dynamodb/table/ielts-genai-prep-users/index/email-index/dynamodb:table:ReadCapacityUnits",
            False,
        ),
        ("aws_appautoscaling_target", "dynamodb/table/ielts-genai-prep-users/dynamodb:table:ReadCapacityUnits", True),
        (
            "aws_appautoscaling_policy",
            "dynamodb/table/ielts-genai-prep-users/dynamodb:table:ReadCapacityUnits/table-users-read",
            True,
        ),
        ("aws_cloudwatch_metric_alarm", "users-read-throttles", True),
    ]


def test_report_warns_loudly_when_an_adopted_table_would_be_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    address = 'module.table["t"].aws_dynamodb_table.this'
    item = adopt.ImportItem(
        table="t", address=address, type="aws_dynamodb_table", import_id="t", exists=True, action="imported"
    )
    report = adopt.AdoptReport(
        items=[item],
        plan_before=Counts(create=1),
        plan_after=Counts(replace=1),
        tables_after={address: (Action.REPLACE, ["hash_key"])},
    )
    adopt.print_report(report)
    out = capsys.readouterr().out
    assert f"WARNING: {address} would be REPLACED" in out and "hash_key" in out

"""The family inputs that change what is planned: name_prefix, enable_phantom_tables, backup_enabled,
kms_key_arn and alarms_enabled, planned once per configuration for the three families together.
"""

from __future__ import annotations

import pytest
from families_support import EXPECTED_TABLES, planned_outputs, table_resources

from tablekit.terraform.runner import TerraformError

pytestmark = pytest.mark.slow

PHANTOMS = {"ielts-ai-safety-logs", "ielts-content-reports"}
CONTRACT_NAMES = set().union(*EXPECTED_TABLES.values())
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def dev_plan(all_families_root) -> dict:
    """dev with a prefix and every IELTS option on."""
    return all_families_root.plan(
        {"environment": "dev", "name_prefix": "dev-", "enable_phantom_tables": True, "backup_enabled": True}
    )


@pytest.fixture(scope="module")
def prod_plan(all_families_root) -> dict:
    """prod as envs/prod runs it: exact names, customer-managed key, alarms, backups."""
    return all_families_root.plan(
        {"environment": "prod", "kms_key_arn": KMS_KEY, "alarms_enabled": True, "backup_enabled": True}
    )


def _resources(plan: dict, rtype: str) -> list[dict]:
    return [rc for rc in plan["resource_changes"] if rc["type"] == rtype and rc["mode"] == "managed"]


def test_dev_prefix_reaches_every_table_and_output(dev_plan) -> None:
    tables = table_resources(dev_plan)
    assert set(tables) == {f"dev-{name}" for name in CONTRACT_NAMES | PHANTOMS}
    for name, table in tables.items():
        assert table["tags"]["Environment"] == "dev", name
    outputs = planned_outputs(dev_plan)
    for label in ("bandup", "ielts_genai_prep", "aitutor"):
        assert all(name.startswith("dev-") for name in outputs[f"{label}_app_config"].values())
        assert all(name.startswith("dev-") for name in outputs[f"{label}_tables"])


def test_phantom_tables_exist_only_when_enabled(local_plan, dev_plan) -> None:
    default = planned_outputs(local_plan)["ielts_genai_prep_tables"]
    assert not PHANTOMS & set(default)
    enabled = planned_outputs(dev_plan)["ielts_genai_prep_app_config"]
    assert enabled["AI_SAFETY_LOGS_TABLE"] == "dev-ielts-ai-safety-logs"
    assert enabled["CONTENT_REPORTS_TABLE"] == "dev-ielts-content-reports"


def test_prod_keeps_contract_names_with_kms(prod_plan) -> None:
    tables = table_resources(prod_plan)
    assert set(tables) == CONTRACT_NAMES
    for name, table in tables.items():
        assert table["server_side_encryption"] == [{"enabled": True, "kms_key_arn": KMS_KEY}], name
        assert table["tags"]["Environment"] == "prod", name


def test_prefix_is_refused_outside_dev(all_families_root) -> None:
    """local and prod run application code with the contract names: a prefix there is a plan error.

    One plan (local) covers the rule in all three modules; prod takes the same branch of it.
    """
    with pytest.raises(TerraformError, match="name_prefix is for dev only") as refused:
        all_families_root.plan({"environment": "local", "name_prefix": "oops-"})
    for family in ("bandup", "ielts-genai-prep", "aitutor"):
        assert f"modules/{family}/main.tf" in str(refused.value), family


def test_backup_plan_daily_35_days_by_tag(prod_plan) -> None:
    (plan,) = _resources(prod_plan, "aws_backup_plan")
    (rule,) = plan["change"]["after"]["rule"]
    assert rule["schedule"] == "cron(0 3 * * ? *)"
    assert rule["lifecycle"] == [{"cold_storage_after": None, "delete_after": 35}]
    (selection,) = _resources(prod_plan, "aws_backup_selection")
    assert selection["change"]["after"]["selection_tag"] == [
        {"type": "STRINGEQUALS", "key": "Backup", "value": "daily-35d"}
    ]
    assert len(_resources(prod_plan, "aws_backup_vault")) == 1
    assert len(_resources(prod_plan, "aws_iam_role_policy_attachment")) == 1
    for name, table in table_resources(prod_plan).items():
        # Only IELTS opts in; the selection must not pick up the other families' tables.
        assert (table["tags"].get("Backup") == "daily-35d") == name.startswith("ielts-"), name


def test_aitutor_alarms_throttling_errors_latency(prod_plan) -> None:
    """Seed 002's "Alarms to Set", for every AI Tutor table and index."""
    alarms = {
        rc["change"]["after"]["alarm_name"]: rc["change"]["after"]
        for rc in _resources(prod_plan, "aws_cloudwatch_metric_alarm")
        if rc["address"].startswith("module.aitutor.")
    }
    for table in EXPECTED_TABLES["aitutor"]:
        mine = {name.removeprefix(f"{table}-") for name in alarms if name.startswith(f"{table}-")}
        assert {"read-throttles", "write-throttles", "system-errors"} <= mine, table
        assert {"getitem-latency", "query-latency", "putitem-latency", "updateitem-latency"} <= mine, table
    latency = alarms["aitutor_users-query-latency"]
    assert (latency["extended_statistic"], latency["threshold"]) == ("p99", 100)
    assert alarms["aitutor_users-email-index-read-throttles"]["threshold"] == 1


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"kms_key_arn": "alias/tablekit"}, "The kms_key_arn must be a KMS key or alias ARN"),
        ({"alarm_actions": ["arn:aws:sqs:us-east-1:123456789012:q"]}, "The alarm_actions must be SNS topic ARNs"),
    ],
    ids=["kms_key_arn", "alarm_actions"],
)
def test_every_family_refuses_a_malformed_arn(all_families_root, variables, message) -> None:
    """The shared inputs file validates both ARNs, so every family refuses them at plan time."""
    with pytest.raises(TerraformError, match=message) as refused:
        all_families_root.plan({"environment": "local", **variables})
    for family in ("bandup", "ielts-genai-prep", "aitutor"):
        assert f"modules/{family}/variables-common.tf" in str(refused.value), family

"""Whole-environment plans: inventories per env, keys and replicas per env, local converges to no changes.

dev and prod are planned offline (staged with a local backend and the session endpoint), so these
tests need no AWS account; the plan still contains every resource real AWS would get.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from inventories.inventory import check_inventory, summarize_plan

from tablekit.review.policy_gate import cmk_wiring_problems
from tablekit.terraform.plan import Plan

pytestmark = pytest.mark.slow

INVENTORIES = Path(__file__).resolve().parent.parent / "inventories" / "envs"


@pytest.fixture(scope="module")
def env_plans(env_plan_files: dict[str, Path]) -> dict[str, dict]:
    """A fresh plan of every env (local against the session endpoint, dev/prod offline; tests/conftest.py)."""
    return {env: json.loads(path.read_text()) for env, path in env_plan_files.items()}


# Env inventories stay reviewable: counts of everything, details of the tables only (alarms,
# autoscaling and Lambda details are pinned by the module and family inventories).
DETAILED_TYPES = ("aws_dynamodb_table",)


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_env_plan_matches_inventory(env_plans: dict[str, dict], env: str) -> None:
    inventory = summarize_plan(env_plans[env])
    inventory["resources"] = {t: v for t, v in inventory.get("resources", {}).items() if t in DETAILED_TYPES}
    check_inventory(inventory, INVENTORIES / f"{env}.json")


# "No plan deletes or replaces a table" cannot be asked of these plans: they start from empty state,
# where nothing can be deleted. It is asked where it can fail, against the applied and seeded state of
# an earlier release: tests/upgrade/ (the last release on a fresh clone, the processor-alarm rename,
# a key-schema change and a count -> for_each move caught with the table name and the reason).


def _tables(plan: dict) -> dict[str, dict]:
    return {
        rc["change"]["after"]["name"]: rc["change"]["after"]
        for rc in plan["resource_changes"]
        if rc["type"] == "aws_dynamodb_table"
    }


def _estate_kms_reference(plan: dict) -> list[str]:
    """What the env passes as the estate's kms_key_arn (references of the expression)."""
    call = plan["configuration"]["root_module"]["module_calls"]["estate"]["expressions"]
    return call.get("kms_key_arn", {}).get("references", [])


def _refs(expressions: dict, name: str) -> list[str]:
    return (expressions.get(name) or {}).get("references", [])


def _cmk_wiring_problems(plan: dict) -> list[str]:
    return cmk_wiring_problems(Plan.parse(plan))


def test_every_env_declares_the_same_contract_table_names(env_plans: dict[str, dict]) -> None:
    names = {env: set(_tables(plan)) for env, plan in env_plans.items()}
    assert names["local"] == names["dev"] == names["prod"]
    assert len(names["local"]) == 35
    assert {"bandup-evaluations", "ielts-genai-prep-rubrics", "aitutor_users", "university"} <= names["local"]
    assert "ielts-assessment-rubrics" not in names["local"], "the audit's mismatched name must not come back"


def test_replicas_only_in_prod_and_a_cmk_in_every_env(env_plans: dict[str, dict]) -> None:
    for env, plan in env_plans.items():
        tables = _tables(plan)
        replicas = {name: [r["region_name"] for r in t.get("replica") or []] for name, t in tables.items()}
        if env == "prod":
            assert replicas["university"] == ["us-west-2"]
            replica_keys = plan["configuration"]["root_module"]["module_calls"]["estate"]["expressions"]
            assert "module.kms_replica.arn" in _refs(replica_keys, "replica_kms_key_arns"), "replica needs its CMK"
        else:
            assert not any(replicas.values()), f"{env} must not create replicas"
        assert "module.kms.arn" in _estate_kms_reference(plan), f"{env} tables must use the env's CMK"
        assert all(t["point_in_time_recovery"][0]["enabled"] for t in tables.values()), f"PITR off in {env}"


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_every_env_encrypts_every_table_with_its_own_cmk(env_plans: dict[str, dict], env: str) -> None:
    """What CKV_AWS_119 cannot tell on a fresh plan (the key ARN is unknown): every table uses the env's key."""
    plan = env_plans[env]
    assert _cmk_wiring_problems(plan) == []
    for rc in plan["resource_changes"]:
        if rc["type"] == "aws_dynamodb_table":
            # enabled must be known at plan time: checkov reads "known after apply" as not enabled.
            assert rc["change"]["after"]["server_side_encryption"] == [{"enabled": True}], rc["address"]
            assert rc["change"]["after_unknown"]["server_side_encryption"] == [{"kms_key_arn": True}], rc["address"]


def test_cmk_wiring_check_catches_a_table_without_the_key(env_plans: dict[str, dict]) -> None:
    """The wiring check is not vacuous: the env's plan with one link of the chain cut fails it."""
    plan = copy.deepcopy(env_plans["local"])
    families = plan["configuration"]["root_module"]["module_calls"]["estate"]["module"]["module_calls"]
    families["bandup"]["module"]["module_calls"]["table"]["expressions"].pop("sse_kms_key_arn")
    plan["configuration"]["root_module"]["module_calls"]["estate"]["expressions"]["kms_key_arn"] = {
        "constant_value": None
    }
    assert _cmk_wiring_problems(plan) == [
        "estate.kms_key_arn is not module.kms.arn",
        "bandup does not pass kms_key_arn to its tables' sse_kms_key_arn",
    ]


def test_prod_key_rotates_and_backups_run_daily_for_35_days(env_plans: dict[str, dict]) -> None:
    prod = env_plans["prod"]
    keys = [rc["change"]["after"] for rc in prod["resource_changes"] if rc["type"] == "aws_kms_key"]
    assert keys and all(k["enable_key_rotation"] for k in keys)
    plans = [rc["change"]["after"] for rc in prod["resource_changes"] if rc["type"] == "aws_backup_plan"]
    assert len(plans) == 1
    rule = plans[0]["rule"][0]
    assert rule["lifecycle"][0]["delete_after"] == 35
    assert "cron(" in rule["schedule"]

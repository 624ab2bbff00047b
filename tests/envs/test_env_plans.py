"""Whole-environment plans: inventories per env, no table ever deleted, local converges to no changes.

dev and prod are planned offline (staged with a local backend and the session endpoint), so these
tests need no AWS account; the plan still contains every resource real AWS would get.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit import envs
from tablekit.inventory import action_counts, check_inventory, summarize_plan
from tablekit.testing import resource_actions, table_replacements

INVENTORIES = Path(__file__).resolve().parent.parent / "inventories" / "envs"


@pytest.fixture(scope="module")
def env_plans(endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """A fresh plan of every env (local against the session endpoint, dev/prod offline)."""
    plans = {}
    for env in ("local", "dev", "prod"):
        ctx = envs.context(env, endpoint_url=endpoint_url, offline=env != "local",
                           data_dir=tmp_path_factory.mktemp(f"plan-{env}"))
        plans[env] = envs.plan(ctx, refresh=False)
    return plans


# Env inventories stay reviewable: counts of everything, details of the tables only (alarms,
# autoscaling and Lambda details are pinned by the module and family inventories).
DETAILED_TYPES = ("aws_dynamodb_table",)


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_env_plan_matches_inventory(env_plans: dict[str, dict], env: str) -> None:
    inventory = summarize_plan(env_plans[env])
    inventory["resources"] = {t: v for t, v in inventory.get("resources", {}).items() if t in DETAILED_TYPES}
    check_inventory(inventory, INVENTORIES / f"{env}.json")


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_env_plan_never_deletes_or_replaces_a_table(env_plans: dict[str, dict], env: str) -> None:
    assert table_replacements(env_plans[env]) == []
    assert action_counts(env_plans[env]).get("delete", 0) == 0


def _tables(plan: dict) -> dict[str, dict]:
    return {rc["change"]["after"]["name"]: rc["change"]["after"] for rc in plan["resource_changes"]
            if rc["type"] == "aws_dynamodb_table"}


def _estate_kms_reference(plan: dict) -> list[str]:
    """What the env passes as the estate's kms_key_arn (references of the expression)."""
    call = plan["configuration"]["root_module"]["module_calls"]["estate"]["expressions"]
    return call.get("kms_key_arn", {}).get("references", [])


def test_every_env_declares_the_same_contract_table_names(env_plans: dict[str, dict]) -> None:
    names = {env: set(_tables(plan)) for env, plan in env_plans.items()}
    assert names["local"] == names["dev"] == names["prod"]
    assert len(names["local"]) == 35
    assert {"bandup-evaluations", "ielts-genai-prep-rubrics", "aitutor_users", "university"} <= names["local"]
    assert "ielts-assessment-rubrics" not in names["local"], "the audit's mismatched name must not come back"


def test_replicas_only_in_prod_and_cmk_only_in_prod(env_plans: dict[str, dict]) -> None:
    for env, plan in env_plans.items():
        tables = _tables(plan)
        replicas = {name: [r["region_name"] for r in t.get("replica") or []] for name, t in tables.items()}
        if env == "prod":
            assert replicas["university"] == ["us-west-2"]
            assert "aws_kms_key.tables.arn" in _estate_kms_reference(plan), "prod tables must use the prod CMK"
        else:
            assert not any(replicas.values()), f"{env} must not create replicas"
            assert _estate_kms_reference(plan) == [], f"{env} must not use a CMK"
        assert all(t["point_in_time_recovery"][0]["enabled"] for t in tables.values()), f"PITR off in {env}"


def test_prod_key_rotates_and_backups_run_daily_for_35_days(env_plans: dict[str, dict]) -> None:
    prod = env_plans["prod"]
    keys = [rc["change"]["after"] for rc in prod["resource_changes"] if rc["type"] == "aws_kms_key"]
    assert keys and all(k["enable_key_rotation"] for k in keys)
    plans = [rc["change"]["after"] for rc in prod["resource_changes"] if rc["type"] == "aws_backup_plan"]
    assert len(plans) == 1
    rule = plans[0]["rule"][0]
    assert rule["lifecycle"][0]["delete_after"] == 35
    assert "cron(" in rule["schedule"]


def test_local_estate_converges_to_no_changes(local_env) -> None:
    """After `setup`, a second plan of local has nothing to do (no perpetual diffs on the endpoint)."""
    plan = envs.plan(local_env.ctx, refresh=True)
    changes = {address: actions for address, actions in resource_actions(plan).items() if actions != ["no-op"]}
    assert changes == {}

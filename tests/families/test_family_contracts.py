"""Plan-level contract of the three table families: names, keys, indexes, TTL, streams, tags, PITR.

Table names and index names are contracts with application code, so the expected values are
spelled out (here and in families_support.EXPECTED_TABLES): a rename in modules/ must fail a
test, not ship.
"""

from __future__ import annotations

import pytest
from families_support import EXPECTED_TABLES, FAMILIES, planned_outputs, table_resources
from inventories.inventory import check_inventory, summarize_plan

from tablekit.paths import ROOT

pytestmark = pytest.mark.slow
INVENTORIES = ROOT / "tests" / "inventories" / "families"

PROJECT_TAG = {"bandup": "bandup", "ielts-genai-prep": "ielts-genai-prep", "aitutor": "aitutor"}

# Keys and indexes the seeds document (plus the documented additions), as (hash, range) pairs.
DOCUMENTED_INDEXES = {
    "bandup-evaluations": {"user_id-created_at-index": ("user_id", "created_at")},
    "bandup-flashcard-sets": {"user_id-created_at-index": ("user_id", "created_at")},
    "ielts-genai-prep-sessions": {"user_email-created_at-index": ("user_email", "created_at")},
    "ielts-genai-prep-assessments": {
        "user_id-created_at-index": ("user_id", "created_at"),
        "assessment_type-created_at-index": ("assessment_type", "created_at"),
    },
    "ielts-genai-prep-entitlements": {
        "user_email-expires_at-index": ("user_email", "expires_at"),
        "transaction_id-index": ("transaction_id", None),
    },
    "ielts-support-tickets": {
        "status-created_at-index": ("status", "created_at"),
        "priority-created_at-index": ("priority", "created_at"),
        "user_email-created_at-index": ("user_email", "created_at"),
    },
    "ielts-devops-actions": {
        "status-timestamp-index": ("status", "timestamp"),
        "affected_service-timestamp-index": ("affected_service", "timestamp"),
        "ticket_id-timestamp-index": ("ticket_id", "timestamp"),
    },
    "aitutor_users": {"email-index": ("email", None)},
    "aitutor_educators": {"userId-index": ("userId", None)},
    "aitutor_students": {"userId-index": ("userId", None)},
    "aitutor_modules": {"courseId-index": ("courseId", None)},
    "aitutor_files": {"moduleId-index": ("moduleId", None), "uploaderId-index": ("uploaderId", None)},
    "aitutor_courses": {"departmentId-index": ("departmentId", None)},
    "aitutor_chat_sessions": {"userId-index": ("userId", None)},
    "aitutor_audit_logs": {"userId-timestamp-index": ("userId", "timestamp")},
}
TTL = {
    "ielts-genai-prep-sessions": "expires_at",
    "ielts-genai-prep-qr-tokens": "expires_at",
    "ielts-genai-prep-auth-tokens": "expires_at",
    "ielts-genai-prep-reset-tokens": "expires_at",
    "ielts-test-progress": "expires_at",
    "aitutor_chat_sessions": "expiresAt",
    "aitutor_audit_logs": "expiresAt",
}


def _outputs(plan: dict, family: str) -> dict:
    prefix = f"{FAMILIES[family]}_"
    outputs = planned_outputs(plan)
    return {name.removeprefix(prefix): value for name, value in outputs.items() if name.startswith(prefix)}


@pytest.mark.parametrize("family", list(EXPECTED_TABLES))
def test_plan_inventory(local_plan, family: str) -> None:
    """Counts per resource type and, per table, keys, indexes, TTL, stream, PITR, SSE and tags.

    Reviewed files: tests/inventories/families/<family>.json (TABLEKIT_UPDATE_INVENTORIES=1 rewrites).
    """
    inventory = summarize_plan(local_plan, module=f"module.{FAMILIES[family]}")
    check_inventory(inventory, INVENTORIES / f"{family}.json")


@pytest.mark.parametrize("family", list(EXPECTED_TABLES))
def test_family_outputs_follow_the_contract(local_plan, family: str) -> None:
    out = _outputs(local_plan, family)
    expected = EXPECTED_TABLES[family]
    assert set(out["tables"]) == expected
    assert set(out["table_names"].values()) == expected
    assert set(out["app_config"].values()) == expected
    assert len(out["app_config"]) == len(expected), "one environment variable per table"
    for name, schema in out["tables"].items():
        assert schema["name"] == name
        assert schema["hash_key"]["name"] in schema["attributes"]


@pytest.mark.parametrize("family", list(EXPECTED_TABLES))
def test_every_table_is_on_demand_with_pitr_sse_and_tags(local_plan, family: str) -> None:
    tables = table_resources(local_plan, family)
    assert set(tables) == EXPECTED_TABLES[family]
    for name, table in tables.items():
        assert table["billing_mode"] == "PAY_PER_REQUEST", name
        assert table["point_in_time_recovery"] == [{"enabled": True}], name
        assert table["server_side_encryption"][0]["enabled"] is True, name
        assert table["tags"]["Project"] == PROJECT_TAG[family], name
        assert table["tags"]["Environment"] == "local", name


@pytest.mark.parametrize("family", list(EXPECTED_TABLES))
def test_documented_indexes_and_ttl(local_plan, family: str) -> None:
    out = _outputs(local_plan, family)
    for name, schema in out["tables"].items():
        for index, (hash_key, range_key) in DOCUMENTED_INDEXES.get(name, {}).items():
            assert schema["indexes"][index]["hash_key"] == hash_key, f"{name} {index}"
            assert schema["indexes"][index].get("range_key") == range_key, f"{name} {index}"
        assert schema.get("ttl_attribute") == TTL.get(name), name


def test_timestamps_are_epoch_numbers_everywhere(local_plan) -> None:
    """created_at, expires_at, timestamp...: one type (N, Unix epoch seconds) wherever they are keys."""
    for family in EXPECTED_TABLES:
        for name, schema in _outputs(local_plan, family)["tables"].items():
            for attribute, kind in schema["attributes"].items():
                if attribute.endswith(("_at", "At")) or attribute == "timestamp":
                    assert kind == "N", f"{name}.{attribute}"


def test_streams_only_where_documented(local_plan) -> None:
    """AI Tutor streams NEW_AND_OLD_IMAGES on all twelve tables; the other seeds are silent: no streams."""
    for family in EXPECTED_TABLES:
        for name, table in table_resources(local_plan, family).items():
            if family == "aitutor":
                assert (table["stream_enabled"], table["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES"), name
            else:
                assert not table.get("stream_enabled"), name
    outputs = local_plan["configuration"]["root_module"]["outputs"]
    assert {f"{label}_stream_arns" for label in FAMILIES.values()} <= set(outputs), "every family outputs stream_arns"


def test_rubrics_live_under_the_name_aws_has(local_plan) -> None:
    tables = _outputs(local_plan, "ielts-genai-prep")["tables"]
    assert "ielts-genai-prep-rubrics" in tables
    assert "ielts-assessment-rubrics" not in tables


def test_app_config_schemes(local_plan) -> None:
    """One documented scheme per family, so env vars are predictable from the logical key."""
    bandup = _outputs(local_plan, "bandup")["app_config"]
    assert bandup == {"DYNAMODB_EVALUATIONS": "bandup-evaluations", "DYNAMODB_FLASHCARD_SETS": "bandup-flashcard-sets"}
    ielts = _outputs(local_plan, "ielts-genai-prep")
    assert ielts["app_config"]["SESSIONS_TABLE"] == "ielts-genai-prep-sessions"  # lambda_speaking_handler's name
    assert ielts["app_config"]["RUBRICS_TABLE"] == "ielts-genai-prep-rubrics"
    assert ielts["app_config"] == {f"{key.upper()}_TABLE": name for key, name in ielts["table_names"].items()}
    aitutor = _outputs(local_plan, "aitutor")
    scheme = {f"AITUTOR_{key.upper()}_TABLE": name for key, name in aitutor["table_names"].items()}
    assert aitutor["app_config"] == scheme

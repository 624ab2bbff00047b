"""Table-name audit (seed 003 automated): the fixture app must yield exactly 003's findings."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tablekit.operations import appconfig, audit

FIXTURES = Path(__file__).parent / "fixtures"
APP = FIXTURES / "ielts_app"
AWS_TABLES_003 = FIXTURES / "ielts_aws_tables_003.json"
UNUSED_003 = {
    "ielts-genai-prep-auth-tokens",
    "ielts-genai-prep-reset-tokens",
    "ielts-reading-questions",
    "ielts-reading-answers",
    "ielts-reading-tests",
    "ielts-listening-questions",
    "ielts-listening-answers",
    "ielts-listening-tests",
    "ielts-full-tests",
    "ielts-test-results",
    "ielts-test-progress",
}
MATCHED_003 = {
    "ielts-genai-prep-users",
    "ielts-genai-prep-sessions",
    "ielts-genai-prep-assessments",
    "ielts-genai-prep-entitlements",
    "ielts-assessment-questions",
    "ielts-support-tickets",
    "ielts-devops-actions",
}


def assert_003_findings(result: dict) -> None:
    assert {m["name"]: m["closest_declared"] for m in result["mismatched"]} == {
        "ielts-assessment-rubrics": "ielts-genai-prep-rubrics"
    }
    assert {p["name"] for p in result["phantom"]} == {"ielts-ai-safety-logs", "ielts-content-reports"}
    assert set(result["unused"]) == UNUSED_003 and len(result["unused"]) == 11
    assert {m["name"] for m in result["matched"]} == MATCHED_003
    assert result["problems"] == 3 and not result["ok"]


def test_fixture_reproduces_seed_003(tk, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(json.loads(AWS_TABLES_003.read_text())) == 19
    code = tk("audit", ["--source", str(APP), "--declared", str(AWS_TABLES_003), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    assert_003_findings(result)
    rubrics = result["mismatched"][0]["references"]
    assert rubrics == [{"file": "deployment/dynamodb_dal.py", "line": 19, "context": "dict table_names['rubrics']"}]
    sessions = next(m for m in result["matched"] if m["name"] == "ielts-genai-prep-sessions")["references"]
    assert {r["file"] for r in sessions} == {"deployment/dynamodb_dal.py", "deployment/lambda_speaking_handler.py"}


def test_only_table_contexts_count() -> None:
    names = {r.name for r in audit.find_references(APP, json.loads(AWS_TABLES_003.read_text()))}
    # log text, product names, regions, log levels and dict values that are not table names never count
    assert names == MATCHED_003 | {"ielts-assessment-rubrics", "ielts-ai-safety-logs", "ielts-content-reports"}


def test_app_config_export_with_declared_names_is_clean(tmp_path: Path, tk, capsys: pytest.CaptureFixture[str]) -> None:
    names = json.loads(AWS_TABLES_003.read_text())
    app_config = {n.upper().replace("-", "_") + "_TABLE": n for n in names}
    appconfig.write(app_config, tmp_path / "app" / "app-config.json")
    appconfig.write(app_config, tmp_path / "app" / "app-config.env")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"app_config": {"value": app_config, "type": "map", "sensitive": False}}))
    assert tk("audit", ["--source", str(tmp_path / "app"), "--declared", str(outputs), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["problems"] == 0 and result["unused"] == [] and len(result["matched"]) == 19


def test_live_tables_stand_in_for_declared_names(endpoint_url: str, tk, capsys: pytest.CaptureFixture[str]) -> None:
    region = "ap-southeast-2"  # a region no other test uses: ListTables sees only these 19
    ddb = boto3.client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    names = json.loads(AWS_TABLES_003.read_text())
    for name in names:
        ddb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
    try:
        code = tk("audit", ["--source", str(APP), "--endpoint-url", endpoint_url, "--region", region, "--json"])
        result = json.loads(capsys.readouterr().out)
        assert code == 1
        assert_003_findings(result)
        assert result["live_checked"] and result["unmanaged_live"] == []
        assert set(result["missing_live"]) == {
            "ielts-assessment-rubrics",
            "ielts-ai-safety-logs",
            "ielts-content-reports",
        }
    finally:
        for name in names:
            ddb.delete_table(TableName=name)


def test_closest_prefers_the_same_entity_over_a_shared_prefix() -> None:
    declared = json.loads(AWS_TABLES_003.read_text())
    assert audit.closest("ielts-assessment-rubrics", declared) == "ielts-genai-prep-rubrics"
    assert audit.closest("ielts-genai-prep-sesions", declared) == "ielts-genai-prep-sessions"  # typo
    assert audit.closest("ielts-content-reports", declared) is None
    # same entity in another application's namespace is not a suggestion
    assert audit.closest("ielts-ai-safety-logs", [*declared, "aitutor_audit_logs"]) is None


def test_declared_file_shapes(tmp_path: Path) -> None:
    cases = {
        "list.json": ["b", "a"],
        "app_config.json": {"A_TABLE": "a", "B_TABLE": "b"},
        "tables.json": {"a": {"hash_key": {}}, "b": {}},
        "outputs.json": {
            "tables": {"value": {"a": {}}, "type": "map"},
            "app_config": {"value": {"X": "b"}, "sensitive": False},
        },
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_text(json.dumps(data))
        assert audit.declared_from_file(path) == ["a", "b"], name
    bad = tmp_path / "bad.json"
    bad.write_text("42")
    with pytest.raises(audit.UserError, match="expected a JSON list"):
        audit.declared_from_file(bad)


def test_nothing_to_compare_is_a_user_error(tk, capsys: pytest.CaptureFixture[str]) -> None:
    assert tk("audit", ["--source", str(APP)]) == 2
    assert "nothing to compare with" in capsys.readouterr().err

"""The policy gate's reports are redacted before they are uploaded or rendered (issue: policy in the
comment): checkov quotes the values of what it scanned, and the plans it scanned hold secrets.

The reports here have the shapes checkov 3 writes for a plan scan (`-o json -o sarif -o junitxml`):
values in `check_result.entity`, `entity_tags` and `code_block`, the region's `snippet` in SARIF,
code lines in a JUnit failure. The property then puts a random secret at every such place.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from review_support import secret

from tablekit.paths import ROOT
from tablekit.review.redact_reports import FINDING_FIELDS
from tablekit.review.views import PolicyResult

ADDRESS = "aws_dynamodb_table.orders"


def plan_with(value: str) -> dict[str, Any]:
    """A plan whose table carries `value` as a sensitive tag."""
    after = {"name": "orders", "tags": {"owner": value}, "point_in_time_recovery": [{"enabled": False}]}
    change = {
        "actions": ["create"],
        "before": None,
        "after": after,
        "after_unknown": {},
        "after_sensitive": {"tags": {"owner": True}},
    }
    return {
        "format_version": "1.0",
        "terraform_version": "1.0.3",
        "resource_changes": [
            {"address": ADDRESS, "mode": "managed", "type": "aws_dynamodb_table", "name": "orders", "change": change}
        ],
    }


def finding(value: str, result: str) -> dict[str, Any]:
    return {
        "check_id": "CKV_AWS_28",
        "bc_check_id": "BC_AWS_GENERAL_6",
        "check_name": "Ensure DynamoDB point in time recovery (backup) is enabled",
        "check_result": {
            "result": result,
            "evaluated_keys": ["point_in_time_recovery/[0]/enabled"],
            "entity": {"aws_dynamodb_table": {"orders": {"tags": [{"owner": value}]}}},
        },
        "code_block": [[13, f'  "owner": "{value}"\n']],
        "file_path": "/plan-dev.json",
        "file_line_range": [13, 37],
        "resource": ADDRESS,
        "resource_address": f"{ADDRESS}.{value}",  # kept: only the scrub of known secrets cleans it
        "entity_tags": {"owner": value},
        "evaluations": {"tags": value},
        "details": [f"owner is {value}"],
        "guideline": None,
        "severity": None,
    }


def write_reports(root: Path, value: str, with_plan: bool = True) -> None:
    (root / "plans").mkdir(parents=True)
    if with_plan:
        (root / "plans" / "plan-dev.json").write_text(json.dumps(plan_with(value)))
    scan = root / "checkov" / "plan-dev"
    scan.mkdir(parents=True)
    report = {
        "check_type": "terraform_plan",
        "results": {
            "failed_checks": [finding(value, "FAILED")],
            "passed_checks": [{**finding(value, "PASSED"), "check_id": "CKV_AWS_119"}],
            "skipped_checks": [],
        },
        "summary": {
            "passed": 1,
            "failed": 1,
            "skipped": 0,
            "parsing_errors": 0,
            "resource_count": 1,
            "checkov_version": "3.3.30",
        },
        "url": "https://example.invalid",
    }
    (scan / "results.json").write_text(json.dumps(report))
    region = {"startLine": 13, "endLine": 37, "snippet": {"text": f'"owner": "{value}"'}}
    location = {
        "physicalLocation": {"artifactLocation": {"uri": "plan-dev.json"}, "region": region, "contextRegion": region}
    }
    run = {
        "tool": {"driver": {"name": "Checkov"}},
        "results": [{"ruleId": "CKV_AWS_28", "message": {"text": "PITR"}, "locations": [location]}],
    }
    (root / "checkov.sarif").write_text(json.dumps({"version": "2.1.0", "runs": [run]}))
    failure = f'Resource: {ADDRESS}\nFile: /plan-dev.json: 13-37\n\n\t\t13 |   "owner": "{value}"\n'
    xml = '<testsuites><testsuite name="plan-dev"><testcase name="CKV_AWS_28">'
    xml += '<failure message="PITR">{}</failure></testcase></testsuite></testsuites>'
    from xml.sax.saxutils import escape

    (root / "checkov-junit.xml").write_text(xml.format(escape(failure)))
    (root / "notes.txt").write_text(value)


def redact_dir(tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", "-m", "tablekit.review.redact_reports", str(tmp / "reports"), str(tmp / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_reports_keep_the_checks_and_lose_every_quoted_value(tmp_path: Path) -> None:
    value = "owner-S3CR3T-0042"
    write_reports(tmp_path / "reports", value)
    raw = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert all(value in p.read_text() for p in raw), "each raw report must quote the value, or this proves nothing"
    proc = redact_dir(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not uploaded (not a known report): notes.txt" in proc.stderr  # unknown files fail closed
    written = {
        p.relative_to(tmp_path / "out").as_posix(): p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file()
    }
    assert set(written) == {
        "plans/plan-dev.json",
        "checkov/plan-dev/results.json",
        "checkov.sarif",
        "checkov-junit.xml",
    }
    for name, text in written.items():
        assert value not in text, f"{name} still quotes the sensitive value"
    report = json.loads(written["checkov/plan-dev/results.json"])
    (failed,) = report["results"]["failed_checks"]
    assert set(failed) <= {*FINDING_FIELDS, "check_result"} and failed["check_result"] == {"result": "FAILED"}
    assert failed["resource"] == ADDRESS and report["summary"]["failed"] == 1
    assert "snippet" not in written["checkov.sarif"] and "CKV_AWS_28" in written["checkov.sarif"]
    # What the comment reads of it is intact.
    policy = PolicyResult.load(tmp_path / "out" / "checkov/plan-dev/results.json", "dev")
    assert (policy.failed, policy.passed, policy.check_ids) == (1, 1, ("CKV_AWS_28",))


@pytest.mark.slow
@settings(max_examples=15)
@given(value=secret())
def test_no_secret_survives_in_any_report(value: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_reports(root / "reports", value)
        proc = redact_dir(root)
        assert proc.returncode == 0, proc.stderr
        for path in (root / "out").rglob("*"):
            if path.is_file():
                text = path.read_text()
                assert value not in text and json.dumps(value)[1:-1] not in text, path.name


def test_a_report_that_is_not_json_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "reports" / "checkov" / "plan-dev").mkdir(parents=True)
    (tmp_path / "reports" / "checkov" / "plan-dev" / "results.json").write_text("{oops")
    proc = redact_dir(tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "not a JSON report" in proc.stderr and not (tmp_path / "out").exists()


def test_quoted_values_go_even_when_no_plan_marks_them(tmp_path: Path) -> None:
    """Values are dropped by what they are (quotes of the scanned file), not only searched for:
    without the plan, nothing marks the value, and still no quote of it is uploaded."""
    value = "plain-owner-0042"
    write_reports(tmp_path / "reports", value, with_plan=False)
    assert redact_dir(tmp_path).returncode == 0
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            kept = [line for line in path.read_text().splitlines() if value in line]
            assert all("resource_address" in line for line in kept), f"{path.name}: {kept}"

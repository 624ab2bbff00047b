"""checkov policy gate: a fixture with an unprotected table fails with the expected check IDs (in
the directory scan and in the plan scan), a protected one passes, and the skip rules hold."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tablekit import cliargs
from tablekit.errors import UserError
from tablekit.review import policy, policy_gate
from tablekit.staging.providers import endpoint_provider_hcl
from tablekit.terraform.runner import Terraform

FIXTURES = Path(__file__).parent / "fixtures" / "policy"
CMK = "CKV_AWS_119"  # DynamoDB table encrypted with a customer-managed KMS key
PITR = "CKV_AWS_28"  # DynamoDB point-in-time recovery enabled


def planned(case: str, tmp_path: Path, endpoint_url: str) -> tuple[Path, Path]:
    """Copy a fixture, plan it against the session endpoint; returns (dir, plan JSON)."""
    work = tmp_path / case
    shutil.copytree(FIXTURES / case, work)
    (work / "provider.tf").write_text(endpoint_provider_hcl(endpoint_url))
    tf = Terraform(work)
    tf.init()
    plan_json = tmp_path.parent / f"{case}.plan.json"
    tf.plan(work / "plan.tfplan", refresh=False, json_out=plan_json)
    return work, plan_json


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory, endpoint_url: str) -> policy_gate.GateResult:
    """One gate run over both fixtures (3 checkov runs instead of 4: checkov start-up dominates the time)."""
    tmp = tmp_path_factory.mktemp("policy")
    src = tmp / "src"  # both cases under one tree: one directory scan covers both
    _, bad_plan = planned("bad", src, endpoint_url)
    _, clean_plan = planned("clean", src, endpoint_url)
    return policy_gate.run_gate(
        [src], {"bad": bad_plan, "clean": clean_plan}, source_roots=[src], report_dir=tmp / "reports"
    )


def _in(case: str, findings: list[policy.Finding]) -> set[tuple[str, str]]:
    return {(f.check_id, f.resource.split(".")[-1]) for f in findings if f"/{case}/" in f"/{f.file}"}


@pytest.mark.slow
def test_unprotected_table_fails_the_gate(gate: policy_gate.GateResult) -> None:
    assert not gate.ok
    static, plan_bad = gate.scans[0], gate.scans[1]
    assert plan_bad.name == "plan-bad"
    for scan in (static, plan_bad):
        failed = _in("bad", scan.failed)
        assert (CMK, "unprotected") in failed, scan.name
        assert (PITR, "unprotected") in failed, scan.name
        assert _in("bad", scan.unreasoned_skips) == {(PITR, "lazy_skip")}, scan.name
    assert not plan_bad.ok
    # the plan scan maps findings back to the .tf file (enrichment), so inline skips apply to it
    assert {Path(f.file).name for f in plan_bad.failed} == {"main.tf"}
    sarif = json.loads(gate.sarif.read_text())
    assert len(sarif["runs"]) == 1
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {CMK, PITR}
    plan_uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
        if r["properties"]["tablekitScan"] == "plan-bad"
    }
    assert plan_uris and all(u.endswith("bad/main.tf") for u in plan_uris), plan_uris  # the .tf, not the plan
    junit = ET.parse(gate.junit).getroot()
    assert junit.tag == "testsuites" and int(junit.get("failures")) >= 4


@pytest.mark.slow
def test_protected_table_passes_the_gate(gate: policy_gate.GateResult) -> None:
    static, plan_clean = gate.scans[0], gate.scans[2]
    assert plan_clean.name == "plan-clean"
    assert plan_clean.ok and plan_clean.passed > 0, plan_clean.failed
    assert policy_gate.GateResult(scans=[plan_clean], config_problems=[]).ok
    assert _in("clean", static.failed) == set() and _in("clean", static.unreasoned_skips) == set()
    for scan in (static, plan_clean):
        assert [(s.check_id, s.reason) for s in scan.skipped if "/clean/" in f"/{s.file}"] == [
            (PITR, "scratch table of the fixture, rebuilt from source data, no backup needed")
        ], scan.name


def test_config_skips_need_a_comment(tmp_path: Path) -> None:
    cfg = tmp_path / ".checkov.yaml"
    cfg.write_text(
        "skip-check:\n"
        "  # Lambda code signing: the zip is built in this repo's CI, not downloaded\n"
        "  - CKV_AWS_272\n"
        "  - CKV_AWS_117  # the handler talks only to DynamoDB over its endpoint\n"
        "  - CKV_AWS_116\n"
    )
    assert policy.config_skips(cfg) == ["CKV_AWS_272", "CKV_AWS_117", "CKV_AWS_116"]
    assert policy.config_problems(cfg) == [".checkov.yaml:5: skip of CKV_AWS_116 has no comment saying why"]


def test_config_must_not_soften_the_gate(tmp_path: Path) -> None:
    cfg = tmp_path / ".checkov.yaml"
    cfg.write_text("soft-fail: true\nskip-check: [CKV_AWS_28]\n")
    problems = policy.config_problems(cfg)
    assert any("soft-fail" in p for p in problems) and any("as a list" in p for p in problems)


def test_repository_config_is_reviewable() -> None:
    assert policy.config_problems(policy.CONFIG_FILE) == []


def test_checkov_env_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BC_API_KEY", "secret")
    monkeypatch.setenv("EVAL_TF_PLAN_AFTER_UNKNOWN", "true")
    env = policy.checkov_env()
    assert "BC_API_KEY" not in env
    assert "EVAL_TF_PLAN_AFTER_UNKNOWN" not in env  # never inherited: only plan scans set it
    assert env["BC_SKIP_MAPPING"] == "TRUE" and env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"


def test_plan_scans_read_known_after_apply_as_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key created in the same plan has an unknown ARN: plan scans count it as set (see policy.py)."""
    monkeypatch.delenv("EVAL_TF_PLAN_AFTER_UNKNOWN", raising=False)
    monkeypatch.setenv("BC_API_KEY", "secret")
    env = policy.checkov_env(plan=True)
    assert env["EVAL_TF_PLAN_AFTER_UNKNOWN"] == "true"
    assert "BC_API_KEY" not in env and env["BC_SKIP_MAPPING"] == "TRUE"


def test_plan_json_arguments(tmp_path: Path) -> None:
    plan = tmp_path / "prod.json"
    plan.write_text("{}")
    assert cliargs.env_files([f"production={plan}"], "--plan") == {"production": plan}
    with pytest.raises(UserError, match="write ENV=FILE"):
        cliargs.env_files([str(plan)], "--plan")
    with pytest.raises(UserError, match="no such file"):
        cliargs.env_files([f"dev={tmp_path / 'missing.json'}"], "--plan")

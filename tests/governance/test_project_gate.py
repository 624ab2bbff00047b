"""The project's own Terraform passes its policy gate: the same scans `just lint` runs.

The plan scan of every env's plan JSON, with each plan's inline skips looked up in modules/ + that
env only; the static scans of modules/ and of each env directory are in
test_project_gate_static.py (they need no plan, so another xdist worker runs them meanwhile).

Why it is cheap enough to run with the suite: the plans come from the session fixture
`env_plan_files` (tests/conftest.py) that tests/envs also reads, so no env is planned twice, and
the three checkov runs happen once for the whole module (checkov start-up and parsing dominate;
about a minute on the shared 2-core machine).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from governance_support import gate_problems

from tablekit.paths import ENVS, MODULES
from tablekit.review import policy, policy_gate

pytestmark = pytest.mark.slow

ENV_NAMES = ("local", "dev", "prod")
TABLES_PER_ENV = 35


@pytest.fixture(scope="module")
def gate(env_plan_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> policy_gate.GateResult:
    plans = {env: env_plan_files[env] for env in ENV_NAMES}
    return policy_gate.run_gate(
        [],
        plans,
        report_dir=tmp_path_factory.mktemp("project-gate"),
        plan_roots={env: [MODULES, ENVS / env] for env in plans},
    )


def _passed(scan: policy.ScanResult) -> list[tuple[str, str]]:
    """(check ID, resource address) of every passed check, from the scan's JSON report."""
    data = json.loads(scan.reports["json"].read_text())
    reports = data if isinstance(data, list) else [data]
    return [
        (c["check_id"], c["resource"])
        for report in reports
        for c in (report.get("results") or {}).get("passed_checks", [])
    ]


def test_every_env_plan_passes_the_policy_gate(gate: policy_gate.GateResult) -> None:
    problems = gate_problems(gate)
    assert problems == [], "\n".join(problems)
    assert gate.ok


def test_every_plan_was_scanned(gate: policy_gate.GateResult) -> None:
    """A gate that silently scans nothing would pass too."""
    names = [scan.name for scan in gate.scans]
    assert names == [f"plan-{e}" for e in ENV_NAMES]
    assert all(scan.passed > 50 for scan in gate.scans), {scan.name: scan.passed for scan in gate.scans}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_encryption_checks_ran_on_the_plan_and_passed(gate: policy_gate.GateResult, env: str) -> None:
    """The customer-managed-key checks were evaluated (not skipped) on every table, queue and vault."""
    scan = next(s for s in gate.scans if s.name == f"plan-{env}")
    passed = _passed(scan)
    cmk_tables = {r for c, r in passed if c == "CKV_AWS_119"}
    assert len(cmk_tables) == TABLES_PER_ENV, sorted(cmk_tables)
    assert not [s for s in scan.skipped if s.check_id == "CKV_AWS_119"], "CKV_AWS_119 must not be skipped"
    assert {r for c, r in passed if c in ("CKV_AWS_27", "CKV2_AWS_73")} == {
        "module.estate.module.university.aws_sqs_queue.dlq[0]"
    }
    if env == "prod":
        assert ("CKV_AWS_166", "module.estate.module.ielts_genai_prep.aws_backup_vault.this[0]") in passed
    keys = {r for c, r in passed if c == "CKV_AWS_7"}  # KMS key rotation
    assert keys >= {"module.kms.aws_kms_key.this"}

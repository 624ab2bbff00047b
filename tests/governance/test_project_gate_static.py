"""The project's own Terraform passes the static half of its policy gate: the directory scans
`just lint` runs, modules/ and each env directory (one checkov run per directory, as
`tablekit lint` does: the envs share resource addresses).

Split from test_project_gate.py (the plan scans, which need every env planned): these need no
plan, so they run on another xdist worker while the env plans are made.
"""

from __future__ import annotations

import pytest
from governance_support import gate_problems

from tablekit.commands.lint import default_dirs
from tablekit.review import policy_gate

pytestmark = pytest.mark.slow

ENV_NAMES = ("local", "dev", "prod")


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> policy_gate.GateResult:
    return policy_gate.run_gate(default_dirs(), {}, report_dir=tmp_path_factory.mktemp("project-gate-static"))


def test_modules_and_every_env_directory_pass_the_policy_gate(gate: policy_gate.GateResult) -> None:
    problems = gate_problems(gate)
    assert problems == [], "\n".join(problems)
    assert gate.ok


def test_every_directory_was_scanned(gate: policy_gate.GateResult) -> None:
    """A gate that silently scans nothing would pass too."""
    names = [scan.name for scan in gate.scans]
    assert names == ["terraform-modules", *(f"terraform-{e}" for e in ENV_NAMES)]
    assert all(scan.passed > 50 for scan in gate.scans), {scan.name: scan.passed for scan in gate.scans}

"""The project's own Terraform passes the static half of its policy gate: the directory scans
`just lint` runs, modules/ and each env directory (one checkov run per directory, as
`tablekit lint` does: the envs share resource addresses).

Split from test_project_gate.py (the plan scans, which need every env planned): these need no
plan, so they run on another xdist worker while the env plans are made. One test per directory:
on a fresh clone checkov has no cached result and spends 20-40 s on each scan, so the four scans
in one test took over 100 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from governance_support import gate_problems

from tablekit.commands.lint import default_dirs
from tablekit.paths import ENV_NAMES, ROOT
from tablekit.review import policy_gate

pytestmark = pytest.mark.slow

SCANS = {"modules": "terraform-modules", **{f"envs/{env}": f"terraform-{env}" for env in ENV_NAMES}}


def test_the_gate_scans_modules_and_every_env_directory() -> None:
    """A gate that silently scans less would pass too."""
    assert [d.relative_to(ROOT).as_posix() for d in default_dirs()] == list(SCANS)


@pytest.mark.parametrize("directory", list(SCANS))
def test_each_directory_passes_the_policy_gate(directory: str, tmp_path: Path) -> None:
    gate = policy_gate.run_gate([ROOT / directory], {}, report_dir=tmp_path)
    problems = gate_problems(gate)
    assert problems == [], "\n".join(problems)
    assert gate.ok
    (scan,) = gate.scans
    assert scan.name == SCANS[directory] and scan.passed > 50, (scan.name, scan.passed)

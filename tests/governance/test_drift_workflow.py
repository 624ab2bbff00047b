"""The nightly drift workflow's shape (its behaviour is run in tests/workflows): read-only, never
the state lock, the apply workflow's concurrency group, the real-account Terraform, and an issue
job that holds the write token but runs no repository code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from tablekit.paths import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def test_drift_plans_read_only_in_the_apply_group_and_only_the_issue_job_writes() -> None:
    drift, main = load(WORKFLOWS / "drift.yml"), load(WORKFLOWS / "main.yml")
    trigger = drift.get("on", drift.get(True))
    assert set(trigger) == {"schedule", "workflow_dispatch"} and trigger["schedule"][0]["cron"]
    assert drift["concurrency"] == main["concurrency"], "an apply half-way through must never be read"
    plan, issue = drift["jobs"]["plan"], drift["jobs"]["issue"]
    assert plan["strategy"]["matrix"]["env"] == ["dev", "prod"]
    assert plan["environment"] == "plan-${{ matrix.env }}" and plan["permissions"]["id-token"] == "write"
    uses = [str(s.get("uses", "")) for s in plan["steps"]]
    credentials = next(s for s in plan["steps"] if "configure-aws-credentials" in str(s.get("uses", "")))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}", "the read-only role"
    assert uses.index("./.github/actions/setup-terraform") < uses.index(credentials["uses"])
    runs = "\n".join(str(s.get("run", "")) for s in plan["steps"])
    assert "--refresh-only --no-lock" in runs and "python -m tablekit.review.drift_issue" in runs
    assert issue["permissions"] == {"issues": "write"} and issue["needs"] == ["plan"]
    assert not any("checkout" in str(s.get("uses", "")) or "run" in s for s in issue["steps"])
    script = next(s for s in issue["steps"] if "github-script" in str(s.get("uses", "")))["with"]["script"]
    assert "i.user.login === AUTHOR" in script and "startsWith(marker)" in script

"""GitHub workflows: schema-valid, zizmor-clean (offline), and the hardening rules we rely on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tablekit.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))  # the repository's own composite actions
LOCAL_ACTION = re.compile(r"^\./\.github/actions/[\w-]+$")  # pinned by the commit that holds the workflow
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# jobs that may request an OIDC token (they assume AWS roles)
OIDC_JOBS = {
    ("pr.yml", "plan-aws"),
    ("main.yml", "plan-dev"),
    ("main.yml", "apply-dev"),
    ("main.yml", "plan-prod"),
    ("main.yml", "apply-prod"),
    ("drift.yml", "plan"),
}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "main.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_schema_valid(path: Path) -> None:
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_has_no_findings() -> None:
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", *map(str, WORKFLOWS + ACTIONS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = json.loads(proc.stdout or "[]")
    summary = [(f.get("ident"), f.get("desc")) for f in findings]
    assert proc.returncode == 0 and findings == [], summary or proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_hardening_rules(path: Path) -> None:
    doc = load(path)
    text = path.read_text()
    assert doc.get("permissions") == {}, "top-level permissions must be {} (jobs ask for what they need)"
    assert "concurrency" in doc, "a concurrency group keeps runs of one PR/branch from racing"
    for line in text.splitlines():
        if "uses:" in line:
            ref, _, comment = line.split("uses:", 1)[1].partition("#")
            if LOCAL_ACTION.match(ref.strip()):
                assert (ROOT / ref.strip() / "action.yml").is_file(), f"no such local action: {line.strip()}"
                continue
            assert PINNED.match(ref.strip()), f"not pinned to a full commit SHA: {line.strip()}"
            assert re.match(r"\s*v\d+(\.\d+)*", comment), f"pinned action without a version comment: {line.strip()}"
    for name, job in doc["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{name}: job-level permissions must be explicit"
        if perms.get("id-token") == "write":
            assert (path.name, name) in OIDC_JOBS, f"{name}: only the AWS jobs may request an OIDC token"
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{name}: persist-credentials"
            assert "${{" not in str(step.get("run", "")), f"{name}: expressions inside run scripts (use env:)"


def _runs(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))


def test_pr_workflow_shape() -> None:
    doc = load(ROOT / ".github" / "workflows" / "pr.yml")
    jobs = doc["jobs"]
    assert set(jobs) >= {
        "static",
        "test",
        "policy",
        "upgrade-check",
        "comment-outdated",
        "plan-local",
        "plan-aws",
        "comment-render",
        "comment-post",
    }
    assert jobs["plan-aws"]["strategy"]["matrix"]["env"] == ["dev", "prod"]
    # One GitHub environment per account, so each plan role trusts only its own OIDC subject.
    assert jobs["plan-aws"]["environment"] == "plan-${{ matrix.env }}"
    assert "--no-lock" in _runs(jobs["plan-aws"]), "PR plans (read-only roles) must never take the state lock"
    assert "--base" in _runs(jobs["plan-local"]), "local is planned against the base branch's applied state"
    for name in ("plan-local", "plan-aws"):
        assert "python -m tablekit.review.redact" in _runs(jobs[name]), f"{name}: plans are redacted before upload"
        uploads = [s for s in jobs[name]["steps"] if "upload-artifact" in str(s.get("uses", ""))]
        assert uploads and all(s["with"]["retention-days"] == 1 for s in uploads)
        assert all(s["with"]["path"] == "build/ci/upload/" for s in uploads), f"{name}: only redacted files upload"
    for name in ("comment-post", "comment-outdated"):
        assert jobs[name]["permissions"] == {"pull-requests": "write"}
        assert not any("actions/checkout" in str(s.get("uses", "")) for s in jobs[name]["steps"]), (
            "the job holding a write token must not run repository code"
        )
        script = next(s for s in jobs[name]["steps"] if "github-script" in str(s.get("uses", "")))
        assert "c.user.login === AUTHOR" in script["with"]["script"], f"{name}: find the comment by its author too"
    assert "--failed" in _runs(jobs["comment-render"]) and "--run-url" in _runs(jobs["comment-render"])
    upgrade = jobs["upgrade-check"]
    checkout = next(s for s in upgrade["steps"] if "actions/checkout" in str(s.get("uses", "")))
    assert checkout["with"]["fetch-depth"] == 0, "the merge base must be in the clone"
    assert 'upgrade-check --from "$BASE_SHA"' in _runs(upgrade)
    assert "git merge-base" in _runs(upgrade)
    assert any("upload-sarif" in str(s.get("uses", "")) for s in jobs["policy"]["steps"])
    assert any(s.get("run") == "./just test" for s in jobs["test"]["steps"])


def test_main_workflow_plans_once_and_applies_that_plan_behind_environments() -> None:
    doc = load(ROOT / ".github" / "workflows" / "main.yml")
    trigger = doc.get("on", doc.get(True))  # PyYAML reads a bare `on` key as True
    assert trigger == {"push": {"branches": ["main"]}}
    jobs = doc["jobs"]
    assert jobs["apply-dev"]["environment"] == "dev" and jobs["apply-prod"]["environment"] == "prod"
    assert jobs["plan-dev"]["environment"] == "state-dev" and jobs["plan-prod"]["environment"] == "state-prod"
    assert jobs["apply-dev"]["needs"] == ["plan-dev"] and jobs["plan-prod"]["needs"] == ["apply-dev"]
    assert jobs["apply-prod"]["needs"] == ["plan-prod"]
    assert doc["concurrency"]["cancel-in-progress"] is False
    for env in ("dev", "prod"):
        plan, apply = _runs(jobs[f"plan-{env}"]), _runs(jobs[f"apply-{env}"])
        assert plan.index('tablekit migrate "$ENV_NAME" --dry-run') < plan.index('tablekit migrate "$ENV_NAME"\n')
        assert plan.index("tablekit migrate") < plan.index("tablekit plan"), "migrations first, then the plan"
        assert "--lock-timeout" in plan and "GITHUB_STEP_SUMMARY" in plan, "the gate shows the plan"
        assert "openssl enc -aes-256-cbc" in plan, "the saved plan uploads only encrypted"
        assert "tablekit plan" not in apply and "setup" not in apply and "auto-approve" not in apply
        assert "--saved-plan" in apply and "--sha256" in apply and "--lock-timeout" in apply
        assert "tablekit seed" in apply
        uploads = [s for s in jobs[f"plan-{env}"]["steps"] if "upload-artifact" in str(s.get("uses", ""))]
        assert [s["with"]["retention-days"] for s in uploads] == [1]


def test_pre_commit_hooks_are_local_and_use_the_project_venv() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])
    assert {h["id"] for h in hooks} >= {
        "terraform-fmt",
        "terraform-validate",
        "checkov",
        "ruff",
        "workflow-schema",
        "zizmor",
    }
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        program = hook["entry"].split()[0]
        assert program.startswith(("./.venv/bin/", "./just")), f"{hook['id']} must run through the project venv"
        assert (ROOT / program).exists() or program.startswith("./.venv/bin/"), hook["id"]


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.parent.name)
def test_local_actions_pin_what_they_use(path: Path) -> None:
    for line in path.read_text().splitlines():
        if "uses:" in line and not line.lstrip().startswith("#"):
            ref, _, comment = line.split("uses:", 1)[1].partition("#")
            assert PINNED.match(ref.strip()), f"not pinned to a full commit SHA: {line.strip()}"
            assert re.match(r"\s*v\d+(\.\d+)*", comment), f"pinned action without a version comment: {line.strip()}"

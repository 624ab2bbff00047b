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
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# jobs that may request an OIDC token (they assume AWS roles)
OIDC_JOBS = {("pr.yml", "plan-aws"), ("main.yml", "apply-dev"), ("main.yml", "apply-prod")}


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
        [str(BIN / "zizmor"), "--offline", "--format", "json", *map(str, WORKFLOWS)],
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


def test_pr_workflow_shape() -> None:
    doc = load(ROOT / ".github" / "workflows" / "pr.yml")
    jobs = doc["jobs"]
    assert set(jobs) >= {"static", "test", "policy", "plan-local", "plan-aws", "comment-render", "comment-post"}
    assert jobs["plan-aws"]["strategy"]["matrix"]["env"] == ["dev", "prod"]
    assert jobs["comment-post"]["permissions"] == {"pull-requests": "write"}
    assert not any("actions/checkout" in str(s.get("uses", "")) for s in jobs["comment-post"]["steps"]), (
        "the job holding a write token must not run repository code"
    )
    assert any("upload-sarif" in str(s.get("uses", "")) for s in jobs["policy"]["steps"])
    assert any(s.get("run") == "./just test" for s in jobs["test"]["steps"])


def test_main_workflow_applies_dev_then_prod_behind_environments() -> None:
    doc = load(ROOT / ".github" / "workflows" / "main.yml")
    trigger = doc.get("on", doc.get(True))  # PyYAML reads a bare `on` key as True
    assert trigger == {"push": {"branches": ["main"]}}
    jobs = doc["jobs"]
    assert jobs["apply-dev"]["environment"] == "dev" and jobs["apply-prod"]["environment"] == "prod"
    assert jobs["apply-prod"]["needs"] == ["apply-dev"]
    assert doc["concurrency"]["cancel-in-progress"] is False


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

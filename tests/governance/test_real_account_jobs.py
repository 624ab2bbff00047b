"""Every workflow job that holds a real account's role runs the real toolchain (issue 20).

Generic on purpose: any job of any workflow file (today pr.yml and main.yml, tomorrow a nightly
drift check) that requests an OIDC token (`id-token: write`), assumes an AWS role
(aws-actions/configure-aws-credentials) or runs a command with `--account aws` is a real-account
job, and must

- install Terraform through `./.github/actions/setup-terraform` (the one place naming the
  version) before it runs any tablekit, just or terraform command;
- never fall back to the offline double: bootstrap with TABLEKIT_NO_OFFLINE_MIRROR=1, and never
  set TABLEKIT_ACCOUNT to anything but aws, pass --account simulated, point TF_CLI_CONFIG_FILE
  anywhere, set the retired TABLEKIT_ONLINE, or run the venv's terraform;
- carry the lock file: a job that saves a plan uploads the `.terraform.lock.hcl` its init wrote,
  and a job that applies one initialises with `--lock-file`.

The local PR plan job holds no role and stays on the double. Each rule is broken on purpose once
below, and the checker must catch it. The workflow simulation (tests/workflows) cannot see these
mistakes: it substitutes the double for the setup-terraform action.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tablekit.paths import ROOT
from tablekit.terraform import toolchain

WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / ".github" / "actions" / "setup-terraform" / "action.yml"
SETUP = "./.github/actions/setup-terraform"
RUNS_TOOLS = re.compile(r"(^|[\s;&|(/])(\./just|just|tablekit|terraform)(\s|$)", re.M)
FALLBACKS = {
    "--account simulated": re.compile(r"--account[ =]simulated"),
    "TF_CLI_CONFIG_FILE": re.compile(r"TF_CLI_CONFIG_FILE"),
    "TABLEKIT_ONLINE": re.compile(r"TABLEKIT_ONLINE"),
    "the venv's terraform": re.compile(r"\.venv/bin/terraform|tablekit tf\b|just tf\b"),
    "TABLEKIT_ACCOUNT=simulated": re.compile(r"TABLEKIT_ACCOUNT=\"?simulated"),
}


def _load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def _steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(job.get("steps") or [])


def holds_real_account(job: Mapping[str, Any]) -> bool:
    permissions = job.get("permissions") or {}
    if isinstance(permissions, Mapping) and permissions.get("id-token") == "write":
        return True
    for step in _steps(job):
        if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials"):
            return True
        if re.search(r"--account[ =]aws", str(step.get("run", ""))):
            return True
    return False


def _env(*levels: Mapping[str, Any] | None) -> dict[str, str]:
    merged: dict[str, str] = {}
    for level in levels:
        merged.update({str(k): str(v) for k, v in (level or {}).items()})
    return merged


def problems(doc: Mapping[str, Any], name: str) -> list[str]:
    """What is wrong with the real-account jobs of one workflow document."""
    found: list[str] = []
    for job_name, job in (doc.get("jobs") or {}).items():
        if not holds_real_account(job):
            continue
        where = f"{name} / {job_name}"
        steps = _steps(job)
        setup = [i for i, s in enumerate(steps) if s.get("uses") == SETUP]
        tools = [i for i, s in enumerate(steps) if RUNS_TOOLS.search(str(s.get("run", "")))]
        if not setup:
            found.append(f"{where}: holds a real account's role but has no `uses: {SETUP}` step")
        elif tools and tools[0] < setup[0]:
            found.append(f"{where}: runs {steps[tools[0]].get('name')!r} before {SETUP}")
        for step in steps:
            if str(step.get("uses", "")).startswith("hashicorp/setup-terraform"):
                found.append(f"{where}: uses hashicorp/setup-terraform directly (the version lives in {SETUP})")
        bootstrapped = False
        for index, step in enumerate(steps):
            env = _env(doc.get("env"), job.get("env"), step.get("env"))
            text = str(step.get("run", "")) + "\n" + "\n".join(f"{k}={v}" for k, v in env.items())
            for label, pattern in FALLBACKS.items():
                if pattern.search(text):
                    found.append(f"{where}: step {step.get('name') or index} could fall back to the double ({label})")
            if env.get("TABLEKIT_ACCOUNT", "aws") != "aws":
                found.append(
                    f"{where}: step {step.get('name') or index} sets TABLEKIT_ACCOUNT={env['TABLEKIT_ACCOUNT']}"
                )
            first_just = not bootstrapped and re.search(r"(^|\s)\./just(\s|$)", str(step.get("run", "")))
            bootstrapped = bootstrapped or bool(first_just)
            if first_just and env.get("TABLEKIT_NO_OFFLINE_MIRROR") in (None, "", "0"):
                found.append(
                    f"{where}: step {step.get('name') or index} bootstraps the offline mirror "
                    '(set TABLEKIT_NO_OFFLINE_MIRROR: "1")'
                )
        scripts = "\n".join(str(s.get("run", "")) for s in steps)
        uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
        if re.search(r"tablekit plan .*--saved-plan|--saved-plan[^\n]*\n?[^\n]*tablekit plan", scripts, re.S):
            copies = re.search(r"cp [^\n]*\.tfplan\.lock\.hcl\"? [^\n]*build/ci/upload/", scripts)
            uploaded = any("build/ci/upload" in str((s.get("with") or {}).get("path", "")) for s in uploads)
            if not (copies and uploaded):
                found.append(f"{where}: saves a plan but does not upload the lock file its init wrote")
        if re.search(r"tablekit apply|just apply", scripts) and "--lock-file" not in scripts:
            found.append(f"{where}: applies a saved plan without --lock-file (the plan's providers)")
    return found


def _workflows() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        yield path.name, _load(path)


def test_every_real_account_job_runs_the_pinned_terraform_and_carries_the_lock_file() -> None:
    real = [(n, j) for n, doc in _workflows() for j, job in doc["jobs"].items() if holds_real_account(job)]
    assert {("pr.yml", "plan-aws"), ("main.yml", "apply-prod")} <= set(real), real
    assert [p for name, doc in _workflows() for p in problems(doc, name)] == []


def test_the_local_pr_plan_stays_on_the_double() -> None:
    job = _load(WORKFLOWS / "pr.yml")["jobs"]["plan-local"]
    assert not holds_real_account(job)
    assert all(step.get("uses") != SETUP for step in _steps(job))


def test_the_action_is_the_one_place_naming_a_pinned_current_terraform() -> None:
    text = ACTION.read_text()
    action = yaml.safe_load(text)
    assert action["runs"]["using"] == "composite"
    pinned = [s for s in action["runs"]["steps"] if str(s.get("uses", "")).startswith("hashicorp/setup-terraform")]
    assert len(pinned) == 1
    assert re.search(r"uses: hashicorp/setup-terraform@[0-9a-f]{40} # v\d+\.\d+\.\d+\n", text), "SHA pin + release"
    version = str(pinned[0]["with"]["terraform_version"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "a patch pin, never `latest` or a range"
    assert toolchain.admits(version), f"{version} is below the modules' floor {toolchain.floor()}"
    reason = text[: text.index("terraform_version:")].rsplit("with:", 1)[1]
    assert f"# Terraform {version}:" in reason, "the version's reason sits right above it"
    assert str(pinned[0]["with"]["terraform_wrapper"]).lower() == "false"
    for path in WORKFLOWS.glob("*.y*ml"):
        assert "terraform_version" not in path.read_text(), f"{path.name} names a Terraform version itself"


def _break(name: str, job: str, change: Any) -> list[str]:
    doc = copy.deepcopy(_load(WORKFLOWS / name))
    change(doc["jobs"][job])
    return problems(doc, name)


def _without_setup(job: dict[str, Any]) -> None:
    job["steps"] = [s for s in job["steps"] if s.get("uses") != SETUP]


def _setup_late(job: dict[str, Any]) -> None:
    steps = job["steps"]
    setup = next(s for s in steps if s.get("uses") == SETUP)
    steps.remove(setup)
    steps.append(setup)


def _without_lock_upload(job: dict[str, Any]) -> None:
    for step in job["steps"]:
        if "run" in step:
            step["run"] = re.sub(r"\n[^\n]*cp [^\n]*lock\.hcl[^\n]*", "", step["run"])


def _without_lock_file(job: dict[str, Any]) -> None:
    for step in job["steps"]:
        if "run" in step:
            step["run"] = re.sub(r'--lock-file "[^"]*" ', "", step["run"])


def _simulated(job: dict[str, Any]) -> None:
    job.setdefault("env", {})["TABLEKIT_ACCOUNT"] = "simulated"


def _with_mirror(job: dict[str, Any]) -> None:
    for step in job["steps"]:
        (step.get("env") or {}).pop("TABLEKIT_NO_OFFLINE_MIRROR", None)


def _venv_terraform(job: dict[str, Any]) -> None:
    job["steps"].append({"name": "show", "run": ".venv/bin/terraform version"})


@pytest.mark.parametrize(
    ("workflow", "job", "change", "expected"),
    [
        ("pr.yml", "plan-aws", _without_setup, "has no `uses: ./.github/actions/setup-terraform` step"),
        ("main.yml", "apply-prod", _without_setup, "has no `uses: ./.github/actions/setup-terraform` step"),
        ("main.yml", "plan-dev", _setup_late, "before ./.github/actions/setup-terraform"),
        ("main.yml", "plan-prod", _without_lock_upload, "does not upload the lock file"),
        ("main.yml", "apply-dev", _without_lock_file, "without --lock-file"),
        ("pr.yml", "plan-aws", _simulated, "sets TABLEKIT_ACCOUNT=simulated"),
        ("main.yml", "apply-dev", _with_mirror, "bootstraps the offline mirror"),
        ("main.yml", "plan-prod", _venv_terraform, "could fall back to the double (the venv's terraform)"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_breaking_a_real_account_job_on_purpose_fails(workflow: str, job: str, change: Any, expected: str) -> None:
    found = _break(workflow, job, change)
    assert any(expected in line and job in line for line in found), found


def test_a_new_workflow_with_a_role_is_checked_too() -> None:
    """A later workflow (a nightly drift plan) is covered without editing this file."""
    drift = {
        "jobs": {
            "drift": {
                "permissions": {"id-token": "write", "contents": "read"},
                "steps": [
                    {"uses": "actions/checkout@0000000000000000000000000000000000000000"},
                    {"name": "plan", "run": ".venv/bin/tablekit plan prod --no-lock"},
                ],
            }
        }
    }
    assert any("no `uses: ./.github/actions/setup-terraform`" in p for p in problems(drift, "drift.yml"))

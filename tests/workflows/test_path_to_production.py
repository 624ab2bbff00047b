"""The workflows as executable specifications: a pull request, its merge, and the next pull request,
run step by step (tests/workflows/runner.py) against the simulated account.

PR -> plans of local, dev and prod succeed -> one sticky comment with a row per env -> merge ->
main plans dev and prod once, shows each plan at the gate (job summary), applies exactly that
saved plan (its sha256 checked) and seeds without overwriting -> the next PR's comment first says
"outdated", then shows no changes for dev and prod. A failing step fails the test with its name.
A plan with a sensitive variable uploads nothing of it through the workflows' own steps.

The jobs share the repository's build/ci scratch area, so every workflow run lives in this one
file (one xdist worker runs it, in order).
"""

from __future__ import annotations

import copy
import json
import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tablekit import account, envs, staging
from tablekit.endpoint import Endpoint
from tablekit.paths import ROOT
from tablekit.probes import free_port
from tablekit.terraform import Terraform

from .runner import BOT, Github, Run, load, run_workflow

pytestmark = [pytest.mark.apply, pytest.mark.slow]

WORKFLOWS = ROOT / ".github" / "workflows"
PR_JOBS = {"comment-outdated", "plan-local", "plan-aws", "comment-render", "comment-post"}
# Not run here, and why: each has its own tests (the suite itself, tests/governance for lint and
# the policy gate, tests/upgrade for upgrade-check), and none of them plans or applies an env.
NOT_SIMULATED = {"static", "test", "policy", "upgrade-check"}
MARKER = "<!-- tablekit-plan-comment -->"
OUTDATED = "<!-- tablekit-plan-outdated -->"
PROD_TOPIC = re.search(r'"(arn:[^"]+)"', (ROOT / "envs/prod/example.tfvars").read_text()).group(1)  # type: ignore[union-attr]
TIMES: dict[str, float] = {}


def _head() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The simulated account for one PR -> merge -> PR cycle: its endpoint, state store and the
    repository's variables and secrets as the workflows read them."""
    tmp = tmp_path_factory.mktemp("simulated")
    endpoint = Endpoint(port=free_port(), state_dir=tmp / "endpoint")
    endpoint.start(timeout=60)
    account.state_store(endpoint.url, "dev", tmp / "accounts")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TABLEKIT_", "PYTEST_"))}
    env["TABLEKIT_ENDPOINT_PORT"] = str(endpoint.port)
    try:
        yield {
            "endpoint": endpoint,
            "env": env,
            "github": Github(store=tmp / "github"),
            "variables": {
                "TF_STATE_BUCKET": account.SIMULATED_BUCKET,
                "TF_LOCK_TABLE": account.SIMULATED_LOCK_TABLE,
                "AWS_REGION": account.SIMULATED_REGION,
                "PROD_ALARM_SNS_TOPIC_ARN": PROD_TOPIC,
                "AWS_PLAN_ROLE_ARN": "arn:aws:iam::111111111111:role/plan",
                "AWS_STATE_ROLE_ARN": "arn:aws:iam::111111111111:role/state",
                "AWS_APPLY_ROLE_ARN": "arn:aws:iam::111111111111:role/apply",
            },
            "secrets": {"PLAN_ENCRYPTION_KEY": secrets.token_hex(32)},
        }
    finally:
        endpoint.stop()


def _run(simulated: dict[str, Any], event_name: str, run_id: int, variables: dict[str, str] | None = None) -> Run:
    head = _head()
    event: dict[str, Any] = {}
    if event_name == "pull_request":
        event = {
            "pull_request": {"number": 7, "base": {"sha": head}, "head": {"repo": {"full_name": "example/tablekit"}}}
        }
    return Run(
        github=simulated["github"],
        event_name=event_name,
        event=event,
        variables=variables or dict(simulated["variables"]),
        secrets=simulated["secrets"],
        env=simulated["env"],
        sha=head,
        run_id=run_id,
    )


def assert_succeeded(results: dict[str, str], github: Github) -> None:
    """Every job succeeded; otherwise fail naming the job, the step and its output."""
    failed = [line for line in github.log if line.startswith(("FAILED", "job "))]
    assert all(r == "success" for r in results.values()), f"{results}\n" + "\n".join(failed)


def _plan_counts(github: Github, env: str) -> dict[str, int]:
    plan = json.loads((github.artifacts[f"plan-{env}"].path / f"{env}.json").read_text())
    counts = {"add": 0, "change": 0, "destroy": 0}
    for rc in plan.get("resource_changes", []):
        actions = rc["change"]["actions"]
        for action in ("create", "update", "delete"):
            if action in actions:
                counts[{"create": "add", "update": "change", "delete": "destroy"}[action]] += 1
    return counts


def _bot_comments(github: Github) -> list[dict[str, Any]]:
    return [c for c in github.comments if c["user"]["login"] == BOT and MARKER in c["body"]]


@pytest.fixture(scope="module")
def first_pr(simulated: dict[str, Any]) -> Run:
    run = _run(simulated, "pull_request", 1)
    started = time.perf_counter()
    results = run_workflow(WORKFLOWS / "pr.yml", run, only=PR_JOBS)
    TIMES["pull request (plans + comment)"] = time.perf_counter() - started
    assert_succeeded(results, run.github)
    return run


def test_the_pr_workflow_runs_every_job_of_the_path_to_production() -> None:
    jobs = set(load(WORKFLOWS / "pr.yml")["jobs"])
    assert jobs == PR_JOBS | NOT_SIMULATED, "a new pr.yml job must be simulated here or named in NOT_SIMULATED"


def test_pr_plans_every_env_and_posts_one_comment_with_a_row_each(first_pr: Run) -> None:
    comments = _bot_comments(first_pr.github)
    assert len(comments) == 1
    body = comments[0]["body"]
    for env in ("local", "dev", "prod"):
        assert f"| `{env}` |" in body, f"no {env} row in the comment:\n{body}"
    assert "plan failed" not in body
    # local is compared with the base branch's applied state: this commit against itself is no news.
    assert "| `local` | 0 | 0 | 0 | 0 |" in body or "no changes" in body


def test_pr_artifacts_are_redacted_and_kept_one_day(first_pr: Run) -> None:
    for name, artifact in first_pr.github.artifacts.items():
        assert artifact.retention_days == 1, f"{name}: retention {artifact.retention_days}"
        for path in artifact.path.rglob("*.json"):
            doc = json.loads(path.read_text())
            assert "prior_state" not in doc, f"{name}/{path.name} uploads prior_state"
    assert not any(p.suffix == ".tfplan" for a in first_pr.github.artifacts.values() for p in a.path.rglob("*"))


@pytest.fixture(scope="module")
def merged(simulated: dict[str, Any], first_pr: Run) -> Run:
    run = _run(simulated, "push", 2)
    started = time.perf_counter()
    results = run_workflow(WORKFLOWS / "main.yml", run)
    TIMES["merge (plan, gate, apply, seed: dev then prod)"] = time.perf_counter() - started
    assert_succeeded(results, run.github)
    return run


def test_main_applies_the_saved_plan_shown_at_the_gate(merged: Run, simulated: dict[str, Any]) -> None:
    for env in ("dev", "prod"):
        summary = merged.github.summaries[f"plan-{env}"]
        assert f"Plan to apply: {env}" in summary and f"| `{env}` |" in summary, summary
        digest = merged.outputs[f"plan-{env}"]["sha256"]
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        uploaded = {p.name for p in merged.github.artifacts[f"plan-{env}"].path.iterdir()}
        # The lock file the plan's init wrote travels with the encrypted plan; apply inits with it.
        assert uploaded == {f"{env}.json", f"{env}.md", f"{env}.tfplan.enc", f"{env}.terraform.lock.hcl"}, uploaded
        lock = (merged.github.artifacts[f"plan-{env}"].path / f"{env}.terraform.lock.hcl").read_text()
        assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
        assert merged.github.artifacts[f"plan-{env}"].retention_days == 1
        ctx = envs.context(env, endpoint_url=simulated["endpoint"].url, account_name=account.SIMULATED)
        tables = ctx.clients().client("dynamodb").list_tables()["TableNames"]
        assert len(tables) == 35, f"{env}: {len(tables)} tables in its account"
    assert any("Apply exactly the saved plan" in line for line in merged.github.log)


def test_real_account_jobs_ran_on_the_double_and_said_so(first_pr: Run, merged: Run) -> None:
    """The simulation substitutes the offline double for the real account's Terraform, explicitly:
    once per real-account job (pr: plan-aws for dev and prod; main: plan and apply of each env)."""
    substituted = [
        line for line in merged.github.log if line.startswith("SUBSTITUTED ./.github/actions/setup-terraform")
    ]
    assert len(substituted) >= 2 + 4, substituted
    assert all("the simulated account runs the offline double (Terraform 1.0.3" in line for line in substituted)


def test_the_next_pr_marks_the_comment_outdated_then_shows_no_changes(simulated: dict[str, Any], merged: Run) -> None:
    github = simulated["github"]
    # Someone pastes the marker into a comment of their own: it must never be edited.
    github.comments.append({"id": 900, "issue_number": 7, "body": MARKER + " mine", "user": {"login": "someone"}})
    run = _run(simulated, "pull_request", 3)
    started = time.perf_counter()
    assert run_workflow(WORKFLOWS / "pr.yml", run, only={"comment-outdated"}) == {"comment-outdated": "success"}
    assert _bot_comments(github)[0]["body"].startswith(OUTDATED)
    results = run_workflow(WORKFLOWS / "pr.yml", run, only=PR_JOBS - {"comment-outdated"})
    TIMES["next pull request"] = time.perf_counter() - started
    assert_succeeded(results, github)
    ours = _bot_comments(github)
    assert len(ours) == 1 and not ours[0]["body"].startswith(OUTDATED)
    assert next(c for c in github.comments if c["id"] == 900)["body"] == MARKER + " mine"
    for env in ("dev", "prod"):
        assert _plan_counts(github, env) == {"add": 0, "change": 0, "destroy": 0}, env
    print("\nsimulated PR -> merge cycle: " + ", ".join(f"{k} {v:.0f} s" for k, v in TIMES.items()))


def test_a_broken_step_fails_naming_the_step(simulated: dict[str, Any], tmp_path: Path) -> None:
    doc = copy.deepcopy(load(WORKFLOWS / "main.yml"))
    step = next(s for s in doc["jobs"]["plan-dev"]["steps"] if s.get("name", "").startswith("Backend configuration"))
    step["run"] = step["run"].replace("printf", "printf-not-a-command", 1)
    run = _run(simulated, "push", 4)
    results = run_workflow(doc, run, only={"plan-dev"})  # type: ignore[arg-type]
    assert results == {"plan-dev": "failure"}
    with pytest.raises(AssertionError, match="failed at step 'Backend configuration from repository variables'"):
        assert_succeeded(results, run.github)
    assert not any("Plan into a saved plan file" in line for line in run.github.log[-3:])


def test_an_unset_prod_input_gets_a_plan_failed_row_naming_the_variable(simulated: dict[str, Any]) -> None:
    doc = copy.deepcopy(load(WORKFLOWS / "pr.yml"))
    doc["jobs"]["plan-aws"]["strategy"]["matrix"]["env"] = ["prod"]
    variables = {k: v for k, v in simulated["variables"].items() if k != "PROD_ALARM_SNS_TOPIC_ARN"}
    github = Github(store=simulated["github"].store.parent / "github-unset")
    run = Run(**{**_run(simulated, "pull_request", 5).__dict__, "github": github, "variables": variables})
    results = run_workflow(doc, run, only={"plan-aws", "comment-render"})  # type: ignore[arg-type]
    assert results == {"plan-aws": "failure", "comment-render": "success"}
    comment = (github.artifacts["plan-comment"].path / "comment.md").read_text()
    assert "| `prod` |" in comment and "plan failed" in comment
    assert "PROD_ALARM_SNS_TOPIC_ARN" in comment and "alarm_sns_topic_arn" in comment


SECRET_ROOT = """
variable "webhook_token" {
  type      = string
  sensitive = true
}

resource "aws_ssm_parameter" "token" {
  name  = "/tablekit/webhook-token"
  type  = "SecureString"
  value = var.webhook_token
}
"""


def test_a_plan_with_a_sensitive_variable_uploads_nothing_of_it(endpoint_url: str, tmp_path: Path) -> None:
    token = "tok-" + secrets.token_hex(12)
    case = staging.scratch_root(tmp_path / "root", SECRET_ROOT, endpoint_url=endpoint_url)
    tf = Terraform(case, env={"TF_DATA_DIR": str(tmp_path / "tfdata")})
    tf.init()
    plan_json, plan_file = tmp_path / "plan.json", tmp_path / "plan.tfplan"
    tf.plan(plan_file, {"webhook_token": token}, json_out=plan_json)
    assert token in plan_json.read_text(), "the raw plan must hold the value, or this test proves nothing"

    def job(source: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
        """The workflow job's own steps that touch the plan, after a step that puts this plan where
        the job's plan step writes its own."""
        kept = ("actions/setup-python", "actions/upload-artifact")
        steps = [
            s
            for s in copy.deepcopy(source["steps"])
            if str(s.get("name", "")).startswith(keep) or str(s.get("uses", "")).startswith(kept)
        ]
        put = (
            'mkdir -p build/ci/plans && cp "$PLAN_JSON" "build/ci/plans/$ENV_NAME.json" '
            '&& cp "$PLAN_FILE" "build/ci/plans/$ENV_NAME.tfplan" '
            '&& cp "$PLAN_LOCK" "build/ci/plans/$ENV_NAME.tfplan.lock.hcl"'
        )
        return {**source, "steps": [{"name": "the plan", "run": put}, *steps], "env": {"ENV_NAME": "dev"}}

    pr = load(WORKFLOWS / "pr.yml")
    main = load(WORKFLOWS / "main.yml")
    doc = {
        "jobs": {
            "pr-plan": job(pr["jobs"]["plan-aws"], ("Redact",)),
            "main-plan": job(main["jobs"]["plan-dev"], ("Show the plan",)),
        }
    }
    for name in ("pr-plan", "main-plan"):
        doc["jobs"][name]["strategy"] = {"matrix": {"env": ["dev"]}}
        doc["jobs"][name].pop("if", None)
        for step in doc["jobs"][name]["steps"]:
            if "upload-artifact" in str(step.get("uses", "")):
                step["with"] = {**step["with"], "name": f"{name}-artifact"}
    github = Github(store=tmp_path / "github")
    run = Run(
        github=github,
        event_name="push",
        event={},
        variables={},
        secrets={"PLAN_ENCRYPTION_KEY": secrets.token_hex(32)},
        env={
            "PATH": "/usr/bin:/bin",
            "PLAN_JSON": str(plan_json),
            "PLAN_FILE": str(plan_file),
            "PLAN_LOCK": str(case / ".terraform.lock.hcl"),  # what `tablekit plan` keeps next to the plan
            "HOME": str(tmp_path),
        },
    )
    results = run_workflow(doc, run)  # type: ignore[arg-type]
    assert results == {"pr-plan": "success", "main-plan": "success"}, "\n".join(github.log)
    uploaded = [p for artifact in github.artifacts.values() for p in artifact.path.rglob("*") if p.is_file()]
    assert {p.name for p in uploaded} == {"dev.json", "dev.md", "dev.tfplan.enc", "dev.terraform.lock.hcl"}
    for path in uploaded:
        assert token.encode() not in path.read_bytes(), f"{path.name} uploads the sensitive value"
        if path.suffix == ".json":
            assert '"prior_state"' not in path.read_text()
    assert all(a.retention_days == 1 for a in github.artifacts.values())

"""The workflows as executable specifications: a pull request, its merge, and the next pull request,
run step by step (tests/workflows/workflows_support.py) against the simulated account.

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

from tablekit import envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.envs import account
from tablekit.paths import ROOT
from tablekit.staging import copies
from tablekit.terraform.runner import Terraform

from .workflows_support import BOT, Artifact, Github, Run, load, run_workflow

pytestmark = [pytest.mark.apply, pytest.mark.slow]

WORKFLOWS = ROOT / ".github" / "workflows"
PR_JOBS = {"comment-outdated", "plan-local", "plan-aws", "comment-render", "comment-post", "destroys-data-review"}
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


def _step(run: Run, workflow: str, jobs: set[str], phase: str, matrix_env: str | None = None) -> Run:
    """Some jobs of one workflow run, as one test step: the run's results and outputs carry over to
    its later steps (`needs` reads them), as they do within a single run. `matrix_env` runs a matrix
    job for that env alone; its other entries run in steps of their own. Fails naming the job and
    the step that failed."""
    doc: Any = WORKFLOWS / workflow
    if matrix_env is not None:
        doc = copy.deepcopy(load(doc))
        for job in jobs:
            doc["jobs"][job]["strategy"]["matrix"]["env"] = [matrix_env]
    started = time.perf_counter()
    results = run_workflow(doc, run, only=jobs)
    TIMES[phase] = TIMES.get(phase, 0.0) + time.perf_counter() - started
    assert_succeeded(results, run.github)
    return run


# The first pull request, one step per job (plan-aws one per env), then the comment jobs.
PR = "pull request (plans + comment)"
COMMENT_JOBS = PR_JOBS - {"comment-outdated", "plan-local", "plan-aws"}


@pytest.fixture(scope="module")
def pr_planned_local(simulated: dict[str, Any]) -> Run:
    return _step(_run(simulated, "pull_request", 1), "pr.yml", {"comment-outdated", "plan-local"}, PR)


@pytest.fixture(scope="module")
def pr_planned_dev(pr_planned_local: Run) -> Run:
    return _step(pr_planned_local, "pr.yml", {"plan-aws"}, PR, matrix_env="dev")


@pytest.fixture(scope="module")
def pr_planned_prod(pr_planned_dev: Run) -> Run:
    return _step(pr_planned_dev, "pr.yml", {"plan-aws"}, PR, matrix_env="prod")


@pytest.fixture(scope="module")
def first_pr(pr_planned_prod: Run) -> Run:
    return _step(pr_planned_prod, "pr.yml", COMMENT_JOBS, PR)


def test_the_pr_workflow_runs_every_job_of_the_path_to_production() -> None:
    jobs = set(load(WORKFLOWS / "pr.yml")["jobs"])
    assert jobs == PR_JOBS | NOT_SIMULATED, "a new pr.yml job must be simulated here or named in NOT_SIMULATED"


def test_the_pr_plans_local_against_the_base_branch(pr_planned_local: Run) -> None:
    assert pr_planned_local.results["plan-local"] == "success"
    uploaded = {p.name for p in pr_planned_local.github.artifacts["plan-local"].path.iterdir()}
    assert uploaded == {"local.json"}, uploaded  # the redacted plan, and no error log


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_pr_plans_each_aws_env_on_the_simulated_account(request: pytest.FixtureRequest, env: str) -> None:
    run: Run = request.getfixturevalue(f"pr_planned_{env}")
    assert run.results["plan-aws"] == "success"
    uploaded = {p.name for p in run.github.artifacts[f"plan-{env}"].path.iterdir()}
    assert uploaded == {f"{env}.json"}, uploaded  # the redacted plan, and no error log


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


# The merge: main.yml one job per step (plan dev, apply dev, plan prod, apply prod).
MERGE = "merge (plan, gate, apply, seed: dev then prod)"


@pytest.fixture(scope="module")
def merge_planned_dev(simulated: dict[str, Any], first_pr: Run) -> Run:
    return _step(_run(simulated, "push", 2), "main.yml", {"plan-dev"}, MERGE)


@pytest.fixture(scope="module")
def merge_applied_dev(merge_planned_dev: Run) -> Run:
    return _step(merge_planned_dev, "main.yml", {"apply-dev"}, MERGE)


@pytest.fixture(scope="module")
def merge_planned_prod(merge_applied_dev: Run) -> Run:
    return _step(merge_applied_dev, "main.yml", {"plan-prod"}, MERGE)


@pytest.fixture(scope="module")
def merged(merge_planned_prod: Run) -> Run:
    return _step(merge_planned_prod, "main.yml", {"apply-prod"}, MERGE)


def _tables_in(simulated: dict[str, Any], env: str) -> list[str]:
    ctx = envs.context(env, endpoint_url=simulated["endpoint"].url, account_name=account.SIMULATED)
    return ctx.clients().client("dynamodb").list_tables()["TableNames"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_main_plans_each_env_into_a_saved_plan_shown_at_the_gate(request: pytest.FixtureRequest, env: str) -> None:
    run: Run = request.getfixturevalue(f"merge_planned_{env}")
    assert run.results[f"plan-{env}"] == "success"
    assert f"Plan to apply: {env}" in run.github.summaries[f"plan-{env}"]
    assert re.fullmatch(r"[0-9a-f]{64}", run.outputs[f"plan-{env}"]["sha256"])


def test_main_applies_dev_before_prod(merge_applied_dev: Run, simulated: dict[str, Any]) -> None:
    assert merge_applied_dev.results["apply-dev"] == "success"
    assert len(_tables_in(simulated, "dev")) == 35


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


# The next pull request: the outdated notice first, then plan-aws per env, the comment. Its
# plan-local would repeat the first pull request's exactly (the same base and head, a fresh
# endpoint of its own): the comment reads that run's plan-local artifact, still in the store.
NEXT = "next pull request"


@pytest.fixture(scope="module")
def next_pr_outdated(simulated: dict[str, Any], merged: Run) -> dict[str, Any]:
    github = simulated["github"]
    # Someone pastes the marker into a comment of their own: it must never be edited.
    github.comments.append({"id": 900, "issue_number": 7, "body": MARKER + " mine", "user": {"login": "someone"}})
    run = _run(simulated, "pull_request", 3)
    started = time.perf_counter()
    results = run_workflow(WORKFLOWS / "pr.yml", run, only={"comment-outdated"})
    TIMES[NEXT] = time.perf_counter() - started
    return {"run": run, "results": results, "body": _bot_comments(github)[0]["body"]}


@pytest.fixture(scope="module")
def next_pr_planned_dev(next_pr_outdated: dict[str, Any]) -> Run:
    run: Run = next_pr_outdated["run"]
    assert "plan-local" in run.github.artifacts, "the first pull request's plan-local artifact"
    return _step(run, "pr.yml", {"plan-aws"}, NEXT, matrix_env="dev")


@pytest.fixture(scope="module")
def next_pr_planned_prod(next_pr_planned_dev: Run) -> Run:
    return _step(next_pr_planned_dev, "pr.yml", {"plan-aws"}, NEXT, matrix_env="prod")


@pytest.fixture(scope="module")
def next_pr(next_pr_planned_prod: Run) -> Run:
    return _step(next_pr_planned_prod, "pr.yml", COMMENT_JOBS, NEXT)


def test_the_next_pr_first_marks_the_comment_outdated(next_pr_outdated: dict[str, Any]) -> None:
    assert next_pr_outdated["results"] == {"comment-outdated": "success"}
    assert next_pr_outdated["body"].startswith(OUTDATED)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_next_pr_plans_no_changes_for_each_aws_env(request: pytest.FixtureRequest, env: str) -> None:
    run: Run = request.getfixturevalue(f"next_pr_planned_{env}")
    assert run.results["plan-aws"] == "success"
    assert _plan_counts(run.github, env) == {"add": 0, "change": 0, "destroy": 0}


def test_the_next_pr_marks_the_comment_outdated_then_shows_no_changes(
    simulated: dict[str, Any], next_pr_outdated: dict[str, Any], next_pr: Run
) -> None:
    github = simulated["github"]
    assert next_pr_outdated["results"] == {"comment-outdated": "success"}
    assert next_pr_outdated["body"].startswith(OUTDATED)
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
    case = copies.scratch_root(tmp_path / "root", SECRET_ROOT, endpoint_url=endpoint_url)
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


POLICY_SECRET = "owner-" + secrets.token_hex(8)


def _policy_plan(pitr: bool) -> dict[str, Any]:
    """A one-table plan that passes checkov's DynamoDB checks except point-in-time recovery when
    `pitr` is off; its `owner` tag is marked sensitive (checkov quotes tags in its reports)."""
    values = {
        "name": "orders",
        "hash_key": "pk",
        "billing_mode": "PAY_PER_REQUEST",
        "attribute": [{"name": "pk", "type": "S"}],
        "point_in_time_recovery": [{"enabled": pitr}],
        "server_side_encryption": [{"enabled": True, "kms_key_arn": "arn:aws:kms:us-east-1:111111111111:key/k"}],
        "tags": {"owner": POLICY_SECRET},
    }
    marks = {"tags": {"owner": True}}
    resource = {"address": "aws_dynamodb_table.orders", "mode": "managed", "type": "aws_dynamodb_table"}
    resource |= {"name": "orders", "provider_name": "registry.terraform.io/hashicorp/aws"}
    change = {"actions": ["create"], "before": None, "after": values, "after_unknown": {}, "after_sensitive": marks}
    return {
        "format_version": "1.0",
        "terraform_version": "1.0.3",
        "planned_values": {"root_module": {"resources": [{**resource, "values": values, "sensitive_values": marks}]}},
        "resource_changes": [{**resource, "change": change}],
        "configuration": {"root_module": {}},
    }


def test_the_comment_shows_the_failed_policy_of_each_env_redacted(first_pr: Run, tmp_path: Path) -> None:
    """The policy job gates dev's plan (one failed check) and prod's (none): the job still fails,
    and the comment's policy column names the check for dev, 0 for prod; nothing uploaded,
    scanned or rendered quotes the plan's sensitive value."""
    for name, pitr in (("dev", False), ("prod", True)):
        (tmp_path / f"{name}.json").write_text(json.dumps(_policy_plan(pitr)))
    (tmp_path / "empty").mkdir()
    doc = copy.deepcopy(load(WORKFLOWS / "pr.yml"))
    steps = doc["jobs"]["policy"]["steps"]
    index, lint = next((i, s) for i, s in enumerate(steps) if str(s.get("run", "")).startswith("./just lint"))
    # ./just lint plans every env from scratch and runs ruff and mypy: here the same gate runs on
    # the two plans above (placed where the lint step writes its own), with its report directory.
    gate = '.venv/bin/tablekit lint --skip-fmt --no-plans --dir "$EMPTY" --plan dev="$R/plans/plan-dev.json" '
    gate += '--plan prod="$R/plans/plan-prod.json"'
    place = 'R=build/ci/lint; mkdir -p "$R/plans"; cp "$PLANS/dev.json" "$R/plans/plan-dev.json"; '
    place += 'cp "$PLANS/prod.json" "$R/plans/plan-prod.json"\n'
    keep = '\nrc=$?\ncp -r build/ci/lint "$RAW"\nexit $rc'  # the raw reports, to prove they quote the value
    lint["run"] = place + "set +e\n" + lint["run"].replace("./just lint", gate, 1) + keep
    lint["env"] = {"PLANS": str(tmp_path), "EMPTY": str(tmp_path / "empty"), "RAW": str(tmp_path / "raw")}
    steps[index] = lint
    github = Github(store=tmp_path / "github")
    github.artifacts.update({k: v for k, v in first_pr.github.artifacts.items() if k.startswith("plan-")})
    run = Run(**{**first_pr.__dict__, "github": github, "results": {}, "outputs": {}})
    results = run_workflow(doc, run, only={"policy", "comment-render"})  # type: ignore[arg-type]
    assert results == {"policy": "failure", "comment-render": "success"}, "\n".join(github.log)
    assert "job policy failed at step 'ruff, terraform fmt, checkov" in "\n".join(github.log)
    raw = [p for p in (tmp_path / "raw").rglob("*.json") if p.is_file()]
    assert any(POLICY_SECRET in p.read_text() for p in raw), "checkov must quote the value, or this proves nothing"
    comment = (github.artifacts["plan-comment"].path / "comment.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in comment.splitlines() if line.startswith("| `")}
    assert "❌ 1 failed: `CKV_AWS_28`" in rows["`dev`"], comment
    assert "✅ 0 failed" in rows["`prod`"], comment
    assert rows["`local`"].split("|")[8].strip() == "—"  # not gated here: no report, no claim
    uploaded = [p for a in github.artifacts.values() for p in a.path.rglob("*") if p.is_file()]
    uploaded += list(github.code_scanning.values())
    assert github.code_scanning and any("checkov-reports" in str(p) for p in uploaded)
    for path in uploaded:
        assert POLICY_SECRET not in path.read_text(errors="replace"), f"{path} quotes the sensitive value"


def _drift_issues(github: Github, env: str) -> list[dict[str, Any]]:
    marker = f"<!-- tablekit-drift:{env} -->"
    return [i for i in github.issues if i["user"]["login"] == BOT and i["body"].startswith(marker)]


def _nightly(simulated: dict[str, Any], run_id: int, only_env: str | None = None) -> Run:
    """drift.yml as scheduled; `only_env` runs its plan job for that env alone (its matrix cut to it,
    and the other env's artifact of an earlier night removed, so the issue job reads this night's)."""
    run = _run(simulated, "schedule", run_id)
    doc: Any = WORKFLOWS / "drift.yml"
    if only_env is not None:
        doc = copy.deepcopy(load(WORKFLOWS / "drift.yml"))
        doc["jobs"]["plan"]["strategy"]["matrix"]["env"] = [only_env]
        for name in [a for a in run.github.artifacts if a.startswith("drift-") and a != f"drift-{only_env}"]:
            del run.github.artifacts[name]
    results = run_workflow(doc, run)
    assert_succeeded(results, run.github)
    return run


# Nightly drift, one night per test: a table tagged in the console (outside Terraform) on dev's
# simulated account; the nightly refresh-only plan opens one issue naming the attribute, the next
# night updates that issue in place, and once the tag is removed the issue closes. An issue someone
# else wrote with the marker is never touched; prod, unchanged, gets no issue. The first night runs
# the whole workflow (dev and prod). Nothing changes before the second night, so its plan job
# would upload what the first night's did: its issue job runs on those artifacts. The third night
# plans dev alone (prod's plan is the first night's).
THEIRS = {"number": 5, "title": "x", "body": "<!-- tablekit-drift:dev --> mine", "state": "open"}


@pytest.fixture(scope="module")
def first_night_dev_planned(simulated: dict[str, Any], merged: Run) -> dict[str, Any]:
    """dev's first table tagged in the console, then the first night's plan job for dev."""
    github = simulated["github"]
    github.issues.append({**THEIRS, "user": {"login": "someone"}})
    ctx = envs.context("dev", endpoint_url=simulated["endpoint"].url, account_name=account.SIMULATED)
    dynamodb = ctx.clients().client("dynamodb")
    table = sorted(dynamodb.list_tables()["TableNames"])[0]
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": "changed-in", "Value": "console"}])
    before = len(github.substitutions)
    run = _step(_run(simulated, "schedule", 6), "drift.yml", {"plan"}, "first night", matrix_env="dev")
    return {"run": run, "dynamodb": dynamodb, "arn": arn, "before": before}


@pytest.fixture(scope="module")
def first_night_prod_planned(first_night_dev_planned: dict[str, Any]) -> dict[str, Any]:
    _step(first_night_dev_planned["run"], "drift.yml", {"plan"}, "first night", matrix_env="prod")
    return first_night_dev_planned


@pytest.fixture(scope="module")
def first_night(simulated: dict[str, Any], first_night_prod_planned: dict[str, Any]) -> dict[str, Any]:
    """The first night: drift.yml's plan job for dev and for prod, then its issue job."""
    night = first_night_prod_planned
    _step(night["run"], "drift.yml", {"issue"}, "first night")
    github = simulated["github"]
    (issue,) = _drift_issues(github, "dev")
    return {**night, "substituted": github.substitutions[night["before"] :], "issue": dict(issue)}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_first_night_plans_each_env_refresh_only(request: pytest.FixtureRequest, env: str) -> None:
    night: dict[str, Any] = request.getfixturevalue(f"first_night_{env}_planned")
    assert night["run"].results["plan"] == "success"
    assert (night["run"].github.artifacts[f"drift-{env}"].path / f"{env}.md").is_file()


def test_nightly_drift_opens_one_issue_naming_the_attribute(simulated: dict[str, Any], first_night: dict) -> None:
    github = simulated["github"]
    # Each env's drift job installs the real account's Terraform (the simulation substitutes the double).
    assert len(first_night["substituted"]) == 2, first_night["substituted"]
    issue = first_night["issue"]
    assert issue["state"] == "open" and "1 resource(s) changed" in issue["title"], issue
    assert "`tags`" in issue["body"] and "`changed-in`" in issue["body"] and "console" in issue["body"], issue["body"]
    assert next(line for line in issue["body"].splitlines() if line.startswith("- ")).startswith("- 🟡 `module.")
    assert _drift_issues(github, "prod") == []
    assert next(i for i in github.issues if i["number"] == 5) == {**THEIRS, "user": {"login": "someone"}}


@pytest.fixture(scope="module")
def second_night(simulated: dict[str, Any], first_night: dict[str, Any]) -> list[dict[str, Any]]:
    github = simulated["github"]
    assert {"drift-dev", "drift-prod"} <= set(github.artifacts), "the first night's plan artifacts"
    _step(_run(simulated, "schedule", 7), "drift.yml", {"issue"}, "second night")
    return _drift_issues(github, "dev")


def test_the_next_night_updates_the_drift_issue_in_place(first_night: dict, second_night: list) -> None:
    assert [i["number"] for i in second_night] == [first_night["issue"]["number"]], "updated in place, not a second"
    assert second_night[0]["state"] == "open"


@pytest.fixture(scope="module")
def reverted_night(simulated: dict[str, Any], first_night: dict[str, Any], second_night: list) -> list[dict]:
    first_night["dynamodb"].untag_resource(ResourceArn=first_night["arn"], TagKeys=["changed-in"])
    _nightly(simulated, 8, only_env="dev")
    return _drift_issues(simulated["github"], "dev")


def test_the_drift_issue_closes_once_the_change_is_reverted(
    simulated: dict[str, Any], first_night: dict, reverted_night: list
) -> None:
    github = simulated["github"]
    number = first_night["issue"]["number"]
    (closed,) = reverted_night
    assert closed["number"] == number and closed["state"] == "closed"
    assert any(c["issue_number"] == number and "matches its state" in c["body"] for c in github.comments)
    assert next(i for i in github.issues if i["number"] == 5) == {**THEIRS, "user": {"login": "someone"}}
    assert _drift_issues(github, "prod") == []


def _local_plan(destroys: bool) -> dict[str, Any]:
    """A local plan that destroys a table (the banner lists it) or changes nothing."""
    before = {"name": "orders", "hash_key": "pk", "point_in_time_recovery": [{"enabled": True}]}
    change = {"actions": ["delete"] if destroys else ["no-op"], "before": before, "after": None if destroys else before}
    entry = {"address": "aws_dynamodb_table.orders", "mode": "managed", "type": "aws_dynamodb_table", "name": "orders"}
    changes = [{**entry, "change": {**change, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}]
    return {"format_version": "1.0", "terraform_version": "1.0.3", "resource_changes": changes}


def test_the_destroys_data_label_follows_the_banner_and_holds_the_merge_for_two_approvals(
    simulated: dict[str, Any], tmp_path: Path
) -> None:
    """A plan that loses data sets the label and the `destroys-data review` check fails; reviews
    re-run it (review-gate.yml) and two approvals pass it; a plan without loss removes the label."""
    github = Github(store=tmp_path / "github")
    base = _run(simulated, "pull_request", 9)
    pr = base.event["pull_request"]

    def pull_request(destroys: bool) -> dict[str, str]:
        (tmp_path / "plan").mkdir(exist_ok=True)
        (tmp_path / "plan" / "local.json").write_text(json.dumps(_local_plan(destroys)))
        github.artifacts["plan-local"] = Artifact("plan-local", tmp_path / "plan", 1)
        run = Run(**{**base.__dict__, "github": github, "results": {}, "outputs": {}})
        return run_workflow(WORKFLOWS / "pr.yml", run, only={"comment-render", "comment-post", "destroys-data-review"})

    def review_event(event_name: str) -> str:
        run = Run(**{**base.__dict__, "github": github, "event_name": event_name, "results": {}, "outputs": {}})
        return run_workflow(WORKFLOWS / "review-gate.yml", run)["destroys-data-review"]

    results = pull_request(destroys=True)
    assert results["comment-post"] == "success" and github.labels == {str(pr["number"]): ["destroys-data"]}
    assert results["destroys-data-review"] == "failure"
    assert "2 approvals needed, 0 given" in "\n".join(github.log)
    github.reviews[str(pr["number"])] = [{"user": {"login": "ana"}, "state": "APPROVED"}]
    github.reviews[str(pr["number"])] += [{"user": {"login": "bo"}, "state": "COMMENTED"}]
    assert review_event("pull_request_review") == "failure"  # one approval, one comment
    github.reviews[str(pr["number"])].append({"user": {"login": "bo"}, "state": "APPROVED"})
    assert review_event("pull_request_review") == "success"
    github.reviews[str(pr["number"])].append({"user": {"login": "ana"}, "state": "DISMISSED"})
    assert review_event("pull_request_review") == "failure"  # a dismissed approval no longer counts
    github.reviews.clear()
    results = pull_request(destroys=False)
    assert results["destroys-data-review"] == "success" and github.labels == {str(pr["number"]): []}
    github.labels[str(pr["number"])] = ["destroys-data"]  # set by hand (e.g. on a fork's pull request)
    assert review_event("pull_request") == "failure"

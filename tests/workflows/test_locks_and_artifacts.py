"""Two promises of the workflows, proven on the simulated account:

- cancelling a run never leaves the state lock behind: a plan stopped while it holds the lock (the
  interrupt GitHub sends on cancel) releases it, and the next plan and apply take the lock without
  `force-unlock`;
- a plan with a sensitive variable uploads nothing of it: the workflows' own redact, render and
  encrypt steps (run from pr.yml and main.yml) leave no trace of the value in any artifact.
"""

from __future__ import annotations

import copy
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from tablekit import account, aws, envs, staging
from tablekit.terraform import Terraform, var_args

from .runner import Github, Run, load, run_workflow

pytestmark = [pytest.mark.apply, pytest.mark.slow]

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def _lock_ids(endpoint_url: str) -> list[str]:
    table = aws.clients(endpoint_url, account.SIMULATED_REGION).client("dynamodb")
    items = table.scan(TableName=account.SIMULATED_LOCK_TABLE)["Items"]
    return [item["LockID"]["S"] for item in items if not item["LockID"]["S"].endswith("-md5")]


def test_a_plan_stopped_while_holding_the_lock_leaves_no_lock(endpoint_url: str, tmp_path: Path) -> None:
    ctx = envs.on_endpoint("dev", endpoint_url, tmp_path / "dev")
    tf = envs.init(ctx)
    args = ["plan", "-input=false", "-no-color", f"-out={tmp_path / 'killed.tfplan'}"]
    proc = tf.start(args + var_args(ctx.tf_variables(), ctx.var_files))
    lock = f"{account.SIMULATED_BUCKET}/dev/terraform.tfstate"
    try:
        deadline = time.monotonic() + 120
        while lock not in _lock_ids(endpoint_url):
            assert proc.poll() is None, "the plan ended before it was seen holding the lock"
            assert time.monotonic() < deadline, "the plan never took the state lock"
            time.sleep(0.05)
    finally:
        tf.stop(proc)  # SIGINT, as a cancelled GitHub run sends it first
    assert lock not in _lock_ids(endpoint_url), "a stopped plan left its state lock behind"
    # No force-unlock: the next plan and the apply of its saved file take the lock at once.
    planned = envs.plan(ctx, lock_timeout="0s")
    assert planned.counts().create > 200
    outputs = envs.apply_saved(ctx, ctx.saved_plan, lock_timeout="0s")
    assert len(outputs["tables"]) == 35
    assert _lock_ids(endpoint_url) == []


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
            '&& cp "$PLAN_FILE" "build/ci/plans/$ENV_NAME.tfplan"'
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
        env={"PATH": "/usr/bin:/bin", "PLAN_JSON": str(plan_json), "PLAN_FILE": str(plan_file), "HOME": str(tmp_path)},
    )
    results = run_workflow(doc, run)  # type: ignore[arg-type]
    assert results == {"pr-plan": "success", "main-plan": "success"}, "\n".join(github.log)
    uploaded = [p for artifact in github.artifacts.values() for p in artifact.path.rglob("*") if p.is_file()]
    assert {p.name for p in uploaded} == {"dev.json", "dev.md", "dev.tfplan.enc"}
    for path in uploaded:
        assert token.encode() not in path.read_bytes(), f"{path.name} uploads the sensitive value"
        if path.suffix == ".json":
            assert '"prior_state"' not in path.read_text()
    assert all(a.retention_days == 1 for a in github.artifacts.values())

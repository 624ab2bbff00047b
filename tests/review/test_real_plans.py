"""Real `terraform show -json` plans: every format version renders, secrets stay hidden, a
converged estate says "no changes" (issue: real plans as test input, false drift).

Fixtures (see fixtures/terraform-json/README.md and fixtures/generate.py):
- fixtures/terraform-json/: plans of format 0.1 to 1.2 written by Terraform 0.12 to 1.15;
- fixtures/real/: our own plans of fixtures/sensitive_table (Terraform 1.0.3) and of an import,
  a move, a forget and a deposed object (Terraform 1.11.4), plus a checkov report.
The `apply` tests also plan and apply sensitive_table live against the session endpoint.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import review_support

from tablekit.review.comment import MARKER, Options, render, render_views
from tablekit.review.markdown import utf16_len
from tablekit.review.redact import redact_plan
from tablekit.review.views import PolicyResult, summarize
from tablekit.staging.providers import endpoint_provider_hcl
from tablekit.terraform.plan import Plan
from tablekit.terraform.runner import Terraform

FIXTURES = Path(__file__).parent / "fixtures"
THIRD_PARTY = sorted((FIXTURES / "terraform-json").glob("plan-*.json"))
OURS = sorted((FIXTURES / "real").glob("tf*.json"))
SECRET_PREFIX = "S3CR3T"


def check_html(text: str) -> review_support.Html:
    html = review_support.parse(text)
    assert html.comments == [" tablekit-plan-comment "]
    assert html.tags.count("details") == html.tags.count("/details")
    assert set(html.table_rows) == {9}
    return html


@pytest.mark.parametrize("path", THIRD_PARTY + OURS, ids=lambda p: p.name)
def test_every_real_plan_renders(path: Path) -> None:
    plan = Plan.load(path)
    text = render([("dev", plan)])
    assert text.startswith(MARKER + "\n") and utf16_len(text) <= 65_536
    check_html(text)
    assert f"| `dev` | {plan.counts().create:,} | {plan.counts().update:,} |" in text


def test_format_versions_covered() -> None:
    versions = {Plan.load(p).format_version for p in THIRD_PARTY + OURS}
    assert {"0.1", "0.2", "1.0", "1.1", "1.2"} <= versions


def test_what_newer_terraform_plans_is_shown() -> None:
    text = render([("dev", Plan.load(FIXTURES / "real" / "tf-new-extras.json"))])
    assert "- 📥 import `aws_dynamodb_table.adopted`" in text and "(ID `extras-adopted`)" in text
    assert "- 🚚 move `aws_dynamodb_table.old_name` → `aws_dynamodb_table.new_name`" in text
    assert "- 🫥 forget `aws_dynamodb_table.forgotten`" in text
    assert "destroy a deposed S3 bucket `extras-data-1`" in text  # in the banner
    assert "| 1 import, 1 move, 1 forget, 1 output |" in text
    assert "`aws_dynamodb_table.kept` changed outside Terraform: `tags`: +`changed-by`" in text
    third = render([("dev", Plan.load(FIXTURES / "terraform-json" / "plan-1.2-moved-tf1.5.json"))])
    assert "- 🚚 move " in third


@pytest.mark.parametrize("path", [p for p in OURS if "sensitive" in p.name], ids=lambda p: p.name)
def test_no_secret_of_the_sensitive_fixture_is_printed_or_uploaded(path: Path) -> None:
    raw = json.loads(path.read_text())
    assert SECRET_PREFIX in json.dumps(raw)  # the plan carries them in clear (values, variables, state)
    text = render([("dev", raw)])
    assert SECRET_PREFIX not in text
    assert "(sensitive)" in text
    assert SECRET_PREFIX not in json.dumps(redact_plan(raw))


def test_replace_of_a_sensitive_table_is_on_the_banner_without_its_name() -> None:
    text = render([("dev", json.loads((FIXTURES / "real" / "tf1.0-sensitive-replace.json").read_text()))])
    banner = text[: text.index("| env |")]
    assert "replace DynamoDB table `(sensitive)` (`aws_dynamodb_table.secret`)" in banner
    assert "forced by `hash_key`" in banner


def test_policy_result_from_a_real_checkov_report() -> None:
    report = FIXTURES / "real" / "checkov-plan-results.json"
    policy = PolicyResult.load(report, "dev")
    assert policy.failed == len(json.loads(report.read_text())["results"]["failed_checks"]) > 0
    plan = Plan.load(FIXTURES / "real" / "tf1.0-sensitive-create.json")
    text = render_views([summarize("dev", plan, policy)], Options(run_url="https://github.com/o/r/actions/runs/7"))
    row = next(line for line in text.splitlines() if line.startswith("| `dev`"))
    assert f"❌ {policy.failed} failed: `{policy.check_ids[0]}`" in row
    assert "[report](<https://github.com/o/r/actions/runs/7#artifacts>)" in row


# ---------------------------------------------------------------- live against the session endpoint

SECRETS = {
    "table_name": "S3CR3T-live-table",
    "index_name": "S3CR3T-live-index",
    "projected": ["S3CR3T-live-attr"],
    "owner": "S3CR3T-live-owner",
    "item_secret": "S3CR3T-live-item",
}


@pytest.mark.apply
@pytest.mark.slow
def test_sensitive_fixture_planned_applied_and_changed(endpoint_url: str, tmp_path: Path) -> None:
    root = tmp_path / "sensitive"
    shutil.copytree(FIXTURES / "sensitive_table", root)
    (root / "provider.tf").write_text(endpoint_provider_hcl(endpoint_url))
    tf = Terraform(root)
    tf.init()
    first = tf.plan(root / "create.tfplan", SECRETS)
    tf.apply(root / "create.tfplan")
    # One more plan (each costs seconds): new secrets in a tag and the GSI name, and a new hash key.
    secrets = {**SECRETS, "owner": "S3CR3T-live-owner2", "index_name": "S3CR3T-live-index2", "hash_key": "id"}
    changed = tf.plan(root / "change.tfplan", secrets)
    for plan in (first, changed):
        assert SECRET_PREFIX in json.dumps(dict(plan.raw))  # the plan itself carries them in clear
        text = render([("local", plan)])
        check_html(text)
        assert SECRET_PREFIX not in text
        assert SECRET_PREFIX not in json.dumps(redact_plan(plan.raw))
    text = render([("local", changed)])
    assert "`tags`: ~`Owner`: `(sensitive)` → `(sensitive)`" in text
    assert "replace DynamoDB table `(sensitive)` (`aws_dynamodb_table.secret`)" in text


@pytest.mark.apply
@pytest.mark.slow
def test_converged_local_estate_renders_no_changes(local_replan: Plan) -> None:
    """After setup, a fresh plan of local has no changes: no drift section, no drift count."""
    plan = local_replan
    text = render([("local", plan)])
    assert "**`local`**: no changes." in text
    assert "Drift" not in text and "<details>" not in text
    assert "| `local` | 0 | 0 | 0 | 0 | — | 0 | — | no changes |" in text
    check_html(text)

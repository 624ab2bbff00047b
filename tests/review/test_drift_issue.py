"""The body of an env's drift issue (issue: nightly drift): every drifted resource of a refresh-only
plan, masked and escaped like the PR comment, one marker on its first line, nothing else from the
plan able to spell a marker, a mention or a link."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import governance_support as gp
import review_support
from hypothesis import given, settings
from review_support import hostile, secret

from tablekit.paths import ROOT
from tablekit.review.drift_issue import MARKERS, render
from tablekit.terraform.plan import Plan

TABLE = gp.tbl("bandup", "users") + ".aws_dynamodb_table.this"


def drifted(before_tags: dict[str, str], after_tags: dict[str, str], **kw: object) -> Plan:
    """A refresh-only plan: the table's tags changed outside Terraform."""
    before = gp.table("bandup-users", tags=before_tags)
    after = gp.table("bandup-users", tags=after_tags)
    return Plan.parse(gp.plan([], drift=[gp.update(TABLE, before, after, **kw)]))  # type: ignore[arg-type]


def sets_back(tags: dict[str, str], to: dict[str, str]) -> Plan:
    """The normal plan of the same state: the next apply changes the tags back."""
    before, after = gp.table("bandup-users", tags=tags), gp.table("bandup-users", tags=to)
    return Plan.parse(gp.plan([gp.update(TABLE, before, after)]))


NOTHING = Plan.parse(gp.plan([]))
URL = "https://github.example/r/1"


def test_a_drifted_attribute_the_next_apply_sets_back_is_named_and_a_converged_env_says_so() -> None:
    body, count = render("dev", drifted({}, {"changed-in": "console"}), sets_back({"changed-in": "console"}, {}), URL)
    assert count == 1 and body.startswith(MARKERS["dev"] + "\n") and body.count("<!--") == 1
    assert "changed outside Terraform" in body and "changed-in" in body and "console" in body
    body, count = render("dev", NOTHING, NOTHING)
    assert count == 0 and "matches its state" in body
    assert render("dev", drifted({}, {}), NOTHING)[1] == 0, "read back with nothing changed is not drift"


def test_drift_no_apply_would_set_back_is_one_line_and_keeps_no_issue_open() -> None:
    body, count = render("dev", drifted({}, {"changed-in": "console"}), NOTHING)
    assert count == 0 and "matches its state" in body and "1 object read back with provider-side differences" in body
    assert "changed-in" not in body


@settings(max_examples=30)
@given(value=secret(), key=hostile)
def test_drifted_values_are_masked_and_escaped(value: str, key: str) -> None:
    marks = {"tags": {"owner": True}}
    plan = drifted(
        {"owner": "a"}, {"owner": value, key: "<!-- tablekit-drift:prod --> @someone"}, after_sensitive=marks
    )
    body, _ = render("dev", plan, sets_back({"owner": "a"}, {"owner": "a"}), URL)
    assert value not in body
    html = review_support.parse(body)
    assert html.comments == [" tablekit-drift:dev "] and html.hrefs == ["https://github.example/r/1"]
    assert not any("@" in chunk for chunk in html.text_outside_code)
    assert set(t.lstrip("/") for t in html.tags) <= review_support.TEMPLATE_TAGS


def test_the_command_refuses_an_unknown_env_and_a_non_plan_with_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(gp.plan([])))
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    for env, path, says in (("staging", plan, "choose one of"), ("dev", state, "this is a state")):
        proc = subprocess.run(
            [
                sys.executable,
                "-S",
                "-m",
                "tablekit.review.drift_issue",
                "--env",
                env,
                "--plan",
                str(path),
                "--next-apply",
                str(plan),
                "--out",
                str(tmp_path / "b.md"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and says in proc.stderr
        assert not (tmp_path / "b.md").exists()

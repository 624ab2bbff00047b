"""PR plan comment: golden files for each kind of plan, plus the rules no golden file can show.

Regenerate the golden files after an intended rendering change with
`TABLEKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/governance/test_comment.py` and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import gov_plans as gp
import pytest

from tablekit.comment import GITHUB_COMMENT_LIMIT, MARKER, classify, render, summarize, utf16_len
from tablekit.paths import ROOT

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TABLEKIT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with TABLEKIT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (TABLEKIT_UPDATE_GOLDEN=1)"


# ---------------------------------------------------------------- scenarios


def create_plan() -> dict:
    return gp.plan(
        [
            gp.create(
                gp.tbl("bandup", "evaluations"),
                gp.table("bandup-evaluations", hash_key="evaluation_id", range_key="user_id"),
            ),
            gp.create(
                gp.tbl("bandup", "flashcard_sets"),
                gp.table("bandup-flashcard-sets", hash_key="set_id", range_key="user_id"),
            ),
            gp.create("module.bandup.aws_iam_policy.access", {"name": "bandup-tables-access", "policy": "{}"}),
        ]
    )


def update_plan() -> dict:
    before = gp.table("ielts-genai-prep-sessions", hash_key="session_id", pitr=False, tags={"Environment": "dev"})
    after = gp.table(
        "ielts-genai-prep-sessions",
        hash_key="session_id",
        ttl="expires_at",
        tags={"Environment": "dev", "Owner": "platform"},
        gsis=[{"name": "user_email-created_at-index", "hash_key": "user_email", "range_key": "created_at"}],
    )
    after["attribute"].append({"name": "created_at", "type": "S"})
    after["attribute"].sort(key=lambda a: a["name"])
    users_before = gp.table("ielts-genai-prep-users", hash_key="email", billing="PROVISIONED")
    users_after = gp.table("ielts-genai-prep-users", hash_key="email")
    return gp.plan(
        [
            gp.update(
                gp.tbl("ielts", "sessions"),
                before,
                after,
                after_unknown={"global_secondary_index": [{}], "ttl": [{}], "tags_all": True},
            ),
            gp.update(gp.tbl("ielts", "users"), users_before, users_after),
            gp.update(
                "module.university.aws_lambda_function.stream",
                gp.lambda_fn("university-stream"),
                gp.lambda_fn("university-stream", memory=256),
            ),
            gp.noop(gp.tbl("ielts", "rubrics"), gp.table("ielts-genai-prep-rubrics")),
        ]
    )


def replace_destroy_plan() -> dict:
    old = gp.table("university", hash_key="pk", range_key="sk")
    new = gp.table("university", hash_key="id", range_key="sk")
    return gp.plan(
        [
            gp.replace(gp.tbl("university", "university"), old, new, paths=[["hash_key"]]),
            gp.destroy(
                gp.tbl("ielts", "qr_tokens"), gp.table("ielts-genai-prep-qr-tokens", hash_key="token", ttl="expires_at")
            ),
            gp.destroy(
                'module.ielts.module.table["qr_tokens"].aws_cloudwatch_metric_alarm.throttles',
                gp.alarm("ielts-genai-prep-qr-tokens-throttles"),
            ),
            gp.replace(
                "module.university.aws_lambda_function.stream",
                gp.lambda_fn("university-stream"),
                gp.lambda_fn("university-stream"),
                paths=[],
                reason="replace_because_tainted",
            ),
            gp.create(gp.tbl("aitutor", "users"), gp.table("aitutor_users", hash_key="userId")),
        ]
    )


def drift_plan() -> dict:
    real = gp.table("ielts-genai-prep-users", hash_key="email", kms="arn:aws:kms:us-east-1:111122223333:key/prod")
    drifted = copy.deepcopy(real)
    drifted["point_in_time_recovery"] = [{"enabled": False}]
    drifted["tags"] = {"changed-by": "console"}
    gone = gp.table("ielts-genai-prep-entitlements", hash_key="user_id")
    return gp.plan(
        [gp.update(gp.tbl("ielts", "users"), drifted, real), gp.create(gp.tbl("ielts", "entitlements"), gone)],
        drift=[
            gp.change(gp.tbl("ielts", "users"), ["update"], real, drifted),
            gp.change(gp.tbl("ielts", "entitlements"), ["delete"], gone, None),
        ],
    )


def noop_plan(*names: str) -> dict:
    return gp.plan([gp.noop(gp.tbl("ielts", n), gp.table(f"ielts-genai-prep-{n}")) for n in names])


def warnings_plan() -> dict:
    doc = gp.plan(
        [gp.update("module.university.aws_lambda_function.stream", gp.lambda_fn("u"), gp.lambda_fn("u", timeout=60))],
        errored=True,
    )
    doc["diagnostics"] = [
        {
            "severity": "error",
            "summary": "Error acquiring the state lock",
            "detail": "ConditionalCheckFailedException\nLock Info: ...",
        }
    ]
    return doc


def huge_plan(n: int = 1500) -> dict:
    changes = [
        gp.create(
            f'module.load.aws_cloudwatch_metric_alarm.throttle["table-{i:05d}-with-a-long-name"]',
            gp.alarm(f"table-{i:05d}-throttles"),
        )
        for i in range(n)
    ]
    changes.insert(700, gp.destroy(gp.tbl("university", "university"), gp.table("university")))
    return gp.plan(changes)


SCENARIOS = {
    "create": lambda: [("local", create_plan())],
    "update_in_place": lambda: [("dev", update_plan())],
    "replace_and_destroy": lambda: [("prod", replace_destroy_plan())],
    "drift": lambda: [("prod", drift_plan())],
    "no_changes": lambda: [
        ("local", noop_plan("users")),
        ("dev", noop_plan("users", "sessions")),
        ("prod", gp.plan([])),
    ],
    "multi_env_warnings": lambda: [("local", create_plan()), ("dev", warnings_plan()), ("prod", noop_plan("users"))],
    "huge": lambda: [("dev", huge_plan()), ("prod", huge_plan(400))],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden(name: str) -> None:
    text = render(SCENARIOS[name]())
    assert text.startswith(MARKER + "\n")
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    check_golden(f"comment_{name}.md", text)


# ---------------------------------------------------------------- rules


def test_data_loss_banner_names_every_lost_table_before_the_summary() -> None:
    text = render([("prod", replace_destroy_plan())])
    banner, summary = text.index("DATA LOSS"), text.index("| env |")
    assert banner < summary
    head = text[:summary]
    assert "`university`" in head and "`ielts-genai-prep-qr-tokens`" in head
    assert "forced by `hash_key`" in head
    # the alarm and the lambda are replaced/destroyed too, but lose no table data
    assert "throttles" not in head and "university-stream" not in head


def test_no_banner_without_table_loss() -> None:
    assert "DATA LOSS" not in render([("dev", update_plan())])


def test_summary_counts() -> None:
    p = summarize("prod", replace_destroy_plan())
    assert (p.count("create"), p.count("update"), p.count("delete"), p.count("replace")) == (1, 0, 2, 2)
    assert "| `prod` | 1 | 0 | 2 | 2 | 0 | 🔴 table data loss |" in render([("prod", replace_destroy_plan())])


def test_in_place_table_changes_list_nested_blocks() -> None:
    tables = {c.table_name: c.attrs for c in summarize("dev", update_plan()).tables_in_place}
    sessions = "\n".join(tables["ielts-genai-prep-sessions"])
    assert "`point_in_time_recovery.enabled`: `false` → `true`" in sessions
    assert "`ttl.attribute_name`" in sessions and "`ttl.enabled`: `false` → `true`" in sessions
    assert "`global_secondary_index`: `+user_email-created_at-index`" in sessions
    assert "`attribute`: `+created_at`" in sessions
    assert "+Owner=" in sessions
    assert "tags_all" not in sessions
    assert tables["ielts-genai-prep-users"] == ['`billing_mode`: `"PROVISIONED"` → `"PAY_PER_REQUEST"`']


def test_huge_plan_cuts_details_first_and_says_so() -> None:
    text = render(SCENARIOS["huge"]())
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    assert "DATA LOSS" in text and "| `dev` | 1500 | 0 | 1 | 0 | 0 |" in text
    assert "shortened to fit GitHub's 65,536-character limit" in text
    assert "more not shown (comment limit)" in text
    assert text.count("<details>") == text.count("</details>") == 2


def test_tiny_limit_keeps_marker_banner_and_summary() -> None:
    text = render(SCENARIOS["huge"](), limit=3000)
    assert utf16_len(text) <= 3000
    assert text.startswith(MARKER) and "DATA LOSS" in text and "| `prod` |" in text


def test_plan_content_cannot_inject_markup() -> None:
    evil = "x` <!-- tablekit-plan-comment --> <img src=x onerror=alert(1)> [link](https://evil)"
    before, after = gp.table(evil, pitr=False), gp.table(evil)
    text = render(
        [
            (
                "dev<script>",
                gp.plan(
                    [
                        gp.update(gp.tbl("ielts", "users"), before, after),
                        gp.destroy(gp.tbl("ielts", "x"), gp.table(evil)),
                    ]
                ),
            )
        ]
    )
    assert text.count(MARKER) == 1 + text.count(f"`x' {MARKER}")  # only inside code spans
    assert "<script>" not in text.replace("`dev<script>`", "")
    for line in text.splitlines():
        if "<img" in line:
            assert "`x' <!-- tablekit-plan-comment --> <img" in line  # inside one code span


def test_sensitive_values_are_hidden() -> None:
    before, after = gp.lambda_fn("f"), gp.lambda_fn("f")
    after["environment"] = [{"variables": {"TABLE": "secret-name"}}]
    entry = gp.update("aws_lambda_function.f", before, after, after_sensitive={"environment": [{"variables": True}]})
    text = render([("dev", gp.plan([entry]))])
    assert "secret-name" not in text and "(sensitive)" in text


def test_classify() -> None:
    assert classify(["create"]) == "create"
    assert classify(["delete", "create"]) == "replace"
    assert classify(["create", "delete"]) == "replace"
    assert classify(["no-op"]) == "no-op"
    assert classify(["read"]) == "read"


def test_cli_writes_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str], tk) -> None:
    plan_file = tmp_path / "prod.json"
    plan_file.write_text(json.dumps(replace_destroy_plan()))
    out = tmp_path / "comment.md"
    assert tk("comment", ["--plan", f"prod={plan_file}", "--out", str(out)]) == 0
    assert out.read_text() == render([("prod", replace_destroy_plan())])
    assert tk("comment", ["--plan", str(plan_file)]) == 2
    assert "write ENV=path" in capsys.readouterr().err


def test_renders_without_third_party_packages(tmp_path: Path) -> None:
    """CI renders the comment from a bare checkout: `python -m tablekit.commands.comment` must need only stdlib."""
    plan_file = tmp_path / "dev.json"
    plan_file.write_text(json.dumps(update_plan()))
    proc = subprocess.run(
        [sys.executable, "-S", "-m", "tablekit.commands.comment", "--plan", f"dev={plan_file}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == render([("dev", update_plan())])

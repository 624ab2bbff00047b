"""PR plan comment: golden files for each kind of plan, plus the rules no golden file can show.

Masking, escaping and input fuzzing are property-tested in tests/review/; real Terraform plans
are rendered there too. These scenarios are hand-built plans (tests/governance/governance_support.py) whose
golden output a reviewer can read line by line.

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
from typing import Any, Callable

import governance_support as gp
import pytest

from tablekit.paths import ROOT
from tablekit.review.comment import GITHUB_COMMENT_LIMIT, MARKER, render
from tablekit.review.markdown import utf16_len
from tablekit.review.views import summarize

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TABLEKIT_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with TABLEKIT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (TABLEKIT_UPDATE_GOLDEN=1)"


# ---------------------------------------------------------------- scenarios


def create_plan() -> dict[str, Any]:
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


def update_plan() -> dict[str, Any]:
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


def replace_destroy_plan() -> dict[str, Any]:
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


def drift_plan() -> dict[str, Any]:
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


def noop_plan(*names: str) -> dict[str, Any]:
    return gp.plan([gp.noop(gp.tbl("ielts", n), gp.table(f"ielts-genai-prep-{n}")) for n in names])


def warnings_plan() -> dict[str, Any]:
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


def huge_plan(n: int = 1500) -> dict[str, Any]:
    changes = [
        gp.create(
            f'module.load.aws_cloudwatch_metric_alarm.throttle["table-{i:05d}-with-a-long-name"]',
            gp.alarm(f"table-{i:05d}-throttles"),
        )
        for i in range(n)
    ]
    changes.insert(700, gp.destroy(gp.tbl("university", "university"), gp.table("university")))
    return gp.plan(changes)


def every_loss_plan() -> dict[str, Any]:
    """One of each kind of data loss the banner must name, next to destroys that lose none."""
    table = gp.table("ielts-genai-prep-users", hash_key="email")
    with_replica = copy.deepcopy(table)
    with_replica["replica"] = [
        {"kms_key_arn": "", "region_name": "eu-west-1"},
        {"kms_key_arn": "", "region_name": "us-west-2"},
    ]
    one_replica = copy.deepcopy(table)
    one_replica["replica"] = [{"kms_key_arn": "", "region_name": "us-west-2"}]
    pitr_off = copy.deepcopy(table)
    pitr_off["point_in_time_recovery"] = [{"enabled": False}]
    lock = gp.table("tablekit-tf-locks", hash_key="LockID")
    return gp.plan(
        [
            gp.update(gp.tbl("ielts", "users"), with_replica, one_replica),
            gp.update(gp.tbl("ielts", "sessions"), table, pitr_off),
            gp.destroy("module.kms.aws_kms_key.this", gp.kms_key("estate key", window=7)),
            gp.destroy("module.ielts.aws_backup_vault.this[0]", gp.named("name", "ielts-vault")),
            gp.destroy("module.ielts.aws_backup_plan.this[0]", gp.named("name", "ielts-daily")),
            gp.destroy("module.ielts.aws_backup_selection.tables[0]", gp.named("name", "ielts-tables")),
            gp.destroy(
                'module.bandup.aws_dynamodb_table_item.seed["u1"]',
                gp.named("table_name", "bandup-users", hash_key="user_id"),
            ),
            gp.destroy("module.state.aws_s3_bucket.state", gp.named("bucket", "org-tf-state")),
            gp.destroy("module.state.aws_dynamodb_table.lock", lock),
            gp.destroy("module.university.aws_sqs_queue.dlq", gp.queue("university-stream-dlq")),
            gp.destroy(
                "module.university.aws_sqs_queue.work", gp.queue("university-work", redrive_to="university-parked")
            ),
            gp.destroy("module.university.aws_sqs_queue.parked", gp.queue("university-parked")),
            gp.destroy("module.university.aws_sqs_queue.scratch", gp.queue("university-scratch")),
            gp.change(
                gp.tbl("aitutor", "users"),
                ["delete"],
                gp.table("aitutor_users", hash_key="userId"),
                None,
                deposed="6e2f1c0a",
                action_reason="delete_because_no_resource_config",
            ),
            gp.destroy(
                'module.ielts.module.table["users"].aws_cloudwatch_metric_alarm.throttles',
                gp.alarm("ielts-genai-prep-users-throttles"),
            ),
        ]
    )


def terraform_extras_plan() -> dict[str, Any]:
    """What Terraform does besides changing values: import, move, forget, outputs."""
    table = gp.table("bandup-evaluations", hash_key="evaluation_id")
    doc = gp.plan(
        [
            gp.change(
                gp.tbl("bandup", "evaluations"),
                ["no-op"],
                table,
                copy.deepcopy(table),
                importing={"id": "bandup-evaluations"},
            ),
            gp.change(
                gp.tbl("bandup", "users"),
                ["no-op"],
                gp.table("bandup-users"),
                gp.table("bandup-users"),
                previous_address="module.bandup.aws_dynamodb_table.users",
            ),
            gp.change(
                gp.tbl("ielts", "users"),
                ["update"],
                gp.table("ielts-genai-prep-users", pitr=False),
                gp.table("ielts-genai-prep-users"),
                previous_address="module.ielts.aws_dynamodb_table.users",
            ),
            gp.change(
                'module.ielts.module.table["legacy"].aws_dynamodb_table.this',
                ["forget"],
                gp.table("ielts-genai-prep-legacy"),
                None,
                action_reason="delete_because_no_resource_config",
            ),
        ],
        output_changes={
            "tables": gp.output(
                ["update"], {"users": "bandup-users"}, {"users": "bandup-users", "evaluations": "bandup-evaluations"}
            ),
            "api_key": gp.output(["update"], "old-key-value", "new-key-value", sensitive=True),
        },
    )
    doc["format_version"], doc["terraform_version"] = "1.2", "1.11.4"
    return doc


def import_only_plan() -> dict[str, Any]:
    table = gp.table("bandup-evaluations", hash_key="evaluation_id")
    doc = gp.plan(
        [
            gp.change(
                gp.tbl("bandup", "evaluations"),
                ["no-op"],
                table,
                copy.deepcopy(table),
                importing={"id": "bandup-evaluations"},
            )
        ]
    )
    doc["format_version"] = "1.2"
    return doc


SCENARIOS: dict[str, Any] = {
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
    "every_loss": lambda: [("prod", every_loss_plan())],
    "terraform_extras": lambda: [("dev", terraform_extras_plan())],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden(name: str) -> None:
    text = render(SCENARIOS[name]())
    assert text.startswith(MARKER + "\n")
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    check_golden(f"comment_{name}.md", text)


# ---------------------------------------------------------------- rules


def banner(text: str) -> str:
    """The data-loss banner (everything before the summary table), or "" when there is none."""
    head = text[: text.index("| env |")]
    return head if "[!CAUTION]" in head else ""


def test_data_loss_banner_names_every_lost_table_before_the_summary() -> None:
    text = render([("prod", replace_destroy_plan())])
    head = banner(text)
    assert "`university`" in head and "`ielts-genai-prep-qr-tokens`" in head
    assert "forced by `hash_key`" in head
    # the alarm and the lambda are replaced/destroyed too, but lose no table data
    assert "throttles" not in head and "university-stream" not in head
    # ... and still get their own warning line
    assert '- ⚠️ destroy `module.ielts.module.table["qr_tokens"].aws_cloudwatch_metric_alarm.throttles`' in text


def test_banner_covers_every_kind_of_loss() -> None:
    text = render([("prod", every_loss_plan())])
    head = banner(text)
    expected = [
        'remove the `"eu-west-1"` replica of DynamoDB table `ielts-genai-prep-users`',
        "switch off point-in-time recovery of DynamoDB table `ielts-genai-prep-users`",
        "destroy KMS key `estate key`",
        "deletion window: `7` days",
        "destroy backup vault `ielts-vault`",
        "destroy backup plan `ielts-daily`",
        "destroy backup selection `ielts-tables`",
        "destroy table item `bandup-users`",
        "destroy S3 bucket `org-tf-state`",
        "state lock table",
        "destroy SQS queue `university-stream-dlq`",  # named as a DLQ
        "destroy SQS queue `university-parked`",  # another queue's redrive policy points at it
        "destroy a deposed DynamoDB table `aitutor_users`",
    ]
    for part in expected:
        assert part in head, part
    assert "us-west-2" not in head  # the replica that stays
    assert "university-scratch" not in head and "university-work" not in head  # queues holding no dead letters
    assert head.count("> - `prod`:") == 12
    assert "loses data in 12 places" in head
    # every destroy is listed in the env section, lossless ones as plain warnings
    for queue in ("scratch", "work"):
        assert f"- ⚠️ destroy `module.university.aws_sqs_queue.{queue}`" in text


def test_drift_of_resources_the_plan_leaves_alone_is_one_line() -> None:
    """The false-drift bug: GSI capacities read back on on-demand tables, no action planned."""
    read_back = gp.table("ielts-genai-prep-users", gsis=[{"name": "by-email", "hash_key": "email"}])
    drifted = copy.deepcopy(read_back)
    drifted["global_secondary_index"][0]["read_capacity"] = 0
    plan = gp.plan(
        [gp.noop(gp.tbl("ielts", "users"), drifted)],
        drift=[gp.update(gp.tbl("ielts", "users"), read_back, drifted) for _ in range(1)],
    )
    text = render([("local", plan)])
    assert "**`local`**: no changes. _1 object read back with provider-side differences; no action planned._" in text
    assert "Drift" not in text
    assert "| `local` | 0 | 0 | 0 | 0 | — | 0 | — | no changes |" in text


def test_no_banner_without_loss() -> None:
    assert banner(render([("dev", update_plan())])) == ""
    assert banner(render([("dev", terraform_extras_plan())])) == ""  # forget keeps the real object


def test_summary_counts() -> None:
    p = summarize("prod", replace_destroy_plan())
    assert (p.counts.create, p.counts.update, p.counts.delete, p.counts.replace) == (1, 0, 2, 2)
    assert "| `prod` | 1 | 0 | 2 | 2 | — | 0 | — | 🔴 **data loss** |" in render([("prod", replace_destroy_plan())])


def test_everything_terraform_plans_is_shown() -> None:
    text = render([("dev", terraform_extras_plan())])
    lines = text.splitlines()

    def line(start: str) -> str:
        return next(x for x in lines if x.startswith(start))

    evaluations = 'module.bandup.module.table["evaluations"].aws_dynamodb_table.this'
    assert line(f"- 📥 import `{evaluations}`").endswith("(ID `bandup-evaluations`)")
    new = 'module.bandup.module.table["users"].aws_dynamodb_table.this'
    assert line("- 🚚 move ").startswith(f"- 🚚 move `module.bandup.aws_dynamodb_table.users` → `{new}`")
    assert ", moved from `module.ielts.aws_dynamodb_table.users`" in line("- 🟡 update in place")
    forget = line("- 🫥 forget")
    assert 'module.ielts.module.table["legacy"]' in forget
    assert "the real object is kept but no longer managed here" in forget
    assert "its resource block was removed from the configuration" in forget
    assert line("- 🟡 `api_key`") == "- 🟡 `api_key`: `(sensitive)` → `(sensitive)`"
    assert "key-value" not in text
    assert line("- 🟡 `tables`").endswith('→ `{"evaluations": "bandup-evaluations", "users": "bandup-users"}`')
    assert "| `dev` | 0 | 1 | 0 | 0 | 1 import, 2 move, 1 forget, 2 output | 0 | — | changes |" in text


def test_a_plan_that_only_imports_is_not_no_changes() -> None:
    text = render([("dev", import_only_plan())])
    assert "no changes" not in text
    assert "| `dev` | 0 | 0 | 0 | 0 | 1 import | 0 | — | changes |" in text


def test_every_replace_and_delete_says_why() -> None:
    text = render([("prod", replace_destroy_plan()), ("dev", every_loss_plan())])
    destroy_lines = [line for line in text.splitlines() if line.startswith(("- 🔴", "- ⚠️", "- 🔁"))]
    assert destroy_lines
    for line in destroy_lines:
        assert " — " in line, line
    assert "deposed object `6e2f1c0a` left behind by a create-before-destroy replacement" in text
    assert "the object is tainted" in text


def test_in_place_table_changes_list_nested_blocks() -> None:
    text = render([("dev", update_plan())])
    sessions = next(line for line in text.splitlines() if "ielts-genai-prep-sessions" in line and "update" in line)
    assert "`point_in_time_recovery[0].enabled`: `false` → `true`" in sessions
    assert "`ttl[0].attribute_name`" in sessions and "`ttl[0].enabled`: `false` → `true`" in sessions
    assert "`global_secondary_index`: +`user_email-created_at-index`" in sessions
    assert "`attribute`: +`created_at`" in sessions
    assert "+`Owner`=" in sessions
    assert "tags_all" not in sessions
    users = next(line for line in text.splitlines() if "ielts-genai-prep-users" in line and "update" in line)
    assert users.endswith('`billing_mode`: `"PROVISIONED"` → `"PAY_PER_REQUEST"`')


def test_huge_plan_cuts_updates_and_creates_never_a_destroy() -> None:
    text = render(SCENARIOS["huge"]())
    assert utf16_len(text) <= GITHUB_COMMENT_LIMIT
    assert "| `dev` | 1,500 | 0 | 1 | 0 |" in text
    assert "Shortened to fit GitHub's 65,536-character limit: cut " in text
    assert "more creates not shown (comment limit)" in text
    assert text.count("<details") == text.count("</details>") == 2
    assert text.count('- 🔴 destroy `module.university.module.table["university"].aws_dynamodb_table.this`') == 2
    assert banner(text).count("> - ") == 2


def test_tiny_limit_keeps_marker_banner_and_summary() -> None:
    text = render(SCENARIOS["huge"](), limit=3000)
    assert utf16_len(text) <= 3000
    assert text.startswith(MARKER) and "Data loss" in text and "| `prod` |" in text


def test_sensitive_values_are_hidden() -> None:
    before, after = gp.lambda_fn("f"), gp.lambda_fn("f")
    after["environment"] = [{"variables": {"TABLE": "secret-name"}}]
    entry = gp.update("aws_lambda_function.f", before, after, after_sensitive={"environment": [{"variables": True}]})
    text = render([("dev", gp.plan([entry]))])
    assert "secret-name" not in text and "(sensitive)" in text


def test_unchanged_plan_gives_a_byte_identical_comment() -> None:
    plan = every_loss_plan()
    shuffled = copy.deepcopy(plan)
    shuffled["resource_changes"].reverse()
    for entry in shuffled["resource_changes"]:
        for side in ("before", "after"):
            body = entry["change"][side]
            if isinstance(body, dict):
                entry["change"][side] = dict(reversed(list(body.items())))
    assert render([("prod", plan)]) == render([("prod", shuffled)]) == render([("prod", copy.deepcopy(plan))])


def test_cli_writes_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str], tk: Callable[..., int]) -> None:
    plan_file = tmp_path / "prod.json"
    plan_file.write_text(json.dumps(replace_destroy_plan()))
    out = tmp_path / "comment.md"
    assert tk("comment", ["--plan", f"prod={plan_file}", "--out", str(out)]) == 0
    assert out.read_text() == render([("prod", replace_destroy_plan())])
    assert tk("comment", ["--plan", str(plan_file)]) == 2
    assert "write ENV=FILE" in capsys.readouterr().err


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

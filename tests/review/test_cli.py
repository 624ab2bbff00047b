"""The workflow's inputs around the plans: failed plans, policy reports, run link, summary JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import governance_support as gp
from test_input import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
RUN = "https://github.com/org/repo/actions/runs/99"
FAILED_LOG = """\
Initializing the backend...
\x1b[31m╷\x1b[0m
\x1b[31m│\x1b[0m \x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1merror configuring S3 Backend: \
no valid credential sources [x](https://evil.example) @octocat\x1b[0m
│ Please see https://registry.terraform.io/providers/hashicorp/aws
╵
"""


def write(tmp_path: Path, name: str, content: str | dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_failed_env_policy_run_link_and_summary(tmp_path: Path) -> None:
    loss = gp.plan([gp.destroy(gp.tbl("ielts", "users"), gp.table("ielts-genai-prep-users"))])
    prod = write(tmp_path, "prod.json", loss)
    local = write(tmp_path, "local.json", gp.plan([]))
    log = write(tmp_path, "dev.log", FAILED_LOG)
    report = FIXTURES / "real" / "checkov-plan-results.json"
    out = tmp_path / "comment.md"
    proc = run_cli(
        *("--plan", f"prod={prod}", "--failed", f"dev={log}", "--plan", f"local={local}"),
        *("--policy", f"prod={report}", "--run-url", RUN, "--json", "--out", str(out)),
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == ["`local`", "`dev`", "`prod`"]  # promotion order
    assert rows[1].endswith("| — | ❌ plan failed |")
    assert "❌ 2 failed" in rows[2] and f"[report](<{RUN}#artifacts>)" in rows[2]
    assert "### `dev` ❌ plan failed" in text
    first_error = next(line for line in text.splitlines() if line.startswith("First error:"))
    assert first_error.startswith("First error: `Error: error configuring S3 Backend: no valid credential sources")
    assert "\x1b" not in text
    assert f"[Workflow run](<{RUN}>)" in text
    data = json.loads(proc.stdout)
    assert data["labels"] == ["destroys-data"]
    assert data["envs"]["dev"]["status"] == "failed"
    assert data["envs"]["prod"]["data_loss"] == ['module.ielts.module.table["users"].aws_dynamodb_table.this']
    assert data["envs"]["prod"]["policy_failed"] == 2
    assert data["envs"]["local"]["status"] == "no-changes"
    assert data["characters"] == len(text.encode("utf-16-le")) // 2  # as GitHub counts
    assert "ielts-genai-prep-users" not in proc.stdout  # no plan values in the summary


def test_no_label_without_loss(tmp_path: Path) -> None:
    plan = write(tmp_path, "dev.json", gp.plan([gp.create("aws_sqs_queue.q", gp.queue("q"))]))
    proc = run_cli("--plan", f"dev={plan}", "--json", "--out", str(tmp_path / "c.md"))
    assert proc.returncode == 0 and json.loads(proc.stdout)["labels"] == []


def test_unchanged_inputs_give_a_byte_identical_comment(tmp_path: Path) -> None:
    plan = write(tmp_path, "dev.json", (FIXTURES / "real" / "tf-new-extras.json").read_text())
    first = run_cli("--plan", f"dev={plan}", "--run-url", RUN).stdout
    again = run_cli("--plan", f"dev={plan}", "--run-url", RUN).stdout
    assert first == again and first.startswith("<!-- tablekit-plan-comment -->")

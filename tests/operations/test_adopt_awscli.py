"""Brownfield adoption with tables made by the AWS CLI, exactly as the BandUp runbook (seed 000) makes them.

The runbook creates `bandup-evaluations` and `bandup-flashcard-sets` with `aws dynamodb create-table`
(keys and tags only: no index, AWS-owned encryption), turns PITR on with `update-continuous-backups`,
and the application has written items into them. Adopting them must import both tables, plan only
in-place changes for them (the index the module adds, the customer-managed key, tags) and never a
replacement; after the apply of that plan every item is still there, unchanged.

The CLI is the real `aws` command of the test venv (awscli from PyPI), run against a fresh endpoint
of this test only: the session endpoint may already hold the estate's tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tablekit import aws, cli, envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.terraform.plan import Action
from tablekit.upgrade import snapshot

AWS_CLI = Path(sys.executable).parent / "aws"
TABLES = ("bandup-evaluations", "bandup-flashcard-sets")

# The runbook's commands, word for word (seed 000, "Create Tables with AWS CLI" and "Enable PITR").
RUNBOOK = [
    [
        "dynamodb", "create-table",
        "--table-name", "bandup-evaluations",
        "--attribute-definitions",
        "AttributeName=evaluation_id,AttributeType=S",
        "AttributeName=user_id,AttributeType=S",
        "--key-schema",
        "AttributeName=evaluation_id,KeyType=HASH",
        "AttributeName=user_id,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
        "--tags", "Key=Project,Value=bandup", "Key=Environment,Value=production",
    ],
    [
        "dynamodb", "create-table",
        "--table-name", "bandup-flashcard-sets",
        "--attribute-definitions",
        "AttributeName=set_id,AttributeType=S",
        "AttributeName=user_id,AttributeType=S",
        "--key-schema",
        "AttributeName=set_id,KeyType=HASH",
        "AttributeName=user_id,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
        "--tags", "Key=Project,Value=bandup", "Key=Environment,Value=production",
    ],
    [
        "dynamodb", "update-continuous-backups",
        "--table-name", "bandup-evaluations",
        "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true",
    ],
    [
        "dynamodb", "update-continuous-backups",
        "--table-name", "bandup-flashcard-sets",
        "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true",
    ],
]  # fmt: skip

# Items as the application writes them (the seed's example items, plus more of the same shape).
ITEMS = {
    "bandup-evaluations": [
        {
            "evaluation_id": {"S": "eval-abc123"},
            "user_id": {"S": "user-456"},
            "evaluation_type": {"S": "writing"},
            "status": {"S": "completed"},
            "overall_band": {"S": "7.0"},
            "task_achievement_band": {"S": "7.0"},
            "coherence_band": {"S": "6.5"},
            "lexical_band": {"S": "7.0"},
            "grammar_band": {"S": "6.5"},
            "feedback": {"S": '{"task_achievement":{"band":7}}'},
            "model_used": {"S": "gemini-2.5-flash"},
            "created_at": {"N": "1733644800"},
        },
        {
            "evaluation_id": {"S": "speak-xyz789"},
            "user_id": {"S": "user-456"},
            "evaluation_type": {"S": "speaking"},
            "status": {"S": "completed"},
            "overall_band": {"S": "7.0"},
            "transcript": {"S": "Well, I'd like to talk about..."},
            "word_count": {"N": "185"},
            "created_at": {"N": "1733644800"},
        },
        # Written while processing: no created_at yet, so the new index must simply not list it.
        {"evaluation_id": {"S": "eval-pending"}, "user_id": {"S": "user-789"}, "status": {"S": "processing"}},
    ],
    "bandup-flashcard-sets": [
        {
            "set_id": {"S": "flashcard-set-123"},
            "user_id": {"S": "user-456"},
            "document_id": {"S": "uploads/documents/user-456/vocab-guide.pdf"},
            "status": {"S": "completed"},
            "flashcards": {"S": '[{"question":"What is...","answer":"..."}]'},
            "total_cards": {"N": "15"},
            "page_count": {"N": "8"},
            "chunk_count": {"N": "24"},
            "created_at": {"N": "1733644800"},
        },
        {
            "set_id": {"S": "flashcard-set-124"},
            "user_id": {"S": "user-101"},
            "status": {"S": "failed"},
            "created_at": {"N": "1733731200"},
        },
    ],
}


def run_aws(endpoint_url: str, *args: str) -> str:
    """The AWS CLI against the endpoint (test credentials from the session's environment)."""
    proc = subprocess.run(
        [str(AWS_CLI), "--endpoint-url", endpoint_url, "--region", "us-east-1", "--output", "json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AWS_PAGER": ""},
    )
    assert proc.returncode == 0, f"aws {' '.join(args[:2])} failed: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def brownfield(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """A fresh endpoint holding the two BandUp tables exactly as the runbook leaves them, with items."""
    assert AWS_CLI.exists(), "awscli is part of the test extra: the bootstrap installs it"
    ep = Endpoint(port=free_port(), state_dir=tmp_path_factory.mktemp("brownfield-endpoint"))
    ep.start(timeout=60)
    try:
        for command in RUNBOOK:
            run_aws(ep.url, *command)
        for table, items in ITEMS.items():
            for item in items:
                run_aws(ep.url, "dynamodb", "put-item", "--table-name", table, "--item", json.dumps(item))
        yield ep
    finally:
        ep.stop()


@pytest.mark.apply
@pytest.mark.slow
def test_cli_made_tables_are_adopted_updated_in_place_and_keep_every_item(
    brownfield: Endpoint, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = aws.clients(brownfield.url)
    described = json.loads(run_aws(brownfield.url, "dynamodb", "describe-table", "--table-name", TABLES[0]))
    assert described["Table"].get("GlobalSecondaryIndexes", []) == [], "the runbook creates no index"
    before = snapshot.take(clients, TABLES)
    assert {name: snap.items for name, snap in before.items()} == {name: len(items) for name, items in ITEMS.items()}

    data_dir = tmp_path / "local"
    code = cli.main(["adopt", "local", "--endpoint-url", brownfield.url, "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "WARNING" not in out, out  # adopt warns when an adopted table would be replaced

    ctx = envs.context("local", endpoint_url=brownfield.url, data_dir=data_dir)
    imported = {a for a in envs.init(ctx).state_list() if a.endswith("aws_dynamodb_table.this")}
    assert len(imported) == 2 and all("module.bandup" in a for a in imported), imported

    plan = envs.plan(ctx, refresh=True)
    adopted = {
        rc.address: rc for rc in plan.changes(types=["aws_dynamodb_table"]) if (rc.before or {}).get("name") in TABLES
    }
    assert {rc.before["name"] for rc in adopted.values()} == set(TABLES)
    assert {rc.action for rc in adopted.values()} == {Action.UPDATE}, {a: rc.action for a, rc in adopted.items()}
    for rc in adopted.values():
        # In place: the index the module adds, and the env's customer-managed key instead of AWS's.
        assert [gsi["name"] for gsi in rc.after["global_secondary_index"]] == ["user_id-created_at-index"]
        assert rc.after["server_side_encryption"][0]["enabled"] is True
    assert plan.destroyed() == [], [rc.address for rc in plan.destroyed()]

    envs.init(ctx).apply(ctx.data_dir / "plan.tfplan")
    after = snapshot.take(clients, TABLES)
    assert snapshot.compare(before, after) == [
        snapshot.ItemCheck(table=name, before=before[name], after=before[name]) for name in sorted(TABLES)
    ]
    table = clients("dynamodb").describe_table(TableName="bandup-evaluations")["Table"]
    assert [gsi["IndexName"] for gsi in table["GlobalSecondaryIndexes"]] == ["user_id-created_at-index"]
    history = clients("dynamodb").query(
        TableName="bandup-evaluations",
        IndexName="user_id-created_at-index",
        KeyConditionExpression="user_id = :u",
        ExpressionAttributeValues={":u": {"S": "user-456"}},
    )
    assert sorted(i["evaluation_id"]["S"] for i in history["Items"]) == ["eval-abc123", "speak-xyz789"]

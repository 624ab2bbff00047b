"""setup killed mid-apply -> the next setup converges, with the same items and no stray processes.

An apply cut short leaves tables, the stream processor's function, role, queue and log group and
a KMS key on the endpoint without recording them in the state (every rerun: "already exists"),
and, before the runner owned its process group, provider processes with no parent.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lifecycle_helpers import group_alive, group_ids, holdings, new_endpoint, processes_using

from tablekit import envs, lifecycle

CHILD = Path(__file__).with_name("setup_child.py")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """What an uninterrupted setup of the estate holds (a clean endpoint of its own)."""
    endpoint = new_endpoint(tmp_path_factory.mktemp("reference-endpoint"))
    try:
        result = lifecycle.setup("local", endpoint=endpoint, data_dir=tmp_path_factory.mktemp("reference"), quiet=True)
        return holdings(endpoint.url, result.tables)
    finally:
        endpoint.stop()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("after", "how"),
    [(2, "KILL"), (12, "INT2"), (24, "KILLALL"), (36, "HUP")],
    ids=["sigkill-early", "ctrl-c-twice", "power-cut", "terminal-closed"],
)
def test_setup_killed_mid_apply_then_setup_converges(tmp_path, reference, after, how, capsys):
    state_dir, data = tmp_path / "endpoint", tmp_path / "env"
    endpoint = new_endpoint(state_dir)
    try:
        child = subprocess.run(
            [sys.executable, str(CHILD), str(endpoint.port), str(state_dir), str(data), str(after), how],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=Path(__file__).parent,
        )
        assert f"interrupting with {how} after {after} resources" in child.stderr, child.stderr[-3000:]
        assert child.returncode != 0, child.stderr[-3000:]
        if how in ("INT2", "HUP"):
            # The harness lived to clean up: it ended terraform's whole group itself.
            assert group_ids(data) == [] and processes_using(data) == [], child.stderr[-3000:]
            assert "run `./just setup` again" in child.stderr
        left = group_ids(data)

        result = lifecycle.setup("local", endpoint=endpoint, data_dir=data, quiet=True)
        if how == "KILLALL":
            # Nothing wrote the state after the last checkpoint: objects the apply made since are untracked.
            deleted = {item.type for item in result.details["reconcile"].deleted}
            assert deleted & {"aws_dynamodb_table", "aws_lambda_function", "aws_iam_role", "aws_sqs_queue"}, deleted
            assert "an interrupted apply left on the endpoint" in capsys.readouterr().err

        assert holdings(endpoint.url, result.tables) == reference
        assert lifecycle.status(port=endpoint.port, data_dir=data).agrees
        # No terraform or provider process of the killed run (or of this one) is left running.
        assert not [pgid for pgid in left if group_alive(pgid)]
        assert processes_using(data) == []
        ctx = envs.context("local", endpoint_url=endpoint.url, data_dir=data)
        assert envs.plan(ctx).counts().total == 0
    finally:
        endpoint.stop()

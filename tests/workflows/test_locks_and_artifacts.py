"""Cancelling a run never leaves the state lock behind: a plan stopped while it holds the lock (the
interrupt GitHub sends on cancel) releases it, and the next plan and apply take the lock without
`force-unlock` (proven on the simulated account)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tablekit import aws, envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.envs import account
from tablekit.terraform.runner import var_args

pytestmark = [pytest.mark.apply, pytest.mark.slow]


def _lock_ids(endpoint_url: str) -> list[str]:
    table = aws.clients(endpoint_url, account.SIMULATED_REGION).client("dynamodb")
    items = table.scan(TableName=account.SIMULATED_LOCK_TABLE)["Items"]
    return [item["LockID"]["S"] for item in items if not item["LockID"]["S"].endswith("-md5")]


@pytest.fixture
def endpoint_url(tmp_path: Path) -> Iterator[str]:
    """An endpoint of this test alone: it applies dev, which the session endpoint's plans must not see."""
    endpoint = Endpoint(port=free_port(), state_dir=tmp_path / "endpoint")
    endpoint.start(timeout=60)
    try:
        yield endpoint.url
    finally:
        endpoint.stop()


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

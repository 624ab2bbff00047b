"""setup killed mid-apply -> the next setup converges, with the same items and no stray processes.

An apply cut short leaves tables, the stream processor's function, role, queue and log group and
a KMS key on the endpoint without recording them in the state (every rerun: "already exists"),
and, before the runner owned its process group, provider processes with no parent.

The setups run on the university family alone with its alarms on (lifecycle_support.university_tree):
19 resources of every type the local estate applies (table, the stream processor's function, role,
policies, queue and log group, a KMS key and its alias) plus alarms, where the whole estate is 43
resources, 35 of them tables. The kill points are spread over those 19 as they were over the 43.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lifecycle_support import (
    group_alive,
    group_ids,
    holdings,
    new_endpoint,
    processes_using,
    scratch_tmpdir,
    university_tree,
)

from tablekit import envs
from tablekit.lifecycle import local_env

CHILD = Path(__file__).with_name("setup_child.py")
# The kills and the leftover checks are about the provider processes Terraform launches itself.
pytestmark = pytest.mark.launched_provider


VARIABLES = {"alarms_enabled": True}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return university_tree(tmp_path_factory.mktemp("university-tree"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tree):
    """What an uninterrupted setup of the root holds (a clean endpoint of its own)."""
    endpoint = new_endpoint(tmp_path_factory.mktemp("reference-endpoint"))
    try:
        result = local_env.setup(
            "local",
            endpoint=endpoint,
            data_dir=tmp_path_factory.mktemp("reference"),
            quiet=True,
            source_root=tree,
            variables=VARIABLES,
        )
        return holdings(endpoint.url, result.tables)
    finally:
        endpoint.stop()


@pytest.mark.apply
@pytest.mark.slow
@pytest.mark.parametrize(
    ("after", "how"),
    [(2, "KILL"), (6, "INT2"), (12, "KILLALL"), (16, "HUP")],
    ids=["sigkill-early", "ctrl-c-twice", "power-cut", "terminal-closed"],
)
def test_setup_killed_mid_apply_then_setup_converges(tmp_path, tree, reference, after, how, capsys):
    state_dir, data = tmp_path / "endpoint", tmp_path / "env"
    endpoint = new_endpoint(state_dir)
    try:
        child = subprocess.run(
            [
                *(sys.executable, str(CHILD), str(endpoint.port), str(state_dir), str(data), str(after), how),
                *(str(tree), json.dumps(VARIABLES)),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=Path(__file__).parent,
            env={**os.environ, "TMPDIR": str(scratch_tmpdir(tmp_path))},
        )
        assert f"interrupting with {how} after {after} resources" in child.stderr, child.stderr[-3000:]
        assert child.returncode != 0, child.stderr[-3000:]
        if how in ("INT2", "HUP"):
            # The harness lived to clean up: it ended terraform's whole group itself.
            assert group_ids(data) == [] and processes_using(data) == [], child.stderr[-3000:]
            assert "run `./just setup` again" in child.stderr
        left = group_ids(data)

        result = local_env.setup(
            "local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree, variables=VARIABLES
        )
        if how == "KILLALL":
            # Nothing wrote the state after the last checkpoint: objects the apply made since are untracked.
            deleted = {item.type for item in result.details["reconcile"].deleted}
            assert deleted & {"aws_dynamodb_table", "aws_lambda_function", "aws_iam_role", "aws_sqs_queue"}, deleted
            assert "an interrupted apply left on the endpoint" in capsys.readouterr().err

        assert holdings(endpoint.url, result.tables) == reference
        assert local_env.status(port=endpoint.port, data_dir=data).agrees
        # No terraform or provider process of the killed run (or of this one) is left running.
        assert not [pgid for pgid in left if group_alive(pgid)]
        assert processes_using(data) == []
        ctx = envs.context("local", endpoint_url=endpoint.url, data_dir=data, variables=VARIABLES, source_root=tree)
        assert envs.plan(ctx).counts().total == 0
    finally:
        endpoint.stop()

"""setup -> down -> up -> setup converges; teardown of nothing is success; status tells agreement.

The endpoint keeps everything in memory: after a restart the state still lists the whole estate.
Before reconciling, every later setup and teardown failed on the first refresh ("Key ... does not
exist") and only deleting the state file by hand recovered.
"""

from __future__ import annotations

import pytest
from lifecycle_support import holdings, new_endpoint, university_tree

from tablekit.lifecycle import local_env

pytestmark = [pytest.mark.apply, pytest.mark.slow]


def test_restart_converges_to_the_same_holdings(tmp_path, capsys):
    """setup -> down -> up -> setup converges (teardown: the next test)."""
    endpoint = new_endpoint(tmp_path / "endpoint")
    data = tmp_path / "env"
    tree = university_tree(tmp_path / "tree")  # the university family alone: stream, function, aggregates
    try:
        first = local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree)
        before = holdings(endpoint.url, first.tables)
        assert before["items"]["university"] > 0 and before["functions"] and before["aggregates"]
        assert local_env.status(port=endpoint.port, data_dir=data).agrees

        endpoint.stop()
        down = local_env.status(port=endpoint.port, data_dir=data)
        assert not down.agrees and "not running" in down.verdict()
        endpoint.start(timeout=60)
        emptied = local_env.status(port=endpoint.port, data_dir=data)
        assert not emptied.agrees and emptied.present == 0 and len(emptied.missing) == emptied.tracked > 0
        capsys.readouterr()

        second = local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree)
        said = capsys.readouterr().err
        assert "holds none of the" in said and "starting from an empty state" in said
        assert second.details["reconcile"].kept_state is not None  # the old state is kept, not deleted
        assert holdings(endpoint.url, second.tables) == before
        assert local_env.status(port=endpoint.port, data_dir=data).agrees

        third = local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree, seed=False)
        assert third.details["plan"].total == 0  # converged: nothing planned, apply skipped
    finally:
        endpoint.stop()


def test_teardown_is_idempotent_and_needs_no_endpoint_for_nothing(tmp_path, capsys):
    endpoint = new_endpoint(tmp_path / "endpoint")
    data = tmp_path / "env"
    tree = university_tree(tmp_path / "tree")
    try:
        local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree, seed=False)
        assert local_env.status(port=endpoint.port, data_dir=data).agrees
        capsys.readouterr()

        # Teardown with the endpoint gone: its objects went with it, so nothing to destroy (exit 0).
        endpoint.stop()
        assert local_env.teardown("local", endpoint=endpoint, data_dir=data, source_root=tree) == []
        assert "nothing to destroy" in capsys.readouterr().err

        endpoint.start(timeout=60)
        local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True, source_root=tree, seed=False)
        removed = local_env.teardown("local", endpoint=endpoint, data_dir=data, source_root=tree)
        assert any(".aws_lambda_function.processor" in address for address in removed)
        assert not endpoint.status()["healthy"]  # teardown of local stops the endpoint it started
        capsys.readouterr()
        assert local_env.teardown("local", endpoint=endpoint, data_dir=data, source_root=tree) == []
        assert "nothing to destroy" in capsys.readouterr().err
    finally:
        endpoint.stop()

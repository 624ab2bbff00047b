"""Fixtures of the check-queries tests: the local env's declared tables, and DynamoDB Local.

The declared tables come from a plan of envs/local, exactly as the command reads them (cached under
build/queries by a digest of the Terraform sources, so the suite plans at most once per tree).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tablekit.queries.schema import Declared


@pytest.fixture(scope="session")
def local_declared() -> Declared:
    from tablekit.commands.check_queries import _plan
    from tablekit.queries import declared

    return declared.load("local", _plan)


@pytest.fixture(scope="session")
def dynamodb_local_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """AWS's DynamoDB Local for this module's session (free port, own state directory)."""
    from tablekit.endpoint.dynamodb_local import install
    from tablekit.endpoint.probes import free_port
    from tablekit.endpoint.server import Endpoint

    install()
    endpoint = Endpoint(
        port=free_port(), state_dir=tmp_path_factory.mktemp("queries-ddb-local"), engine="dynamodb-local"
    )
    endpoint.start(timeout=120)
    yield endpoint.url
    endpoint.stop()

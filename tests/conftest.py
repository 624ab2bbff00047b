"""Shared fixtures: one moto server per test session on a free port, fake AWS credentials."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.terraform.toolchain import REATTACH_VAR

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--launched-provider",
        action="store_true",
        help="every test's Terraform launches its own hashicorp/aws, as the product does (no shared provider)",
    )


@pytest.fixture(scope="session")
def _shared_provider(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """This worker's shared hashicorp/aws (tests/terraform/shared_provider.py), or None when off."""
    if request.config.getoption("--launched-provider"):
        yield None
        return
    from terraform.shared_provider import SharedProvider, declared_types, mirror_binary

    server = SharedProvider(mirror_binary(), declared_types(Path(__file__).resolve().parents[1]))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="module", autouse=True)
def _terraform_attaches(request: pytest.FixtureRequest, _shared_provider: str | None) -> Iterator[None]:
    """Terraform in this file attaches to the shared provider, unless the file is marked launched_provider."""
    if _shared_provider is None or request.node.get_closest_marker("launched_provider"):
        yield
        return
    os.environ[REATTACH_VAR] = _shared_provider
    try:
        yield
    finally:
        os.environ.pop(REATTACH_VAR, None)


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
def local_replan(local_env):
    """A fresh plan (with refresh) of the applied local estate, made once for its readers: what the
    next `setup` would change (tests/envs/test_local_estate.py, tests/review/test_real_plans.py)."""
    from tablekit import envs

    return envs.plan(local_env.ctx, refresh=True)


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
    monkeypatch.delenv(REATTACH_VAR, raising=False)  # the processes it checks are its own
    yield
    leftovers = left_behind(token)
    end(leftovers)
    assert not leftovers, f"{request.node.nodeid} left processes running: {leftovers}"


# ------------------------------------------------------------------------------------------------
# How `./just test` (pytest -n auto --dist loadfile) spreads the files over the workers.
#
# A file's tests stay on one worker (its module fixtures run once). On top of that:
# - Files that read the same expensive session fixture share one unit of work, so only one worker
#   pays for it: the applied local estate (`local_env`, ~30 s) and the plans of every env
#   (`env_plan_files`, ~45 s). A warning names a file that uses one of them from outside its unit.
# - Units start longest first (the seconds below were measured with --durations; any other file
#   is guessed from its marks), so the run never ends with one worker alone on a long file.
# Nothing here changes what a test runs or asserts; `-n 0` ignores it all.
# ------------------------------------------------------------------------------------------------

SHARED_UNITS: dict[str, tuple[str, ...]] = {
    # every user of the `env_plan_files` session fixture
    "env-plans": (
        "tests/governance/test_project_gate.py",
        "tests/staging/test_compat.py",
        "tests/envs/test_env_plans.py",
    ),
    # every user of the `local_env` session fixture, and the conformance suite (one DynamoDB Local)
    "local-estate": (
        "tests/envs/test_local_estate.py",
        "tests/review/test_real_plans.py",
        "tests/university/test_university_e2e.py",
        "tests/families/test_access_patterns_aitutor.py",
        "tests/families/test_access_patterns_bandup.py",
        "tests/families/test_access_patterns_ielts.py",
        "tests/conformance/test_access_patterns.py",
        "tests/conformance/test_engines.py",
        "tests/conformance/test_loader_rules.py",
        "tests/conformance/test_rollback.py",
        "tests/conformance/test_seed_and_stream.py",
        "tests/conformance/test_table_rules.py",
    ),
}
SHARED_FIXTURES = {"env_plan_files": "env-plans", "local_env": "local-estate", "local_replan": "local-estate"}
UNIT_OF_FILE = {path: unit for unit, paths in SHARED_UNITS.items() for path in paths}
# Worker-seconds of the longest units (2 workers on the shared 2-core machine, with the shared provider).
UNIT_SECONDS = {
    "tests/workflows/test_path_to_production.py": 250,
    "env-plans": 40,
    "tests/lifecycle/test_family_toggles.py": 77,
    "local-estate": 55,
    "tests/lifecycle/test_interrupted_setup.py": 127,
    "tests/upgrade/test_last_release.py": 107,
    "tests/lifecycle/test_toggles.py": 42,
    "tests/lifecycle/test_restart_and_teardown.py": 69,
    "tests/operations/test_adopt_awscli.py": 29,
    "tests/upgrade/test_upgrade_check.py": 35,
    "tests/lifecycle/test_endpoint_dies.py": 32,
    "tests/governance/test_project_gate_static.py": 100,  # four checkov scans on a cold cache (fresh clone)
    "tests/modules/test_dynamodb_table_apply.py": 16,
    "tests/upgrade/test_moved_block.py": 50,
    "tests/upgrade/test_alarm_rename.py": 47,
}


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or the shared unit its file is listed in."""
    path = nodeid.split("::", 1)[0]
    return UNIT_OF_FILE.get(path, path)


@pytest.hookimpl(trylast=True)  # after pytest's own grouping by parametrized session fixtures
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest units first; the tests of a unit together, in the order pytest had them."""
    guess: dict[str, float] = {}
    for item in items:
        unit = unit_of(item.nodeid)
        marks = {m.name for m in item.iter_markers()}
        each = 8.0 if "apply" in marks else 4.0 if "slow" in marks else 0.1
        guess[unit] = guess.get(unit, 0.0) + each
        for fixture, shared in SHARED_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()) and unit != shared:
                warnings.warn(
                    f"{item.nodeid} uses {fixture}: list its file in SHARED_UNITS[{shared!r}] (tests/conftest.py) "
                    "so one worker sets it up for all its users",
                    stacklevel=1,
                )
    cost = {unit: UNIT_SECONDS.get(unit, seconds) for unit, seconds in guess.items()}
    first_seen = {unit: i for i, unit in reversed(list(enumerate(unit_of(it.nodeid) for it in items)))}
    items.sort(key=lambda it: (-cost[unit_of(it.nodeid)], first_seen[unit_of(it.nodeid)]))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile with the shared units above, handed out in collection order (longest first)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedUnitScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # the collection is already ordered longest first
    return SharedUnitScheduling(config, log)

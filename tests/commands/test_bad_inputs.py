"""Bad inputs that no capability-specific test covers: env variables, the estate guard, CLI arguments.

Every case asserts the message names the field and the fix, and that nothing was written. The
full catalogue (module variables, seed files, CLI) is the table of docs/troubleshooting.md;
`test_troubleshooting_rows_point_at_real_tests` keeps that table honest.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from commands_support import named_tests, troubleshooting_rows

from tablekit import envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError
from tablekit.lifecycle import local_env
from tablekit.staging.copies import stage
from tablekit.staging.lambda_build import build_all
from tablekit.terraform.runner import Terraform, var_args

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tablekit", *args], capture_output=True, text=True, cwd=ROOT)


def _plan_error(workdir: Path, data_dir: Path, variables: dict[str, object], backend_path: Path) -> str:
    """Plan a staged root module that must fail; returns terraform's stderr."""
    tf = Terraform(workdir, env={"TF_DATA_DIR": str(data_dir)})
    tf.init(backend_config=[f"path={backend_path}"])
    proc = tf.run(["plan", "-input=false", "-no-color", *var_args(variables)], check=False)
    assert proc.returncode != 0, "the plan must fail"
    return " ".join(proc.stderr.split())  # terraform wraps long messages across lines


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """modules/ + envs/local copied aside, so the estate can be fed a misbehaving family."""
    return stage(tmp_path_factory.mktemp("staged"), include=("modules", "envs/local"))


@pytest.mark.slow
def test_local_endpoint_url_must_be_a_plain_url(staged: Path, tmp_path: Path) -> None:
    message = _plan_error(
        staged / "envs" / "local",
        tmp_path / "tf",
        {"endpoint_url": "localhost:4566", "lambda_zip_path": str(build_all()["university-stream"])},
        tmp_path / "state",
    )
    assert "The endpoint_url must look like http://127.0.0.1:4566" in message
    assert not (tmp_path / "state").exists(), "a failed plan writes no state"


@pytest.mark.slow
def test_two_families_declaring_the_same_table_fail_the_plan(staged: Path, tmp_path: Path, endpoint_url: str) -> None:
    # A family that (by mistake) declares `university`, which the university family owns.
    bandup = staged / "modules" / "bandup"
    (bandup / "zz_duplicate_override.tf").write_text(
        'output "tables" {\n  value = { university = { name = "university" } }\n}\n'
    )
    try:
        # The session endpoint answers the plan-time data sources, so only the guard can fail the plan.
        message = _plan_error(
            staged / "envs" / "local",
            tmp_path / "tf",
            {"lambda_zip_path": str(build_all()["university-stream"]), "endpoint_url": endpoint_url},
            tmp_path / "state",
        )
    finally:
        (bandup / "zz_duplicate_override.tf").unlink()
    assert "two table families declare the same table name" in message
    assert "give each table a unique name" in message


@pytest.mark.slow
def test_estate_without_a_customer_managed_key_fails_the_plan(staged: Path, tmp_path: Path, endpoint_url: str) -> None:
    # An env that forgets (or nulls) the key it must pass: every env encrypts with its own CMK.
    env_dir = staged / "envs" / "local"
    (env_dir / "zz_no_key_override.tf").write_text('module "estate" {\n  kms_key_arn = null\n}\n')
    try:
        message = _plan_error(
            env_dir,
            tmp_path / "tf",
            {"endpoint_url": endpoint_url, "lambda_zip_path": str(build_all()["university-stream"])},
            tmp_path / "state",
        )
    finally:
        (env_dir / "zz_no_key_override.tf").unlink()
    assert "The estate needs kms_key_arn: every environment encrypts its tables with a customer-managed key" in message
    assert "pass module.kms.arn from a modules/kms-key block" in message
    assert not (tmp_path / "state").exists(), "a failed plan writes no state"


@pytest.mark.slow
def test_prod_alarm_topic_must_be_an_sns_arn(endpoint_url: str, tmp_path: Path) -> None:
    ctx = envs.on_endpoint("prod", endpoint_url, tmp_path, example_values=False)
    ctx.variables["alarm_sns_topic_arn"] = "oncall@example.com"
    with pytest.raises(UserError) as error:
        envs.plan(ctx, refresh=False)
    assert "alarm_sns_topic_arn must be an SNS topic ARN like arn:aws:sns:" in " ".join(str(error.value).split())


def test_seed_with_the_endpoint_down_says_how_to_start_it() -> None:
    down = f"http://127.0.0.1:{free_port()}"
    proc = _cli("seed", "local", "--endpoint-url", down)
    assert proc.returncode == 2
    assert f"the local endpoint is not answering at {down}: start it with `just up`" in proc.stderr


@pytest.mark.slow
def test_stream_with_the_endpoint_down_says_how_to_start_it() -> None:
    down = f"http://127.0.0.1:{free_port()}"
    proc = _cli("stream", "--once", "--table", "university", "--endpoint-url", down)
    assert proc.returncode == 2
    assert "start it with `just up`" in proc.stderr


def test_teardown_with_the_endpoint_down_is_nothing_to_destroy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The endpoint keeps everything in memory: stopped, it holds nothing, so there is nothing to
    # destroy (exit 0), and the state that described it is set aside, not deleted.
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_dynamodb_table", "name": "t",
             "instances": [{"attributes": {"name": "t", "id": "t"}}]}]}  # fmt: skip
    (tmp_path / "terraform.tfstate").write_text(json.dumps(state))
    endpoint = Endpoint(port=free_port(), state_dir=tmp_path / "ep")
    assert local_env.teardown("local", data_dir=tmp_path, endpoint=endpoint) == []
    assert "nothing to destroy: the local endpoint at" in capsys.readouterr().err
    assert not (tmp_path / "terraform.tfstate").exists()
    assert json.loads((tmp_path / "terraform.tfstate.lost").read_text()) == state


def test_plan_of_a_real_env_without_backend_config_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    proc = _cli("plan", "dev")
    assert proc.returncode == 2
    assert "backend.hcl does not exist" in proc.stderr or "no credentials were found" in proc.stderr


def test_setup_port_taken_names_the_port_and_the_fix(tmp_path: Path) -> None:
    import socket

    port = free_port()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen(1)
        proc = _cli("setup", "local", "--port", str(port))
    assert proc.returncode == 2
    assert f"port {port} is already in use" in proc.stderr and "--port" in proc.stderr


def test_troubleshooting_rows_point_at_real_tests() -> None:
    """Every row of docs/troubleshooting.md's table names at least one test, and every test it names exists."""
    rows = troubleshooting_rows()
    assert len(rows) >= 25, f"the bad-input catalogue must list at least 25 cases, found {len(rows)}"
    numbers = [number for number, _ in rows]
    assert numbers == [str(n) for n in range(1, len(rows) + 1)], f"number the rows 1..N in order: {numbers}"
    for number, row in rows:
        refs = named_tests(row)
        where = f"docs/troubleshooting.md row {number}"
        assert refs, f"{where} names no test: add `tests/FILE.py::test_name`"
        for path, name in refs:
            assert (ROOT / path).is_file(), f"{where}: {path} does not exist"
            assert re.search(rf"def {name}\b", (ROOT / path).read_text()), f"{where}: {path}::{name} does not exist"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("plan", "dev", "--lock-timeout", "forever"), "argument --lock-timeout: 'forever' is not a duration"),
        (("apply", "dev", "--saved-plan", "MISSING.tfplan"), "no saved plan at "),
        (("apply", "dev", "--sha256", "xyz"), "argument --sha256: 'xyz' is not a sha256 digest"),
    ],
    ids=["lock-timeout", "saved-plan", "sha256"],
)
def test_bad_plan_and_apply_flags_are_refused_before_the_endpoint_starts(
    args: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    """On the simulated account these used to start the local endpoint (and leave it running)
    before being refused; now the flag is judged first: one line, exit 2, nothing listening."""
    import os
    import socket

    port = free_port()
    env = {**os.environ, "TABLEKIT_ENDPOINT_PORT": str(port), "TABLEKIT_ACCOUNT": "simulated"}
    proc = subprocess.run(
        [sys.executable, "-m", "tablekit", *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and says in proc.stderr, proc.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"an endpoint was left listening on port {port}"

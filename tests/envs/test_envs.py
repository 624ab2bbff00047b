"""Environment guards that must fire before any Terraform write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tablekit import envs
from tablekit.envs import account
from tablekit.errors import UserError
from tablekit.lifecycle import local_env


def test_unknown_env_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown environment 'staging': choose one of local, dev, prod"):
        envs.context("staging")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_teardown_of_real_env_needs_the_env_name_as_confirmation(env: str, tmp_path) -> None:
    expected = rf"refusing to tear down '{env}' without confirmation.*just teardown {env} {env}"
    with pytest.raises(UserError, match=expected):
        local_env.teardown(env, confirm=None, data_dir=tmp_path)
    with pytest.raises(UserError, match="refusing"):
        local_env.teardown(env, confirm="local", data_dir=tmp_path)
    assert not any(tmp_path.iterdir()), "nothing may be written before the confirmation check"


def test_real_env_without_backend_config_explains_the_fix(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLEKIT_BACKEND_CONFIG", raising=False)
    ctx = envs.context("dev", data_dir=tmp_path)
    with pytest.raises(UserError, match=r"envs/dev/backend.hcl does not exist: copy envs/dev/backend.hcl.example"):
        envs.backend_config(ctx)


def test_real_env_without_credentials_is_refused(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    ctx = envs.context("prod", data_dir=tmp_path)
    with pytest.raises(UserError, match="prod talks to real AWS but no credentials were found: set AWS_PROFILE"):
        envs.require_account(ctx)


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, None, "aws"),
        ("simulated", None, "simulated"),
        (None, "simulated", "simulated"),
        ("aws", "simulated", "aws"),
    ],
)
def test_one_switch_picks_the_account(flag, environ, expected, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(account.ACCOUNT_ENV, raising=False)
    if environ:
        monkeypatch.setenv(account.ACCOUNT_ENV, environ)
    assert envs.context("dev", account_name=flag).account == expected
    assert envs.context("local", account_name=flag).account == "local"  # local is always the endpoint


def test_an_unknown_account_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(account.ACCOUNT_ENV, "staging")
    with pytest.raises(UserError, match=r"TABLEKIT_ACCOUNT 'staging': choose aws or simulated"):
        envs.context("prod")


def test_offline_is_only_a_deprecated_name_of_the_simulated_account() -> None:
    ctx = envs.context("prod", offline=True)
    assert ctx.simulated and ctx.offline
    assert ctx.endpoint_url and ctx.endpoint_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("modern", [False, True])
def test_the_backend_redirect_holds_only_endpoints_keys_and_skip_flags(modern: bool) -> None:
    text = account.backend_settings("http://127.0.0.1:9", modern)
    settings = {line.split("=")[0].strip() for line in text.splitlines() if "=" in line and not line.startswith("#")}
    assert not settings & {"bucket", "key", "region", "dynamodb_table", "path"}, "the env's backend.hcl decides those"
    assert {"access_key", "secret_key", "skip_credentials_validation"} <= settings
    assert ("endpoints" in settings) is modern


def test_prod_without_its_required_input_stops_before_terraform(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("TF_VAR_alarm_sns_topic_arn", raising=False)
    ctx = envs.context("prod", data_dir=tmp_path, account_name="simulated")
    with pytest.raises(UserError) as err:
        envs.check_inputs(ctx)
    message = str(err.value)
    first = "prod needs a value for alarm_sns_topic_arn (CI: repository variable PROD_ALARM_SNS_TOPIC_ARN)"
    assert message.startswith(first)
    assert "envs/prod/example.tfvars" in message and "\n" not in message
    assert not any(tmp_path.iterdir()), "nothing may be written before the input check"
    # An empty value (an unset repository variable) is missing too; the example file satisfies it.
    monkeypatch.setenv("TF_VAR_alarm_sns_topic_arn", "")
    with pytest.raises(UserError, match="given empty: alarm_sns_topic_arn"):
        envs.check_inputs(ctx)
    example = envs.example_inputs("prod")
    assert example is not None
    envs.check_inputs(envs.context("prod", data_dir=tmp_path, account_name="simulated", var_files=[example]))
    envs.check_inputs(envs.context("dev", data_dir=tmp_path, account_name="simulated"))  # dev has none


def test_the_simulated_account_keeps_the_real_backend_and_redirects_only_providers(endpoint_url: str, tmp_path) -> None:
    ctx = envs.on_endpoint("prod", endpoint_url, tmp_path)
    workdir = envs.stage(ctx)
    override = (workdir / envs.ACCOUNT_OVERRIDE).read_text()
    code = "\n".join(line for line in override.splitlines() if not line.startswith("#"))
    assert "backend" not in code and "terraform" not in code, "the simulated account must not touch the backend"
    assert code.count('provider "aws"') == 2 and '"replica"' in code
    assert endpoint_url in code and "222222222222" in override  # prod's own endpoint account
    # The account's keys reach Terraform through its environment only: no file, no plan holds them.
    assert "access_key" not in code and "secret_key" not in code
    assert ctx.terraform().extra_env["AWS_ACCESS_KEY_ID"].startswith(("ASIA", "FSIA", "AKIA"))
    assert 'backend "s3" {}' in (workdir / "versions.tf").read_text()
    assert not [p.name for p in workdir.glob("*override*") if p.name != envs.ACCOUNT_OVERRIDE]
    config = envs.backend_config(ctx)
    assert len(config) == 2
    assert "bucket" in Path(config[0]).read_text() and "bucket" not in Path(config[1]).read_text()


def test_cli_rejects_unknown_env_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "tablekit", "plan", "staging"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "invalid choice: 'staging'" in proc.stderr


@pytest.mark.apply
@pytest.mark.slow
def test_a_prod_state_that_lost_track_of_its_account_stops_with_the_import_to_review(tmp_path) -> None:
    """dev and prod are never repaired (local setup is): the review stops with the commands."""
    from tablekit.endpoint.probes import free_port
    from tablekit.endpoint.server import Endpoint
    from tablekit.envs import reconcile

    endpoint = Endpoint(port=free_port(), state_dir=tmp_path / "endpoint")  # of its own: it gets a stray table
    endpoint.start(timeout=60)
    try:
        ctx = envs.on_endpoint("prod", endpoint.url, tmp_path / "prod")
        ctx.clients().client("dynamodb").create_table(  # made by hand, outside Terraform, in prod's account
            TableName="bandup-evaluations",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "evaluation_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "evaluation_id", "AttributeType": "S"}],
        )
        with pytest.raises(reconcile.StateMismatch) as caught:
            envs.review(ctx)
        message = str(caught.value)
        assert "the prod state and its account disagree" in message and "nothing was applied" in message
        assert "module.estate.module.bandup.module.table[" in message  # the address to import into
        assert "bandup-evaluations" in next(line for line in message.splitlines() if "terraform import" in line)
    finally:
        endpoint.stop()

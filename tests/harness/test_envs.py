"""Environment guards that must fire before any Terraform write."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tablekit import envs, lifecycle
from tablekit.errors import UserError


def test_unknown_env_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown environment 'staging': choose one of local, dev, prod"):
        envs.context("staging")


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_teardown_of_real_env_needs_the_env_name_as_confirmation(env: str, tmp_path) -> None:
    expected = rf"refusing to tear down '{env}' without confirmation.*just teardown {env} {env}"
    with pytest.raises(UserError, match=expected):
        lifecycle.teardown(env, confirm=None, data_dir=tmp_path)
    with pytest.raises(UserError, match="refusing"):
        lifecycle.teardown(env, confirm="local", data_dir=tmp_path)
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
        envs.require_credentials(ctx)


def test_offline_plan_needs_an_endpoint() -> None:
    with pytest.raises(UserError, match="offline plans need the local endpoint"):
        envs.context("prod", offline=True)


def test_cli_rejects_unknown_env_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "tablekit", "plan", "staging"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "invalid choice: 'staging'" in proc.stderr

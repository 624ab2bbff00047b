"""The offline toolchain: mirror layout, CLI config, and the opt-out for online users."""

from __future__ import annotations

import subprocess

import pytest

from tablekit.errors import UserError
from tablekit.toolchain import PROVIDER_VERSION, Toolchain


def test_install_writes_mirror_and_offline_cli_config(tmp_path) -> None:
    chain = Toolchain(root=tmp_path)
    config = chain.install()
    text = config.read_text()
    assert "filesystem_mirror" in text and str(chain.mirror) in text
    assert "direct" not in text, "nothing may be installed from the network"
    zips = list((chain.mirror / "registry.terraform.io" / "hashicorp" / "aws").glob("*.zip"))
    assert [z.name for z in zips] == [f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"]
    assert chain.install() == config, "install is idempotent"


def test_terraform_init_uses_only_the_mirror(tmp_path) -> None:
    chain = Toolchain(root=tmp_path / "tc")
    chain.install()
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 3.39" }\n  }\n}\n'
    )
    proc = subprocess.run(
        [chain.terraform_bin(), "init", "-input=false", "-no-color"],
        cwd=work,
        env=chain.env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"Installed hashicorp/aws v{PROVIDER_VERSION}" in proc.stdout


def test_online_mode_needs_terraform_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TABLEKIT_ONLINE", "1")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError, match="TABLEKIT_ONLINE=1 but no `terraform` on PATH"):
        Toolchain(root=tmp_path).terraform_bin()
    env = Toolchain(root=tmp_path).env()
    assert "TF_CLI_CONFIG_FILE" not in env or env["TF_CLI_CONFIG_FILE"] != str(tmp_path / "terraformrc")

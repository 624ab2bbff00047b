"""The offline toolchain: mirror layout, CLI config, and the opt-out for online users."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tablekit.errors import UserError
from tablekit.terraform.runner import Terraform
from tablekit.terraform.toolchain import PROVIDER_VERSION, Toolchain


@pytest.mark.slow
def test_install_writes_mirror_and_offline_cli_config(tmp_path) -> None:
    chain = Toolchain(root=tmp_path)
    config = chain.install()
    text = config.read_text()
    assert "filesystem_mirror" in text and str(chain.mirror) in text
    assert "direct" not in text, "nothing may be installed from the network"
    assert "plugin_cache_dir" not in text, "a shared plugin cache breaks Terraform >= 1.4 (text file busy)"
    binaries = [p.name for p in chain.provider_dir.iterdir()]
    assert binaries == [f"terraform-provider-aws_v{PROVIDER_VERSION}_x5"], "an unpacked mirror"
    assert chain.install() == config, "install is idempotent"


@pytest.mark.slow
def test_terraform_init_uses_only_the_mirror(tmp_path) -> None:
    chain = Toolchain(root=tmp_path / "tc")
    chain.install()
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 3.39" }\n  }\n}\n'
    )
    proc = Terraform(work, toolchain=chain).run(["init", "-input=false", "-no-color"], check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"Installed hashicorp/aws v{PROVIDER_VERSION}" in proc.stdout


@pytest.mark.slow
def test_retired_online_variable_changes_nothing_and_the_real_toolchain_drops_the_offline_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from tablekit.terraform import toolchain

    monkeypatch.setenv("TABLEKIT_ONLINE", "1")
    chain = Toolchain(root=tmp_path)
    assert chain.double and chain.env()["TF_CLI_CONFIG_FILE"] == str(chain.cli_config)
    assert "retired" in (toolchain.retired_notice() or "")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(toolchain.DEFAULT.cli_config))
    assert "TF_CLI_CONFIG_FILE" not in toolchain.REAL.env()
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError, match=r"no `terraform`: install it from https://developer.hashicorp.com"):
        toolchain.REAL.terraform_bin()


def test_the_floor_is_what_the_committed_constraints_declare() -> None:
    from tablekit.terraform import toolchain

    assert toolchain.floor() == "1.1.0"
    assert not toolchain.admits(toolchain.TERRAFORM_VERSION) and toolchain.admits("1.16.3")
    assert not toolchain.admits("2.0.0")


# --- parallel init with every Terraform on the machine ----------------------------------------

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
"""go-plugin's handshake value for Terraform providers: with it the provider serves and waits, which
is exactly "another terraform is running this provider binary"."""

MAIN_TF = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "%s" }\n  }\n}\n'


@dataclass(frozen=True)
class OnPath(Toolchain):
    """The project's CLI config with another terraform binary (the newest on PATH)."""

    binary: str = ""

    def terraform_bin(self) -> str:
        return self.binary


def _version(binary: str) -> tuple[int, ...]:
    out = Terraform(Path.cwd(), toolchain=OnPath(binary=binary)).run(["version", "-json"]).stdout
    return tuple(int(x) for x in json.loads(out)["terraform_version"].split("-")[0].split("."))


def _binary(which: str, chain: Toolchain) -> str:
    if which == "pinned":
        return chain.terraform_bin()
    found = shutil.which("terraform")
    if not found or _version(found) <= (1, 3, 99):
        pytest.skip(
            "no Terraform >= 1.4 on PATH, so the case this test exists for (a newer Terraform and a shared "
            "plugin cache: `text file busy`) was NOT exercised on this machine; install one to check it"
        )
    return found


@contextlib.contextmanager
def _provider_running(binary: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5"}
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None and b"|grpc" in proc.stdout.readline(), "the provider serves"
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _parallel_inits(chain: Toolchain, work: Path, count: int = 4) -> list[tuple[int, str]]:
    def one(i: int) -> tuple[int, str]:
        root = work / f"root{i}"
        root.mkdir(parents=True)
        (root / "main.tf").write_text(MAIN_TF % PROVIDER_VERSION)
        tf = Terraform(root, toolchain=chain, env={"TF_DATA_DIR": str(root / ".terraform")})
        proc = tf.run(["init", "-input=false", "-no-color"], check=False)
        return proc.returncode, " ".join((proc.stderr or "").split())

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.slow
@pytest.mark.parametrize("which", ["pinned", "newest-on-path"])
def test_parallel_inits_while_the_provider_runs(which: str, tmp_path: Path) -> None:
    """Several `init`s at once while the shared provider binary is running: all succeed, with the
    pinned Terraform and with the newest one on the machine."""
    base = Toolchain(root=tmp_path / "tc")
    base.install()
    chain = OnPath(root=base.root, binary=_binary(which, base))
    binary = base.provider_dir / f"terraform-provider-aws_v{PROVIDER_VERSION}_x5"
    with _provider_running(binary):
        results = _parallel_inits(chain, tmp_path / "work")
    assert [rc for rc, _ in results] == [0] * len(results), results


@pytest.mark.slow
def test_a_shared_plugin_cache_is_what_breaks_newer_terraform(tmp_path: Path) -> None:
    """The failure the CLI config avoids, reproduced: the old config (packed mirror + plugin_cache_dir)
    with a newer Terraform fails with `text file busy` while the cached provider runs."""
    base = Toolchain(root=tmp_path / "tc")
    binary_path = _binary("newest-on-path", base)
    packed = tmp_path / "packed" / "registry.terraform.io" / "hashicorp" / "aws"
    packed.mkdir(parents=True)
    shutil.copyfile(base.provider_zip_source(), packed / base.provider_zip_source().name)
    cache = tmp_path / "cache"
    cache.mkdir()
    old = tmp_path / "old.rc"
    old.write_text(
        f'plugin_cache_dir = "{cache}"\nprovider_installation {{\n  filesystem_mirror {{\n'
        f'    path = "{tmp_path / "packed"}"\n  }}\n}}\n'
    )

    @dataclass(frozen=True)
    class OldConfig(OnPath):
        def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
            return {**super().env(base), "TF_CLI_CONFIG_FILE": str(old)}

    chain = OldConfig(root=base.root, binary=binary_path)
    [(rc, _)] = _parallel_inits(chain, tmp_path / "warm", count=1)  # fills the cache
    assert rc == 0
    cached = next(cache.rglob(f"terraform-provider-aws_v{PROVIDER_VERSION}_x5"))
    with _provider_running(cached):
        results = _parallel_inits(chain, tmp_path / "work", count=2)
    assert all(rc != 0 and "text file busy" in err for rc, err in results), results

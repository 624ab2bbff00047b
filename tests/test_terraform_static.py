"""Static checks of every Terraform directory: `terraform fmt` and `terraform validate`.

Why parametrised from the file tree: a new module, example or environment is checked as soon as
it has a .tf file, without anyone remembering to add it here.

Why a staged copy: `terraform init` writes .terraform.lock.hcl next to the configuration even
with TF_DATA_DIR set, and other engineers work in the repository at the same time, so validation
runs on a copy of modules/ and envs/ (relative module sources stay valid) with TF_DATA_DIR in the
test's temporary directory. Nothing is written into the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tablekit.paths import ENVS, MODULES, ROOT
from tablekit.testing import stage
from tablekit.toolchain import DEFAULT


def _terraform_dirs() -> list[Path]:
    """modules/*, modules/*/examples/* and envs/* that contain .tf files, relative to the repo."""
    candidates = [*MODULES.glob("*"), *MODULES.glob("*/examples/*"), *ENVS.glob("*")]
    return sorted(p.relative_to(ROOT) for p in candidates if p.is_dir() and any(p.glob("*.tf")))


TERRAFORM_DIRS = _terraform_dirs()


def _terraform(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DEFAULT.terraform_bin(), *args],
        cwd=cwd,
        env=env or DEFAULT.env(),
        capture_output=True,
        text=True,
        check=False,
    )


def test_terraform_dirs_are_found() -> None:
    assert Path("modules/dynamodb-table") in TERRAFORM_DIRS
    assert Path("modules/dynamodb-table/examples/basic") in TERRAFORM_DIRS


def test_fmt() -> None:
    """`terraform fmt -check -recursive` over modules/ and envs/, listing every file to reformat."""
    targets = [str(p.relative_to(ROOT)) for p in (MODULES, ENVS) if p.is_dir()]
    unformatted: list[str] = []
    for target in targets:
        result = _terraform(["fmt", "-check", "-recursive", "-list=true", "-no-color", target], cwd=ROOT)
        if result.returncode not in (0, 3):  # 3 = some files need formatting
            pytest.fail(f"terraform fmt failed on {target}:\n{result.stderr}")
        unformatted += result.stdout.split()
    assert not unformatted, "run `terraform fmt -recursive` on:\n" + "\n".join(unformatted)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of modules/ and envs/ to run init/validate in."""
    return stage(tmp_path_factory.mktemp("static"), include=("modules", "envs"))


@pytest.mark.parametrize("tfdir", TERRAFORM_DIRS, ids=[str(p) for p in TERRAFORM_DIRS])
def test_validate(staged: Path, tmp_path: Path, tfdir: Path) -> None:
    env = DEFAULT.env()
    env["TF_DATA_DIR"] = str(tmp_path / "tf-data")
    workdir = staged / tfdir
    init = _terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd=workdir, env=env)
    assert init.returncode == 0, f"terraform init failed in {tfdir}:\n{init.stdout}\n{init.stderr}"
    result = _terraform(["validate", "-no-color"], cwd=workdir, env=env)
    assert result.returncode == 0, f"terraform validate failed in {tfdir}:\n{result.stdout}\n{result.stderr}"

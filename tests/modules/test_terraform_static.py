"""Static checks of every Terraform directory: `terraform fmt` and `terraform validate`.

Why parametrised from the file tree: a new module, example or environment is checked as soon as
it has a .tf file, without anyone remembering to add it here.

Why a staged copy: `terraform init` writes .terraform.lock.hcl next to the configuration even
with TF_DATA_DIR set, and other engineers work in the repository at the same time, so validation
runs on a copy of modules/ and envs/ (relative module sources stay valid) with TF_DATA_DIR in the
test's temporary directory. Nothing is written into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit.paths import ENVS, MODULES, ROOT
from tablekit.staging.copies import stage
from tablekit.terraform.runner import Terraform


def _terraform_dirs() -> list[Path]:
    """modules/*, modules/*/examples/* and envs/* that contain .tf files, relative to the repo."""
    candidates = [*MODULES.glob("*"), *MODULES.glob("*/examples/*"), *ENVS.glob("*")]
    return sorted(p.relative_to(ROOT) for p in candidates if p.is_dir() and any(p.glob("*.tf")))


TERRAFORM_DIRS = _terraform_dirs()


def test_terraform_dirs_are_found() -> None:
    assert Path("modules/dynamodb-table") in TERRAFORM_DIRS
    assert Path("modules/dynamodb-table/examples/basic") in TERRAFORM_DIRS


def test_fmt() -> None:
    """`terraform fmt -check -recursive` over modules/ and envs/, listing every file to reformat."""
    targets = [str(p.relative_to(ROOT)) for p in (MODULES, ENVS) if p.is_dir()]
    unformatted = Terraform(ROOT).fmt_check(*targets)
    assert not unformatted, "run `terraform fmt -recursive` on:\n" + "\n".join(unformatted)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of modules/ and envs/ to run init/validate in."""
    return stage(tmp_path_factory.mktemp("static"), include=("modules", "envs"))


@pytest.mark.slow
@pytest.mark.parametrize("tfdir", TERRAFORM_DIRS, ids=[str(p) for p in TERRAFORM_DIRS])
def test_validate(staged: Path, tmp_path: Path, tfdir: Path) -> None:
    tf = Terraform(staged / tfdir, env={"TF_DATA_DIR": str(tmp_path / "tf-data")})
    init = tf.run(["init", "-backend=false", "-input=false", "-no-color"], check=False)
    assert init.returncode == 0, f"terraform init failed in {tfdir}:\n{init.stdout}\n{init.stderr}"
    result = tf.run(["validate", "-no-color"], check=False)
    assert result.returncode == 0, f"terraform validate failed in {tfdir}:\n{result.stdout}\n{result.stderr}"

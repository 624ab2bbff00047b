"""Staged copies of the Terraform code: the one place that copies `modules/` and a root somewhere else.

Why stage at all: Terraform runs of the harness (env runs, test fixtures, benchmarks) must never
write into the repository (`.terraform/`, lock files, override files), and a root module outside
the repository still needs `source = "../../modules/x"` to resolve. Every run therefore works on a
copy laid out like the repository: ``<dest>/modules`` and ``<dest>/envs/<env>`` (or
``<dest>/case`` for a test fixture).

The copy is also where the code is adapted to the provider actually in use (see
``tablekit.compat``): the committed code targets the current AWS provider, while the offline
toolchain runs the pinned one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from tablekit.paths import ROOT

# Never copied: Terraform's working files, state, lock files, real backend settings and the
# harness's own generated files from an earlier run.
IGNORE = shutil.ignore_patterns(
    ".terraform", "*.tfstate", "*.tfstate.*", ".terraform.lock.hcl", "backend.hcl", "zz_tablekit_*", "*.tfplan"
)


def copy_tree(src: Path, dest: Path) -> Path:
    """Replace `dest` with a copy of `src` (minus IGNORE)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=IGNORE)
    return dest


def stage(dest: Path, include: Iterable[str] = ("modules",), root: Path = ROOT) -> Path:
    """Copy repository folders (relative to `root`) into `dest`, keeping relative sources valid."""
    dest.mkdir(parents=True, exist_ok=True)
    for rel in include:
        copy_tree(root / rel, dest / rel)
    return dest

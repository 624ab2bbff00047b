"""Staged copies of the Terraform code: the one place that copies `modules/` and a root somewhere else.

Why stage at all: Terraform runs of the harness (env runs, throwaway roots of tests and
benchmarks, the state bootstrap) must never write into the repository (`.terraform/`, lock
files, override files), and a root module outside the repository still needs
`source = "../../modules/x"` to resolve. Every run therefore works on a copy laid out like the
repository: ``<dest>/modules`` and ``<dest>/envs/<env>`` (or ``<dest>/case`` for a scratch root).

The copy is also where the code is adapted to the offline double (``tablekit.staging.compat``): the
committed code targets a current Terraform and AWS provider, while `local` and the simulated
account run the pinned ones. Every copy for the double is adapted, so no caller can forget it. A
copy for a real account (``real=True``, the account decides: tablekit.terraform.toolchain.for_account) is
the committed code byte for byte: nothing is stripped, relaxed or pinned.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from tablekit.paths import ROOT

# Never copied: Terraform's working files, state, lock files, real backend settings and the
# harness's own generated files from an earlier run.
IGNORE = shutil.ignore_patterns(
    ".terraform", "*.tfstate", "*.tfstate.*", ".terraform.lock.hcl", "backend.hcl", "zz_tablekit_*", "*.tfplan"
)


# Generated override files: Terraform merges `*_override.tf` into the directory's own files. Every
# file the harness writes into a staged copy starts with this prefix, so IGNORE never copies one.
OVERRIDE_PREFIX = "zz_tablekit_"


def override_file(purpose: str) -> str:
    """The name of the harness's override file for `purpose` (account, gaps, upgrade)."""
    return f"{OVERRIDE_PREFIX}{purpose}_override.tf"


def own_tf_files(directory: Path) -> list[Path]:
    """A directory's `.tf` files as committed: without the harness's override files."""
    return sorted(p for p in directory.glob("*.tf") if not p.name.startswith(OVERRIDE_PREFIX))


def remove_overrides(stage_root: Path, purpose: str) -> None:
    """Delete every override file for `purpose` under a staged tree (the env and its modules)."""
    for path in stage_root.glob(f"**/{override_file(purpose)}"):
        path.unlink()


def copy_tree(src: Path, dest: Path) -> Path:
    """Replace `dest` with a copy of `src` (minus IGNORE)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=IGNORE)
    return dest


def adapt(dest: Path) -> Path:
    """Adapt a staged tree to the provider in use (tablekit.staging.compat); returns dest."""
    from tablekit.staging import compat  # compat reads provider schemas: load it only when staging

    compat.prepare(dest)
    return dest


def stage(dest: Path, include: Iterable[str] = ("modules",), root: Path = ROOT, *, real: bool = False) -> Path:
    """Copy repository folders (relative to `root`) into `dest`; adapted to the double unless `real`."""
    dest.mkdir(parents=True, exist_ok=True)
    for rel in include:
        copy_tree(root / rel, dest / rel)
    if real:
        return as_committed(dest)
    return adapt(dest)


def as_committed(dest: Path) -> Path:
    """The real-account bypass: a staged copy is left exactly as committed (no tablekit.staging.compat at all)."""
    return dest


def scratch_root(
    dest: Path,
    main_tf: str,
    endpoint_url: str | None = None,
    files: Mapping[str, str] | None = None,
    name: str = "case",
) -> Path:
    """A throwaway root module at `dest/<name>` next to a staged `modules/` (so
    `source = "../modules/x"` resolves), with a provider block aimed at `endpoint_url` when given.

    Used by tests, benchmarks and the state bootstrap: anything that applies a module outside an env.
    """
    from tablekit.staging import providers

    stage(dest)
    case = dest / name
    case.mkdir(parents=True, exist_ok=True)
    (case / "main.tf").write_text(main_tf)
    if endpoint_url is not None:
        (case / "provider.tf").write_text(providers.endpoint_provider_hcl(endpoint_url))
    for filename, text in (files or {}).items():
        (case / filename).write_text(text)
    adapt(dest)  # the root's own files too
    return case

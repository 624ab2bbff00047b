"""`plan local --base REF`: plan the local env against the base branch's applied state.

Why: CI's local endpoint starts empty, so a plain plan of `local` lists every resource as new on
every pull request and can never show a destroy -- a row that is never news. Here REF's envs/local
(exported with git, with its own stream-processor zip) is applied to a throwaway endpoint first,
then this tree is planned against that state, so the plan shows exactly what the change does to
an estate built from the base branch, destroys and replacements included.

The throwaway endpoint runs on a free port and is stopped afterwards, so a developer's own local
estate (and its endpoint) is never touched.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from tablekit import envs
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.errors import UserError
from tablekit.paths import ROOT
from tablekit.staging.lambda_build import build_all
from tablekit.terraform.plan import Plan
from tablekit.upgrade import git


def _export(ref: str, dest: Path) -> Path:
    """REF's Terraform code and stream processor (git archive: no checkout, nothing left behind)."""
    commit = git.resolve(ROOT, ref)
    if commit is None:
        raise UserError(
            f"--base {ref}: git cannot export it (unknown revision); "
            "fetch it first (CI: actions/checkout with fetch-depth: 0)"
        )
    return git.export(ROOT, commit, dest, ("modules", "envs", "lambda_function"))


def plan_against(
    ref: str,
    data_dir: Path,
    out_json: Path | None = None,
    variables: Mapping[str, object] | None = None,
    var_files: list[Path] | None = None,
    plan_file: Path | None = None,
) -> Plan:
    """Apply REF's envs/local to a fresh endpoint, then plan this tree's envs/local against that state."""
    if data_dir.exists():
        shutil.rmtree(data_dir)  # the base state must be REF's alone
    data_dir.mkdir(parents=True)
    tree = _export(ref, data_dir / "base-tree")
    base_variables = dict(variables or {})
    if 'variable "lambda_zip_path"' in (tree / "envs" / "local" / "variables.tf").read_text():
        zips = build_all(src_root=tree / "lambda_function", out_dir=data_dir / "base-lambda")
        base_variables["lambda_zip_path"] = str(zips["university-stream"])
    endpoint = Endpoint(port=free_port(), state_dir=data_dir / "endpoint")
    endpoint.start(timeout=60)
    try:
        base = envs.context(
            "local", endpoint.url, data_dir=data_dir, variables=base_variables, var_files=var_files, source_root=tree
        )
        envs.apply(base)
        head_variables = dict(variables or {})
        if "lambda_zip_path" in base_variables and "lambda_zip_path" not in head_variables:
            # This tree's zip at the path the base recorded: the function's filename is not news,
            # its source_code_hash changes exactly when the processor's code did.
            shutil.copyfile(build_all()["university-stream"], str(base_variables["lambda_zip_path"]))
            head_variables["lambda_zip_path"] = base_variables["lambda_zip_path"]
        head = envs.context("local", endpoint.url, data_dir=data_dir, variables=head_variables, var_files=var_files)
        return envs.plan(head, out_json=out_json, plan_file=plan_file)
    finally:
        endpoint.stop()

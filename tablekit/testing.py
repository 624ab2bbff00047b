"""Helpers shared by the test suite and benchmarks: Terraform fixtures against the local endpoint.

Why here and not in tests/: benchmarks (bench/) and the CLI's self-checks use the same provider
block and plan helpers, and one copy avoids drift.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Iterable, Mapping

import tftest

from tablekit import compat
from tablekit.paths import ROOT
from tablekit.toolchain import DEFAULT


def local_provider_hcl(endpoint_url: str, region: str | None = "us-east-1", alias: str | None = None) -> str:
    """An aws provider block aimed at the local endpoint, generated for the provider in use.

    Thin call into tablekit.providers (issue 11: the block depends on the provider version).
    region=None leaves the region out, which in an override file keeps the original block's region.
    """
    from tablekit import providers

    return providers.local_provider_hcl(providers.in_use(), endpoint_url, region=region, alias=alias)


def stage(dest: Path, include: Iterable[str] = ("modules",)) -> Path:
    """Copy repo folders (default: modules/) into dest, keeping relative `source` paths valid."""
    dest.mkdir(parents=True, exist_ok=True)
    for rel in include:
        src = ROOT / rel
        shutil.copytree(
            src,
            dest / rel,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"),
        )
    compat.prepare(dest)  # issue 11: adapt the copy to the provider in use
    return dest


def fixture_dir(
    dest: Path, main_tf: str, endpoint_url: str | None = None, files: Mapping[str, str] | None = None
) -> Path:
    """Write a throwaway root module (main.tf + optional local provider) next to a staged modules/.

    The root lands at dest/case so `source = "../modules/<name>"` resolves.
    """
    stage(dest)
    case = dest / "case"
    case.mkdir(parents=True, exist_ok=True)
    (case / "main.tf").write_text(main_tf)
    if endpoint_url is not None:
        (case / "provider.tf").write_text(local_provider_hcl(endpoint_url))
    for name, text in (files or {}).items():
        (case / name).write_text(text)
    compat.prepare(dest)  # issue 11: the case files too
    return case


def tf(tfdir: Path) -> tftest.TerraformTest:
    """tftest wrapper bound to the project's toolchain (offline mirror unless TABLEKIT_ONLINE=1)."""
    return tftest.TerraformTest(str(tfdir), binary=DEFAULT.terraform_bin(), env=DEFAULT.env())


def resource_actions(plan: Mapping) -> dict[str, list[str]]:
    """address -> actions (e.g. ["create"], ["update"], ["delete", "create"]) from plan JSON."""
    return {rc["address"]: rc["change"]["actions"] for rc in plan.get("resource_changes", [])}


def table_replacements(plan: Mapping) -> list[str]:
    """Addresses of aws_dynamodb_table resources the plan would delete or replace (data loss)."""
    return [
        rc["address"]
        for rc in plan.get("resource_changes", [])
        if rc["type"] == "aws_dynamodb_table" and "delete" in rc["change"]["actions"]
    ]


def plan_json_file(path: Path) -> dict:
    return json.loads(Path(path).read_text())

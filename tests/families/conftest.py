"""Fixtures of the table-family tests: Terraform roots around modules/<family>, seed rows, a read-only client.

Why few, session-scoped plans: a plan of the three families costs seconds of CPU on a shared
machine, so each distinct configuration is planned once and every test reads that plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
from families_support import FAMILIES, ReadOnlyDynamo, module_block, outputs_block

from tablekit.access_patterns import ALLOWED_OPERATIONS
from tablekit.staging.copies import scratch_root
from tablekit.terraform.runner import Terraform


class FamilyRoot:
    """A throwaway Terraform root calling family modules, staged once and planned many times."""

    def __init__(self, dest: Path, main_tf: str, endpoint_url: str):
        self.dir = scratch_root(dest, main_tf, endpoint_url)
        self.terraform = Terraform(self.dir)
        self.terraform.init()

    def plan(self, variables: Mapping[str, object] | None = None) -> dict[str, Any]:
        return dict(self.terraform.plan(self.dir / "plan.tfplan", variables, refresh=False).raw)


@pytest.fixture(scope="session")
def all_families_root(tmp_path_factory: pytest.TempPathFactory, endpoint_url: str) -> FamilyRoot:
    """One root with the three families sharing the common inputs as root variables (as envs do)."""
    common = {
        name: f"var.{name}" for name in ("environment", "name_prefix", "kms_key_arn", "alarms_enabled", "alarm_actions")
    }
    ielts = {**common, "enable_phantom_tables": "var.enable_phantom_tables", "backup_enabled": "var.backup_enabled"}
    variables = (
        'variable "environment" {}\nvariable "name_prefix" { default = "" }\n'
        'variable "kms_key_arn" { default = null }\nvariable "alarms_enabled" { default = false }\n'
        'variable "alarm_actions" {\n  type    = list(string)\n  default = []\n}\n'
        'variable "enable_phantom_tables" { default = false }\nvariable "backup_enabled" { default = false }\n'
    )
    blocks = [
        module_block("bandup", expressions=common),
        module_block("aitutor", expressions=common),
        module_block("ielts-genai-prep", expressions=ielts),
    ]
    outputs = "".join(outputs_block(label) for label in FAMILIES.values())
    return FamilyRoot(tmp_path_factory.mktemp("plan-all"), variables + "".join(blocks) + outputs, endpoint_url)


@pytest.fixture(scope="session")
def local_plan(all_families_root: FamilyRoot) -> dict[str, Any]:
    """The three families with their defaults in the local env, in one plan (one plan is cheaper than three)."""
    return all_families_root.plan({"environment": "local"})


@pytest.fixture(scope="module")
def read_only_db(local_env) -> Iterator[ReadOnlyDynamo]:
    """The local env's DynamoDB client behind the Query/GetItem-only guard."""
    db = ReadOnlyDynamo(local_env.client("dynamodb"))
    yield db
    assert set(db.calls) <= ALLOWED_OPERATIONS

"""The schema proof: the committed code against hashicorp/aws 6.66.0, the staged copy against 3.39.0.

The current provider cannot be installed here, so its schema comes from the pinned npm package
`@cdktn/provider-aws` 25.7.0 (generated from hashicorp/aws 6.66.0; fetched by the bootstrap into
build/reference/, integrity-checked). The pinned provider describes itself with `terraform
providers schema -json`. Both are normalized by tablekit.staging.schemas and walked by tablekit.staging.compat.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit.paths import ENVS, MODULES, ROOT
from tablekit.staging import compat, removals, schemas
from tablekit.staging.copies import stage
from tablekit.staging.reference_package import fetch_reference_package, integrity_of, reference_pin

# Reviewed exceptions, each with why it stays and when it goes. Nothing else may be deprecated.
WAIVERS = {
    ("modules/state-backend/main.tf", "versioning"): "3.39 has no aws_s3_bucket_versioning",
    ("modules/state-backend/main.tf", "server_side_encryption_configuration"): (
        "3.39 has no aws_s3_bucket_server_side_encryption_configuration"
    ),
    ("modules/state-backend/main.tf", "lifecycle_rule"): "3.39 has no aws_s3_bucket_lifecycle_configuration",
}
"""modules/state-backend keeps three inline S3 blocks that 6.x deprecates (not removes): the offline
double has only the inline form, and its apply test checks versioning, encryption and lifecycle on
the endpoint. Moving to the separate resources is one refactor plus `terraform import` once the
offline double is a 4.x+ provider (docs/toolchain.md, "Toolchain decisions")."""


@pytest.fixture(scope="module")
def current() -> schemas.ProviderSchema:
    return schemas.reference()


@pytest.fixture(scope="module")
def pinned() -> schemas.ProviderSchema:
    return schemas.pinned()


def _committed_findings(schema: schemas.ProviderSchema) -> list[removals.Finding]:
    findings: list[removals.Finding] = []
    for tree in (MODULES, ENVS):
        for f in compat.check_tree(tree, schema):
            path = (tree.relative_to(ROOT) / f.path).as_posix()
            findings.append(removals.Finding(path, f.line, f.owner, f.address, f.what, f.name, f.problem, f.span))
    return findings


def test_committed_code_exists_and_is_current_in_hashicorp_aws_6(current: schemas.ProviderSchema) -> None:
    findings = _committed_findings(current)
    waived = [f for f in findings if (f.path, f.name) in WAIVERS and f.problem.startswith("is deprecated")]
    problems = [f.message(current.label) for f in findings if f not in waived]
    assert not problems, "\n".join(problems)
    assert {(f.path, f.name) for f in waived} == set(WAIVERS), "a waiver that no longer applies must go"


def test_staged_copy_holds_nothing_the_pinned_provider_does_not_know(
    pinned: schemas.ProviderSchema, tmp_path: Path
) -> None:
    staged = stage(tmp_path, include=("modules", "envs"))
    problems = [f.message(pinned.label) for f in compat.check_tree(staged, pinned)]
    assert not problems, "\n".join(problems)


def test_failures_name_file_line_argument_and_resource(current: schemas.ProviderSchema) -> None:
    text = (
        'resource "aws_dynamodb_table" "t" {\n  name = "x"\n  deletion_protection = true\n'
        '  dynamic "replica" {\n    for_each = []\n    content {\n      region = "x"\n    }\n  }\n}\n'
        'resource "aws_dynamodb_tablez" "u" {}\n'
        'data "aws_region" "r" {}\n'
        'output "o" {\n  value = data.aws_region.r.name\n}\n'
    )
    messages = [f.message(current.label) for f in compat.check_text("m/main.tf", text, current)]
    assert messages == [
        "m/main.tf:3: argument deletion_protection of resource aws_dynamodb_table "
        "does not exist in hashicorp/aws 6.66.0",
        "m/main.tf:7: argument replica.region of resource aws_dynamodb_table does not exist in hashicorp/aws 6.66.0",
        "m/main.tf:11: resource type aws_dynamodb_tablez does not exist in hashicorp/aws 6.66.0",
        "m/main.tf:14: attribute name of data source aws_region (read here) is deprecated: "
        "name is deprecated. Use region instead. in hashicorp/aws 6.66.0",
    ]


def test_the_reference_is_the_pinned_package() -> None:
    """The tarball is the one pinned in pyproject.toml, and the cache was read from it."""
    pin = reference_pin()
    tarball = fetch_reference_package(pin)
    assert integrity_of(tarball) == pin.integrity
    assert (pin.spec, pin.provider_version) == ("@cdktn/provider-aws@25.7.0", "6.66.0")
    cached = schemas.reference(pin)
    assert cached.source == pin.spec and cached.version == "6.66.0"
    table = cached.resources["aws_dynamodb_table"]
    assert {"deletion_protection_enabled", "table_class"} <= set(table.attributes)
    assert {"recovery_period_in_days"} <= set(table.blocks["point_in_time_recovery"].attributes)


@pytest.mark.slow
def test_the_package_carries_no_deprecations_of_its_own() -> None:
    """Why REFERENCE_DEPRECATIONS exists: 25.7.0's only @deprecated tags are write-only getters.

    If a future pin starts carrying the provider's deprecation messages, this fails, and the
    extractor should read them instead of the reviewed list.
    """
    tags = schemas.deprecation_tags(fetch_reference_package())
    assert tags and all(text.startswith("Write-only: the provider never returns this value") for text in tags)


# The inputs issue 22 added: each defaults to null, and null sets nothing (a dynamic block with no
# element, an argument of null, a resource with count/for_each 0), so no existing plan changes.
NEW_INPUTS = {
    "existing_table_names",
    "warm_throughput",
    "replica_consistency_mode",
    "global_table_witness_region",
    "resource_policy",
    "contributor_insights",
    "kinesis_streaming_destination",
    "restore",
    "timeouts",
}


def test_every_new_table_input_defaults_to_null_and_sets_nothing_then() -> None:
    from tablekit.terraform import hclscan

    module = MODULES / "dynamodb-table"
    defaults = {
        top.labels[0]: (top.argument("default").value if top.argument("default") else None)
        for top in hclscan.parse((module / "variables.tf").read_text())
        if top.kind == "block" and top.name == "variable"
    }
    assert {name: defaults.get(name) for name in NEW_INPUTS} == dict.fromkeys(NEW_INPUTS, "null")
    code = "".join(p.read_text() for p in module.glob("*.tf"))
    guards = {
        "warm_throughput": "for_each = var.warm_throughput == null ? [] : [var.warm_throughput]",
        "global_table_witness_region": "for_each = var.global_table_witness_region == null ? [] :",
        "resource_policy": "count = var.resource_policy == null ? 0 : 1",
        "contributor_insights": "contributor_insights = var.contributor_insights == null ? {} :",
        "kinesis_streaming_destination": "count = var.kinesis_streaming_destination == null ? 0 : 1",
        "restore": "restore_backup_arn       = try(var.restore.backup_arn, null)",
        "timeouts": "for_each = var.timeouts == null ? [] : [var.timeouts]",
        "existing_table_names": "var.existing_table_names == null ? 1 : 0",
        "replica_consistency_mode": "consistency_mode = var.replica_consistency_mode",
    }
    missing = [name for name, guard in guards.items() if guard not in code]
    assert not missing, f"these inputs no longer set nothing when null: {missing}"

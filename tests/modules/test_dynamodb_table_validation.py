"""Every input rule of modules/dynamodb-table rejects bad input with a message naming field and fix.

Why one plan for all cases: a failed validation makes `terraform plan` stop quickly, but each run
still pays for process start-up and provider schema loading (~2 s on the shared machine). All cases
are separate module calls in one root module, planned once with `-json`; each diagnostic carries
the module call it came from (snippet context), so every case is still checked on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tfcase import NO_ENDPOINT, Diagnostic, Workdir, module_block

from tablekit.testing import fixture_dir

KMS = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
SCHEMA = {"hash_key": {"name": "pk", "type": "S"}, "range_key": {"name": "sk", "type": "S"}}
VALID: dict[str, Any] = {"name": "valid-table", "schema": SCHEMA}


def gsi(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "hash_key": {"name": f"{name}-pk", "type": "S"}, **extra}


def lsi(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "range_key": {"name": f"{name}-sk", "type": "N"}, **extra}


def schema(**extra: Any) -> dict[str, Any]:
    return {**SCHEMA, **extra}


# (case id, module inputs on top of VALID, text the error must contain)
VARIABLE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("name_charset", {"name": "bad name!"}, "Invalid name: use 3-255 characters from [a-zA-Z0-9_.-]"),
    ("name_too_short", {"name": "ab"}, "Invalid name"),
    ("name_too_long", {"name": "a" * 256}, "Invalid name"),
    ("schema_not_object", {"schema": "pk"}, "Invalid schema: it must be an object"),
    ("schema_unknown_key", {"schema": schema(global_secondary_index=[])}, "Invalid schema: it must be an object"),
    ("hash_key_missing", {"schema": {"range_key": {"name": "sk", "type": "S"}}}, "Invalid schema.hash_key"),
    ("hash_key_untyped", {"schema": {"hash_key": {"name": "pk"}}}, "Invalid schema.hash_key"),
    ("range_key_string", {"schema": schema(range_key="sk")}, "Invalid schema.range_key"),
    ("hash_key_type", {"schema": {"hash_key": {"name": "pk", "type": "STRING"}}}, "Invalid key type in schema"),
    (
        "gsi_key_type",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", range_key={"name": "x", "type": "s"})])},
        "Invalid key type in schema",
    ),
    (
        "lsi_key_type",
        {"schema": schema(local_secondary_indexes=[{"name": "by-y", "range_key": {"name": "y", "type": "Number"}}])},
        "Invalid key type in schema",
    ),
    (
        "gsi_without_name",
        {"schema": schema(global_secondary_indexes=[{"hash_key": {"name": "x", "type": "S"}}])},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "gsi_bad_name",
        {"schema": schema(global_secondary_indexes=[gsi("ix")])},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "gsi_without_hash_key",
        {"schema": schema(global_secondary_indexes=[{"name": "by-x"}])},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "gsi_untyped_key",
        {"schema": schema(global_secondary_indexes=[{"name": "by-x", "hash_key": {"name": "x"}}])},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "gsi_unknown_key",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", projection="ALL")])},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "gsi_map_not_list",
        {"schema": schema(global_secondary_indexes={"by-x": gsi("by-x")})},
        "Invalid schema.global_secondary_indexes",
    ),
    (
        "lsi_with_hash_key",
        {"schema": schema(local_secondary_indexes=[lsi("by-y", hash_key={"name": "pk", "type": "S"})])},
        "Invalid schema.local_secondary_indexes: give a list",
    ),
    (
        "lsi_without_range_key",
        {"schema": schema(local_secondary_indexes=[{"name": "by-y"}])},
        "Invalid schema.local_secondary_indexes: give a list",
    ),
    (
        "too_many_gsis",
        {"schema": schema(global_secondary_indexes=[gsi(f"gsi-{i}") for i in range(21)])},
        "at most 20 global secondary indexes",
    ),
    (
        "too_many_lsis",
        {"schema": schema(local_secondary_indexes=[lsi(f"lsi-{i}") for i in range(6)])},
        "at most 5 local secondary indexes",
    ),
    (
        "duplicate_index_names",
        {"schema": schema(global_secondary_indexes=[gsi("by-x")], local_secondary_indexes=[lsi("by-x")])},
        "Invalid schema index names: every global and local secondary index needs a unique name",
    ),
    (
        "lsi_without_table_range_key",
        {"schema": {"hash_key": {"name": "pk", "type": "S"}, "local_secondary_indexes": [lsi("by-y")]}},
        "a local secondary index needs a table range key",
    ),
    ("ttl_is_hash_key", {"schema": schema(ttl_attribute="pk")}, "cannot be the table hash_key or range_key"),
    ("ttl_is_range_key", {"schema": schema(ttl_attribute="sk")}, "cannot be the table hash_key or range_key"),
    ("ttl_empty", {"schema": schema(ttl_attribute="")}, "Invalid schema.ttl_attribute: omit it"),
    (
        "projection_type",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", projection_type="SOME")])},
        "Invalid projection_type in schema",
    ),
    (
        "non_key_without_include",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", projection_type="ALL", non_key_attributes=["a"])])},
        "Invalid non_key_attributes in schema",
    ),
    (
        "include_without_non_key",
        {"schema": schema(local_secondary_indexes=[lsi("by-y", projection_type="INCLUDE")])},
        "Invalid non_key_attributes in schema",
    ),
    (
        "attribute_two_types",
        {"schema": schema(global_secondary_indexes=[{"name": "by-sk", "hash_key": {"name": "sk", "type": "N"}}])},
        "the same attribute name is used as a key with two different types",
    ),
    (
        "billing_unknown_key",
        {"billing": {"mode": "PAY_PER_REQUEST", "reads": 5}},
        "Invalid billing: it must be an object",
    ),
    ("billing_mode", {"billing": {"mode": "ON_DEMAND"}}, "Invalid billing.mode"),
    ("provisioned_without_capacity", {"billing": {"mode": "PROVISIONED"}}, "Invalid billing.read/billing.write"),
    (
        "provisioned_zero_min",
        {"billing": {"mode": "PROVISIONED", "read": {"min": 0, "max": 5}, "write": {"min": 1, "max": 5}}},
        "Invalid billing.read/billing.write",
    ),
    (
        "provisioned_min_above_max",
        {"billing": {"mode": "PROVISIONED", "read": {"min": 5, "max": 5}, "write": {"min": 6, "max": 5}}},
        "Invalid billing.read/billing.write",
    ),
    (
        "provisioned_fraction",
        {"billing": {"mode": "PROVISIONED", "read": {"min": 1.5, "max": 5}, "write": {"min": 1, "max": 5}}},
        "Invalid billing.read/billing.write",
    ),
    (
        "target_utilization",
        {
            "billing": {
                "mode": "PROVISIONED",
                "read": {"min": 1, "max": 5},
                "write": {"min": 1, "max": 5},
                "target_utilization": 95,
            }
        },
        "Invalid billing.target_utilization",
    ),
    ("stream_view_type", {"stream_view_type": "ALL"}, "Invalid stream_view_type"),
    ("sse_kms_key_arn", {"sse_kms_key_arn": "alias/my-key"}, "Invalid sse_kms_key_arn: give a KMS key or alias ARN"),
    (
        "replica_duplicates",
        {"stream_view_type": "NEW_AND_OLD_IMAGES", "replica_regions": ["eu-west-1", "eu-west-1"]},
        "every region may appear only once",
    ),
    (
        "replica_region_name",
        {"stream_view_type": "NEW_AND_OLD_IMAGES", "replica_regions": ["Ireland"]},
        "Invalid replica_regions: give AWS region names",
    ),
    (
        "replica_kms_other_region",
        {
            "stream_view_type": "NEW_AND_OLD_IMAGES",
            "replica_regions": ["eu-west-1"],
            "replica_kms_key_arns": {"eu-west-1": KMS},
        },
        "Invalid replica_kms_key_arns: each value must be a KMS key ARN in the region",
    ),
    ("alarms_unknown_key", {"alarms": {"enabled": True, "action": []}}, "Invalid alarms: allowed keys"),
    ("alarms_enabled_type", {"alarms": {"enabled": "sometimes"}}, "Invalid alarms.enabled"),
    (
        "alarm_action_not_arn",
        {"alarms": {"enabled": True, "actions": ["alerts@example.com"]}},
        "Invalid alarms.actions",
    ),
    ("alarm_action_not_sns", {"alarms": {"enabled": True, "actions": [KMS]}}, "Invalid alarms.actions"),
    ("alarm_threshold_negative", {"alarms": {"enabled": True, "throttle_threshold": -1}}, "Invalid alarms thresholds"),
    ("alarm_period", {"alarms": {"enabled": True, "period": 45}}, "Invalid alarms.period"),
    (
        "alarm_evaluation_periods",
        {"alarms": {"enabled": True, "evaluation_periods": 0}},
        "Invalid alarms.evaluation_periods",
    ),
    (
        "alarm_too_many_operations",
        {"alarms": {"enabled": True, "system_errors_operations": ["GetItem"] * 11}},
        "Invalid alarms.system_errors_operations",
    ),
    (
        "alarm_latency_statistic",
        {"alarms": {"enabled": True, "latency_statistic": "Median"}},
        "Invalid alarms.latency_statistic",
    ),
    (
        "alarm_missing_data",
        {"alarms": {"enabled": True, "treat_missing_data": "zero"}},
        "Invalid alarms.treat_missing_data",
    ),
]

# Rules across two inputs cannot be validation blocks in Terraform 1.0; the module fails the plan
# from a local instead, so the diagnostic points into the module, not at the calling module block.
CROSS_INPUT_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "kms_key_with_sse_disabled",
        {"sse_enabled": False, "sse_kms_key_arn": KMS},
        "a customer-managed key needs sse_enabled = true",
    ),
    (
        "replicas_without_stream",
        {"replica_regions": ["eu-west-1"]},
        'global-table replicas need stream_view_type = \\"NEW_AND_OLD_IMAGES\\"',
    ),
    (
        "replica_key_without_region",
        {
            "stream_view_type": "NEW_AND_OLD_IMAGES",
            "replica_regions": ["eu-west-1"],
            "replica_kms_key_arns": {"eu-central-1": KMS.replace("us-east-1", "eu-central-1")},
        },
        "every key must also be listed in replica_regions",
    ),
]


def _label(case_id: str) -> str:
    return f"case_{case_id}"


def _plan_cases(root: Path, cases: list[tuple[str, dict[str, Any], str]]) -> list[Diagnostic]:
    """Init a root module with the valid baseline plus one module call per case; plan it once."""
    blocks = [module_block("valid", VALID)]
    blocks += [module_block(_label(cid), {**VALID, **inputs}) for cid, inputs, _ in cases]
    workdir = Workdir(fixture_dir(root, "\n".join(blocks), NO_ENDPOINT))
    workdir.init()
    return workdir.diagnostics()


@pytest.fixture(scope="module")
def variable_diagnostics(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[Diagnostic]:
    """Diagnostics of one plan holding every variable-validation case."""
    return _plan_cases(Path(tmp_path_factory.mktemp("variables")), VARIABLE_CASES)


@pytest.fixture(scope="module")
def cross_diagnostics(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[Diagnostic]:
    """Diagnostics of one plan holding the cross-input cases.

    A separate root module because Terraform stops after the validate walk when any variable is
    invalid, before the plan walk that evaluates the module's locals.
    """
    return _plan_cases(Path(tmp_path_factory.mktemp("cross")), CROSS_INPUT_CASES)


def test_only_the_bad_calls_fail(variable_diagnostics: list[Diagnostic], cross_diagnostics: list[Diagnostic]) -> None:
    """Every diagnostic belongs to a case: the valid baseline and the inactive cases plan cleanly."""
    labels = {f'module "{_label(cid)}"' for cid, _, _ in VARIABLE_CASES}
    assert [d.text for d in variable_diagnostics if d.context not in labels] == []
    cross_messages = [message for _, _, message in CROSS_INPUT_CASES]
    assert [d.text for d in cross_diagnostics if not any(m in d.detail for m in cross_messages)] == []
    assert variable_diagnostics and cross_diagnostics


@pytest.mark.parametrize(("case_id", "inputs", "message"), VARIABLE_CASES, ids=[c[0] for c in VARIABLE_CASES])
def test_variable_validation(
    variable_diagnostics: list[Diagnostic], case_id: str, inputs: dict[str, Any], message: str
) -> None:
    mine = [d for d in variable_diagnostics if d.context == f'module "{_label(case_id)}"']
    assert mine, f"{case_id}: no error for inputs {inputs}"
    assert all(d.summary == "Invalid value for variable" for d in mine), [d.text for d in mine]
    assert any(message in d.detail for d in mine), f"{case_id}: expected {message!r} among:\n" + "\n".join(
        d.detail for d in mine
    )


@pytest.mark.parametrize(("case_id", "inputs", "message"), CROSS_INPUT_CASES, ids=[c[0] for c in CROSS_INPUT_CASES])
def test_cross_input_rules(
    cross_diagnostics: list[Diagnostic], case_id: str, inputs: dict[str, Any], message: str
) -> None:
    hits = [d for d in cross_diagnostics if message in d.detail]
    assert hits, f"{case_id}: expected {message!r}; got:\n" + "\n".join(d.text for d in cross_diagnostics)
    assert all(d.filename and d.filename.endswith("dynamodb-table/main.tf") for d in hits)

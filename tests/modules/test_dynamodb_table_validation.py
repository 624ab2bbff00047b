"""Every input rule of modules/dynamodb-table rejects bad input with a message naming field and fix.

Why one plan for all cases: a failed validation makes `terraform plan` stop quickly, but each run
still pays for process start-up and provider schema loading (~2 s on the shared machine). All cases
are separate module calls in one root module, planned once with `-json`; each diagnostic carries
the module call it came from (snippet context), so every case is still checked on its own.

The rules that mirror DynamoDB's CreateTable (same-named keys, projected attributes, index names)
are the ones tests/conformance proves against DynamoDB Local; AWS's tag rules and the replica rule
cannot be tried there (no tagging, no replicas), so they follow AWS's documented limits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from modules_support import NO_ENDPOINT, Diagnostic, Workdir, module_block

from tablekit.staging.copies import scratch_root

pytestmark = pytest.mark.slow

KMS = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-changes"
BACKUP = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcdef12"
IMPORT = {"input_format": "CSV", "s3_bucket_source": {"bucket": "my-exports"}}
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "dynamodb:GetItem", "Resource": "*"}
        ],
    }
)
GLOBAL = {"stream_view_type": "NEW_AND_OLD_IMAGES"}
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
        "lsi_without_table_range_key",
        {"schema": {"hash_key": {"name": "pk", "type": "S"}, "local_secondary_indexes": [lsi("by-y")]}},
        "a local secondary index needs a table range key",
    ),
    ("ttl_is_hash_key", {"schema": schema(ttl_attribute="pk")}, "cannot be the table hash_key or range_key"),
    ("ttl_is_range_key", {"schema": schema(ttl_attribute="sk")}, "cannot be the table hash_key or range_key"),
    ("ttl_empty", {"schema": schema(ttl_attribute="")}, "Invalid schema.ttl_attribute: omit it"),
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
    # -- the 2026 inputs (issue 22) --
    ("warm_unknown_key", {"warm_throughput": {"reads": 20000}}, "Invalid warm_throughput: give an object"),
    ("warm_empty", {"warm_throughput": {}}, "Invalid warm_throughput: give an object"),
    ("warm_read_below_minimum", {"warm_throughput": {"read_units_per_second": 11999}}, "minimums are 12000 read"),
    ("warm_write_below_minimum", {"warm_throughput": {"write_units_per_second": 3999}}, "minimums are 12000 read"),
    ("consistency_mode", {"replica_consistency_mode": "STRICT"}, "Invalid replica_consistency_mode: use"),
    ("witness_region_name", {"global_table_witness_region": "Oregon"}, "Invalid global_table_witness_region: give"),
    (
        "resource_policy_not_json",
        {"resource_policy": "{Version: 2012}"},
        "Invalid resource_policy: it must be valid JSON",
    ),
    (
        "resource_policy_without_statement",
        {"resource_policy": json.dumps({"Version": "2012-10-17"})},
        "Invalid resource_policy: it must be valid JSON",
    ),
    (
        "resource_policy_over_20_kb",
        {"resource_policy": json.dumps({"Statement": [{"Sid": "x" * 20480}]})},
        "DynamoDB accepts policies of at most 20 KB",
    ),
    (
        "contributor_insights_unknown_key",
        {"contributor_insights": {"table": True, "index": ["by-x"]}},
        "Invalid contributor_insights: give",
    ),
    ("contributor_insights_mode", {"contributor_insights": {"mode": "ALL"}}, "Invalid contributor_insights.mode"),
    (
        "kinesis_not_an_arn",
        {"kinesis_streaming_destination": {"stream_arn": "orders-changes"}},
        "Invalid kinesis_streaming_destination: give",
    ),
    (
        "kinesis_precision",
        {
            "kinesis_streaming_destination": {
                "stream_arn": KINESIS,
                "approximate_creation_date_time_precision": "SECOND",
            }
        },
        "approximate_creation_date_time_precision: use",
    ),
    ("restore_unknown_key", {"restore": {"backup": BACKUP}}, "Invalid restore: allowed keys"),
    (
        "restore_backup_and_point_in_time",
        {"restore": {"backup_arn": BACKUP, "date_time": "2026-01-31T12:00:00Z"}},
        "Invalid restore: give either backup_arn",
    ),
    (
        "restore_two_sources",
        {"restore": {"source_name": "orders", "source_table_arn": BACKUP.split("/backup")[0], "to_latest_time": True}},
        "Invalid restore: give either backup_arn",
    ),
    ("restore_without_time", {"restore": {"source_name": "orders"}}, "Invalid restore: give either backup_arn"),
    (
        "restore_two_times",
        {"restore": {"source_name": "orders", "date_time": "2026-01-31T12:00:00Z", "to_latest_time": True}},
        "Invalid restore: give either backup_arn",
    ),
    ("restore_backup_not_arn", {"restore": {"backup_arn": "orders-backup"}}, "Invalid restore: give either backup_arn"),
    (
        "restore_date_time_format",
        {"restore": {"source_name": "orders", "date_time": "31/01/2026 12:00"}},
        "Invalid restore.date_time: give an RFC 3339 time",
    ),
    ("timeouts_unknown_key", {"timeouts": {"read": "5m"}}, "Invalid timeouts"),
    ("timeouts_format", {"timeouts": {"create": "5 minutes"}}, "Invalid timeouts"),
    (
        "gsi_unknown_throughput_key",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", warm={"read_units_per_second": 12000})])},
        "Invalid schema.global_secondary_indexes",
    ),
]


def projected(name: str, count: int) -> dict[str, Any]:
    """A GSI projecting `count` non-key attributes."""
    return gsi(name, projection_type="INCLUDE", non_key_attributes=[f"{name}-a{i}" for i in range(count)])


def tags(count: int) -> dict[str, str]:
    return {f"team-{i}": "x" for i in range(count)}


# Rules across two inputs cannot be validation blocks in Terraform 1.0; the module fails the plan
# from a local instead, so the diagnostic points into the module, not at the calling module block.
# So do the rules whose message must name the table, an index or a tag: Terraform 1.0 validation
# messages cannot interpolate anything. Each case gets its own table name (`cross-<case id>`).
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
    (
        "range_key_same_as_hash_key",
        {"schema": {"hash_key": {"name": "pk", "type": "S"}, "range_key": {"name": "pk", "type": "S"}}},
        "range_key pk has the same name as hash_key, and DynamoDB keys need two different attributes; rename",
    ),
    (
        "gsi_range_key_same_as_hash_key",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", range_key={"name": "by-x-pk", "type": "S"})])},
        "global secondary index 'by-x' of table 'cross-gsi_range_key_same_as_hash_key' uses by-x-pk as both",
    ),
    (
        "lsi_range_key_is_table_hash_key",
        {"schema": schema(local_secondary_indexes=[{"name": "by-y", "range_key": {"name": "pk", "type": "S"}}])},
        "local secondary index 'by-y' of table 'cross-lsi_range_key_is_table_hash_key' uses pk as both",
    ),
    (
        "projected_over_100",
        {"schema": schema(global_secondary_indexes=[projected("gsi-a", 50), projected("gsi-b", 51)])},
        "its indexes project 101 non-key attributes in total (gsi-a: 50, gsi-b: 51); DynamoDB allows at most 100",
    ),
    (
        "projected_over_100_with_lsi",
        {
            "schema": schema(
                global_secondary_indexes=[projected("gsi-a", 60)],
                local_secondary_indexes=[
                    lsi("lsi-b", projection_type="INCLUDE", non_key_attributes=[f"b{i}" for i in range(41)])
                ],
            )
        },
        "its indexes project 101 non-key attributes in total (gsi-a: 60, lsi-b: 41)",
    ),
    (
        "projected_attributes_count_per_index",
        {
            "schema": schema(
                global_secondary_indexes=[
                    gsi("gsi-a", projection_type="INCLUDE", non_key_attributes=[f"a{i}" for i in range(51)]),
                    gsi("gsi-b", projection_type="INCLUDE", non_key_attributes=[f"a{i}" for i in range(51)]),
                ]
            )
        },
        "its indexes project 102 non-key attributes in total (gsi-a: 51, gsi-b: 51)",
    ),
    ("gsi_bad_name", {"schema": schema(global_secondary_indexes=[gsi("ix")])}, "Invalid index name 'ix' in table"),
    (
        "lsi_bad_name",
        {"schema": schema(local_secondary_indexes=[lsi("by y")])},
        "Invalid index name 'by y' in table 'cross-lsi_bad_name': index names are 3-255 characters",
    ),
    (
        "duplicate_index_names",
        {"schema": schema(global_secondary_indexes=[gsi("by-x")], local_secondary_indexes=[lsi("by-x")])},
        "has 2 indexes named 'by-x', but every global and local secondary index needs a unique name",
    ),
    (
        "projection_type",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", projection_type="SOME")])},
        "Invalid projection_type \\\"SOME\\\" of index 'by-x' in table 'cross-projection_type'",
    ),
    (
        "non_key_without_include",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", projection_type="ALL", non_key_attributes=["a"])])},
        "Invalid non_key_attributes of index 'by-x' in table 'cross-non_key_without_include'",
    ),
    (
        "include_without_non_key",
        {"schema": schema(local_secondary_indexes=[lsi("by-y", projection_type="INCLUDE")])},
        "Invalid non_key_attributes of index 'by-y' in table 'cross-include_without_non_key'",
    ),
    (
        "non_key_listed_twice",
        {
            "schema": schema(
                global_secondary_indexes=[gsi("by-x", projection_type="INCLUDE", non_key_attributes=["a", "a"])]
            )
        },
        "Invalid non_key_attributes of index 'by-x' in table 'cross-non_key_listed_twice': a listed twice",
    ),
    (
        "non_key_name_too_long",
        {
            "schema": schema(
                global_secondary_indexes=[gsi("by-x", projection_type="INCLUDE", non_key_attributes=["n" * 256])]
            )
        },
        "names of projected attributes are 1-255 characters; shorten",
    ),
    ("tag_aws_prefix", {"tags": {"aws:team": "data"}}, "tag key 'aws:team' starts with aws:, a prefix AWS reserves"),
    ("tag_aws_prefix_any_case", {"tags": {"AWS:team": "data"}}, "tag key 'AWS:team' starts with aws:"),
    (
        "too_many_tags",
        {"tags": tags(48)},
        "it would carry 51 tags (yours plus the module's Name, ManagedBy and TerraformModule), but AWS allows 50",
    ),
    ("tag_key_too_long", {"tags": {"k" * 129: "v"}}, "is 129 characters, but AWS allows 1-128; shorten it"),
    ("tag_value_too_long", {"tags": {"team": "v" * 257}}, "the value of tag 'team' is 257 characters, but AWS allows"),
    ("tag_bad_character", {"tags": {"team": "a;b"}}, "tag 'team' uses a character AWS does not allow in tags"),
    (
        "replica_in_provider_region",
        {"stream_view_type": "NEW_AND_OLD_IMAGES", "replica_regions": ["eu-west-1", "us-east-1"]},
        "Invalid replica_regions of table 'cross-replica_in_provider_region': us-east-1 is the provider's own region",
    ),
    # -- rules of the 2026 inputs (issue 22); the provider's Region here is us-east-1 --
    (
        "kms_key_in_another_region",
        {"sse_kms_key_arn": KMS.replace("us-east-1", "eu-west-1")},
        "the key is in eu-west-1, but the table is created in us-east-1 and DynamoDB only encrypts with a KMS key",
    ),
    (
        "witness_without_strong",
        {**GLOBAL, "replica_regions": ["us-east-2"], "global_table_witness_region": "us-west-2"},
        'a witness only exists for replica_consistency_mode = \\"STRONG\\"',
    ),
    (
        "strong_with_two_regions",
        {**GLOBAL, "replica_regions": ["us-east-2"], "replica_consistency_mode": "STRONG"},
        "STRONG needs exactly three Regions in all (the table's, replica_regions and an optional "
        "global_table_witness_region), not 2 (us-east-1, us-east-2)",
    ),
    (
        "strong_with_four_regions",
        {
            **GLOBAL,
            "replica_regions": ["us-east-2", "us-west-2"],
            "global_table_witness_region": "us-west-1",
            "replica_consistency_mode": "STRONG",
        },
        "table 'cross-strong_with_four_regions': STRONG needs exactly three Regions in all",
    ),
    (
        "strong_across_region_sets",
        {**GLOBAL, "replica_regions": ["us-east-2", "eu-west-1"], "replica_consistency_mode": "STRONG"},
        "must be in one Region set (all us-*, all eu-* or all ap-*), not us-east-1, us-east-2, eu-west-1",
    ),
    (
        "witness_is_a_replica",
        {
            **GLOBAL,
            "replica_regions": ["us-east-2"],
            "global_table_witness_region": "us-east-2",
            "replica_consistency_mode": "STRONG",
        },
        "us-east-2 already holds a replica; a witness needs a Region of its own",
    ),
    (
        "witness_in_the_table_region",
        {
            **GLOBAL,
            "replica_regions": ["us-east-2"],
            "global_table_witness_region": "us-east-1",
            "replica_consistency_mode": "STRONG",
        },
        "us-east-1 is the provider's own Region, where the table is; choose a third Region",
    ),
    (
        "restore_and_import_table",
        {"restore": {"backup_arn": BACKUP}, "import_table": IMPORT},
        "a table is created from a restore or from import_table, not both",
    ),
    (
        "kinesis_stream_in_another_region",
        {"kinesis_streaming_destination": {"stream_arn": KINESIS.replace("us-east-1", "eu-west-1")}},
        "the stream is in eu-west-1, but DynamoDB streams only to a Kinesis stream of the table's Region",
    ),
    (
        "contributor_insights_unknown_index",
        {"contributor_insights": {"indexes": ["by-nothing"]}},
        "'by-nothing' is not one of its global secondary indexes",
    ),
    (
        "gsi_warm_below_minimum",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", warm_throughput={"read_units_per_second": 100})])},
        "Invalid warm_throughput of index 'by-x' in table 'cross-gsi_warm_below_minimum'",
    ),
    (
        "gsi_on_demand_zero",
        {"schema": schema(global_secondary_indexes=[gsi("by-x", on_demand_throughput={"max_read_request_units": 0})])},
        "Invalid on_demand_throughput of index 'by-x' in table 'cross-gsi_on_demand_zero'",
    ),
]

# Boundary inputs the rules above must let through (planned with the cross cases; any diagnostic
# they produce fails test_only_the_bad_calls_fail).
VALID_EDGE_CASES: dict[str, dict[str, Any]] = {
    "projected_exactly_100": {
        "schema": schema(global_secondary_indexes=[projected("gsi-a", 50), projected("gsi-b", 50)]),
    },
    "fifty_tags": {"tags": tags(47)},
    "tag_limits": {"tags": {"k" * 128: "v" * 256, "Équipe données": "a b_c.d:e/f=g+h-i@j ünï 名前"}},
    "replica_elsewhere": {"stream_view_type": "NEW_AND_OLD_IMAGES", "replica_regions": ["eu-west-1"]},
    "strong_two_replicas": {
        **GLOBAL,
        "replica_regions": ["us-east-2", "us-west-2"],
        "replica_consistency_mode": "STRONG",
    },
    "strong_replica_and_witness": {
        **GLOBAL,
        "replica_regions": ["us-east-2"],
        "global_table_witness_region": "us-west-2",
        "replica_consistency_mode": "STRONG",
    },
    "throughput_at_the_limits": {
        "warm_throughput": {"read_units_per_second": 12000, "write_units_per_second": 4000},
        "schema": schema(
            global_secondary_indexes=[
                gsi(
                    "by-x",
                    warm_throughput={"read_units_per_second": 12000, "write_units_per_second": 4000},
                    on_demand_throughput={"max_read_request_units": -1, "max_write_request_units": 1},
                )
            ]
        ),
    },
    "every_new_input": {
        "schema": schema(global_secondary_indexes=[gsi("by-x")]),
        "sse_kms_key_arn": KMS,
        "resource_policy": POLICY,
        "contributor_insights": {"table": True, "indexes": ["by-x"], "mode": "THROTTLED_KEYS"},
        "kinesis_streaming_destination": {
            "stream_arn": KINESIS,
            "approximate_creation_date_time_precision": "MICROSECOND",
        },
        "restore": {"source_name": "orders", "to_latest_time": True},
        "timeouts": {"create": "2h", "update": "1h30m", "delete": "30m"},
    },
    "restore_point_in_time": {
        "restore": {"source_table_arn": BACKUP.split("/backup")[0], "date_time": "2026-01-31T12:00:00Z"}
    },
    "restore_backup": {"restore": {"backup_arn": BACKUP}},
    "include_a_key_attribute": {
        "schema": schema(global_secondary_indexes=[gsi("by-x", projection_type="INCLUDE", non_key_attributes=["sk"])]),
    },
}


def _label(case_id: str) -> str:
    return f"case_{case_id}"


def _plan_cases(
    root: Path, cases: list[tuple[str, dict[str, Any], str]], valid: dict[str, dict[str, Any]] | None = None
) -> list[Diagnostic]:
    """Init a root module with the valid baseline plus one module call per case; plan it once."""
    blocks = [module_block("valid", VALID)]
    blocks += [module_block(_label(cid), {**VALID, "name": f"cross-{cid}", **inputs}) for cid, inputs, _ in cases]
    blocks += [
        module_block(f"edge_{cid}", {**VALID, "name": f"edge-{cid}", **inputs}) for cid, inputs in (valid or {}).items()
    ]
    workdir = Workdir(scratch_root(root, "\n".join(blocks), NO_ENDPOINT))
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
    """Diagnostics of one plan holding the cross-input cases and the valid edge cases.

    A separate root module because Terraform stops after the validate walk when any variable is
    invalid, before the plan walk that evaluates the module's locals.
    """
    return _plan_cases(Path(tmp_path_factory.mktemp("cross")), CROSS_INPUT_CASES, VALID_EDGE_CASES)


def test_only_the_bad_calls_fail(variable_diagnostics: list[Diagnostic], cross_diagnostics: list[Diagnostic]) -> None:
    """Every diagnostic belongs to a case: the valid baseline, the edge cases and the inactive cases plan cleanly."""
    labels = {f'module "{_label(cid)}"' for cid, _, _ in VARIABLE_CASES}
    assert [d.text for d in variable_diagnostics if d.context not in labels] == []
    cross_messages = [message for _, _, message in CROSS_INPUT_CASES]
    assert [d.text for d in cross_diagnostics if not any(m in d.detail for m in cross_messages)] == []
    assert not [d.text for d in cross_diagnostics if "edge-" in d.detail], "a valid edge case was refused"
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


# The rules added with the DynamoDB Local oracle name the table they refuse (the older three do not).
NAMES_THE_TABLE = {cid for cid, _, _ in CROSS_INPUT_CASES} - {
    "kms_key_with_sse_disabled",
    "replicas_without_stream",
    "replica_key_without_region",
}


@pytest.mark.parametrize(("case_id", "inputs", "message"), CROSS_INPUT_CASES, ids=[c[0] for c in CROSS_INPUT_CASES])
def test_cross_input_rules(
    cross_diagnostics: list[Diagnostic], case_id: str, inputs: dict[str, Any], message: str
) -> None:
    hits = [d for d in cross_diagnostics if message in d.detail]
    assert hits, f"{case_id}: expected {message!r}; got:\n" + "\n".join(d.text for d in cross_diagnostics)
    assert all(
        d.filename and d.filename.endswith(("dynamodb-table/main.tf", "dynamodb-table/integrations.tf")) for d in hits
    )
    if case_id in NAMES_THE_TABLE:
        assert all(f"table 'cross-{case_id}'" in d.detail for d in hits), [d.detail for d in hits]
        assert all("; " in d.detail for d in hits), "every message ends with the fix after a semicolon"


# -- derived names ----------------------------------------------------------------------------------

LONG_TABLE = "t" * 250 + "-long"  # 255 characters: the longest name DynamoDB accepts
LONG_INDEX = "i" * 250 + "-long"
PROVISIONED_ALARMED = {
    "billing": {"mode": "PROVISIONED", "read": {"min": 1, "max": 5}, "write": {"min": 1, "max": 5}},
    "alarms": {"enabled": True, "user_errors_threshold": 1, "latency_threshold_ms": 50},
}


@pytest.fixture(scope="module")
def derived_names(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """Planned alarm and autoscaling-policy names of a 255-character table and of a short one."""
    cases = {
        "long": {
            "name": LONG_TABLE,
            "schema": schema(
                global_secondary_indexes=[{"name": LONG_INDEX, "hash_key": {"name": "owner", "type": "S"}}, gsi("by-x")]
            ),
            **PROVISIONED_ALARMED,
        },
        "short": {"name": "orders", "schema": schema(global_secondary_indexes=[gsi("by-x")]), **PROVISIONED_ALARMED},
    }
    root = Path(tmp_path_factory.mktemp("derived"))
    workdir = Workdir(scratch_root(root, "\n".join(module_block(k, v) for k, v in cases.items()), NO_ENDPOINT))
    workdir.init()
    plan = workdir.plan(detail=True)
    names: dict[str, dict[str, list[str]]] = {case: {"alarm": [], "policy": []} for case in cases}
    for change in plan.resource_changes:
        case = (change.module_address or "").removeprefix("module.")
        if change.type == "aws_cloudwatch_metric_alarm":
            names[case]["alarm"].append(change.after["alarm_name"])
        elif change.type == "aws_appautoscaling_policy":
            names[case]["policy"].append(change.after["name"])
    return names


def test_any_valid_table_name_plans_with_alarms_and_autoscaling(derived_names: dict[str, dict[str, list[str]]]) -> None:
    long = derived_names["long"]
    # throttles of the table and both GSIs (2 + 4), system and user errors (2), four latency alarms
    assert len(long["alarm"]) == 12 and len(long["policy"]) == 6
    for kind, limit in (("alarm", 255), ("policy", 255)):
        assert all(len(name) <= limit for name in long[kind]), [len(n) for n in long[kind]]
        assert len(set(long[kind])) == len(long[kind]), f"shortened {kind} names must stay unique"
    # Shortened names keep the table name's head and what the alarm or policy is about at the end.
    kinds = ("-read-throttles", "-write-throttles", "-system-errors", "-user-errors", "-latency")
    assert all(name.startswith("t" * 100) and name.endswith(kinds) for name in long["alarm"]), long["alarm"]
    assert all(name.endswith(("-read-target-tracking", "-write-target-tracking")) for name in long["policy"])


def test_short_derived_names_stay_exactly_as_they_were(derived_names: dict[str, dict[str, list[str]]]) -> None:
    """A changed alarm or policy name replaces it on AWS: names that always fitted must never change."""
    short = derived_names["short"]
    assert sorted(short["alarm"]) == sorted(
        [
            "orders-read-throttles",
            "orders-write-throttles",
            "orders-by-x-read-throttles",
            "orders-by-x-write-throttles",
            "orders-system-errors",
            "orders-user-errors",
            "orders-getitem-latency",
            "orders-query-latency",
            "orders-putitem-latency",
            "orders-updateitem-latency",
        ]
    )
    assert sorted(short["policy"]) == sorted(
        [
            "table-orders-read-target-tracking",
            "table-orders-write-target-tracking",
            "table-orders-index-by-x-read-target-tracking",
            "table-orders-index-by-x-write-target-tracking",
        ]
    )

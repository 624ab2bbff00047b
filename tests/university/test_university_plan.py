"""Plans of modules/university: processor wiring, least privilege, alarms, replicas, inventories.

One plan holds five instances of the module (dev defaults, prod-like, local, table only, stream
off), so the suite pays for one `terraform plan`. It runs on the pinned offline provider: what that
provider cannot express (partial batch responses, replica PITR and tag propagation, deletion
protection) is stripped from the staged copy, so those settings are checked on the committed code
(`test_modern_settings_are_in_the_committed_module`) and in the staged-copy report.

Inventories in tests/inventories/university/ are the reviewed summaries of each instance
(tests/inventories/inventory.py: resource counts, table and alarm fields, plus the stream processor's mapping,
function, DLQ and IAM statements); regenerate them with TABLEKIT_UPDATE_INVENTORIES=1 after an
intended change and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inventories.inventory import UNKNOWN, Values, check_inventory, summarize_plan

from tablekit.paths import MODULES
from tablekit.staging import compat
from tablekit.staging.copies import scratch_root
from tablekit.staging.lambda_build import build_all
from tablekit.terraform import hclscan
from tablekit.terraform.runner import Terraform, TerraformError

INVENTORIES = Path(__file__).parents[1] / "inventories" / "university"
CMK = "arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555"
TOPIC = "arn:aws:sns:us-east-1:111122223333:dynamodb-alerts"
REPLICA_KEYS = {
    "us-west-2": "arn:aws:kms:us-west-2:111122223333:key/aaaaaaaa-2222-3333-4444-555555555555",
    "eu-west-1": "arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-2222-3333-4444-555555555555",
}

CASES = {
    # dev defaults with alarms: the full processor, mapping included.
    "dev": {"environment": "dev", "alarms_enabled": True},
    # prod-like: CMK, SNS actions, replicas in two regions.
    "prod": {
        "environment": "prod",
        "alarms_enabled": True,
        "alarm_actions": [TOPIC],
        "kms_key_arn": CMK,
        "replica_regions": ["us-west-2", "eu-west-1"],
        "replica_kms_key_arns": REPLICA_KEYS,
    },
    # local: no mapping (the local runner consumes the stream), alarms off.
    "local": {"environment": "local"},
    # table only.
    "bare": {"environment": "dev", "stream_processor_enabled": False},
    # stream off (issue 16): no stream, no processor; the plan must not trip over the null stream ARN.
    "stream_off": {"environment": "dev", "stream_enabled": False, "stream_processor_enabled": False},
}


def _hcl(value: Any) -> str:
    return json.dumps(value)  # JSON literals are valid HCL for strings, bools, lists and maps


def _module(name: str, inputs: dict[str, Any], zip_path: Path) -> str:
    runtime = compat.PINNED_VARIABLES["lambda_runtime"]
    lines = [f'module "{name}" {{', '  source = "../modules/university"', f"  lambda_runtime = {_hcl(runtime)}"]
    if inputs.get("stream_processor_enabled", True):
        lines.append(f"  lambda_zip_path = {_hcl(str(zip_path))}")
    lines += [f"  {key} = {_hcl(value)}" for key, value in inputs.items()]
    return "\n".join([*lines, "}", f'output "{name}" {{ value = module.{name} }}', ""])


@pytest.fixture(scope="module")
def plan(endpoint_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("university-plan")
    zip_path = build_all(out_dir=root / "lambda")["university-stream"]
    main = "\n".join(_module(name, inputs, zip_path) for name, inputs in CASES.items())
    case = scratch_root(root, main, endpoint_url)
    runner = Terraform(case)
    runner.init()
    return dict(runner.plan(case / "plan.tfplan").raw)


def changes(plan: dict[str, Any], case: str) -> dict[str, dict[str, Any]]:
    """Managed resources of one module instance: address within the instance => change."""
    prefix = f"module.{case}."
    return {
        rc["address"][len(prefix) :]: rc["change"]
        for rc in plan["resource_changes"]
        if rc["address"].startswith(prefix) and rc["mode"] == "managed"
    }


def after(plan: dict[str, Any], case: str, address: str) -> dict[str, Any]:
    return changes(plan, case)[address]["after"]


def config(plan: dict[str, Any], address: str) -> dict[str, Any]:
    """Configuration expressions (references) of one resource of the module."""
    module = plan["configuration"]["root_module"]["module_calls"]["dev"]["module"]
    return next(r for r in module["resources"] if r["address"] == address)["expressions"]


def processor_summary(plan: dict[str, Any], case: str) -> dict[str, Any]:
    """The stream-processor fields a reviewer checks, next to the shared table/alarm summaries.

    Built here rather than registered in inventory.SUMMARIZERS: a registration made by
    importing this test module would change other suites' inventories depending on collection.
    """
    planned = changes(plan, case)

    def values(address: str) -> Values | None:
        change = planned.get(address)
        return Values(change["after"], change["after_unknown"]) if change else None

    def pick(address: str, *fields: str) -> dict[str, Any] | None:
        found = values(address)
        return None if found is None else {f: found.get(f) for f in fields}

    def policy(address: str) -> Any:
        found = values(address)
        if found is None:
            return None
        text = found.get("policy")
        return text if text == UNKNOWN else json.loads(text)["Statement"]

    function = values("aws_lambda_function.processor[0]")
    return {
        "event_source_mapping": pick(
            "aws_lambda_event_source_mapping.stream[0]",
            "enabled",
            "starting_position",
            "batch_size",
            "maximum_batching_window_in_seconds",
            "parallelization_factor",
            "bisect_batch_on_function_error",
            "maximum_retry_attempts",
            "maximum_record_age_in_seconds",
        ),
        "function": None
        if function is None
        else {
            **{
                f: function.get(f)
                for f in (
                    "function_name",
                    "runtime",
                    "handler",
                    "memory_size",
                    "timeout",
                    "reserved_concurrent_executions",
                )
            },
            "tracing": function.child("tracing_config").child(0).get("mode"),
            "environment": function.child("environment").child(0).get("variables"),
        },
        "dlq": pick("aws_sqs_queue.dlq[0]", "name", "kms_master_key_id", "message_retention_seconds"),
        "log_group": pick("aws_cloudwatch_log_group.processor[0]", "name", "retention_in_days", "kms_key_id"),
        "role_policies": {
            "processor": policy("aws_iam_role_policy.processor[0]"),
            "stream": policy("aws_iam_role_policy.stream[0]"),
        },
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_matches_inventory(plan, case):
    inventory = {**summarize_plan(plan, module=f"module.{case}"), "stream_processor": processor_summary(plan, case)}
    check_inventory(inventory, INVENTORIES / f"{case}.json")


@pytest.mark.slow
def test_event_source_mapping_settings(plan):
    esm = after(plan, "dev", "aws_lambda_event_source_mapping.stream[0]")
    assert esm["starting_position"] == "TRIM_HORIZON"
    assert (esm["batch_size"], esm["maximum_batching_window_in_seconds"], esm["parallelization_factor"]) == (100, 1, 1)
    assert esm["bisect_batch_on_function_error"] is True
    assert (esm["maximum_retry_attempts"], esm["maximum_record_age_in_seconds"]) == (3, 21600)
    assert (
        config(plan, "aws_lambda_event_source_mapping.stream")["event_source_arn"]["references"][0]
        == "local.table.stream_arn"
    )


@pytest.mark.slow
def test_failures_go_to_the_encrypted_dlq(plan):
    exprs = config(plan, "aws_lambda_event_source_mapping.stream")
    assert (
        exprs["destination_config"][0]["on_failure"][0]["destination_arn"]["references"][0]
        == "aws_sqs_queue.dlq[0].arn"
    )
    assert after(plan, "dev", "aws_sqs_queue.dlq[0]")["kms_master_key_id"] == "alias/aws/sqs"
    assert after(plan, "prod", "aws_sqs_queue.dlq[0]")["kms_master_key_id"] == CMK
    function = after(plan, "dev", "aws_lambda_function.processor[0]")
    # The mapping reports partial batch failures (ReportBatchItemFailures), so the handler returns them.
    assert function["environment"][0]["variables"]["BATCH_FAILURE_MODE"] == "report"
    assert function["tracing_config"] == [{"mode": "Active"}]
    assert function["reserved_concurrent_executions"] == 10
    assert function["handler"] == "university_stream.handler.lambda_handler"


def _statements(policy_json: str) -> dict[str, dict[str, Any]]:
    statements = json.loads(policy_json)["Statement"]
    return {
        s["Sid"]: {**s, "Action": sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
        for s in statements
    }


@pytest.mark.slow
def test_iam_is_least_privilege(plan):
    policy = _statements(after(plan, "dev", "aws_iam_role_policy.processor[0]")["policy"])
    account = "123456789012"  # the local endpoint's account
    assert policy["AggregateItemsOnly"]["Action"] == [
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
    ]
    assert policy["AggregateItemsOnly"]["Resource"] == f"arn:aws:dynamodb:us-east-1:{account}:table/university"
    assert policy["AggregateItemsOnly"]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["agg#*"]}}
    assert policy["OnFailureDestination"] == {
        "Sid": "OnFailureDestination",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": f"arn:aws:sqs:us-east-1:{account}:university-stream-dlq",
    }
    assert (
        policy["OwnLogGroup"]["Resource"]
        == f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/university-stream-processor:*"
    )
    assert policy["XRayTracing"]["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert set(policy) == {"AggregateItemsOnly", "OnFailureDestination", "OwnLogGroup", "XRayTracing"}
    wildcard = [sid for sid, s in policy.items() if s["Resource"] == "*"]
    assert wildcard == ["XRayTracing"]
    # With a CMK, KMS use is limited to that key through DynamoDB and SQS.
    prod = _statements(after(plan, "prod", "aws_iam_role_policy.processor[0]")["policy"])
    assert prod["CustomerManagedKey"]["Resource"] == CMK
    assert prod["CustomerManagedKey"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]

    # The stream statement references this table's stream ARN (known after apply; the apply test
    # checks the value): read actions there, ListStreams (no resource-level support) on "*".
    module = plan["configuration"]["root_module"]["module_calls"]["dev"]["module"]
    stream_doc = next(r for r in module["resources"] if r["address"] == "data.aws_iam_policy_document.stream")
    read, listing = stream_doc["expressions"]["statement"]
    assert read["actions"]["constant_value"] == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
    ]
    assert read["resources"]["references"][0] == "local.table.stream_arn"
    assert listing["actions"]["constant_value"] == ["dynamodb:ListStreams"]


@pytest.mark.slow
def test_alarms(plan):
    dev = changes(plan, "dev")
    alarm_names = {c["after"]["alarm_name"] for a, c in dev.items() if a.endswith("]") and "metric_alarm" in a}
    for name in (
        "university-read-throttles",
        "university-write-throttles",
        "university-studentID-index-read-throttles",
        "university-entityType-courseDate-index-write-throttles",
        "university-stream-processor-errors",
        "university-stream-processor-iterator-age",
        "university-stream-dlq-depth",
    ):
        assert name in alarm_names
    assert after(plan, "dev", 'aws_cloudwatch_metric_alarm.processor["iterator-age"]')["metric_name"] == "IteratorAge"
    assert after(plan, "dev", 'aws_cloudwatch_metric_alarm.processor["dlq-depth"]')["dimensions"] == {
        "QueueName": "university-stream-dlq"
    }
    prod_errors = after(plan, "prod", 'aws_cloudwatch_metric_alarm.processor["errors"]')
    assert prod_errors["alarm_actions"] == [TOPIC] and prod_errors["ok_actions"] == [TOPIC]
    assert not [a for a in changes(plan, "local") if "metric_alarm" in a]


@pytest.mark.slow
def test_replicas_only_where_set(plan):
    table = 'module.table["university"].aws_dynamodb_table.this'
    replicas = after(plan, "prod", table)["replica"]
    assert sorted(r["region_name"] for r in replicas) == ["eu-west-1", "us-west-2"]
    assert {r["region_name"]: r["kms_key_arn"] for r in replicas} == REPLICA_KEYS
    for case in ("dev", "local", "bare", "stream_off"):
        assert not after(plan, case, table).get("replica")


@pytest.mark.slow
def test_table_shape(plan):
    table = after(plan, "dev", 'module.table["university"].aws_dynamodb_table.this')
    assert (table["hash_key"], table["range_key"]) == ("pk", "sk")
    assert {g["name"]: (g["hash_key"], g["range_key"]) for g in table["global_secondary_index"]} == {
        "studentID-index": ("studentID", "sk"),
        "entityType-courseDate-index": ("entityType", "courseDate"),
    }
    assert table["ttl"] == [{"attribute_name": "expiresAt", "enabled": True}]
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["server_side_encryption"][0]["enabled"] is True
    assert (table["stream_enabled"], table["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES")


@pytest.mark.slow
def test_local_and_bare_skip_what_they_must(plan):
    local = changes(plan, "local")
    assert "aws_lambda_function.processor[0]" in local
    assert not [a for a in local if "event_source_mapping" in a]
    bare = changes(plan, "bare")
    assert sorted(bare) == ['module.table["university"].aws_dynamodb_table.this']


@pytest.mark.slow
def test_stream_toggles_off_cleanly(plan):
    """Issue 16: stream_enabled = false plans the table without a stream and nothing that reads it."""
    off = changes(plan, "stream_off")
    assert sorted(off) == ['module.table["university"].aws_dynamodb_table.this']
    table = off['module.table["university"].aws_dynamodb_table.this']["after"]
    assert table["stream_enabled"] is False and table.get("stream_view_type") in (None, "")
    # The processor's policy documents (the stream one held the null ARN: the bug) are not evaluated.
    modules = plan["prior_state"]["values"]["root_module"].get("child_modules", [])
    reads = [r["address"] for m in modules if m["address"] == "module.stream_off" for r in m.get("resources", [])]
    assert "module.stream_off.data.aws_iam_policy_document.assume" in reads, "the prior state lists data reads"
    assert not [a for a in reads if a.endswith(("policy_document.stream[0]", "policy_document.processor[0]"))]


def test_modern_settings_are_in_the_committed_module():
    """What 3.39 cannot plan is checked where it is written: the committed (6.x) module."""
    items = hclscan.parse((MODULES / "university" / "lambda.tf").read_text())
    esm = next(i for i in items if i.kind == "block" and i.labels == ("aws_lambda_event_source_mapping", "stream"))
    responses = esm.argument("function_response_types")
    assert responses is not None and json.loads(responses.value) == ["ReportBatchItemFailures"]
    assert esm.argument("bisect_batch_on_function_error").value == "true", "bisect stays as the safety net"
    assert next(esm.blocks("destination_config")), "the on-failure DLQ stays as the safety net"


@pytest.mark.slow
def test_cross_input_mistakes_stop_the_plan(endpoint_url, tmp_path):
    main = (
        'module "replicas_in_local" {\n  source = "../modules/university"\n  environment = "local"\n'
        '  stream_processor_enabled = false\n  replica_regions = ["us-west-2"]\n}\n'
        'module "no_zip" {\n  source = "../modules/university"\n  environment = "dev"\n}\n'
        'module "stream_off_processor_on" {\n  source = "../modules/university"\n  environment = "dev"\n'
        '  stream_enabled = false\n  lambda_zip_path = "x.zip"\n}\n'
    )
    root = scratch_root(tmp_path, main, endpoint_url)
    runner = Terraform(root)
    runner.init()
    with pytest.raises(TerraformError) as failed:
        runner.plan(root / "plan.tfplan")
    message = str(failed.value)
    assert "replica_regions must be empty in the local environment" in message
    assert "needs lambda_zip_path" in message
    assert "stream_enabled = false needs stream_processor_enabled = false" in message

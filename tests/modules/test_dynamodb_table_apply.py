"""Apply modules/dynamodb-table on the session's local endpoint and check it with boto3.

Why one table for everything: creating a table costs a full apply, and the questions that matter
(does a toggle stay an in-place update, does the next plan come back clean) are about changing an
existing table anyway. The tests below run in file order as steps on that one table; each step
rewrites the module call, plans and applies it, asserts what the plan contained (in-place update,
no replacement), verifies the result through the DynamoDB, CloudWatch and Application Auto Scaling
APIs and, where a perpetual diff is plausible, that the next plan is empty. Steps expected to
succeed plan and apply in one Terraform process (`apply -json` reports the planned actions);
steps expected to fail plan into a file first, so the plan is checked before the failing apply.

Endpoint limits met here (moto 5, documented in the module README):
- UpdateTable ignores SSESpecification, so a KMS key change applies but is not visible afterwards;
- a stream cannot be re-enabled once disabled (moto never clears its stream label);
- after PROVISIONED -> PAY_PER_REQUEST moto keeps reporting GSI capacity, so the next plan wants to
  clear it again (AWS reports 0 for on-demand indexes).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from modules_support import Workdir, module_block

from tablekit.aws import ClientFactory, clients
from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Action, Plan
from tablekit.terraform.runner import TerraformError

pytestmark = [pytest.mark.apply, pytest.mark.slow]

NAME = "toggle-table"
TABLE = "module.table.aws_dynamodb_table.this"
THROTTLE_ALARMS = sorted(
    [f"{NAME}-read-throttles", f"{NAME}-write-throttles"]
    + [f"{NAME}-{idx}-{op}-throttles" for idx in ("studentID-index", "email-index") for op in ("read", "write")]
)
ALARMS = sorted([*THROTTLE_ALARMS, f"{NAME}-system-errors"])


def initial_inputs(cmk: str, topic: str) -> dict[str, Any]:
    """Every feature on, on-demand billing (a later step switches to PROVISIONED)."""
    return {
        "name": NAME,
        "schema": {
            "hash_key": {"name": "pk", "type": "S"},
            "range_key": {"name": "sk", "type": "S"},
            "global_secondary_indexes": [
                {
                    "name": "studentID-index",
                    "hash_key": {"name": "studentID", "type": "S"},
                    "range_key": {"name": "sk", "type": "S"},
                },
                {
                    "name": "email-index",
                    "hash_key": {"name": "email", "type": "S"},
                    "projection_type": "INCLUDE",
                    "non_key_attributes": ["displayName"],
                },
            ],
            "local_secondary_indexes": [
                {"name": "by-created", "range_key": {"name": "createdAt", "type": "N"}, "projection_type": "KEYS_ONLY"},
            ],
            "ttl_attribute": "expiresAt",
        },
        "ttl_enabled": True,
        "billing": {"mode": "PAY_PER_REQUEST", "read": {"min": 1, "max": 5}, "write": {"min": 2, "max": 6}},
        "point_in_time_recovery": True,
        "sse_kms_key_arn": cmk,
        "stream_view_type": "NEW_AND_OLD_IMAGES",
        "alarms": {"enabled": True, "actions": [topic]},
        "tags": {"Environment": "test", "Owner": "platform"},
    }


OUTPUTS = (
    "name",
    "arn",
    "id",
    "stream_arn",
    "stream_label",
    "index_arns",
    "iam_resource_arns",
    "alarm_arns",
    "key_schema",
)


def root_module(inputs: dict[str, Any]) -> str:
    """The module call plus a root output per module output, so `terraform output` shows them."""
    outputs = "".join(f'output "{o}" {{\n  value = module.table.{o}\n}}\n' for o in OUTPUTS)
    return module_block("table", inputs) + outputs


class TableUnderTest:
    """The applied table plus the current module inputs; `step()`/`apply_step()` change them."""

    def __init__(
        self,
        workdir: Workdir,
        inputs: dict[str, Any],
        client: ClientFactory,
        keys: list[str],
        topic: str,
        created: Plan,
    ) -> None:
        self.workdir = workdir
        self.created = created
        self.inputs = inputs
        self.client = client
        self.keys = keys
        self.topic = topic

    def configure(self, **changes: Any) -> None:
        """Apply `changes` to the module inputs and rewrite main.tf."""
        self.inputs = {**copy.deepcopy(self.inputs), **changes}
        self.workdir.write(root_module(self.inputs))

    def step(self, detail: bool = False, **changes: Any) -> Plan:
        """configure(**changes), then plan into the step's plan file (see Workdir.plan)."""
        self.configure(**changes)
        return self.workdir.plan(detail=detail)

    def apply_step(self, **changes: Any) -> Plan:
        """configure(**changes), then plan and apply in one go; returns the planned changes."""
        self.configure(**changes)
        return self.workdir.apply_changes()

    def describe(self) -> dict[str, Any]:
        return self.client("dynamodb").describe_table(TableName=NAME)["Table"]

    def assert_clean(self) -> None:
        clean, text = self.workdir.is_clean()
        assert clean, f"the plan after apply is not empty (perpetual diff):\n{text}"


def changed(plan: Plan) -> dict[str, list[str]]:
    """address -> Terraform's action list for every resource the plan touches."""
    return {rc.address: list(rc.actions) for rc in plan.managed() if rc.action != Action.NOOP}


def assert_table_updated_in_place(plan: Plan) -> None:
    assert plan.destroyed(types=["aws_dynamodb_table"]) == []
    assert plan.actions_by_address()[TABLE] == Action.UPDATE


@pytest.fixture(scope="module")
def client(endpoint_url: str) -> ClientFactory:
    """Module-scoped client factory (the shared `aws` fixture is per test)."""
    return clients(endpoint_url)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory, endpoint_url: str, client: ClientFactory) -> TableUnderTest:
    """Create the table with every feature on; the tests below are steps on it, in file order."""
    keys = [client("kms").create_key(Description=f"tablekit test key {i}")["KeyMetadata"]["Arn"] for i in (1, 2)]
    topic = client("sns").create_topic(Name=f"{NAME}-alerts")["TopicArn"]
    inputs = initial_inputs(keys[0], topic)
    workdir = Workdir(scratch_root(Path(tmp_path_factory.mktemp("apply")), root_module(inputs), endpoint_url))
    workdir.init()
    plan = workdir.apply_changes()
    assert changed(plan) and all(acts == ["create"] for acts in changed(plan).values())
    return TableUnderTest(workdir, inputs, client, keys, topic, created=plan)


def test_created_table_matches_the_schema(table: TableUnderTest) -> None:
    desc = table.describe()
    assert desc["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]} == {
        "pk": "S",
        "sk": "S",
        "studentID": "S",
        "email": "S",
        "createdAt": "N",
    }
    gsis = {g["IndexName"]: g for g in desc["GlobalSecondaryIndexes"]}
    assert gsis["studentID-index"]["KeySchema"] == [
        {"AttributeName": "studentID", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert gsis["studentID-index"]["Projection"]["ProjectionType"] == "ALL"
    assert gsis["email-index"]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["displayName"]}
    (lsi,) = desc["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "by-created"
    assert lsi["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert lsi["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_created_table_has_ttl_pitr_sse_stream_tags_alarms(table: TableUnderTest) -> None:
    ddb = table.client("dynamodb")
    assert ddb.describe_time_to_live(TableName=NAME)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expiresAt",
    }
    backups = ddb.describe_continuous_backups(TableName=NAME)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    desc = table.describe()
    assert desc["SSEDescription"]["Status"] == "ENABLED"
    assert desc["SSEDescription"]["SSEType"] == "KMS"
    assert desc["SSEDescription"]["KMSMasterKeyArn"] == table.keys[0]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"]}
    assert tags == {
        "Environment": "test",
        "Owner": "platform",
        "Name": NAME,
        "ManagedBy": "terraform",
        "TerraformModule": "dynamodb-table",
    }
    alarms = table.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{NAME}-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == ALARMS
    assert all(a["AlarmActions"] == table.inputs["alarms"]["actions"] == a["OKActions"] for a in alarms)


def test_outputs_follow_the_contract(table: TableUnderTest) -> None:
    out = table.created.raw["outputs"]  # root outputs reported by the creating apply
    desc = table.describe()
    arn = desc["TableArn"]
    assert out["name"] == out["id"] == NAME
    assert out["arn"] == arn
    assert out["stream_arn"] == desc["LatestStreamArn"]
    assert out["stream_label"] == desc["LatestStreamLabel"]
    assert out["index_arns"] == {i: f"{arn}/index/{i}" for i in ("studentID-index", "email-index", "by-created")}
    indexes = ("by-created", "email-index", "studentID-index")
    assert out["iam_resource_arns"] == [arn] + [f"{arn}/index/{i}" for i in indexes]
    assert sorted(out["alarm_arns"]) == ALARMS
    assert out["key_schema"] == {
        "name": NAME,
        "hash_key": {"name": "pk", "type": "S"},
        "range_key": {"name": "sk", "type": "S"},
        "attributes": {"pk": "S", "sk": "S", "studentID": "S", "email": "S", "createdAt": "N"},
        "indexes": {
            "studentID-index": {
                "hash_key": "studentID",
                "range_key": "sk",
                "kind": "GSI",
                "projection_type": "ALL",
                "non_key_attributes": [],
            },
            "email-index": {
                "hash_key": "email",
                "range_key": None,
                "kind": "GSI",
                "projection_type": "INCLUDE",
                "non_key_attributes": ["displayName"],
            },
            "by-created": {
                "hash_key": "pk",
                "range_key": "createdAt",
                "kind": "LSI",
                "projection_type": "KEYS_ONLY",
                "non_key_attributes": [],
            },
        },
        "ttl_attribute": "expiresAt",
        "stream_view_type": "NEW_AND_OLD_IMAGES",
    }


def test_second_plan_is_clean(table: TableUnderTest) -> None:
    table.assert_clean()


def test_toggle_pitr_ttl_tags_alarms_off(table: TableUnderTest) -> None:
    """PITR off, TTL off (name kept), a tag changed and alarms disabled: all in place."""
    plan = table.apply_step(
        point_in_time_recovery=False,
        ttl_enabled=False,
        tags={"Environment": "test", "Owner": "data"},
        alarms={"enabled": False},
    )
    assert_table_updated_in_place(plan)
    others = {a: acts for a, acts in changed(plan).items() if a != TABLE}
    assert others and all(acts == ["delete"] and "metric_alarm" in a for a, acts in others.items())

    ddb = table.client("dynamodb")
    assert ddb.describe_time_to_live(TableName=NAME)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    pitr = ddb.describe_continuous_backups(TableName=NAME)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table.describe()["TableArn"])["Tags"]}
    assert tags["Owner"] == "data"
    assert table.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{NAME}-")["MetricAlarms"] == []
    table.assert_clean()


def test_toggle_pitr_ttl_alarms_back_on(table: TableUnderTest) -> None:
    """Back to the created configuration (whose plan was already shown clean)."""
    plan = table.apply_step(
        point_in_time_recovery=True, ttl_enabled=True, alarms={"enabled": True, "actions": [table.topic]}
    )
    assert_table_updated_in_place(plan)

    ddb = table.client("dynamodb")
    assert ddb.describe_time_to_live(TableName=NAME)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expiresAt",
    }
    pitr = ddb.describe_continuous_backups(TableName=NAME)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    alarms = table.client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{NAME}-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == ALARMS


def test_sse_changes_are_in_place(table: TableUnderTest) -> None:
    """Another customer key, or the AWS-owned key, is an in-place update (provider 3.39 sends
    SSESpecification in UpdateTable), never a replacement.

    null for sse_kms_key_arn plans no change at all: the provider treats the key ARN as
    optional+computed and keeps the key in use (README: how to go back to the AWS-managed key).
    """
    first_key = table.keys[0]
    plan = table.apply_step(sse_kms_key_arn=table.keys[1])  # moto accepts it but ignores SSESpecification
    assert_table_updated_in_place(plan)

    plan = table.step(sse_kms_key_arn=None)
    assert TABLE not in changed(plan)

    plan = table.step(sse_enabled=False, sse_kms_key_arn=None)  # customer key -> AWS-owned key
    assert_table_updated_in_place(plan)

    # Back to the first key: what the endpoint still reports, so later steps start clean.
    table.configure(sse_enabled=True, sse_kms_key_arn=first_key)


def test_stream_view_type_change_needs_two_applies(table: TableUnderTest) -> None:
    """A new view type on an enabled stream plans in place but DynamoDB rejects it in one call
    (AWS: "Table already has an enabled stream"; moto: "Cannot enable stream"); the table stays."""
    plan = table.step(stream_view_type="KEYS_ONLY")
    assert_table_updated_in_place(plan)
    with pytest.raises(TerraformError, match="Cannot enable stream"):
        table.workdir.apply()
    assert table.describe()["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_stream_off_then_plan_new_view_type(table: TableUnderTest) -> None:
    """Step one of a view-type change (stream off) applies in place; step two plans in place
    (not applied: moto cannot re-enable a stream on the same table)."""
    plan = table.apply_step(stream_view_type=None)
    assert_table_updated_in_place(plan)
    assert table.describe().get("StreamSpecification", {"StreamEnabled": False})["StreamEnabled"] is False
    table.assert_clean()

    plan = table.step(stream_view_type="KEYS_ONLY")
    assert_table_updated_in_place(plan)
    table.configure(stream_view_type=None)


def test_on_demand_to_provisioned(table: TableUnderTest) -> None:
    """Plans in place plus autoscaling, but provider 3.39 cannot apply it in one go: with capacity
    in ignore_changes it sends the table's current capacity (0 for an on-demand table). The
    documented recovery switches billing outside Terraform first; then the apply completes."""
    plan = table.step(billing={**table.inputs["billing"], "mode": "PROVISIONED"})
    assert_table_updated_in_place(plan)
    creates = sorted(a for a, acts in changed(plan).items() if acts == ["create"])
    assert len(creates) == 12 and all("appautoscaling" in a for a in creates)  # (table + 2 GSIs) x read/write x 2

    with pytest.raises(TerraformError, match="capacity must be > 0 when billing mode is PROVISIONED"):
        table.workdir.apply()

    cap = table.inputs["billing"]
    throughput = {"ReadCapacityUnits": cap["read"]["min"], "WriteCapacityUnits": cap["write"]["min"]}
    table.client("dynamodb").update_table(
        TableName=NAME,
        BillingMode="PROVISIONED",
        ProvisionedThroughput=throughput,
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": i, "ProvisionedThroughput": throughput}}
            for i in ("studentID-index", "email-index")
        ],
    )
    plan = table.workdir.apply_changes()
    assert TABLE not in changed(plan)

    desc = table.describe()
    assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    targets = table.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")
    mine = sorted(
        (t["ResourceId"], t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"])
        for t in targets["ScalableTargets"]
        if t["ResourceId"].startswith(f"table/{NAME}")
    )
    assert mine == sorted(
        (rid, f"dynamodb:{kind}:{dim.capitalize()}CapacityUnits", cap[dim]["min"], cap[dim]["max"])
        for rid, kind in (
            (f"table/{NAME}", "table"),
            (f"table/{NAME}/index/studentID-index", "index"),
            (f"table/{NAME}/index/email-index", "index"),
        )
        for dim in ("read", "write")
    )
    policies = table.client("application-autoscaling").describe_scaling_policies(ServiceNamespace="dynamodb")
    assert len([p for p in policies["ScalingPolicies"] if p["ResourceId"].startswith(f"table/{NAME}")]) == 6
    table.assert_clean()


def test_provisioned_to_on_demand(table: TableUnderTest) -> None:
    plan = table.apply_step(billing={**table.inputs["billing"], "mode": "PAY_PER_REQUEST"})
    assert_table_updated_in_place(plan)
    others = {a: acts for a, acts in changed(plan).items() if a != TABLE}
    assert len(others) == 12 and all(acts == ["delete"] for acts in others.values())

    assert table.describe()["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    targets = table.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")
    assert [t for t in targets["ScalableTargets"] if t["ResourceId"].startswith(f"table/{NAME}")] == []
    # moto keeps reporting the old GSI capacity of an on-demand table (AWS reports 0), so the next
    # plan wants to clear it again on the table; nothing else may be planned.
    assert set(changed(table.workdir.plan())) <= {TABLE}

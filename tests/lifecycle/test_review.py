"""dev and prod are never repaired: a state/account mismatch stops with the commands to review.

``reconcile.require_agreement`` reads a plan's prior state and its creates, asks the account (here
the session endpoint standing in for one) and raises StateMismatch naming `terraform state rm`
for tracked objects that are gone and `terraform import` for planned creates that already exist.
It changes nothing.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tablekit import aws
from tablekit.envs import reconcile
from tablekit.terraform.plan import Plan

ADDRESS = 'module.estate.module.bandup.module.table["users"].aws_dynamodb_table.this'


def _plan(tracked: list[dict], creates: list[dict]) -> Plan:
    return Plan.parse(
        {
            "format_version": "1.0",
            "terraform_version": "1.0.3",
            "planned_values": {},
            "prior_state": {"values": {"root_module": {"resources": tracked}}},
            "resource_changes": [
                {
                    "address": c["address"],
                    "mode": "managed",
                    "type": c["type"],
                    "name": "this",
                    "change": {"actions": ["create"], "before": None, "after": c["after"], "after_unknown": {}},
                }
                for c in creates
            ],
        }
    )


def _table(db, name: str) -> None:
    db.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )


def test_mismatch_stops_with_the_commands_to_review(endpoint_url):
    clients = aws.clients(endpoint_url)
    db = clients.client("dynamodb")
    present, gone, existing = (f"review-{what}-{uuid.uuid4().hex[:6]}" for what in ("present", "gone", "existing"))
    _table(db, present)
    _table(db, existing)
    try:
        tracked = [
            {"address": "aws_dynamodb_table.present", "mode": "managed", "type": "aws_dynamodb_table",
             "values": {"name": present, "id": present}},
            {"address": "aws_dynamodb_table.gone", "mode": "managed", "type": "aws_dynamodb_table",
             "values": {"name": gone, "id": gone}},
        ]  # fmt: skip
        creates = [{"address": ADDRESS, "type": "aws_dynamodb_table", "after": {"name": existing}}]
        with pytest.raises(reconcile.StateMismatch) as caught:
            reconcile.require_agreement(_plan(tracked, creates), clients, "prod", var_files=["prod.tfvars"])
        message = str(caught.value)
        assert "nothing was applied" in message and "envs/prod" in message
        assert "terraform state rm aws_dynamodb_table.gone" in message
        assert f"terraform import -input=false -var-file=prod.tfvars '{ADDRESS}' {existing}" in message
        assert "aws_dynamodb_table.present" not in message
        # Read-only: both tables are still there, nothing else was created.
        # ListTables pages at 100 names and the shared endpoint holds more than that.
        listed = {name for page in db.get_paginator("list_tables").paginate() for name in page["TableNames"]}
        assert {present, existing} <= listed

        agreeing = reconcile.require_agreement(_plan(tracked[:1], []), clients, "prod")
        assert agreeing.agrees
    finally:
        for name in (present, existing):
            db.delete_table(TableName=name)


def test_an_object_in_another_region_is_unknown_never_reported_gone(endpoint_url):
    """prod's replica-region key lives in us-west-2; clients of the env's region cannot see it."""
    clients = aws.clients(endpoint_url)
    arn = "arn:aws:kms:us-west-2:222222222222:key/00000000-0000-0000-0000-000000000000"
    tracked = [
        {"address": "module.kms_replica.aws_kms_key.this", "mode": "managed", "type": "aws_kms_key",
         "values": {"arn": arn, "key_id": arn.rsplit("/", 1)[1], "id": arn.rsplit("/", 1)[1]}},
    ]  # fmt: skip
    assert reconcile.require_agreement(_plan(tracked, []), clients, "prod").agrees
    same_region = [dict(tracked[0], values={**tracked[0]["values"], "arn": arn.replace("us-west-2", "us-east-1")})]
    gone = re.escape("terraform state rm module.kms_replica.aws_kms_key.this")
    with pytest.raises(reconcile.StateMismatch, match=gone):
        reconcile.require_agreement(_plan(same_region, []), clients, "prod")

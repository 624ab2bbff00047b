"""The local endpoint's limits, found in the plan before anything is applied (tablekit.lifecycle.local_limits).

Each rule stands for a change moto fails (wedging the table) or silently ignores (the plan shows
the update forever); a plan with one stops with the one recreate command.
"""

from __future__ import annotations

from typing import Any

import pytest

from tablekit.errors import UserError
from tablekit.lifecycle.local_limits import (
    CannotApplyLocally,
    explain_apply_error,
    require_applicable,
    require_supported,
)
from tablekit.terraform.plan import Plan

ADDRESS = 'module.estate.module.bandup.module.table["users"].aws_dynamodb_table.this'
KEY = "arn:aws:kms:us-east-1:123456789012:key/"


class NoEndpoint:
    """A Remote that must not be asked (only re-enabling a stream asks the endpoint)."""

    def client(self, service: str) -> Any:
        raise AssertionError(f"asked the endpoint ({service}) for a change the plan alone decides")


class HadStream:
    def client(self, service: str) -> Any:
        class Db:
            def describe_table(self, TableName: str) -> dict[str, Any]:
                return {"Table": {"LatestStreamArn": f"arn:aws:dynamodb:::table/{TableName}/stream/1"}}

        return Db()


def table(**values: Any) -> dict[str, Any]:
    base = {
        "name": "bandup-users",
        "attribute": [{"name": "email", "type": "S"}],
        "billing_mode": "PAY_PER_REQUEST",
        "global_secondary_index": [],
        "server_side_encryption": [{"enabled": True, "kms_key_arn": KEY + "a"}],
        "stream_enabled": False,
        "stream_view_type": "",
    }
    return {**base, **values}


def plan(before: dict[str, Any], after: dict[str, Any], kind: str = "aws_dynamodb_table", actions=("update",)) -> Plan:
    return Plan.parse(
        {
            "format_version": "1.0",
            "terraform_version": "1.0.3",
            "planned_values": {},
            "resource_changes": [
                {
                    "address": ADDRESS,
                    "mode": "managed",
                    "type": kind,
                    "name": "this",
                    "change": {"actions": list(actions), "before": before, "after": after, "after_unknown": {}},
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("after", "remote", "why"),
    [
        (table(stream_enabled=True, stream_view_type="NEW_IMAGE"), HadStream(), "re-enabling its stream"),
        (table(server_side_encryption=[{"enabled": True, "kms_key_arn": KEY + "b"}]), NoEndpoint(), "encryption"),
        (table(attribute=[]), NoEndpoint(), "dropping attribute definition email"),
    ],
    ids=["stream-re-enabled", "other-cmk", "gsi-attribute-dropped"],
)
def test_changes_the_endpoint_cannot_follow_offer_the_recreate_command(after, remote, why):
    with pytest.raises(CannotApplyLocally) as caught:
        require_applicable(plan(table(), after), remote)
    message = str(caught.value)
    assert why in message and "nothing was applied" in message
    assert message.endswith("./just setup --recreate bandup-users")
    assert [b.table for b in caught.value.blocked] == ["bandup-users"]


def test_changes_the_endpoint_follows_pass():
    require_applicable(plan(table(), table(billing_mode="PROVISIONED")), NoEndpoint())
    require_applicable(plan(table(), table(stream_enabled=True, stream_view_type="NEW_IMAGE")), NoStream())


class NoStream:
    def client(self, service: str) -> Any:
        class Db:
            def describe_table(self, TableName: str) -> dict[str, Any]:
                return {"Table": {}}

        return Db()


def test_an_update_the_last_setup_applied_and_the_plan_still_shows_is_caught():
    from tablekit.lifecycle.local_limits import fingerprint, table_updates

    same = plan(table(), table(billing_mode="PROVISIONED"))
    last = {ADDRESS: fingerprint(table_updates(same)[0])}
    with pytest.raises(CannotApplyLocally, match="the local endpoint did not take it"):
        require_applicable(same, NoEndpoint(), last)


def test_a_create_the_endpoint_cannot_make_names_the_setting():
    with pytest.raises(UserError, match="keep backup_enabled = false for local"):
        require_supported(plan(None, {"name": "x"}, kind="aws_backup_selection", actions=("create",)))


def test_an_apply_refused_on_a_table_update_offers_the_recreate_command():
    output = "Error: error updating DynamoDB Table (bandup-users): ResourceInUseException\n\n  with " + ADDRESS + ",\n"
    hint = explain_apply_error(output, plan(table(), table(billing_mode="PROVISIONED")))
    assert hint is not None and hint.endswith("./just setup --recreate bandup-users")
    assert explain_apply_error("Error: something else", plan(table(), table())) is None

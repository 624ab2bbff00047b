"""The applied local estate (the `local_env` session fixture): its keys and its convergence.

Split from test_env_plans.py, which reads only the env plans: these tests need the estate applied,
and sit with its other readers so one xdist worker sets it up (tests/conftest.py, SHARED_UNITS).
"""

from __future__ import annotations

import pytest

from tablekit.terraform.plan import Plan

pytestmark = [pytest.mark.apply, pytest.mark.slow]


def test_local_tables_are_encrypted_with_the_local_cmk(local_env) -> None:
    """After `setup`, every local table reports the env's key (the local endpoint implements KMS SSE)."""
    kms = local_env.client("kms")
    key_arn = kms.describe_key(KeyId="alias/tablekit-local-tables")["KeyMetadata"]["Arn"]
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"]
    dynamodb = local_env.client("dynamodb")
    sse = {
        name: dynamodb.describe_table(TableName=name)["Table"].get("SSEDescription", {}) for name in local_env.tables
    }
    assert len(sse) == 35
    assert {name: (d.get("Status"), d.get("KMSMasterKeyArn")) for name, d in sse.items()} == {
        name: ("ENABLED", key_arn) for name in sse
    }


def test_local_estate_converges_to_no_changes(local_replan: Plan) -> None:
    """After `setup`, a second plan of local has nothing to do (no perpetual diffs on the endpoint)."""
    plan = local_replan
    assert {rc.address: rc.action for rc in plan.managed() if rc.noteworthy} == {}

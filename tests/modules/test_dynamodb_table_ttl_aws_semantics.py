"""TTL switched off, against an endpoint that answers TimeToLive calls the way AWS does.

Why a second endpoint: moto keeps the attribute name of a disabled TTL, so on the shared local
endpoint "TTL off" looks clean. AWS forgets the name once TTL is disabled and rejects disabling it
twice; with that, provider 3.39 plans `+ attribute_name` again after every TTL-off apply and the
apply fails ("TimeToLive is already disabled", hashicorp/terraform-provider-aws#10304). This test
pins down that behaviour and the documented follow-up (drop schema.ttl_attribute), using an
in-process moto server whose two TTL methods are patched for the duration of the test only.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from modules_support import Workdir, module_block
from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.server import ThreadedMotoServer

from tablekit.endpoint.probes import HOST, free_port
from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Action
from tablekit.terraform.runner import TerraformError

pytestmark = [pytest.mark.apply, pytest.mark.slow]

TABLE = "module.table.aws_dynamodb_table.this"


@pytest.fixture
def aws_like_ttl_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An in-process moto server whose DynamoDB TTL calls behave like AWS."""
    describe, update = DynamoDBBackend.describe_time_to_live, DynamoDBBackend.update_time_to_live

    def describe_like_aws(self: DynamoDBBackend, table_name: str) -> dict[str, Any]:
        ttl = dict(describe(self, table_name))
        if ttl.get("TimeToLiveStatus") == "DISABLED":
            ttl.pop("AttributeName", None)
        return ttl

    def update_like_aws(self: DynamoDBBackend, table_name: str, spec: dict[str, Any]) -> None:
        status = self.get_table(table_name).ttl.get("TimeToLiveStatus")
        if not spec.get("AttributeName"):
            raise MockValidationException("attributeName must have length greater than or equal to 1")
        if status == ("ENABLED" if spec["Enabled"] else "DISABLED"):
            raise MockValidationException(f"TimeToLive is already {status.lower()}")
        update(self, table_name, spec)

    monkeypatch.setattr(DynamoDBBackend, "describe_time_to_live", describe_like_aws)
    monkeypatch.setattr(DynamoDBBackend, "update_time_to_live", update_like_aws)
    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port)
    server.start()
    url = f"http://{HOST}:{port}"
    yield url
    # The in-process server shares moto's global backends with any in-process mock: leave them empty.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()
    server.stop()


def test_ttl_off_on_aws_needs_the_documented_follow_up(tmp_path: Path, aws_like_ttl_endpoint: str) -> None:
    schema = {"hash_key": {"name": "pk", "type": "S"}, "ttl_attribute": "expiresAt"}

    def configure(**inputs: Any) -> None:
        workdir.write(module_block("table", {"name": "ttl-on-aws", **inputs}))

    workdir = Workdir(
        scratch_root(tmp_path, module_block("table", {"name": "ttl-on-aws", "schema": schema}), aws_like_ttl_endpoint)
    )
    workdir.init()
    workdir.apply_changes()

    configure(schema=schema, ttl_enabled=False)
    assert workdir.apply_changes().actions_by_address()[TABLE] == Action.UPDATE  # the switch itself works in place

    clean, text = workdir.is_clean()
    assert not clean and '+ attribute_name = "expiresAt"' in text  # provider 3.39 reads back no name
    with pytest.raises(TerraformError, match="TimeToLive is already disabled"):
        workdir.apply_changes()

    # Follow-up from the README: once TTL is off, drop the attribute from the schema. The block
    # removal is suppressed by the provider, so this applies nothing and the plan is clean again.
    configure(schema={"hash_key": schema["hash_key"]}, ttl_enabled=False)
    assert workdir.is_clean()[0]

"""modules/dynamodb-items against the session endpoint: 3 items (flat, nested with binary, DynamoDB JSON)
apply to exactly those items and re-plan clean; a missing key or a set fails the plan with its message."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from seed_support import create_table, key_schema

from tablekit.staging.copies import scratch_root
from tablekit.terraform.plan import Action
from tablekit.terraform.runner import Terraform, TerraformError

pytestmark = [pytest.mark.apply, pytest.mark.slow]

ITEMS_HCL = """
module "items" {
  source     = "../modules/dynamodb-items"
  table_name = "%(table)s"
  hash_key   = "departmentId"
  range_key  = "campusId"
  items = {
    cs = { departmentId = "cs", campusId = "main", name = "Computer Science", establishedYear = 1990 }
    ee = {
      departmentId = "ee", campusId = "main", name = "Electrical", ratio = 0.1, active = true, note = null
      codes   = ["EE1", "EE2"]
      logo    = { "$binary" = "aGVsbG8=" }
      contact = { email = "ee@university.edu", rooms = [101, 102], badge = { "$binary" = "AAE=" } }
    }
    raw = jsonencode({ departmentId = { S = "raw" }, campusId = { S = "north" }, floors = { L = [{ N = "1" }] } })
  }
}
output "item_keys" { value = module.items.item_keys }
"""


def test_three_items_apply_and_replan_clean_and_bad_items_fail_the_plan(tmp_path, endpoint_url, factory, scan) -> None:
    table = f"t{uuid.uuid4().hex[:8]}-departments"
    create_table(factory(), key_schema(table, ("departmentId", "S"), ("campusId", "S")))
    case = scratch_root(tmp_path, ITEMS_HCL % {"table": table}, endpoint_url)
    runner = Terraform(case)
    runner.init()
    runner.apply()

    rows = scan(table)
    assert set(rows) == {("cs", "main"), ("ee", "main"), ("raw", "north")}
    assert rows[("cs", "main")] == {
        "departmentId": "cs",
        "campusId": "main",
        "name": "Computer Science",
        "establishedYear": 1990,
    }
    ee = rows[("ee", "main")]
    assert ee["ratio"] == Decimal("0.1") and ee["active"] is True and ee["note"] is None
    assert ee["codes"] == ["EE1", "EE2"] and ee["logo"] == {"$binary": "aGVsbG8="}
    assert ee["contact"] == {"email": "ee@university.edu", "rooms": [101, 102], "badge": {"$binary": "AAE="}}
    assert rows[("raw", "north")]["floors"] == [1]

    replan = runner.plan(case / "replan.tfplan").actions_by_address()
    assert set(replan) == {f'module.items.aws_dynamodb_table_item.this["{k}"]' for k in ("cs", "ee", "raw")}
    assert set(replan.values()) == {Action.NOOP}, "perpetual diff after apply"

    # A missing key is checked in locals (Terraform 1.0 has no preconditions), a set by a validation
    # block; both must stop the plan with their message. Same module call, so no re-init is needed.
    cases = {
        "items cs lack the key attribute(s) departmentId and campusId: add them to each item": (
            'cs = { departmentId = "cs", campusId = "main",',
            'cs = { departmentId = "cs",',
        ),
        'Sets ({"$set" = [...]}, SS/NS/BS) cannot be Terraform items: DynamoDB returns set elements in any order': (
            'codes   = ["EE1", "EE2"]',
            'codes   = { "$set" = ["EE1", "EE2"] }',
        ),
    }
    for message, (old, new) in cases.items():
        (case / "main.tf").write_text((ITEMS_HCL % {"table": table}).replace(old, new))
        with pytest.raises(TerraformError) as caught:
            runner.plan(case / "bad.tfplan")
        assert message in " ".join(str(caught.value).replace("\\n", " ").replace('\\"', '"').split())

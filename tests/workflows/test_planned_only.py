"""prod on the simulated account: what the endpoint cannot create is planned in full but held out of
the saved plan, listed, and nothing else may hide in that difference (tablekit.staging.planned_only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tablekit import envs
from tablekit.errors import OperationFailed
from tablekit.staging import planned_only
from tablekit.terraform.plan import Plan

TABLE = 'module.estate.module.university.module.table["university"].aws_dynamodb_table.this'


def _plan(after: dict[str, Any], actions: list[str] | None = None) -> Plan:
    change = {"actions": actions or ["create"], "before": None, "after": after, "after_unknown": {}}
    return Plan.parse(
        {
            "format_version": "1.0",
            "terraform_version": "1.0.3",
            "resource_changes": [
                {"address": TABLE, "mode": "managed", "type": "aws_dynamodb_table", "name": "this", "change": change}
            ],
        }
    )


def test_the_difference_may_only_be_what_the_endpoint_cannot_create() -> None:
    full = _plan({"name": "university", "replica": [{"region_name": "us-west-2"}]})
    held = _plan({"name": "university", "replica": []})
    (only,) = planned_only.compare(full, held)
    assert only.address == TABLE and only.what == "replica in us-west-2 (create)"
    assert "cannot create global-table replicas" in only.why
    renamed = _plan({"name": "university-v2", "replica": []})
    with pytest.raises(OperationFailed, match=r"differs from the full plan at .* in more than"):
        planned_only.compare(full, renamed)


def _changes(path: Path) -> dict[str, dict[str, Any]]:
    changes = json.loads(path.read_text())["resource_changes"]
    return {rc["address"]: rc for rc in changes if rc["mode"] == "managed"}


@pytest.mark.apply
@pytest.mark.slow
def test_prod_plans_its_replica_backup_selection_and_dead_letter_config_but_saves_them_out(
    endpoint_url: str, tmp_path: Path
) -> None:
    ctx = envs.on_endpoint("prod", endpoint_url, tmp_path / "prod")
    reviewed = envs.review(ctx, tmp_path / "saved.json", refresh=False)
    assert reviewed.full is not None
    listed = {(p.address, p.what) for p in reviewed.planned_only}
    assert (TABLE, "replica in us-west-2 (create)") in listed
    assert any(what.startswith("aws_backup_selection") for _, what in listed)
    assert any(what.startswith("dead_letter_config") for _, what in listed)
    saved = _changes(tmp_path / "saved.json")
    assert saved[TABLE]["change"]["after"]["replica"] == [], "the saved plan must not create the replica"
    full = {rc.address: rc for rc in reviewed.full.managed()}
    assert [r["region_name"] for r in full[TABLE].after["replica"]] == ["us-west-2"]
    # Everything else is in the saved plan: the stream processor is applied on the simulated account.
    assert any(a.endswith("aws_lambda_function.processor[0]") for a in saved)
    assert len(full) - len(saved) == 1  # only the backup selection is held back whole

"""The loader's promise on a real engine: a batch the endpoint rejects mid-run leaves nothing half-written.

How the endpoint is made to reject a batch: the real table has an index the env's `tables` output
does not declare (a stale key schema, the one way a valid-looking row still fails), and one row in
the middle of the run gives that index an empty key. Both engines reject that batch; by then other
batches of this table and of the table before it are written. The undo journal must put every key
back -- prior items restored, new keys deleted -- and the error must say what it rolled back.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from conformance_support import Engine, scan

from tablekit.dynamodb_json import from_item, serialize_item
from tablekit.endpoint.dynamodb_local import create_tables
from tablekit.seed import SeedRolledBack, load_env

pytestmark = pytest.mark.slow

ENVIRONMENTS = {"sets": {"demo": {"allowed": ["local"]}}, "environments": {"local": ["demo"]}}


def _schema(name: str, owner_index: bool) -> dict[str, Any]:
    indexes = (
        {"by-owner": {"hash_key": "owner", "range_key": None, "kind": "GSI", "projection_type": "ALL"}}
        if owner_index
        else {}
    )
    attributes = {"id": "S", **({"owner": "S"} if owner_index else {})}
    return {
        "name": name,
        "hash_key": {"name": "id", "type": "S"},
        "range_key": None,
        "attributes": attributes,
        "indexes": indexes,
        "ttl_attribute": None,
    }


def _state(engine: Engine, *tables: str) -> dict[str, dict[str, Any]]:
    client = engine.clients.dynamodb()
    return {table: {row["id"]: row for row in map(from_item, scan(client, table))} for table in tables}


@pytest.mark.parametrize("workers", [1, 4])
def test_a_batch_rejected_mid_run_is_rolled_back(engine: Engine, tmp_path: Path, workers: int) -> None:
    prefix = f"rb{uuid.uuid4().hex[:6]}-"
    notes, orders = f"{prefix}notes", f"{prefix}orders"
    client = engine.clients.dynamodb()
    # The real tables: orders has an index the declared schema below does not know about.
    create_tables(client, {notes: _schema(notes, False), orders: _schema(orders, True)})
    for i in range(10):  # orders already holds items: the journal must restore them, not delete them
        client.put_item(TableName=orders, Item=serialize_item({"id": f"o{i}", "text": "old", "owner": "alice"}))
    before = _state(engine, notes, orders)

    root = tmp_path / "seed_data"
    rows = {
        "alpha/demo/notes.json": [{"id": f"n{i}", "text": "new"} for i in range(30)],
        "beta/demo/orders.json": [
            {"id": f"o{i}", "text": "new", "owner": "" if i == 60 else "bob"} for i in range(100)
        ],
    }
    for rel, content in rows.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(content))
    (root / "environments.json").write_text(json.dumps(ENVIRONMENTS))
    declared = {notes: _schema(notes, False), orders: _schema(orders, False)}  # stale: no by-owner

    with pytest.raises(SeedRolledBack) as caught:
        load_env(declared, engine.clients, env="local", seed_root=root, name_prefix=prefix, workers=workers)

    error = caught.value
    assert error.rollback.complete, error.rollback.error
    assert _state(engine, notes, orders) == before, "every table must be exactly as before the run"
    message = str(error)
    assert f"{orders}: DynamoDB rejected a batch that passed validation" in message
    assert "rolled back everything this run wrote, so every table is as it was before the run" in message
    assert error.rollback.restored[orders] == 10  # the ten old orders came back as they were
    if workers == 1:  # batches go in file order: all 30 notes, orders 0-49, then 50-74 is rejected
        assert error.rollback.deleted == {notes: 30, orders: 65}
        assert f"{notes}: 30 new item(s) deleted, 0 item(s) restored to their previous value" in message
        assert f"{orders}: 65 new item(s) deleted, 10 item(s) restored to their previous value" in message


def test_a_run_without_rejections_writes_everything(engine: Engine, tmp_path: Path) -> None:
    """The same run with the schema the table really has: no rollback, every row stored."""
    prefix = f"ok{uuid.uuid4().hex[:6]}-"
    orders = f"{prefix}orders"
    create_tables(engine.clients.dynamodb(), {orders: _schema(orders, True)})
    root = tmp_path / "seed_data"
    (root / "beta/demo").mkdir(parents=True)
    (root / "beta/demo/orders.json").write_text(json.dumps([{"id": f"o{i}", "owner": "bob"} for i in range(100)]))
    (root / "environments.json").write_text(json.dumps(ENVIRONMENTS))
    summary = load_env({orders: _schema(orders, True)}, engine.clients, env="local", seed_root=root, name_prefix=prefix)
    assert summary.items == 100 and summary.journal_reads == 0  # the table started empty: no reads needed
    assert len(_state(engine, orders)[orders]) == 100

"""The undo journal: whatever stops a run half-way, every table ends as it was before the run.

The engine-level proof (a batch the endpoint itself rejects mid-run, on moto and DynamoDB Local)
is tests/conformance/test_rollback.py. Here: the other ways a run stops (Ctrl-C, throttling past
the retry budget), a rollback that cannot finish, and what the journal reads and why.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError

from tablekit.dynamodb_json import serialize_item
from tablekit.seed import Backoff, SeedRolledBack, load_rows, loader
from tablekit.seed.journal import ABSENT, Journal

# The fixtures of tests/seed/conftest.py.
Tables = Callable[..., dict[str, dict[str, Any]]]
Factory = Callable[[], Any]
Scan = Callable[[str], dict[tuple[Any, ...], dict[str, Any]]]

ROWS = [{"evaluation_id": f"e{i:03d}", "user_id": "u", "v": "new"} for i in range(120)]


class Scripted:
    """A real client whose Nth BatchWriteItem (and every later one, with `sticky`) does `action` instead."""

    def __init__(self, client: Any, at: int, action: Callable[[dict[str, Any]], Any], sticky: bool = False):
        self._client, self._at, self._action, self._sticky = client, at, action, sticky
        self.calls = 0
        self._lock = threading.Lock()

    def batch_write_item(self, **request: Any) -> Any:
        with self._lock:
            self.calls += 1
            hit = self.calls == self._at or (self._sticky and self.calls > self._at)
        return self._action(request) if hit else self._client.batch_write_item(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _interrupt(_: dict[str, Any]) -> Any:
    raise KeyboardInterrupt


def _leave_unprocessed(request: dict[str, Any]) -> Any:
    return {"UnprocessedItems": request["RequestItems"]}


def _refuse(_: dict[str, Any]) -> Any:
    raise ClientError({"Error": {"Code": "InternalServerError", "Message": "the endpoint went away"}}, "BatchWriteItem")


def _fast_backoff() -> Backoff:
    return Backoff(base=0.001, cap=0.002, max_attempts=3)


def _prefill(factory: Factory, table: str, count: int) -> None:
    client = factory()
    for row in ROWS[:count]:
        client.put_item(TableName=table, Item=serialize_item({**row, "v": "old"}))


@pytest.mark.parametrize("workers", [1, 4])
def test_ctrl_c_mid_run_rolls_everything_back(env_tables: Tables, factory: Factory, scan: Scan, workers: int) -> None:
    tables = env_tables("bandup-evaluations")
    (table,) = tables
    _prefill(factory, table, 5)
    before = scan(table)
    scripted = Scripted(factory(), at=3, action=_interrupt)  # one client for every thread: calls are counted
    with pytest.raises(SeedRolledBack) as caught:
        load_rows(tables, "bandup-evaluations", ROWS, lambda: scripted, workers=workers)
    assert str(caught.value).startswith("interrupted (Ctrl-C)\nThe seed run stopped and rolled back everything")
    assert caught.value.rollback.restored == {table: 5}
    if workers == 1:
        assert caught.value.rollback.deleted == {table: 70}
    assert scan(table) == before


def test_throttling_past_the_retry_budget_rolls_back(env_tables: Tables, factory: Factory, scan: Scan) -> None:
    tables = env_tables("bandup-evaluations")
    (table,) = tables
    throttled = Scripted(factory(), at=2, action=_leave_unprocessed)  # batch 2 is left unprocessed once
    with pytest.raises(SeedRolledBack, match=r"still not written after 1 attempts \(UnprocessedItems\)") as caught:
        load_rows(tables, "bandup-evaluations", ROWS, lambda: throttled, workers=1, backoff=Backoff(max_attempts=1))
    assert caught.value.rollback.complete and caught.value.rollback.deleted == {table: 50}
    assert scan(table) == {}


@pytest.mark.slow
def test_a_rollback_that_cannot_finish_saves_what_would_finish_it(
    env_tables: Tables, factory: Factory, scan: Scan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "UNDO_DIR", tmp_path / "undo")
    tables = env_tables("bandup-evaluations")
    (table,) = tables
    _prefill(factory, table, 3)
    broken = Scripted(factory(), at=3, action=_refuse, sticky=True)  # the endpoint fails from batch 3 on
    with pytest.raises(SeedRolledBack) as caught:
        load_rows(tables, "bandup-evaluations", ROWS, lambda: broken, workers=1, backoff=_fast_backoff())
    rollback = caught.value.rollback
    assert not rollback.complete and rollback.saved_to is not None
    assert "the rollback failed too" in str(caught.value) and str(rollback.saved_to) in str(caught.value)
    saved = [json.loads(line) for line in rollback.saved_to.read_text().splitlines()]
    puts = [r for r in saved if "PutRequest" in r["request"]]
    deletes = [r for r in saved if "DeleteRequest" in r["request"]]
    assert {r["table"] for r in saved} == {table}
    assert len(puts) == 3 and all(r["request"]["PutRequest"]["Item"]["v"] == {"S": "old"} for r in puts)
    assert len(deletes) == 75 - 3  # three batches were journaled; three of their keys existed
    # Replaying the saved requests finishes the rollback.
    client = factory()
    for start in range(0, len(saved), 25):
        client.batch_write_item(RequestItems={table: [r["request"] for r in saved[start : start + 25]]})
    assert {key: row["v"] for key, row in scan(table).items()} == {(f"e{i:03d}", "u"): "old" for i in range(3)}


def test_the_journal_reads_only_what_an_empty_table_cannot_answer(env_tables: Tables, factory: Factory) -> None:
    tables = env_tables("bandup-evaluations", "counters")
    evaluations, counters = sorted(tables, key=lambda name: "counters" in name)
    _prefill(factory, evaluations, 2)
    client = factory()
    journal = Journal({evaluations: ["evaluation_id", "user_id"], counters: ["counter_id"]})
    journal.probe_empty(client, [evaluations, counters])
    assert (journal.tables[evaluations].was_empty, journal.tables[counters].was_empty) == (False, True)
    puts = [{"PutRequest": {"Item": serialize_item(row)}} for row in ROWS[:4]]
    journal.before_write(client, evaluations, puts)
    journal.before_write(client, evaluations, puts)  # already journaled: no second read
    journal.before_write(client, counters, [{"PutRequest": {"Item": serialize_item({"counter_id": 1})}}])
    assert journal.reads == 1
    prior = journal.tables[evaluations].prior
    assert [value is ABSENT for _, value in prior.values()] == [False, False, True, True]
    assert journal.tables[counters].prior[(1,)][1] is ABSENT
    undo = journal.undo_requests()
    assert [next(iter(r)) for r in undo[evaluations]] == ["PutRequest", "PutRequest", "DeleteRequest", "DeleteRequest"]
    assert undo[counters] == [{"DeleteRequest": {"Key": {"counter_id": {"N": "1"}}}}]


def test_a_reseed_of_unchanged_rows_writes_only_what_changed(env_tables: Tables, factory: Factory, scan: Scan) -> None:
    """The journal reads every prior item of a non-empty table anyway: equal items are not rewritten
    (no write, no undo entry, no stream record for a change that is none)."""
    tables = env_tables("bandup-evaluations")
    (table,) = tables
    first = load_rows(tables, "bandup-evaluations", ROWS, factory, workers=2)
    assert (first.items, first.journal_reads, first.tables[0].unchanged) == (120, 0, 0)
    changed = [dict(row, v="newer") if row["evaluation_id"] in ("e007", "e100") else row for row in ROWS]
    second = load_rows(tables, "bandup-evaluations", changed, factory, workers=2)
    assert (second.items, second.tables[0].unchanged) == (120, 118)
    assert second.journal_reads == 5  # one BatchGetItem per batch of 25
    assert {key: row["v"] for key, row in scan(table).items() if row["v"] != "new"} == {
        ("e007", "u"): "newer",
        ("e100", "u"): "newer",
    }

"""The undo journal of one seed run: for every key the run writes, the item it replaced or "absent".

Why: the loader promises that a run either lands whole or leaves every table as it found it.
Validation makes a write-time rejection a bug rather than a normal outcome, but a table whose real
schema differs from the env's `tables` output, a throttling budget running out or a Ctrl-C can
still stop a run half-way. The writer records the prior state of every key *before* the batch that
writes it is sent; on any failure the loader puts the prior items back and deletes the keys that
did not exist, then reports what it rolled back.

What it costs, and how that is kept small (figures in BENCHMARKS.md):

- A table that is empty when the run starts needs no reads: one `Scan(Limit=1)` per table proves
  it empty, and every key the run writes is then "absent" by construction. That is the common case
  (`setup` on a fresh env, a new dev account).
- Otherwise each batch of 25 puts is preceded by one consistent `BatchGetItem` of its keys (the
  prior images must be complete: a rollback restores them verbatim).
- Deletes (`--prune`) always read the full item first.

Limits, on purpose: the journal lives in memory (a run's items are in memory anyway). When the
rollback itself cannot finish (endpoint gone, second Ctrl-C), the requests that would finish it are
saved as JSON lines (`{"table": ..., "request": {...}}`, BatchWriteItem's own shape) and the error
names the file. It assumes no one else writes the same keys during the run, as `--prune` does.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from botocore.exceptions import ClientError

from tablekit.dynamodb_json import Item, from_item, key_value

KeyTuple = tuple[Any, ...]
Request = dict[str, Any]
ABSENT = None  # the journal's "this key did not exist before the run"
BATCH_GET_LIMIT = 100
_RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


@dataclass
class TableJournal:
    """Prior state of every key written to one table, in the order the run first wrote it."""

    key_names: list[str]
    was_empty: bool = False
    prior: dict[KeyTuple, tuple[Item, Item | None]] = field(default_factory=dict)  # key -> (typed key, prior)

    def key_of(self, request: Request) -> tuple[KeyTuple, Item]:
        if "PutRequest" in request:
            item = request["PutRequest"]["Item"]
            typed = {name: item[name] for name in self.key_names}
        else:
            typed = dict(request["DeleteRequest"]["Key"])
        return tuple(key_value(typed[name]) for name in self.key_names), typed


@dataclass
class Rollback:
    """What a rollback did, per table: prior items put back, and keys deleted because they were absent."""

    restored: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    saved_to: Path | None = None
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.error is None

    def lines(self) -> list[str]:
        tables = sorted(set(self.restored) | set(self.deleted))
        return [
            f"{table}: {self.deleted.get(table, 0)} new item(s) deleted, "
            f"{self.restored.get(table, 0)} item(s) restored to their previous value"
            for table in tables
        ]


class Journal:
    """Thread-safe journal shared by the writer threads of one run."""

    def __init__(self, key_names: Mapping[str, Sequence[str]], sleep: Callable[[float], None] = time.sleep):
        self.tables = {table: TableJournal(list(names)) for table, names in key_names.items()}
        self._lock = threading.Lock()
        self._sleep = sleep
        self.reads = 0  # BatchGetItem requests made (the journal's cost, reported by the benchmark)
        self.unchanged = 0  # puts dropped because the table already held exactly that item

    def probe_empty(self, client: Any, tables: Sequence[str]) -> None:
        """Mark the tables that hold no item at all: their keys need no read before writing."""
        for table in tables:
            page = client.scan(TableName=table, Limit=1, ConsistentRead=True, Select="COUNT")
            self.tables[table].was_empty = not page.get("Count") and not page.get("LastEvaluatedKey")

    def before_write(self, client: Any, table: str, batch: Sequence[Request]) -> list[Request]:
        """Record the prior state of every key in `batch` not yet recorded (call before sending it).

        Returns the requests still worth sending: a put of an item the table already holds exactly
        (a re-seed of unchanged data) is dropped, and so is its journal entry -- nothing to write,
        nothing to undo, no stream record for a change that is none.
        """
        journal = self.tables[table]
        wanted: dict[KeyTuple, Item] = {}
        keyed: list[tuple[KeyTuple, Request]] = []
        with self._lock:
            for request in batch:
                key, typed = journal.key_of(request)
                keyed.append((key, request))
                if key in journal.prior or key in wanted:
                    continue
                if journal.was_empty and "PutRequest" in request:
                    journal.prior[key] = (typed, ABSENT)
                else:
                    wanted[key] = typed
        if not wanted:
            return list(batch)
        found = self._read(client, table, list(wanted.values()), journal.key_names)
        send: list[Request] = []
        with self._lock:
            for key, typed in wanted.items():
                journal.prior.setdefault(key, (typed, found.get(key)))
            for key, request in keyed:
                prior = found.get(key) if key in wanted else None
                if prior is not None and "PutRequest" in request and same_item(prior, request["PutRequest"]["Item"]):
                    del journal.prior[key]
                    self.unchanged += 1
                    continue
                send.append(request)
        return send

    def _read(self, client: Any, table: str, keys: list[Item], names: list[str]) -> dict[KeyTuple, Item]:
        """Consistent BatchGetItem of `keys`, following UnprocessedKeys with a short backoff."""
        found: dict[KeyTuple, Item] = {}
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {table: {"Keys": keys[start : start + BATCH_GET_LIMIT], "ConsistentRead": True}}
            for attempt in range(1, 11):
                try:
                    response = client.batch_get_item(RequestItems=pending)
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") not in _RETRYABLE or attempt == 10:
                        raise
                    self._sleep(min(2.0, 0.05 * 2**attempt))
                    continue
                with self._lock:
                    self.reads += 1
                for item in response.get("Responses", {}).get(table, []):
                    found[tuple(key_value(item[name]) for name in names)] = item
                pending = response.get("UnprocessedKeys") or {}
                if not pending:
                    break
                self._sleep(min(2.0, 0.05 * 2**attempt))
            else:
                raise RuntimeError(f"{table}: could not read the prior items of {len(keys)} keys (throttled)")
        return found

    @property
    def written_keys(self) -> int:
        return sum(len(journal.prior) for journal in self.tables.values())

    def undo_requests(self) -> dict[str, list[Request]]:
        """Requests that put every table back: prior items re-put, absent keys deleted."""
        undo: dict[str, list[Request]] = {}
        for table, journal in self.tables.items():
            requests = [
                {"DeleteRequest": {"Key": typed}} if prior is ABSENT else {"PutRequest": {"Item": prior}}
                for typed, prior in journal.prior.values()
            ]
            if requests:
                undo[table] = requests
        return undo

    def rollback(self, run: Callable[[Mapping[str, Sequence[Request]]], object], save_dir: Path) -> Rollback:
        """Send the undo requests through `run` (a journal-less writer); save them if that fails."""
        undo = self.undo_requests()
        report = Rollback(
            restored={t: sum("PutRequest" in r for r in rs) for t, rs in undo.items()},
            deleted={t: sum("DeleteRequest" in r for r in rs) for t, rs in undo.items()},
        )
        try:
            run(undo)
        except (Exception, KeyboardInterrupt) as exc:
            report.error = str(exc) or type(exc).__name__
            report.saved_to = save_requests(undo, save_dir)
        return report


def same_item(stored: Item, new: Item) -> bool:
    """Whether two items are equal as DynamoDB sees them (number spelling and set order aside)."""
    return stored.keys() == new.keys() and from_item(stored) == from_item(new)


def save_requests(requests: Mapping[str, Sequence[Request]], directory: Path) -> Path:
    """Write requests as JSON lines (binary values base64-encoded, as the AWS CLI expects them)."""
    import base64

    def default(value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(bytes(value)).decode()
        raise TypeError(type(value).__name__)

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"seed-undo-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for table, table_requests in requests.items():
            for request in table_requests:
                out.write(json.dumps({"table": table, "request": request}, default=default) + "\n")
    return path

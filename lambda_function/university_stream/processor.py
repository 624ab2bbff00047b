"""One batch of DynamoDB stream records -> coalesced, idempotent writes to the aggregate items.

Idempotency (stream delivery is at-least-once; the event-source mapping redelivers whole batches
after an error, and after a partial failure it redelivers from the failed record onward):

* Every aggregate item carries ``applied``: per base item, the last sequence number applied from
  it (``marks``). DynamoDB Streams delivers the records of one item in order (also across shard
  splits, also with a parallelization factor > 1), so "seq <= mark(item)" means exactly "this
  change is already in the counters".
* A batch reads its aggregates once (BatchGetItem, consistent), keeps only the changes that are not
  applied yet, sums them per aggregate and writes each aggregate with ONE UpdateItem that ADDs the
  counter deltas and SETs the new ``applied`` map in the same request, conditioned on the version
  ``v`` it read. Counters and markers therefore change atomically or not at all, and a concurrent
  writer (another shard touching the same aggregate) makes the condition fail; the processor then
  re-reads that one aggregate and retries.
* Why not per-event marker items + TransactWriteItems: a marker per record doubles the writes (and
  transactions cost twice), floods the stream with marker INSERTs and TTL REMOVEs, and a batch of
  100 records plus its aggregates no longer fits one 100-action transaction. Why not one
  high-water mark per shard: the Lambda event does not name the shard. Per-item marks work with
  what every record carries (its keys and sequence number).
* Marks are pruned on every write: a mark older than the idempotency horizon can never match a
  redelivery, because the mapping never delivers a record older than its maximum_record_age
  (modules/university sets the horizon to that + 1 h; the default here, 48 h, is twice the 24 h
  stream retention and safe for any mapping). Marks are kept compact, because DynamoDB bills a
  write by the size of the whole item: ``applied`` = {hour bucket: {12-character hash of the base
  item's key: base-62 sequence number}}, ~30 bytes per base item changed within the horizon, and
  whole buckets are dropped when they age out. A very hot aggregate (tens of thousands of changed
  items per horizon) would be better served by per-event marker items (README, "Idempotency").

Coalescing: one UpdateItem per aggregate item per batch (plus one retry per lost race), and none
for an aggregate whose changes in the batch were all applied before.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import string
import time
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .dynamo import deserialize_item, serialize
from .model import AGG_PREFIX, HASH_KEY, RANGE_KEY, SUMMARY_SK, PoisonRecord, is_own_item, is_ttl_delete, record_deltas

LOG = logging.getLogger("university_stream")

DEFAULT_HORIZON_SECONDS = 2 * 24 * 3600
MAX_WRITE_ATTEMPTS = 5
BATCH_GET_LIMIT = 100
MARK_BUCKET_SECONDS = 3600
_BASE62 = string.digits + string.ascii_letters


def mark_key(source: str) -> str:
    """Short, stable name of a base item's mark (72-bit hash: collisions are not a practical concern)."""
    return base64.urlsafe_b64encode(hashlib.blake2b(source.encode("utf-8"), digest_size=9).digest()).decode("ascii")


def encode_seq(seq: int) -> str:
    """A sequence number in base 62 (about 14 characters instead of 25 digits)."""
    text = ""
    while True:
        seq, digit = divmod(seq, 62)
        text = _BASE62[digit] + text
        if seq == 0:
            return text


def decode_seq(text: str) -> int:
    """Inverse of encode_seq."""
    value = 0
    for char in text:
        value = value * 62 + _BASE62.index(char)
    return value


class Change:
    """The part of one stream record that lands on one aggregate item."""

    __slots__ = ("deltas", "mark", "seq", "seq_text")

    def __init__(self, seq_text: str, source: str, deltas: Mapping[str, Decimal]):
        self.seq_text = seq_text
        self.seq = int(seq_text)
        self.mark = mark_key(source)
        self.deltas = dict(deltas)


class AggregateState:
    """What the processor knows about one aggregate item: its version and applied marks."""

    __slots__ = ("applied", "version")

    def __init__(self, version: Optional[Decimal] = None, applied: Optional[Mapping[str, Any]] = None):
        self.version = version
        # hour bucket => {mark key => base-62 sequence number}
        self.applied: Dict[str, Dict[str, str]] = {
            bucket: dict(marks) for bucket, marks in (applied or {}).items() if isinstance(marks, Mapping)
        }

    def applied_seq(self, mark: str) -> int:
        """Highest sequence number applied from the base item behind `mark`, -1 when none."""
        return max((decode_seq(marks[mark]) for marks in self.applied.values() if mark in marks), default=-1)


class BatchReport:
    """Counts of one batch; the handler logs it and the local runner sums it."""

    def __init__(self) -> None:
        self.records = 0
        self.ignored = 0  # the processor's own aggregate items (loop guard)
        self.no_effect = 0  # base items nothing aggregates (courses, sessions, ...)
        self.applied = 0  # record x aggregate changes written now
        self.duplicates = 0  # record x aggregate changes already applied earlier (redelivery)
        self.writes = 0  # UpdateItem calls
        self.conflicts = 0  # UpdateItems that lost an optimistic-lock race and were retried
        self.aggregates = 0  # aggregate items touched by the batch
        self.failed: List[str] = []  # sequence numbers to report as batchItemFailures

    def as_dict(self) -> Dict[str, Any]:
        return {
            "records": self.records,
            "ignored": self.ignored,
            "no_effect": self.no_effect,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "writes": self.writes,
            "conflicts": self.conflicts,
            "aggregates": self.aggregates,
            "failed": list(self.failed),
        }


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))


def _images(record: Mapping[str, Any]) -> tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]:
    """(old, new) plain images; the stream must be NEW_AND_OLD_IMAGES or the deltas are unknowable."""
    event = record.get("eventName")
    data = record["dynamodb"]
    old = deserialize_item(data["OldImage"]) if "OldImage" in data else None
    new = deserialize_item(data["NewImage"]) if "NewImage" in data else None
    if event not in ("INSERT", "MODIFY", "REMOVE"):
        raise PoisonRecord(f"unknown eventName {event!r}")
    if (event in ("INSERT", "MODIFY") and new is None) or (event in ("MODIFY", "REMOVE") and old is None):
        raise PoisonRecord(f"{event} record without the images it needs: the stream must be NEW_AND_OLD_IMAGES")
    return old, new


def _aggregate_key(pk: str) -> Dict[str, Any]:
    return {HASH_KEY: {"S": pk}, RANGE_KEY: {"S": SUMMARY_SK}}


def _state_from_item(item: Optional[Mapping[str, Any]]) -> AggregateState:
    if not item:
        return AggregateState()
    plain = deserialize_item(item)
    return AggregateState(plain.get("v"), plain.get("applied"))


_PROJECTION = {
    "ProjectionExpression": "#pk, #v, #applied",
    "ExpressionAttributeNames": {"#pk": HASH_KEY, "#v": "v", "#applied": "applied"},
}


def read_states(db: Any, table_name: str, pks: Sequence[str], attempts: int = 5) -> Dict[str, AggregateState]:
    """Consistent BatchGetItem of the aggregates' version and marks; missing keys are fresh states.

    Keys DynamoDB leaves unprocessed after ``attempts`` rounds are absent from the result, so the
    caller fails their records instead of guessing their state.
    """
    states: Dict[str, AggregateState] = {}
    for start in range(0, len(pks), BATCH_GET_LIMIT):
        chunk = list(pks[start : start + BATCH_GET_LIMIT])
        request: Dict[str, Any] = {
            table_name: dict(Keys=[_aggregate_key(pk) for pk in chunk], ConsistentRead=True, **_PROJECTION)
        }
        found: Dict[str, Any] = {}
        for attempt in range(attempts):
            response = db.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(table_name, []):
                found[item[HASH_KEY]["S"]] = item
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        unprocessed = {key[HASH_KEY]["S"] for key in request.get(table_name, {}).get("Keys", [])}
        for pk in chunk:
            if pk not in unprocessed:
                states[pk] = _state_from_item(found.get(pk))
    return states


def read_state(db: Any, table_name: str, pk: str) -> AggregateState:
    """Consistent GetItem of one aggregate (after a lost optimistic-lock race)."""
    response = db.get_item(TableName=table_name, Key=_aggregate_key(pk), ConsistentRead=True, **_PROJECTION)
    return _state_from_item(response.get("Item"))


def _update_request(
    table_name: str,
    pk: str,
    state: AggregateState,
    pending: Sequence[Change],
    totals: Mapping[str, Decimal],
    now: int,
    horizon: int,
) -> Dict[str, Any]:
    newest: Dict[str, int] = {}
    for change in pending:
        newest[change.mark] = max(change.seq, newest.get(change.mark, -1))
    # Keep unexpired buckets (a bucket ages out when its last second is older than the horizon),
    # minus marks superseded by this write; the new marks go to the current bucket.
    applied: Dict[str, Dict[str, str]] = {}
    for bucket, marks in state.applied.items():
        if (int(bucket) + 1) * MARK_BUCKET_SECONDS > now - horizon:
            kept = {mark: seq for mark, seq in marks.items() if mark not in newest}
            if kept:
                applied[bucket] = kept
    current = applied.setdefault(str(now // MARK_BUCKET_SECONDS), {})
    current.update({mark: encode_seq(seq) for mark, seq in newest.items()})
    version = (state.version or 0) + 1
    names = {"#applied": "applied", "#v": "v", "#et": "entityType", "#of": "aggregateOf", "#at": "updatedAt"}
    values: Dict[str, Any] = {
        ":applied": serialize(applied),
        ":v": serialize(version),
        ":et": {"S": "aggregate"},
        ":of": {"S": pk[len(AGG_PREFIX) :]},
        ":at": serialize(now),
    }
    adds = []
    for index, (counter, delta) in enumerate(sorted(totals.items())):
        names[f"#c{index}"] = counter
        values[f":c{index}"] = serialize(delta)
        adds.append(f"#c{index} :c{index}")
    add_clause = " ADD " + ", ".join(adds) if adds else ""
    if state.version is None:
        condition = "attribute_not_exists(#v)"
    else:
        condition = "#v = :expected"
        values[":expected"] = serialize(state.version)
    return {
        "TableName": table_name,
        "Key": _aggregate_key(pk),
        "UpdateExpression": "SET #applied = :applied, #v = :v, #et = :et, #of = :of, #at = :at" + add_clause,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _apply_aggregate(
    db: Any,
    table_name: str,
    pk: str,
    changes: Sequence[Change],
    state: AggregateState,
    report: BatchReport,
    now: int,
    horizon: int,
) -> bool:
    """Write the not-yet-applied changes of one aggregate in one UpdateItem; False when it failed."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        pending = [c for c in changes if c.seq > state.applied_seq(c.mark)]
        totals: Dict[str, Decimal] = {}
        for change in pending:
            for counter, delta in change.deltas.items():
                totals[counter] = totals.get(counter, Decimal(0)) + delta
        totals = {counter: delta for counter, delta in totals.items() if delta != 0}
        if not pending:
            report.duplicates += len(changes)
            return True
        # Changes that cancel out (an insert and a delete of one roster entry) still write their
        # marks: a redelivery that starts between them must not apply the second one alone.
        report.writes += 1
        try:
            db.update_item(**_update_request(table_name, pk, state, pending, totals, now, horizon))
        except Exception as exc:  # botocore's ClientError, without importing botocore here
            if _error_code(exc) != "ConditionalCheckFailedException":
                LOG.warning("aggregate %s: write failed (%s): %s", pk, _error_code(exc), exc)
                return False
            report.conflicts += 1
            state = read_state(db, table_name, pk)
            continue
        report.duplicates += len(changes) - len(pending)
        report.applied += len(pending)
        return True
    LOG.warning("aggregate %s: gave up after %d optimistic-lock conflicts", pk, MAX_WRITE_ATTEMPTS)
    return False


def process_records(
    records: Sequence[Mapping[str, Any]],
    db: Any,
    table_name: str,
    now: Optional[int] = None,
    horizon: int = DEFAULT_HORIZON_SECONDS,
) -> BatchReport:
    """Apply one batch; records that could not be applied are listed in ``report.failed``.

    A poison record fails alone: the other records of the batch, including later changes to the
    same aggregates, are still applied. An invalid item (e.g. a non-numeric grade) counts as
    nothing (model.record_deltas), so its record still takes the item's old contribution out.
    A failed aggregate write fails every record that contributed to it (their other aggregates
    are protected by their marks on retry).
    A record without a SequenceNumber raises: it cannot be reported individually.
    """
    now = int(time.time()) if now is None else int(now)
    report = BatchReport()
    by_aggregate: Dict[str, List[Change]] = {}
    failed = set()
    for record in records:
        report.records += 1
        seq_text = record["dynamodb"]["SequenceNumber"]
        try:
            keys = deserialize_item(record["dynamodb"]["Keys"])
            if is_own_item(keys.get(HASH_KEY)):
                report.ignored += 1
                continue
            source = f"{keys[HASH_KEY]}|{keys.get(RANGE_KEY, '')}"
            old, new = _images(record)
            deltas, problem = record_deltas(old, new, expired=is_ttl_delete(record))
        except (PoisonRecord, KeyError, TypeError, ValueError, ArithmeticError) as exc:
            # Unreadable record (no images, bad keys): nothing of it can be applied.
            LOG.error("poison record %s (%s): %s", seq_text, record.get("eventID"), exc)
            failed.add(seq_text)
            continue
        if problem is not None:
            # Invalid new image: its old contribution still comes out (below), and the record is
            # reported so it reaches the DLQ; fixing the item later applies cleanly.
            LOG.error("poison record %s (%s) for %s: %s", seq_text, record.get("eventID"), source, problem)
            failed.add(seq_text)
        if not deltas:
            report.no_effect += 1
            continue
        for pk, counters in deltas.items():
            by_aggregate.setdefault(pk, []).append(Change(seq_text, source, counters))

    report.aggregates = len(by_aggregate)
    try:
        states = read_states(db, table_name, list(by_aggregate))
    except Exception as exc:
        LOG.warning("reading %d aggregates failed (%s): %s", len(by_aggregate), _error_code(exc), exc)
        states = {}
    for pk, changes in by_aggregate.items():
        state = states.get(pk)
        ok = state is not None and _apply_aggregate(db, table_name, pk, changes, state, report, now, horizon)
        if not ok:
            failed.update(change.seq_text for change in changes)
    report.failed = sorted(failed, key=int)
    return report

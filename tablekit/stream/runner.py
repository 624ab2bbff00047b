"""The local stand-in for Lambda's event-source mapping: stream -> batches -> handler, in-process.

The local endpoint (moto) never invokes Lambda functions, so locally this runner is the consumer.
It batches like the mapping does and handles failures like the mapping configured by
modules/university (bisect on error, bounded retries, on-failure destination):

* a batch whose response lists failures is cut at the lowest failed record (the records before it
  are done); the rest is split in two and each half delivered again (bisecting does not use up
  retries), until a single failing record is left;
* a single failing record is retried `max_retries` times, then described in an on-failure message
  (same fields as Lambda's DDBStreamBatchInfo) sent to the DLQ, and the shard moves on.

So a poison record ends in the DLQ and every other record is applied, as in AWS. The handler's
idempotency makes the redeliveries harmless.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from tablekit.aws import ClientFactory
from tablekit.paths import LAMBDA_SRC
from tablekit.stream.checkpoint import DEFAULT_DIR, Checkpoint, checkpoint_path
from tablekit.stream.reader import list_shards, order_shards, read_pages, stream_arn, to_lambda_record

# (event, dynamodb client, table name) -> (Lambda response, report with .as_dict())
ProcessEvent = Callable[..., tuple[dict[str, Any], Any]]

_COUNTERS = ("applied", "duplicates", "ignored", "no_effect", "writes", "conflicts")


def load_process_event() -> ProcessEvent:
    """The handler's in-process entry (lambda_function/university_stream), importable from the repo."""
    if str(LAMBDA_SRC) not in sys.path:
        sys.path.insert(0, str(LAMBDA_SRC))
    from university_stream.handler import process_event

    entry: ProcessEvent = process_event
    return entry


@dataclass
class BatchOutcome:
    """One batch as read from the stream, after every (re)delivery of it."""

    shard_id: str
    first_seq: str
    last_seq: str
    records: int
    invocations: int = 0
    seconds: float = 0.0
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTERS, 0))
    dead_lettered: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One human line per batch (what `tablekit stream` prints)."""
        c = self.counters
        dlq = f"  DLQ {','.join(self.dead_lettered)}" if self.dead_lettered else ""
        return (
            f"{self.shard_id[-12:]}  {self.first_seq}..{self.last_seq}  {self.records:>4} rec  "
            f"applied {c['applied']:>4}  dup {c['duplicates']:>3}  own {c['ignored']:>4}  "
            f"writes {c['writes']:>4}  inv {self.invocations}  {self.seconds * 1000:7.1f} ms{dlq}"
        )


@dataclass
class DrainSummary:
    """Totals of one drain (or of a whole follow session)."""

    table_name: str
    stream_arn: str
    checkpoint: Path
    shards: int = 0
    batches: int = 0
    records: int = 0
    invocations: int = 0
    seconds: float = 0.0
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTERS, 0))
    dead_lettered: list[str] = field(default_factory=list)

    def add(self, outcome: BatchOutcome) -> None:
        self.batches += 1
        self.records += outcome.records
        self.invocations += outcome.invocations
        for key, value in outcome.counters.items():
            self.counters[key] = self.counters.get(key, 0) + value
        self.dead_lettered += outcome.dead_lettered

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table_name,
            "stream_arn": self.stream_arn,
            "checkpoint": str(self.checkpoint),
            "shards": self.shards,
            "batches": self.batches,
            "records": self.records,
            "invocations": self.invocations,
            "seconds": round(self.seconds, 3),
            **self.counters,
            "dead_lettered": list(self.dead_lettered),
        }


@dataclass
class Settings:
    """The event-source-mapping knobs the runner emulates (defaults match modules/university)."""

    batch_size: int = 100
    max_retries: int = 2
    bisect: bool = True


class Runner:
    """Consumes one table's stream with the handler; see the module docstring for failure handling."""

    def __init__(
        self,
        table_name: str,
        client_factory: ClientFactory,
        settings: Settings | None = None,
        checkpoint_dir: Path | None = None,
        dlq_url: str | None = None,
        process_event: ProcessEvent | None = None,
        on_batch: Callable[[BatchOutcome], None] | None = None,
    ):
        self.table_name = table_name
        self.db = client_factory("dynamodb")
        self.streams = client_factory("dynamodbstreams")
        self.sqs = client_factory("sqs") if dlq_url else None
        self.settings = settings or Settings()
        self.dlq_url = dlq_url
        self.process_event = process_event or load_process_event()
        self.on_batch = on_batch
        self.stream_arn = stream_arn(self.db, table_name)
        self.checkpoint = Checkpoint(checkpoint_path(checkpoint_dir or DEFAULT_DIR, self.stream_arn), self.stream_arn)

    # -- delivery (ESM emulation) -------------------------------------------------------------
    def _invoke(self, batch: Sequence[dict[str, Any]], outcome: BatchOutcome) -> list[str]:
        """Call the handler once; the failed sequence numbers (all of them when it raised)."""
        outcome.invocations += 1
        try:
            response, report = self.process_event({"Records": list(batch)}, self.db, self.table_name)
        except Exception:  # the mapping treats any function error as "whole batch failed"
            return [r["dynamodb"]["SequenceNumber"] for r in batch]
        counts = report.as_dict()
        for key in _COUNTERS:
            outcome.counters[key] += int(counts.get(key, 0))
        return [f["itemIdentifier"] for f in (response or {}).get("batchItemFailures") or []]

    def _deliver(self, shard_id: str, batch: Sequence[dict[str, Any]], outcome: BatchOutcome) -> None:
        failed = self._invoke(batch, outcome)
        if not failed:
            return
        lowest = min(int(seq) for seq in failed)
        rest = [r for r in batch if int(r["dynamodb"]["SequenceNumber"]) >= lowest]
        if self.settings.bisect and len(rest) > 1:
            half = len(rest) // 2
            self._deliver(shard_id, rest[:half], outcome)
            self._deliver(shard_id, rest[half:], outcome)
            return
        for _retry in range(self.settings.max_retries):
            if not self._invoke(rest, outcome):
                return
        self._dead_letter(shard_id, rest, outcome)

    def _dead_letter(self, shard_id: str, batch: Sequence[dict[str, Any]], outcome: BatchOutcome) -> None:
        """Describe the failed records like Lambda's on-failure destination does (metadata, not items)."""
        seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
        outcome.dead_lettered += seqs
        if not self.sqs:
            return
        created = [r["dynamodb"].get("ApproximateCreationDateTime") for r in batch]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": "local:tablekit-stream-runner",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self.settings.max_retries + 1,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": seqs[0],
                "endSequenceNumber": seqs[-1],
                "approximateArrivalOfFirstRecord": created[0],
                "approximateArrivalOfLastRecord": created[-1],
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.dlq_url, MessageBody=json.dumps(message, default=str))

    # -- reading --------------------------------------------------------------------------------
    def run_once(self, summary: DrainSummary | None = None) -> DrainSummary:
        """Read every shard up to its current end, delivering batches; returns (or extends) a summary."""
        summary = summary or DrainSummary(self.table_name, self.stream_arn, self.checkpoint.path)
        started = time.perf_counter()
        shards = order_shards(list_shards(self.streams, self.stream_arn))
        summary.shards = max(summary.shards, len(shards))
        for shard in shards:
            shard_id = shard["ShardId"]
            if self.checkpoint.closed(shard_id):
                continue
            pages = read_pages(
                self.streams, self.stream_arn, shard_id, self.checkpoint.last(shard_id), limit=self.settings.batch_size
            )
            for records, closed in pages:
                if records:
                    batch = [to_lambda_record(r, self.stream_arn) for r in records]
                    outcome = BatchOutcome(
                        shard_id,
                        batch[0]["dynamodb"]["SequenceNumber"],
                        batch[-1]["dynamodb"]["SequenceNumber"],
                        len(batch),
                    )
                    t0 = time.perf_counter()
                    self._deliver(shard_id, batch, outcome)
                    outcome.seconds = time.perf_counter() - t0
                    self.checkpoint.advance(shard_id, outcome.last_seq)
                    summary.add(outcome)
                    if self.on_batch:
                        self.on_batch(outcome)
                if closed:
                    self.checkpoint.close(shard_id)
        summary.seconds += time.perf_counter() - started
        return summary


def drain(
    table_name: str,
    client_factory: ClientFactory,
    *,
    batch_size: int = 100,
    max_retries: int = 2,
    bisect: bool = True,
    checkpoint_dir: Path | None = None,
    dlq_url: str | None = None,
    from_start: bool = False,
    process_event: ProcessEvent | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
) -> DrainSummary:
    """Process everything currently in the table's stream through the handler; returns the totals.

    Call it after seeding: the aggregates are then consistent with the base items. `from_start`
    ignores the checkpoint (safe: the handler is idempotent). Records the processor's own writes
    produce during the drain are read too and skipped by its loop guard.
    """
    runner = Runner(
        table_name,
        client_factory,
        Settings(batch_size, max_retries, bisect),
        checkpoint_dir,
        dlq_url,
        process_event,
        on_batch,
    )
    if from_start:
        runner.checkpoint.reset()
    return runner.run_once()


def follow(
    table_name: str,
    client_factory: ClientFactory,
    *,
    poll_seconds: float = 1.0,
    batch_size: int = 100,
    max_retries: int = 2,
    bisect: bool = True,
    checkpoint_dir: Path | None = None,
    dlq_url: str | None = None,
    from_start: bool = False,
    process_event: ProcessEvent | None = None,
    out: Callable[[str], None] = print,
    stop: Callable[[], bool] | None = None,
) -> DrainSummary:
    """Keep draining new changes until Ctrl-C (or until `stop()` is true), printing a line per batch."""
    runner = Runner(
        table_name,
        client_factory,
        Settings(batch_size, max_retries, bisect),
        checkpoint_dir,
        dlq_url,
        process_event,
        on_batch=lambda outcome: out(outcome.line()),
    )
    if from_start:
        runner.checkpoint.reset()
    summary = DrainSummary(table_name, runner.stream_arn, runner.checkpoint.path)
    out(f"following {runner.stream_arn} (checkpoint {runner.checkpoint.path}); Ctrl-C to stop")
    try:
        while not (stop and stop()):
            runner.run_once(summary)
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        pass
    out(
        f"stopped: {summary.batches} batches, {summary.records} records, {summary.counters['writes']} writes, "
        f"{len(summary.dead_lettered)} dead-lettered"
    )
    return summary

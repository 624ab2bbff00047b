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
idempotency makes the redeliveries harmless, within its idempotency horizon: it keeps the marks
that recognise a redelivered record for that long (the deployed function's
IDEMPOTENCY_HORIZON_SECONDS). The local endpoint keeps stream records forever, so a replay can
reach further back than any mark. Before delivering a batch that may have been applied before (a
replay, a run killed mid-batch, or a checkpoint that was lost) and holds a record older than the
horizon, the runner therefore rebuilds every aggregate from the table instead
(``university_stream.rebuild``: a full recompute with a progress bar) and continues after it.
The clock is injectable, so tests prove that path exact without waiting days.
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
from tablekit.errors import OperationFailed
from tablekit.paths import LAMBDA_SRC
from tablekit.stream.checkpoint import DEFAULT_DIR, Checkpoint, checkpoint_path
from tablekit.stream.reader import list_shards, order_shards, read_pages, stream_arn, to_lambda_record

# (event, dynamodb client, table name) -> (Lambda response, report with .as_dict())
ProcessEvent = Callable[..., tuple[dict[str, Any], Any]]

_COUNTERS = ("applied", "duplicates", "ignored", "no_effect", "writes", "conflicts")
# A rebuild re-checks the stream for base-item changes that happened while it scanned.
REBUILD_ATTEMPTS = 3


def _processor_package() -> None:
    """Make lambda_function/university_stream importable from the repository."""
    if str(LAMBDA_SRC) not in sys.path:
        sys.path.insert(0, str(LAMBDA_SRC))


def load_process_event() -> ProcessEvent:
    """The handler's in-process entry (lambda_function/university_stream), importable from the repo."""
    _processor_package()
    from university_stream.handler import process_event

    entry: ProcessEvent = process_event
    return entry


def default_horizon() -> int:
    """The processor's own default idempotency horizon (seconds)."""
    _processor_package()
    from university_stream.processor import DEFAULT_HORIZON_SECONDS

    return int(DEFAULT_HORIZON_SECONDS)


def deployed_horizon(client_factory: ClientFactory, function_name: str | None) -> int:
    """IDEMPOTENCY_HORIZON_SECONDS of the deployed processor function (what modules/university sets
    from the mapping's maximum record age), else the processor's default."""
    if function_name:
        try:
            config = client_factory("lambda").get_function_configuration(FunctionName=function_name)
        except Exception as exc:
            if not getattr(exc, "response", None):
                raise
        else:
            value = ((config.get("Environment") or {}).get("Variables") or {}).get("IDEMPOTENCY_HORIZON_SECONDS")
            if value and str(value).isdigit():
                return int(value)
    return default_horizon()


class TableChanging(OperationFailed):
    """Base items kept changing while the aggregates were rebuilt from the table."""


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
    # Rebuilds from the table (replays past the idempotency horizon) and the aggregates they wrote.
    rebuilds: int = 0
    rebuilt_aggregates: int = 0

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
            "rebuilds": self.rebuilds,
            "rebuilt_aggregates": self.rebuilt_aggregates,
        }


@dataclass
class Settings:
    """The event-source-mapping knobs the runner emulates. The defaults are modules/university's
    (stream_batch_size, stream_maximum_retry_attempts, bisect on error); a test keeps them equal."""

    batch_size: int = 100
    max_retries: int = 3
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
        *,
        horizon: int | None = None,
        function_name: str | None = None,
        clock: Callable[[], float] = time.time,
        progress: bool = False,
        out: Callable[[str], None] | None = None,
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
        self.horizon = horizon if horizon is not None else deployed_horizon(client_factory, function_name)
        self.clock = clock
        self.progress = progress
        self.out = out

    # -- delivery (ESM emulation) -------------------------------------------------------------
    def _invoke(self, batch: Sequence[dict[str, Any]], outcome: BatchOutcome) -> list[str]:
        """Call the handler once; the failed sequence numbers (all of them when it raised)."""
        outcome.invocations += 1
        try:
            response, report = self.process_event(
                {"Records": list(batch)}, self.db, self.table_name, now=int(self.clock()), horizon=self.horizon
            )
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

    # -- replays past the idempotency horizon -------------------------------------------------------
    def _past_horizon(self, shard_id: str, batch: Sequence[dict[str, Any]]) -> bool:
        """True when the batch may have been applied before and reaches past the processor's marks."""
        oldest_safe = self.clock() - self.horizon
        for record in batch:
            data = record["dynamodb"]
            if not self.checkpoint.maybe_applied(shard_id, data["SequenceNumber"]):
                continue
            created = data.get("ApproximateCreationDateTime")
            if not isinstance(created, (int, float)) or created < oldest_safe:
                return True
        return False

    def _ends(
        self, shards: Sequence[dict[str, Any]], start: dict[str, str | None]
    ) -> tuple[dict[str, tuple[str | None, bool]], bool]:
        """(shard => (last sequence number, closed), whether any base item changed) reading from `start`."""
        positions: dict[str, tuple[str | None, bool]] = {}
        changed = False
        for shard in shards:
            shard_id = shard["ShardId"]
            last, closed = start.get(shard_id), False
            for records, is_closed in read_pages(self.streams, self.stream_arn, shard_id, last, limit=1000):
                for record in records:
                    last = record["dynamodb"]["SequenceNumber"]
                    pk = (record["dynamodb"].get("Keys") or {}).get("pk", {}).get("S", "")
                    changed = changed or not str(pk).startswith("agg#")
                closed = closed or is_closed
            positions[shard_id] = (last, closed)
        return positions, changed

    def rebuild(self, summary: DrainSummary) -> None:
        """Recompute every aggregate from the table, then account for the whole stream up to now.

        Exact only if no base item changes during the scan: the stream is read to its end before the
        scan and again after it, and a base-item record in between means scanning again.
        """
        _processor_package()
        from university_stream import rebuild as recompute

        shards = order_shards(list_shards(self.streams, self.stream_arn))
        positions, _ = self._ends(shards, {s["ShardId"]: self.checkpoint.last(s["ShardId"]) for s in shards})
        if self.out:
            self.out(
                f"replay reaches past the processor's idempotency horizon ({self.horizon // 3600} h): rebuilding "
                f"every aggregate of {self.table_name} from the table instead of re-applying records"
            )
        for _attempt in range(REBUILD_ATTEMPTS):
            items, written = self._recompute(recompute)
            after, changed = self._ends(shards, {shard: seq for shard, (seq, _closed) in positions.items()})
            if not changed:
                self.checkpoint.settle(after)
                summary.rebuilds += 1
                summary.rebuilt_aggregates += written
                if self.out:
                    self.out(f"rebuilt {written} aggregates from {items} items")
                return
            positions = after
        raise TableChanging(
            f"{self.table_name} kept changing while its aggregates were rebuilt ({REBUILD_ATTEMPTS} scans): stop "
            "whatever writes to it and run the drain again"
        )

    def _recompute(self, recompute: Any) -> tuple[int, int]:
        """Scan (with a progress bar), compute, write; returns (items scanned, aggregates written)."""
        from tablekit.stream.progress import bars

        total = int(self.db.describe_table(TableName=self.table_name)["Table"].get("ItemCount") or 0)
        with bars(self.progress, f"rebuilding {self.table_name} aggregates", total) as (scanned, wrote):
            everything = list(recompute.scan(self.db, self.table_name, on_page=scanned))
            computed, _invalid = recompute.totals(everything)
            existing = {item["pk"]: item for item in everything if str(item.get("pk", "")).startswith("agg#")}
            written = recompute.write(
                self.db,
                self.table_name,
                computed,
                existing,
                int(self.clock()),
                on_item=wrote(len(set(computed) | set(existing))),
            )
        return len(everything), int(written)

    # -- reading --------------------------------------------------------------------------------
    def run_once(self, summary: DrainSummary | None = None) -> DrainSummary:
        """Read every shard up to its current end, delivering batches; returns (or extends) a summary."""
        summary = summary or DrainSummary(self.table_name, self.stream_arn, self.checkpoint.path)
        started = time.perf_counter()
        try:
            self._read(summary)
        finally:
            summary.seconds += time.perf_counter() - started
        return summary

    def _read(self, summary: DrainSummary) -> None:
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
                    if self._past_horizon(shard_id, batch):
                        self.rebuild(summary)
                        self._read(summary)  # everything after the rebuilt positions, as usual
                        return
                    outcome = BatchOutcome(
                        shard_id,
                        batch[0]["dynamodb"]["SequenceNumber"],
                        batch[-1]["dynamodb"]["SequenceNumber"],
                        len(batch),
                    )
                    t0 = time.perf_counter()
                    self.checkpoint.begin(shard_id, outcome.last_seq)
                    self._deliver(shard_id, batch, outcome)
                    outcome.seconds = time.perf_counter() - t0
                    self.checkpoint.advance(shard_id, outcome.last_seq)
                    summary.add(outcome)
                    if self.on_batch:
                        self.on_batch(outcome)
                if closed:
                    self.checkpoint.close(shard_id)


def drain(
    table_name: str,
    client_factory: ClientFactory,
    *,
    batch_size: int = 100,
    max_retries: int = 3,
    bisect: bool = True,
    checkpoint_dir: Path | None = None,
    dlq_url: str | None = None,
    from_start: bool = False,
    process_event: ProcessEvent | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    horizon: int | None = None,
    function_name: str | None = None,
    clock: Callable[[], float] = time.time,
    progress: bool = False,
    out: Callable[[str], None] | None = None,
) -> DrainSummary:
    """Process everything currently in the table's stream through the handler; returns the totals.

    Call it after seeding: the aggregates are then consistent with the base items. `from_start`
    reads from the oldest record again: replays within the idempotency horizon are skipped by the
    handler's marks, older ones trigger a rebuild from the table. Records the processor's own
    writes produce during the drain are read too and skipped by its loop guard. `function_name`
    (the deployed processor) supplies the horizon unless `horizon` is given.
    """
    runner = Runner(
        table_name,
        client_factory,
        Settings(batch_size, max_retries, bisect),
        checkpoint_dir,
        dlq_url,
        process_event,
        on_batch,
        horizon=horizon,
        function_name=function_name,
        clock=clock,
        progress=progress,
        out=out,
    )
    if from_start:
        runner.checkpoint.rewind()
    return runner.run_once()


def follow(
    table_name: str,
    client_factory: ClientFactory,
    *,
    poll_seconds: float = 1.0,
    batch_size: int = 100,
    max_retries: int = 3,
    bisect: bool = True,
    checkpoint_dir: Path | None = None,
    dlq_url: str | None = None,
    from_start: bool = False,
    process_event: ProcessEvent | None = None,
    out: Callable[[str], None] = print,
    stop: Callable[[], bool] | None = None,
    horizon: int | None = None,
    function_name: str | None = None,
    clock: Callable[[], float] = time.time,
    progress: bool = False,
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
        horizon=horizon,
        function_name=function_name,
        clock=clock,
        progress=progress,
        out=out,
    )
    if from_start:
        runner.checkpoint.rewind()
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

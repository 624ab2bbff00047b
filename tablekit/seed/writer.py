"""Parallel BatchWriteItem with bounded, full-jitter retries of throttling and unprocessed items.

Why BatchWriteItem and not Terraform or PutItem: 25 items per request is the API's maximum and the
cheapest way in; the measured alternative (Terraform `aws_dynamodb_table_item`) needs one API call
per item plus a refresh of every item on each later plan.

Retry policy: DynamoDB answers overload two ways, an exception for the whole request (throttling
codes below) or `UnprocessedItems` for part of it. Both are retried with exponential backoff and
full jitter (sleep a uniform random time in [0, min(cap, base * 2**n)]), which spreads retries of
parallel writers instead of letting them hammer the table in lockstep. Attempts are bounded: past
the budget the loader stops with an error that says what was left and that a re-run is safe (puts
and deletes are idempotent).

Shared envs (dev, prod) are written with `if_absent`: every put is a PutItem with the condition
that the item does not exist yet, so a row the application changed since the last seed is never
overwritten -- not even one that appeared between the journal's read and the write. Rows the table
already holds exactly are dropped before (the journal's `unchanged`), rows whose condition fails
are counted as `skipped` (the live row differs). One request per new item is the price; reference
sets are small, and only new rows pay it.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from botocore.exceptions import ClientError, EndpointConnectionError

from tablekit.dynamodb_json import Item
from tablekit.seed.journal import Journal
from tablekit.seed.problems import SeedWriteError

BATCH_SIZE = 25  # BatchWriteItem's maximum
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

Progress = Callable[[str, int], None]
Request = dict[str, Any]
# Zero-argument factory of boto3 DynamoDB clients, called once per writer thread.
ClientFactory = Callable[[], Any]


def _full_jitter(upper: float) -> float:
    return float(random.uniform(0.0, upper))


@dataclass
class Backoff:
    """Retry budget and delays; `sleep` and `jitter` are injectable so tests can observe them."""

    base: float = 0.05
    cap: float = 5.0
    max_attempts: int = 10  # requests per batch, the first included
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[float], float] = _full_jitter

    def ceiling(self, retry: int) -> float:
        """Upper bound of the delay before retry number `retry` (1-based)."""
        return min(self.cap, self.base * 2.0 ** (retry - 1))

    def wait(self, retry: int) -> float:
        delay = self.jitter(self.ceiling(retry))
        self.sleep(delay)
        return delay


@dataclass
class TableStats:
    """What the writer did to one table."""

    items: int = 0
    unchanged: int = 0  # puts skipped: the table already held exactly that item (journal reads tell)
    skipped: int = 0  # if_absent puts refused: the live row differs (shared envs never overwrite)
    retries: int = 0
    started: float | None = None
    finished: float | None = None

    @property
    def seconds(self) -> float:
        if self.started is None or self.finished is None:
            return 0.0
        return self.finished - self.started


def put_requests(items: Iterable[Item]) -> list[Request]:
    return [{"PutRequest": {"Item": item}} for item in items]


def delete_requests(keys: Iterable[Item]) -> list[Request]:
    return [{"DeleteRequest": {"Key": key}} for key in keys]


def chunks(requests: Sequence[Request], size: int = BATCH_SIZE) -> list[Sequence[Request]]:
    return [requests[i : i + size] for i in range(0, len(requests), size)]


@dataclass
class Writer:
    """Sends batches for many tables through a thread pool, one client per thread.

    With a `journal`, the prior state of every batch's keys is recorded before the batch is sent,
    so the loader can undo the run (see tablekit.seed.journal).
    """

    client_factory: ClientFactory
    workers: int = 2
    backoff: Backoff = field(default_factory=Backoff)
    on_progress: Progress | None = None
    journal: Journal | None = None
    # table -> its partition-key attribute: puts to these tables only create items (shared envs).
    if_absent: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise SeedWriteError(f"--workers must be at least 1, got {self.workers}")
        self._local = threading.local()
        self._factory_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._stats: dict[str, TableStats] = {}

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            with self._factory_lock:
                client = self._local.client = self.client_factory()
        return client

    def run(self, requests_by_table: Mapping[str, Sequence[Request]]) -> dict[str, TableStats]:
        """Write every request; returns stats per table. Stops at the first failed batch."""
        self._stats = {table: TableStats() for table in requests_by_table}
        jobs = [(table, batch) for table, requests in requests_by_table.items() for batch in chunks(requests)]
        if not jobs:
            return self._stats
        if self.workers == 1 or len(jobs) == 1:
            for table, batch in jobs:
                self._send(table, batch)
            return self._stats
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(jobs)), thread_name_prefix="seed-writer")
        try:
            futures = [pool.submit(self._send, table, batch) for table, batch in jobs]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()  # re-raises a failure
        finally:
            # On a failure or Ctrl-C, queued batches must not keep writing behind the user's back.
            pool.shutdown(wait=True, cancel_futures=True)
        return self._stats

    def _send(self, table: str, batch: Sequence[Request]) -> None:
        stats = self._stats[table]
        with self._stats_lock:
            if stats.started is None:
                stats.started = time.perf_counter()
        client = self._client()
        pending = list(batch) if self.journal is None else self.journal.before_write(client, table, batch)
        if len(pending) < len(batch):
            self._record(table, 0, retried=False, unchanged=len(batch) - len(pending))
        if not pending:
            return
        if table in self.if_absent:
            self._put_if_absent(client, table, pending)
            return
        attempt = 0
        while True:
            attempt += 1
            reason = "UnprocessedItems"
            try:
                response = client.batch_write_item(RequestItems={table: pending})
                left = (response.get("UnprocessedItems") or {}).get(table) or []
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE_CODES:
                    raise _write_error(table, exc, code) from None
                reason, left = code, pending
            except EndpointConnectionError as exc:
                raise SeedWriteError(
                    f"cannot reach DynamoDB at {exc.kwargs.get('endpoint_url')}: start the local "
                    "endpoint with `just up` (or check the network)"
                ) from exc
            self._record(table, len(pending) - len(left), retried=bool(left))
            if not left:
                return
            if attempt >= self.backoff.max_attempts:
                raise SeedWriteError(
                    f"{table}: {len(left)} item(s) still not written after {attempt} attempts ({reason}); the "
                    "table cannot take this write rate: lower --workers, raise the table's write capacity, or retry "
                    "later (re-running is safe: writes are idempotent)"
                )
            self.backoff.wait(attempt)
            pending = left

    def _put_if_absent(self, client: Any, table: str, requests: Sequence[Request]) -> None:
        """PutItem each item on condition that it does not exist; a refused condition counts as skipped."""
        key = self.if_absent[table]
        for request in requests:
            item = request["PutRequest"]["Item"]
            attempt = 0
            while True:
                attempt += 1
                try:
                    client.put_item(
                        TableName=table,
                        Item=item,
                        ConditionExpression="attribute_not_exists(#pk)",
                        ExpressionAttributeNames={"#pk": key},
                    )
                    self._record(table, 1, retried=attempt > 1)
                    break
                except ClientError as exc:
                    code = exc.response.get("Error", {}).get("Code", "")
                    if code == "ConditionalCheckFailedException":
                        self._record(table, 0, retried=attempt > 1, skipped=1)
                        break
                    if code not in RETRYABLE_CODES or attempt >= self.backoff.max_attempts:
                        raise _write_error(table, exc, code) from None
                    self.backoff.wait(attempt)

    def _record(self, table: str, written: int, retried: bool, unchanged: int = 0, skipped: int = 0) -> None:
        with self._stats_lock:
            stats = self._stats[table]
            stats.items += written
            stats.unchanged += unchanged
            stats.skipped += skipped
            stats.retries += int(retried)
            stats.finished = time.perf_counter()
        if (written or unchanged or skipped) and self.on_progress is not None:
            self.on_progress(table, written + unchanged + skipped)


def _write_error(table: str, exc: ClientError, code: str) -> SeedWriteError:
    message = exc.response.get("Error", {}).get("Message", str(exc))
    if code == "ResourceNotFoundException":
        return SeedWriteError(
            f"table {table} does not exist at the endpoint: apply the environment first "
            "(`just setup` / `tablekit setup ENV`), then seed"
        )
    if code == "ValidationException":
        # Every row passed validation that mirrors DynamoDB's own rules, so this is not a data error.
        return SeedWriteError(
            f"{table}: DynamoDB rejected a batch that passed validation ({message}). Either the table at the "
            "endpoint differs from the env's `tables` output (re-apply the env, then seed again), or tablekit's "
            "validation missed a DynamoDB rule: please report it with this message"
        )
    return SeedWriteError(f"{table}: BatchWriteItem failed with {code}: {message}")

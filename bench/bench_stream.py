"""Benchmark of the university stream handler: records/s and aggregate writes per record.

Runs against a fresh local endpoint it starts (and stops) on a free port, so it never touches the
developer's local env. Not part of the test suite: `just bench-stream [--records N]`.

Scenarios (each on its own table):
- handler, spread:     synthetic records straight into the handler (no stream reading); many
                       aggregates (40 courses, 200 students, 40 users), so coalescing helps less.
- handler, hot course: one course, five students: a handful of writes per batch whatever its size,
                       but the course aggregate collects one idempotency mark per changed item.
- handler, redelivery: the "spread" batches delivered again: the idempotency marks make it free.
- runner, end to end:  items written to the table, then drained through the DynamoDB Streams API
                       by tablekit.stream.drain (what `setup` and `just stream` do); its batches are
                       what GetRecords returns, interleaved with the processor's own writes.

"writes/record" counts UpdateItem calls; "without coalescing" is what one write per record and
aggregate would have cost (a graded submission touches three aggregates).

Numbers are for moto on this machine, i.e. for the handler's own CPU cost and call pattern; real
DynamoDB latency per call is higher, which makes the coalescing (fewer calls) matter more.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import boto3
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "lambda_function"))

from university_stream.handler import process_event  # noqa: E402

from tablekit import aws  # noqa: E402
from tablekit.dynamodb_json import serialize_item  # noqa: E402
from tablekit.endpoint.probes import free_port  # noqa: E402
from tablekit.endpoint.server import Endpoint  # noqa: E402
from tablekit.paths import BUILD  # noqa: E402
from tablekit.stream import drain  # noqa: E402


class CountingClient:
    """Counts the DynamoDB calls the handler makes (UpdateItem = aggregate writes)."""

    def __init__(self, client: Any):
        self._client = client
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def counted(**kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return method(**kwargs)

        return counted


def typed(item: dict[str, Any]) -> dict[str, Any]:
    return serialize_item(item)


def make_items(count: int, hot: bool) -> list[dict[str, Any]]:
    """A mix like the demo seed: roster entries, graded submissions, orders (1/3 each)."""
    items = []
    for n in range(count):
        course = "101" if hot else str(100 + n % 40)
        student = str(1000 + n % (5 if hot else 200))
        kind = n % 3
        if kind == 0:
            items.append(
                {"pk": f"course#{course}", "sk": f"student#{n}", "entityType": "student", "studentID": student}
            )
        elif kind == 1:
            items.append(
                {
                    "pk": f"assignment#a{course}",
                    "sk": f"student#{n}",
                    "entityType": "submission",
                    "studentID": student,
                    "courseID": course,
                    "grade": Decimal(50 + n % 50),
                }
            )
        else:
            items.append({"pk": f"user#{student}", "sk": f"2025-09-{n % 28 + 1:02d}#order#{n}", "entityType": "order"})
    return items


def make_records(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seq = itertools.count(5_000_000_000_000_000_000_000)
    return [
        {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": typed({"pk": i["pk"], "sk": i["sk"]}),
                "NewImage": typed(i),
                "SequenceNumber": str(next(seq)),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        for i in items
    ]


def create_table(db: Any) -> str:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    db.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def through_handler(
    clients: Callable[[str], Any], table: str, records: list[dict[str, Any]], batch_size: int
) -> dict[str, Any]:
    db = CountingClient(clients("dynamodb"))
    started = time.perf_counter()
    changes = 0
    for start in range(0, len(records), batch_size):
        response, report = process_event({"Records": records[start : start + batch_size]}, db, table)
        assert not response["batchItemFailures"], response
        changes += report.applied + report.duplicates
    seconds = time.perf_counter() - started
    return {
        "records": len(records),
        "seconds": seconds,
        "writes": db.calls.get("update_item", 0),
        "uncoalesced": changes,
        "reads": db.calls.get("batch_get_item", 0) + db.calls.get("get_item", 0),
        "note": f"largest aggregate {largest_aggregate_kb(clients('dynamodb'), table):.1f} KB",
    }


def largest_aggregate_kb(db: Any, table: str) -> float:
    """Size of the biggest aggregate item (its idempotency marks dominate): what one write costs in WCU."""
    import json

    biggest = 0
    for page in db.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item["pk"]["S"].startswith("agg#"):
                biggest = max(biggest, len(json.dumps(item)))
    return biggest / 1024


def end_to_end(clients: Callable[[str], Any], items: list[dict[str, Any]], batch_size: int) -> dict[str, Any]:
    db = clients("dynamodb")
    table = create_table(db)
    for start in range(0, len(items), 25):
        db.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": typed(i)}} for i in items[start : start + 25]]}
        )
    summary = drain(table, clients, batch_size=batch_size, checkpoint_dir=BUILD / "bench" / "checkpoints")
    return {
        "records": len(items),
        "seconds": summary.seconds,
        "writes": summary.counters["writes"],
        "uncoalesced": summary.counters["applied"],
        "reads": summary.batches,
        "note": f"+{summary.records - len(items)} own records read and skipped",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="records per scenario (default 1000)")
    parser.add_argument("--batch-size", type=int, default=100, help="records per handler call (default 100)")
    args = parser.parse_args(argv)

    endpoint = Endpoint(port=free_port(), state_dir=BUILD / "bench" / "endpoint")
    url = endpoint.start(timeout=60)
    try:
        clients = aws.clients(url)
        db = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        rows: list[tuple[str, dict[str, Any]]] = []
        spread = make_records(make_items(args.records, hot=False))
        table = create_table(db)
        rows.append(("handler, spread", through_handler(clients, table, spread, args.batch_size)))
        rows.append(("handler, redelivery", through_handler(clients, table, spread, args.batch_size)))
        rows.append(
            (
                "handler, hot course",
                through_handler(
                    clients, create_table(db), make_records(make_items(args.records, hot=True)), args.batch_size
                ),
            )
        )
        rows.append(("runner, end to end", end_to_end(clients, make_items(args.records, hot=False), args.batch_size)))
    finally:
        endpoint.stop()

    title = f"university stream handler: {args.records} records/scenario, batch size {args.batch_size}"
    table_view = Table(title=title)
    columns = (
        "scenario",
        "records",
        "seconds",
        "records/s",
        "writes",
        "writes/record",
        "without coalescing",
        "batch reads",
        "note",
    )
    for column in columns:
        table_view.add_column(column, justify="left" if column in ("scenario", "note") else "right")
    for name, r in rows:
        table_view.add_row(
            name,
            str(r["records"]),
            f"{r['seconds']:.2f}",
            f"{r['records'] / r['seconds']:.0f}",
            str(r["writes"]),
            f"{r['writes'] / r['records']:.3f}",
            f"{r['uncoalesced'] / r['records']:.3f}",
            str(r["reads"]),
            r.get("note", ""),
        )
    Console(width=160).print(table_view)
    return 0


if __name__ == "__main__":
    sys.exit(main())

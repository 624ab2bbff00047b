"""Benchmark of the seed loader on both local engines (run by `just bench-seed`, never by the tests).

1. Per engine (moto's server, AWS's DynamoDB Local), the same synthetic rows, in one run:
   - the engine's raw BatchWriteItem ceiling: the rows converted beforehand, then written by the
     same number of threads with no validation, no journal and no progress -- the best any loader
     can do against that endpoint from this process;
   - the loader into an empty table (validation + conversion + undo journal + writes): the journal
     costs one Scan(Limit=1) per table there;
   - the loader again over the same keys (a re-seed): the journal reads every prior image
     (one consistent BatchGetItem per batch of 25), and items equal to what is stored are skipped;
   - and once more with every row changed: read and write for every item (the journal's worst case).
   Each is run `--repeat` times, interleaved, into fresh tables; the median is reported, and the
   loader's share of the ceiling is the ratio of medians from the same run.
2. (optional) The same 500 bandup-evaluations items through `modules/dynamodb-items` (terraform
   apply, plus the no-change plan every later run pays) against the loader, on moto.

Both engines run on this machine (2 shared cores here): the endpoint and the loader compete for the
same CPUs, so the load average is printed beside the figures.

    .venv/bin/python bench/bench_seed.py [--count 50000] [--workers N] [--repeat 2] [--engines moto,dynamodb-local]
                                         [--terraform]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from tablekit import aws
from tablekit.dynamodb_json import to_item
from tablekit.endpoint.dynamodb_local import install
from tablekit.endpoint.probes import free_port
from tablekit.endpoint.server import Endpoint
from tablekit.seed import load_rows, synth
from tablekit.seed.files import plain_json
from tablekit.staging.copies import scratch_root
from tablekit.terraform.runner import Terraform

# The seed tests' own table helper: benchmarks build the same local tables the tests do.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "seed"))
from seed_support import create_table, key_schema

# As envs/local declares it (its `tables` output), GSIs included.
UNIVERSITY = key_schema(
    "university",
    ("pk", "S"),
    ("sk", "S"),
    indexes={"studentID-index": ("studentID", "sk"), "entityType-courseDate-index": ("entityType", "courseDate")},
    attributes={"studentID": "S", "entityType": "S", "courseDate": "S"},
    ttl_attribute="expiresAt",
)
EVALUATIONS = key_schema(
    "bandup-evaluations",
    ("evaluation_id", "S"),
    ("user_id", "S"),
    indexes={"user_id-created_at-index": ("user_id", "created_at")},
    attributes={"created_at": "N"},
)

ROOT_TF = """
variable "items" {
  type = any
}

module "items" {
  source     = "../modules/dynamodb-items"
  table_name = "%(table)s"
  hash_key   = "evaluation_id"
  range_key  = "user_id"
  items      = var.items
}
"""

console = Console()


def fresh_table(clients: aws.Clients, schema: dict[str, Any], tag: str) -> dict[str, dict[str, Any]]:
    name = f"bench-{tag}-{uuid.uuid4().hex[:6]}"
    create_table(clients.dynamodb(), schema, name)
    return {name: dict(schema, name=name)}


def raw_ceiling(clients: aws.Clients, table: str, items: list[dict[str, Any]], workers: int) -> float:
    """Seconds to BatchWriteItem pre-converted items with `workers` threads, one client each."""
    bulk = clients.for_bulk_writes()
    local = threading.local()
    batches = [items[i : i + 25] for i in range(0, len(items), 25)]

    def send(batch: list[dict[str, Any]]) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = bulk.dynamodb()
        pending = [{"PutRequest": {"Item": item}} for item in batch]
        while pending:
            response = client.batch_write_item(RequestItems={table: pending})
            pending = (response.get("UnprocessedItems") or {}).get(table) or []

    for _ in range(workers):  # clients made before the clock starts, as the loader's are cheap after the first
        bulk.dynamodb()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(send, batches))
    return time.perf_counter() - started


def timed_load(
    clients: aws.Clients, tables: dict[str, dict[str, Any]], rows: list[dict[str, Any]], workers: int
) -> tuple[float, int]:
    (name,) = tables
    started = time.perf_counter()
    summary = load_rows(tables, name, rows, clients, workers=workers)
    seconds = time.perf_counter() - started
    assert summary.items == len(rows), f"{name}: {summary.items} of {len(rows)} written"
    return seconds, summary.journal_reads


def count(clients: aws.Clients, table: str) -> int:
    total, args = 0, {"TableName": table, "Select": "COUNT"}
    client = clients.dynamodb()
    while True:
        page = client.scan(**args)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def engine_figures(name: str, url: str, rows: list[dict[str, Any]], workers: int, repeat: int) -> dict[str, Any]:
    clients = aws.clients(url)
    items = [to_item(row)[0] for row in rows]
    ceiling, loader, reseed, changed, reads = [], [], [], [], 0
    edited = [dict(row, revision=1) for row in rows]
    # Warm-up, not timed: DynamoDB Local is a JVM whose first thousands of requests run while the JIT
    # compiles them; measuring a cold JVM first would flatter whatever runs after it.
    (warm,) = fresh_table(clients, UNIVERSITY, "warmup")
    raw_ceiling(clients, warm, items[: min(len(items), 5_000)], workers)
    timed_load(clients, fresh_table(clients, UNIVERSITY, "warmup"), rows[:2_000], workers)
    for attempt in range(repeat):
        console.print(f"[dim]{name}: run {attempt + 1}/{repeat}: raw BatchWriteItem, loader, 2 re-seeds ...[/]")
        (raw_table,) = fresh_table(clients, UNIVERSITY, "raw")
        ceiling.append(raw_ceiling(clients, raw_table, items, workers))
        assert count(clients, raw_table) == len(rows)
        tables = fresh_table(clients, UNIVERSITY, "loader")
        seconds, empty_reads = timed_load(clients, tables, rows, workers)
        assert empty_reads == 0, "an empty table needs no journal reads"
        loader.append(seconds)
        seconds, reads = timed_load(clients, tables, rows, workers)
        reseed.append(seconds)
        changed.append(timed_load(clients, tables, edited, workers)[0])
    n = len(rows)
    return {
        "engine": name,
        "ceiling": n / statistics.median(ceiling),
        "loader": n / statistics.median(loader),
        "reseed": n / statistics.median(reseed),
        "changed": n / statistics.median(changed),
        "runs": {"ceiling": ceiling, "loader": loader, "reseed": reseed, "changed": changed},
        "journal_reads": reads,
    }


def terraform_vs_loader(url: str, workdir: Path, workers: int, n: int = 500) -> list[tuple[str, str]]:
    """Part 2: the same n rows via `modules/dynamodb-items` and via the loader (moto)."""
    clients = aws.clients(url)
    rows = list(synth.generate("bandup-evaluations", n, seed=1))
    (tf_table,) = fresh_table(clients, EVALUATIONS, "terraform")
    case = scratch_root(workdir / "tf", ROOT_TF % {"table": tf_table}, url)
    # plain_json keeps Decimals exact; Terraform reads the file as JSON.
    items = "{" + ",".join(f"{json.dumps(row['evaluation_id'])}:{plain_json(row)}" for row in rows) + "}"
    (case / "terraform.tfvars.json").write_text('{"items":' + items + "}")
    terraform = Terraform(case)
    terraform.init()
    started = time.perf_counter()
    terraform.run(["apply", "-input=false", "-auto-approve", "-no-color", "-parallelism=10"])
    tf_apply = time.perf_counter() - started
    started = time.perf_counter()
    plan = terraform.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], check=False)
    tf_plan = time.perf_counter() - started
    loader_runs = [timed_load(clients, fresh_table(clients, EVALUATIONS, "loader"), rows, workers)[0] for _ in range(3)]
    median = statistics.median(loader_runs)
    return [
        (f"terraform apply, {n} items (modules/dynamodb-items, -parallelism=10)", f"{tf_apply:.2f} s"),
        (f"terraform plan afterwards, no changes{'' if plan.returncode == 0 else ' (DIFF!)'}", f"{tf_plan:.2f} s"),
        (f"loader, {n} items, {workers} workers (3 runs)", " / ".join(f"{t:.3f}" for t in loader_runs) + " s"),
        ("loader speed-up over terraform apply (median run)", f"[bold]{tf_apply / median:,.0f}x[/]"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="synthetic university rows (default 50000)")
    parser.add_argument("--workers", type=int, default=aws.LOCAL_WORKERS, help="writer threads for loader and ceiling")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs per measurement (median reported)")
    parser.add_argument("--engines", default="moto,dynamodb-local", help="engines to measure")
    parser.add_argument("--terraform", action="store_true", help="also time modules/dynamodb-items (part 2)")
    args = parser.parse_args(argv)

    engines = args.engines.split(",")
    if "dynamodb-local" in engines:
        install()
    state = Path(tempfile.mkdtemp(prefix="bench-seed-endpoints-"))
    endpoints = {name: Endpoint(port=free_port(), state_dir=state, engine=name) for name in engines}
    started = time.perf_counter()
    rows = list(synth.generate("university", args.count, seed=42))
    generated = time.perf_counter() - started
    console.print(
        f"{args.count:,} synthetic university rows generated in {generated:.2f} s; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    results = []
    try:
        for name, endpoint in endpoints.items():
            url = endpoint.start(timeout=120)
            results.append(engine_figures(name, url, rows, args.workers, args.repeat))
            console.print(f"[dim]load average {os.getloadavg()[0]:.1f}[/]")
        grid = Table(
            title=f"1. Seed loader vs the engine's raw BatchWriteItem ceiling: {args.count:,} university items, "
            f"{args.workers} threads, median of {args.repeat}",
            title_justify="left",
        )
        for column in (
            "engine",
            "raw ceiling items/s",
            "loader items/s",
            "share",
            "re-seed, unchanged items/s",
            "share",
            "re-seed, all changed items/s",
            "share",
            "journal reads per re-seed",
        ):
            grid.add_column(column, justify="right" if column != "engine" else "left")
        for r in results:
            grid.add_row(
                r["engine"],
                f"{r['ceiling']:,.0f}",
                f"{r['loader']:,.0f}",
                f"{r['loader'] / r['ceiling']:.0%}",
                f"{r['reseed']:,.0f}",
                f"{r['reseed'] / r['ceiling']:.0%}",
                f"{r['changed']:,.0f}",
                f"{r['changed'] / r['ceiling']:.0%}",
                f"{r['journal_reads']:,}",
            )
        console.print(grid)
        if len(results) == 2:
            moto, local = results
            console.print(
                f"DynamoDB Local vs moto: raw ceiling {local['ceiling'] / moto['ceiling']:.1f}x, "
                f"loader {local['loader'] / moto['loader']:.1f}x"
            )
        for r in results:
            runs = ", ".join(f"{k} " + "/".join(f"{s:.2f}" for s in v) + " s" for k, v in r["runs"].items())
            console.print(f"[dim]{r['engine']} runs: {runs}[/]")
        if args.terraform and "moto" in endpoints:
            with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
                grid = Table(title="2. Terraform items vs bulk loader (same 500 items, moto)", title_justify="left")
                grid.add_column("measure")
                grid.add_column("value", justify="right")
                for row in terraform_vs_loader(endpoints["moto"].url, Path(tmp), args.workers):
                    grid.add_row(*row)
                console.print(grid)
    finally:
        for endpoint in endpoints.values():
            endpoint.stop()
    console.print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

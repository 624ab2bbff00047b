"""Benchmark of the two ways to put items into DynamoDB (run by `just bench-seed`, never by the tests).

1. The same 500 bandup-evaluations items through `modules/dynamodb-items` (terraform apply, plus the
   no-change plan every later run pays) and through the bulk loader; the ratio is from one run.
2. Wall time of 100,000 synthetic items through the loader (generation + validation + writes).
3. The endpoint's ceiling: moto's own CPU cost per item, measured in-process without HTTP or client,
   so part 2 can be read against the best any loader could do on this endpoint.

Everything runs against a fresh moto server this script starts on a free port and stops at the end.
The local endpoint is moto, so absolute numbers are moto's (single Python process; its cost per item
grows with the number of top-level attributes); shared CPUs make them noisy, so the load average is
printed next to the results.

    .venv/bin/python bench/bench_seed.py [--count 100000] [--workers N] [--tables university,bandup-evaluations]
                                         [--sweep 1,2,4,8] [--skip-terraform] [--skip-ceiling]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from tablekit.dynamodb_json import to_item
from tablekit.endpoint import Endpoint, free_port
from tablekit.seed import LOCAL_WORKERS, client_factory, load_rows, synth
from tablekit.seed.files import plain_json
from tablekit.seed.localtables import create_table, key_schema
from tablekit.terraform import Terraform
from tablekit.testing import fixture_dir

SCHEMAS = {
    # As envs/local declares them (its `tables` output), GSIs included.
    "bandup-evaluations": key_schema(
        "bandup-evaluations",
        ("evaluation_id", "S"),
        ("user_id", "S"),
        indexes={"user_id-created_at-index": ("user_id", "created_at")},
        attributes={"created_at": "N"},
    ),
    "university": key_schema(
        "university",
        ("pk", "S"),
        ("sk", "S"),
        indexes={"studentID-index": ("studentID", "sk"), "entityType-courseDate-index": ("entityType", "courseDate")},
        attributes={"studentID": "S", "entityType": "S", "courseDate": "S"},
        ttl_attribute="expiresAt",
    ),
}

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


def count_items(client: Any, table: str) -> int:
    # moto computes ItemCount live (real DynamoDB refreshes it every ~6 hours); a Scan of 100k items
    # would take minutes on the endpoint.
    return int(client.describe_table(TableName=table)["Table"]["ItemCount"])


def make_table(client: Any, contract: str, name: str) -> dict[str, dict]:
    schema = dict(SCHEMAS[contract], name=name)
    create_table(client, schema)
    return {name: schema}


def terraform_vs_loader(url: str, workdir: Path, workers: int | None, n: int = 500) -> list[tuple[str, str]]:
    """Part 1: the same n rows via `modules/dynamodb-items` and via the loader."""
    factory = client_factory(url)
    client = factory()
    rows = list(synth.generate("bandup-evaluations", n, seed=1))
    tf_table = "bench-terraform-evaluations"
    make_table(client, "bandup-evaluations", tf_table)
    case = fixture_dir(workdir / "tf", ROOT_TF % {"table": tf_table}, url)
    # plain_json keeps Decimals exact; Terraform reads the file as JSON.
    items = "{" + ",".join(f"{json.dumps(row['evaluation_id'])}:{plain_json(row)}" for row in rows) + "}"
    (case / "terraform.tfvars.json").write_text('{"items":' + items + "}")
    terraform = Terraform(case)
    console.print(f"[dim]terraform init ({case})[/]")
    terraform.init()
    console.print(f"[dim]terraform apply of {n} items ...[/]")
    started = time.perf_counter()
    terraform.run(["apply", "-input=false", "-auto-approve", "-no-color", "-parallelism=10"], capture=True)
    tf_apply = time.perf_counter() - started
    console.print("[dim]terraform plan (no changes; refreshes every item) ...[/]")
    started = time.perf_counter()
    plan = terraform.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], capture=True, check=False)
    tf_plan = time.perf_counter() - started
    if plan.returncode not in (0, 2):
        raise SystemExit(f"terraform plan failed: {plan.stderr}")

    # The loader is timed three times (fresh table and factory each) because one sub-second run on
    # shared CPUs is mostly noise; the ratio uses the median, all three are printed.
    loader_runs, retries = [], 0
    for attempt in range(3):
        name = f"bench-loader-evaluations-{attempt}"
        loader_tables = make_table(client, "bandup-evaluations", name)
        started = time.perf_counter()
        summary = load_rows(loader_tables, name, rows, client_factory(url), workers=workers)
        loader_runs.append(time.perf_counter() - started)
        retries += summary.retries
        assert count_items(client, name) == n, f"{name}: item count differs from {n}"
    assert count_items(client, tf_table) == n, f"terraform table: item count differs from {n}"
    median = statistics.median(loader_runs)
    return [
        (f"terraform apply, {n} items (modules/dynamodb-items, -parallelism=10)", f"{tf_apply:.2f} s"),
        (f"terraform plan afterwards, no changes{'' if plan.returncode == 0 else ' (DIFF!)'}", f"{tf_plan:.2f} s"),
        (
            f"loader, {n} items, {workers or LOCAL_WORKERS} workers, incl. validation + clients (3 runs)",
            " / ".join(f"{t:.3f}" for t in loader_runs) + " s",
        ),
        ("loader speed-up over terraform apply (median run)", f"[bold]{tf_apply / median:,.0f}x[/]"),
        ("retries during the loader runs", str(retries)),
    ]


def bulk(url: str, contract: str, count: int, workers: int | None, tag: str) -> tuple[float, float, float, int]:
    """Part 2: generate + validate + write `count` synthetic rows; returns (gen s, load s, items/s, retries)."""
    factory = client_factory(url)
    name = f"bench-{tag}-{contract}"
    tables = make_table(factory(), contract, name)
    started = time.perf_counter()
    rows = list(synth.generate(contract, count, seed=42))
    generated = time.perf_counter() - started
    summary = load_rows(tables, name, rows, factory, workers=workers, progress=sys.stderr.isatty())
    total = time.perf_counter() - started
    stored = count_items(factory(), name)
    assert stored == count, f"{name}: {stored} items stored, expected {count}"
    return generated, total, count / total, summary.retries


def endpoint_ceiling(n: int = 10_000) -> list[tuple[str, str, str]]:
    """Part 3: moto's own CPU cost per item, in-process (no HTTP, no client): the best any loader can do."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    app = Client(DomainDispatcherApplication(create_backend_app))
    signature = (
        "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x"
    )
    headers = {"Content-Type": "application/x-amz-json-1.0", "Authorization": signature}

    def call(target: str, body: dict) -> None:
        reply = app.post("/", headers={**headers, "X-Amz-Target": f"DynamoDB_20120810.{target}"}, data=json.dumps(body))
        assert reply.status_code == 200, reply.data

    rows = []
    for contract, schema in SCHEMAS.items():
        hash_key, range_key = schema["hash_key"], schema["range_key"]
        call(
            "CreateTable",
            {
                "TableName": contract,
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [
                    {"AttributeName": hash_key["name"], "KeyType": "HASH"},
                    {"AttributeName": range_key["name"], "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": k["name"], "AttributeType": k["type"]} for k in (hash_key, range_key)
                ],
            },
        )
        items = [to_item(row)[0] for row in synth.generate(contract, n, seed=1)]
        started = time.process_time()
        for i in range(0, n, 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[i : i + 25]]
            call("BatchWriteItem", {"RequestItems": {contract: batch}})
        cpu = time.process_time() - started
        attrs = sum(len(item) for item in items) / n
        rows.append((contract, f"{attrs:.1f}", f"{n / cpu:,.0f}"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="synthetic items per table (default 100000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"loader writer threads (default: the loader's local default, {LOCAL_WORKERS})",
    )
    parser.add_argument(
        "--tables",
        default="university,bandup-evaluations",
        help="tables for the bulk part (default university,bandup-evaluations)",
    )
    parser.add_argument("--sweep", help="also time 20,000 items per worker count, e.g. 1,2,4,8")
    parser.add_argument("--skip-terraform", action="store_true", help="skip part 1")
    parser.add_argument("--skip-ceiling", action="store_true", help="skip part 3 (moto's in-process ceiling)")
    args = parser.parse_args(argv)

    endpoint = Endpoint(port=free_port(), state_dir=Path(tempfile.mkdtemp(prefix="bench-seed-endpoint-")))
    url = endpoint.start(timeout=60)
    console.print(f"fresh moto server at {url}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
            if not args.skip_terraform:
                grid = Table(title="1. Terraform items vs bulk loader (same 500 items, one run)", title_justify="left")
                grid.add_column("measure")
                grid.add_column("value", justify="right")
                for row in terraform_vs_loader(url, Path(tmp), args.workers):
                    grid.add_row(*row)
                console.print(grid)
            grid = Table(
                title=f"2. Bulk loader, {args.count:,} synthetic items per table, "
                f"{args.workers or LOCAL_WORKERS} workers",
                title_justify="left",
            )
            for column in ("table", "generate s", "total s", "items/s", "retries", "goal < 30 s"):
                grid.add_column(column, justify="right" if column != "table" else "left")
            for contract in args.tables.split(","):
                generated, total, rate, retries = bulk(url, contract, args.count, args.workers, "bulk")
                verdict = "[green]met[/]" if total < 30 else "[red]missed[/]"
                grid.add_row(
                    contract,
                    f"{generated:.2f}",
                    f"{total:.2f}",
                    f"{rate:,.0f}",
                    str(retries),
                    verdict if args.count >= 100_000 else "n/a (< 100k)",
                )
            console.print(grid)
            if args.sweep:
                grid = Table(title="worker sweep, 20,000 university items each", title_justify="left")
                for column in ("workers", "total s", "items/s", "load avg"):
                    grid.add_column(column, justify="right")
                for workers in (int(w) for w in args.sweep.split(",")):
                    _, total, rate, _ = bulk(url, "university", 20_000, workers, f"sweep{workers}")
                    grid.add_row(str(workers), f"{total:.2f}", f"{rate:,.0f}", f"{os.getloadavg()[0]:.1f}")
                console.print(grid)
            if not args.skip_ceiling:
                grid = Table(
                    title="3. Endpoint ceiling: moto's CPU per item in-process (no HTTP, no client), 10,000 items",
                    title_justify="left",
                )
                for column in ("table", "top-level attributes", "items/s per CPU core"):
                    grid.add_column(column, justify="right" if column != "table" else "left")
                for row in endpoint_ceiling():
                    grid.add_row(*row)
                console.print(grid)
    finally:
        endpoint.stop()
    console.print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

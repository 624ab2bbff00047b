"""Benchmarks of the estate: how long setup, plans and the test suite take, and how plans grow.

Not part of the test suite (timings on a shared 2-core machine are not pass/fail material); run
`./just bench` (or `.venv/bin/python bench/bench_estate.py --help`) and `--write` to update
BENCHMARKS.md.

What is measured and why:
- setup: `tablekit.lifecycle.local_env.setup("local")` end to end, as `just setup` runs it. *cold* uses a
  fresh build directory (TABLEKIT_BUILD_DIR: no provider mirror, no plugin cache, no Lambda zip),
  a fresh endpoint and data dir; *warm* repeats it with the caches filled but a new endpoint and
  data dir (a new developer checkout on a used machine); *converge* re-runs it on the same
  endpoint and state (the everyday "is everything still there" case). Each run is its own
  process so the cold one really starts cold.
- plan growth: root modules generated with the generic module instantiated N times (for_each
  over a map, like the families do) with the estate's own table schemas, cycled. For each N:
  plan on empty state, apply, then plan with -refresh=false (config + state work only) and with
  refresh (adds N x the per-table API reads). seconds/table and the ratio to the 5-table root show
  whether cost grows linearly.
- test suite: wall time of `./just test` as it runs (the justfile recipe's own command line, pytest-xdist
  on every core; optional, --tests: it takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tablekit.endpoint.probes import free_port  # noqa: E402
from tablekit.endpoint.server import Endpoint  # noqa: E402
from tablekit.staging.copies import scratch_root  # noqa: E402
from tablekit.terraform.runner import Terraform  # noqa: E402

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Used when the estate cannot be planned (families not ready): shapes taken from the families.


def _k(name: str, kind: str = "S") -> dict[str, str]:
    return {"name": name, "type": kind}


FALLBACK_SCHEMAS: list[dict[str, Any]] = [
    {"schema": {"hash_key": _k("email")}},
    {
        "schema": {
            "hash_key": _k("session_id"),
            "ttl_attribute": "expires_at",
            "global_secondary_indexes": [
                {"name": "user-created-index", "hash_key": _k("user_email"), "range_key": _k("created_at", "N")},
            ],
        }
    },
    {
        "schema": {
            "hash_key": _k("pk"),
            "range_key": _k("sk"),
            "global_secondary_indexes": [
                {"name": "gsi1", "hash_key": _k("gsi1pk"), "range_key": _k("gsi1sk")},
                {
                    "name": "studentID-index",
                    "hash_key": _k("studentID"),
                    "range_key": _k("sk"),
                    "projection_type": "KEYS_ONLY",
                },
            ],
        },
        "stream_view_type": "NEW_AND_OLD_IMAGES",
    },
    {
        "schema": {
            "hash_key": _k("user_email"),
            "range_key": _k("product_id"),
            "local_secondary_indexes": [
                {
                    "name": "expires-index",
                    "range_key": _k("expires_at", "N"),
                    "projection_type": "INCLUDE",
                    "non_key_attributes": ["status"],
                },
            ],
        }
    },
]
PLAN_ARGS = ("plan", "-input=false", "-no-color", "-lock=false")


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def median_of(repeat: int, fn: Callable[[], Any]) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def schemas_from_plan(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Generic-module inputs (schema + stream) rebuilt from the planned aws_dynamodb_table values."""
    result = []
    for rc in plan.get("resource_changes", []):
        if rc["type"] != "aws_dynamodb_table":
            continue
        after = rc["change"]["after"]
        types = {a["name"]: a["type"] for a in after.get("attribute", [])}
        key = lambda name, types=types: _k(name, types[name])  # noqa: E731 - local shorthand
        schema: dict[str, Any] = {"hash_key": key(after["hash_key"])}
        if after.get("range_key"):
            schema["range_key"] = key(after["range_key"])
        gsis = []
        for gsi in sorted(after.get("global_secondary_index") or [], key=lambda g: g["name"]):
            entry = {"name": gsi["name"], "hash_key": key(gsi["hash_key"]), "projection_type": gsi["projection_type"]}
            if gsi.get("range_key"):
                entry["range_key"] = key(gsi["range_key"])
            if gsi.get("non_key_attributes"):
                entry["non_key_attributes"] = sorted(gsi["non_key_attributes"])
            gsis.append(entry)
        if gsis:
            schema["global_secondary_indexes"] = gsis
        lsis = []
        for lsi in sorted(after.get("local_secondary_index") or [], key=lambda x: x["name"]):
            entry = {"name": lsi["name"], "range_key": key(lsi["range_key"]), "projection_type": lsi["projection_type"]}
            if lsi.get("non_key_attributes"):
                entry["non_key_attributes"] = sorted(lsi["non_key_attributes"])
            lsis.append(entry)
        if lsis:
            schema["local_secondary_indexes"] = lsis
        ttl = after.get("ttl") or []
        if ttl and ttl[0].get("attribute_name"):
            schema["ttl_attribute"] = ttl[0]["attribute_name"]
        spec: dict[str, Any] = {"schema": schema}
        if after.get("stream_enabled"):
            spec["stream_view_type"] = after["stream_view_type"]
        result.append(spec)
    return result


def generated_root_json(count: int, schemas: Sequence[dict[str, Any]]) -> str:
    """main.tf.json: the generic module for_each over `count` tables, schemas cycled from `schemas`."""
    # Names carry the size so roots of different sizes can share one endpoint.
    tables = {f"bench{count}-{i:03d}": schemas[i % len(schemas)] for i in range(count)}
    return json.dumps(
        {
            "locals": {"tables": tables},
            "module": {
                "table": {
                    "source": "../modules/dynamodb-table",
                    "for_each": "${local.tables}",
                    "name": "${each.key}",
                    "schema": "${each.value.schema}",
                    "stream_view_type": "${try(each.value.stream_view_type, null)}",
                    "tags": {"Owner": "platform", "Environment": "local"},
                }
            },
        },
        indent=1,
    )


# ------------------------------------------------------------------------------------------------
# measurements
# ------------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    tables: int
    label: str
    init_s: float
    plan_empty_s: float
    apply_s: float
    plan_norefresh_s: float
    plan_refresh_s: float


@dataclass
class Results:
    machine: dict[str, str] = field(default_factory=dict)
    setup: dict[str, float] = field(default_factory=dict)
    setup_tables: int = 0
    estate_plan_norefresh_s: float | None = None
    plans: list[PlanRow] = field(default_factory=list)
    tests: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def estate_schemas(work: Path, endpoint_url: str) -> list[dict[str, Any]] | None:
    """The estate's table schemas from a plan of envs/local (None when the estate does not plan yet)."""
    from tablekit import envs
    from tablekit.errors import UserError

    try:
        plan = envs.plan(envs.context("local", endpoint_url=endpoint_url, data_dir=work / "estate-plan"), refresh=False)
    except (UserError, ValueError, OSError) as exc:
        log(f"estate does not plan yet ({str(exc).splitlines()[0][:200]}); using fallback schemas")
        return None
    return schemas_from_plan(plan.raw)


def bench_plan_growth(
    work: Path,
    endpoint_url: str,
    sizes: Sequence[int],
    schemas: Sequence[dict[str, Any]],
    labels: dict[int, str],
    repeat: int,
) -> list[PlanRow]:
    rows = []
    for count in sizes:
        log(f"plan growth: {count} tables")
        case = scratch_root(
            work / f"gen-{count}", "", endpoint_url, files={"main.tf.json": generated_root_json(count, schemas)}
        )
        (case / "main.tf").unlink()
        tf = Terraform(case)
        init_s, _ = timed(lambda tf=tf: tf.init())
        tf.run([*PLAN_ARGS, "-refresh=false"])  # warm-up: page cache, provider binary
        plan_empty = median_of(repeat, lambda tf=tf: tf.run([*PLAN_ARGS, "-refresh=false"]))
        apply_s, _ = timed(lambda tf=tf: tf.run(["apply", "-input=false", "-no-color", "-auto-approve"]))
        norefresh = median_of(repeat, lambda tf=tf: tf.run([*PLAN_ARGS, "-refresh=false"]))
        refresh = median_of(repeat, lambda tf=tf: tf.run(PLAN_ARGS))
        rows.append(PlanRow(count, labels.get(count, ""), init_s, plan_empty, apply_s, norefresh, refresh))
        log(
            f"  init {init_s:.1f}s, plan(empty) {plan_empty:.1f}s, apply {apply_s:.1f}s, "
            f"plan -refresh=false {norefresh:.1f}s, plan {refresh:.1f}s"
        )
    return rows


_CHILD = """
import json, sys, time
from pathlib import Path
from tablekit import envs
from tablekit.lifecycle import local_env
from tablekit.endpoint.server import Endpoint
port, state_dir, data_dir, want_plan = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1"
began = time.perf_counter()
result = local_env.setup("local", endpoint=Endpoint(port=port, state_dir=state_dir), data_dir=data_dir, quiet=True)
out = {"seconds": time.perf_counter() - began, "tables": len(result.tables)}
if want_plan:
    samples = []
    for _ in range(3):
        began = time.perf_counter()
        envs.plan(result.ctx, refresh=False)
        samples.append(time.perf_counter() - began)
    out["plan_norefresh"] = sorted(samples)[1]
    out["plan_total"] = sum(samples)
print("BENCH " + json.dumps(out))
"""


def _setup_child(build_dir: Path, endpoint: Endpoint, data_dir: Path, want_plan: bool = False) -> dict[str, Any]:
    env = dict(os.environ, TABLEKIT_BUILD_DIR=str(build_dir))
    began = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(endpoint.port),
            str(endpoint.state_dir),
            str(data_dir),
            "1" if want_plan else "0",
        ],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"setup failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("BENCH "))
    data = json.loads(line[len("BENCH ") :])
    data["wall"] = wall
    return data


def bench_setup(work: Path) -> tuple[dict[str, float], int, float | None]:
    """cold / warm / converge setup wall times (process wall time, as `just setup` would see it)."""
    build = work / "setup-build"
    endpoints = [Endpoint(port=free_port(), state_dir=work / f"setup-ep-{i}") for i in (1, 2)]
    times: dict[str, float] = {}
    try:
        log("setup: cold (empty build dir: no mirror, no plugin cache, no Lambda zip)")
        cold = _setup_child(build, endpoints[0], work / "setup-data-1")
        times["cold"] = cold["wall"]
        endpoints[0].stop()
        log(f"  {cold['wall']:.1f}s ({cold['tables']} tables)")
        log("setup: warm (caches filled; new endpoint and data dir)")
        warm = _setup_child(build, endpoints[1], work / "setup-data-2")
        times["warm"] = warm["wall"]
        log(f"  {warm['wall']:.1f}s")
        log("setup: converge (same endpoint and state; nothing to change) + plan -refresh=false of the estate")
        converge = _setup_child(build, endpoints[1], work / "setup-data-2", want_plan=True)
        times["converge"] = converge["wall"] - converge["plan_total"]
        log(f"  {times['converge']:.1f}s; estate plan -refresh=false {converge['plan_norefresh']:.1f}s")
        return times, int(cold["tables"]), float(converge["plan_norefresh"])
    finally:
        for endpoint in endpoints:
            endpoint.stop()


def recipe_command(recipe: str) -> str:
    """The command line a justfile recipe runs, as `./just --dry-run RECIPE` prints it."""
    proc = subprocess.run([str(ROOT / "just"), "--dry-run", recipe], cwd=ROOT, text=True, capture_output=True)
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    return lines[-1].replace(str(ROOT) + "/", "") if proc.returncode == 0 and lines else "(unknown)"


def bench_tests() -> dict[str, Any]:
    """Wall time of `./just test`, run as CI and a developer run it (the recipe's own command line)."""
    command = recipe_command("test")
    log(f"test suite: ./just test = {command} (minutes)")
    began = time.perf_counter()
    proc = subprocess.run([str(ROOT / "just"), "test"], cwd=ROOT, text=True, capture_output=True)
    wall = time.perf_counter() - began
    log_file = ROOT / "build" / "bench" / "pytest-output.txt"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_file.write_text(proc.stdout + proc.stderr)
    log(f"  full pytest output: {log_file}")
    # pytest ends with e.g. "3 failed, 120 passed, 2 skipped in 301.2s (0:05:01)".
    pattern = re.compile(r"\d+ (passed|failed|errors?|skipped)\b.* in [\d.]+s")
    summary = next((line for line in reversed(proc.stdout.splitlines()) if pattern.search(line)), "no summary")
    log(f"  ./just test: {wall:.1f}s wall: {summary.strip('= ')}")
    return {"seconds": wall, "summary": summary.strip("= "), "exit": proc.returncode, "command": command}


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    load = os.getloadavg()
    return {
        "cpus": str(os.cpu_count()),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "load_at_start": f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        "date": time.strftime("%Y-%m-%d"),
    }


def render(results: Results, command: str) -> str:
    """Markdown figures (the block between the bench markers of BENCHMARKS.md)."""
    m = results.machine
    lines = [
        START,
        "",
        f"Measured {m['date']} with `{command}` on {m['cpus']} shared CPUs ({m['platform']}, "
        f"Python {m['python']}, load average {m['load_at_start']} at start). Terraform 1.0.3, "
        f"hashicorp/aws 3.39.0, moto server as the local endpoint.",
        "",
    ]
    if results.setup:
        lines += [
            f"### Setup of the local estate ({results.setup_tables} tables)",
            "",
            "| run | seconds |",
            "|---|---:|",
        ]
        for name, seconds in results.setup.items():
            lines.append(f"| {name} | {seconds:.1f} |")
        if results.estate_plan_norefresh_s is not None:
            lines.append(f"| `plan -refresh=false` of envs/local after setup | {results.estate_plan_norefresh_s:.1f} |")
        lines.append("")
    if results.plans:
        base = results.plans[0]
        lines += [
            "### Plan time vs. number of tables (generated roots, generic module for_each)",
            "",
            f"| tables | plan, empty state (s) | apply (s) | plan -refresh=false (s) | s/table | "
            f"ratio vs {base.tables} | marginal s/table above {base.tables} | plan with refresh (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in results.plans:
            per = row.plan_norefresh_s / row.tables
            label = f" ({row.label})" if row.label else ""
            extra = row.tables - base.tables
            marginal = f"{(row.plan_norefresh_s - base.plan_norefresh_s) / extra:.3f}" if extra else "—"
            lines.append(
                f"| {row.tables}{label} | {row.plan_empty_s:.1f} | {row.apply_s:.1f} | {row.plan_norefresh_s:.1f} | "
                f"{per:.3f} | {row.plan_norefresh_s / base.plan_norefresh_s:.2f}x | {marginal} | "
                f"{row.plan_refresh_s:.1f} |"
            )
        lines.append("")
    if results.tests:
        lines += [
            "### Test suite",
            "",
            "| command | seconds | result |",
            "|---|---:|---|",
            f"| `./just test` (`{results.tests['command']}`) | {results.tests['seconds']:.1f} | "
            f"{results.tests['summary']} |",
            "",
        ]
    for note in results.notes:
        lines.append(f"- {note}")
    lines += ["", END]
    return "\n".join(lines)


def write_markdown(block: str) -> None:
    """Replace the figures between the markers of BENCHMARKS.md (or append them)."""
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS_MD.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5,20", help="generated root sizes (comma-separated; default 5,20)")
    parser.add_argument("--no-estate", action="store_true", help="skip the whole-estate size and the setup runs")
    parser.add_argument("--no-setup", action="store_true", help="skip the setup runs (cold/warm/converge)")
    parser.add_argument("--tests", action="store_true", help="also time the whole test suite (takes minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="plans per measurement; the median is reported")
    parser.add_argument("--write", action="store_true", help="write the figures into BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (printed)")
    args = parser.parse_args(argv)

    results = Results(machine=machine())
    work = Path(tempfile.mkdtemp(prefix="tablekit-bench-"))
    endpoint = Endpoint(port=free_port(), state_dir=work / "endpoint")
    try:
        endpoint.start(timeout=60)
        sizes = [int(size) for size in args.sizes.split(",") if size]
        schemas = None if args.no_estate else estate_schemas(work, endpoint.url)
        labels = {}
        if schemas:
            labels[len(schemas)] = "whole estate"
            if len(schemas) not in sizes:
                sizes.append(len(schemas))
        else:
            schemas = FALLBACK_SCHEMAS
            if not args.no_estate:
                results.notes.append("the estate did not plan: generated roots used fallback schemas, no estate size")
        results.plans = bench_plan_growth(work, endpoint.url, sorted(sizes), schemas, labels, args.repeat)
        if not args.no_estate and not args.no_setup and labels:
            results.setup, results.setup_tables, results.estate_plan_norefresh_s = bench_setup(work)
        if args.tests:
            results.tests = bench_tests()
    finally:
        endpoint.stop()
        if args.keep:
            log(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    command = "./just bench" + (" --tests" if args.tests else "")
    block = render(results, command)
    print(block)
    if args.write:
        write_markdown(block)
        log(f"figures written to {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

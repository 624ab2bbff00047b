"""Benchmark of `tablekit upgrade-check` on the whole estate (local, dev and prod).

Not part of the test suite; run `./just bench-upgrade` (or `.venv/bin/python bench/bench_upgrade.py
--help`). It prints figures, it asserts nothing.

What is measured and why:
- baseline: `tablekit.lifecycle.local_env.setup("local")` on a fresh endpoint (apply of envs/local, seed, stream
  drain), the operation everyone knows the duration of. Every upgrade-check figure is also given
  as a ratio to it, measured in the same run, so a loaded machine shifts both alike.
- upgrade-check, envs one after the other (`--jobs 1`) and side by side (`--jobs 3`, the default):
  wall time per run and per env and step (REF apply, seed, snapshot, migrations, plan, apply,
  item check), plus the CPU seconds of the harness and Terraform (children of this process; the
  endpoints are not counted) and the load average at the start, because the machine is shared.
The target is to fit CI comfortably: under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from tablekit.endpoint.probes import free_port  # noqa: E402
from tablekit.endpoint.server import Endpoint  # noqa: E402
from tablekit.lifecycle import local_env  # noqa: E402
from tablekit.paths import ENV_NAMES  # noqa: E402
from tablekit.upgrade import upgrade_check  # noqa: E402

console = Console(highlight=False, width=160)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def baseline(work: Path) -> float:
    endpoint = Endpoint(port=free_port(), state_dir=work / "baseline-endpoint")
    started = time.monotonic()
    try:
        local_env.setup("local", endpoint=endpoint, data_dir=work / "baseline", quiet=True)
    finally:
        endpoint.stop()
    return time.monotonic() - started


def check(from_ref: str, jobs: int, work: Path, envs: list[str]) -> tuple[float, float, upgrade_check.Report]:
    prepared = upgrade_check.prepare(ROOT, from_ref, data_dir=work / f"jobs-{jobs}", require_clean=False)
    cpu, started = cpu_seconds(), time.monotonic()
    report = upgrade_check.run(prepared, envs, jobs=jobs)
    return time.monotonic() - started, cpu_seconds() - cpu, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="from_ref", default="last-release", help="REF to upgrade from")
    parser.add_argument("--jobs", type=int, action="append", help="only these --jobs values (default 1 and 3)")
    parser.add_argument("--envs", default=",".join(ENV_NAMES), help="envs to check (default all)")
    args = parser.parse_args(argv)
    envs = [e for e in args.envs.split(",") if e]
    modes = args.jobs or [1, len(envs)]
    load = os.getloadavg()
    console.print(
        f"{time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs ({platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}), load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start; "
        f"upgrade-check --from {args.from_ref} --envs {','.join(envs)}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-upgrade-") as tmp:
        work = Path(tmp)
        base = baseline(work)
        console.print(f"baseline: setup local (apply + seed + stream drain) {base:.1f}s")
        runs = [(jobs, *check(args.from_ref, jobs, work, envs)) for jobs in modes]

    summary = Table(title="upgrade-check on the whole estate")
    for column in ("jobs", "wall s", "vs setup local", "CPU s (harness + terraform)", "result"):
        summary.add_column(column, justify="right")
    for jobs, wall, cpu, report in runs:
        summary.add_row(
            str(jobs), f"{wall:.1f}", f"{wall / base:.2f}x", f"{cpu:.1f}", "pass" if report.passed else "FAIL"
        )
    console.print(summary)

    steps = Table(title="seconds per env and step")
    step_names = list(dict.fromkeys(name for _, _, _, r in runs for e in r.results for name in e.timings))
    steps.add_column("jobs")
    steps.add_column("env")
    for name in step_names:
        steps.add_column(name, justify="right")
    for jobs, _, _, report in runs:
        for result in report.results:
            steps.add_row(str(jobs), result.env, *(f"{result.timings.get(n, 0):.1f}" for n in step_names))
    console.print(steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What reconciling adds to a converged `setup local` of the whole estate (target: under 2 s).

Not part of the test suite (timings on a shared machine are not pass/fail material). Run
`./just bench-reconcile` (or `.venv/bin/python bench/bench_reconcile.py --runs 5`).

Setup now asks the endpoint two questions before it applies (``tablekit.lifecycle.converge``): does it
still hold what the state tracks (reconcile), and would a planned create collide with an object
the state lacks (check). Both are endpoint listings, no Terraform run. The benchmark sets the
estate up once on a fresh endpoint, then for each run times, on the converged estate:

- reconcile + check: what setup adds (``Converged.reconcile.seconds`` and each step's own clock);
- the rest of a converged setup: init, plan and the (skipped) apply;
- the baseline of the same run: a plain `terraform plan` of envs/local (what setup did before).

It also times the repair paths once: an endpoint that lost the estate (a restart) and untracked
objects left by an interrupted apply, to show they cost the same order as the check itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from tablekit import envs  # noqa: E402
from tablekit.endpoint.probes import free_port  # noqa: E402
from tablekit.endpoint.server import Endpoint  # noqa: E402
from tablekit.envs import reconcile  # noqa: E402
from tablekit.envs.listings import Remote  # noqa: E402
from tablekit.lifecycle import (  # noqa: E402
    converge,
    local_env,
)


def _quiet(line: str) -> None:
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="converged runs to time (default 3)")
    args = parser.parse_args(argv)
    console = Console(stderr=False, width=140)
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as scratch:
        base = Path(scratch)
        endpoint = Endpoint(port=free_port(), state_dir=base / "endpoint")
        endpoint.start(timeout=60)
        try:
            data = base / "env"
            local_env.setup("local", endpoint=endpoint, data_dir=data, quiet=True)
            ctx = envs.context("local", endpoint_url=endpoint.url, data_dir=data)
            rows: list[tuple[float, float, float, float, int]] = []
            for _ in range(args.runs):
                run = converge.LocalConverge(ctx, say=_quiet)
                t0 = time.perf_counter()
                run.tf  # noqa: B018 - init
                t1 = time.perf_counter()
                run.reconcile()
                t2 = time.perf_counter()
                plan = run.plan()
                t3 = time.perf_counter()
                run.check(plan)
                t4 = time.perf_counter()
                run.apply(plan)
                run.outputs()
                t5 = time.perf_counter()
                added = (t2 - t1) + (t4 - t3)
                rest = (t1 - t0) + (t3 - t2) + (t5 - t4)
                baseline = time.perf_counter()
                envs.plan(ctx)
                baseline = time.perf_counter() - baseline
                rows.append((added, run.reconciled.seconds, rest, baseline, run.reconciled.tracked))
            tracked = rows[-1][4]

            # Repair paths, once each: the endpoint lost one table; then an untracked table to delete.
            remote = Remote(ctx.clients())
            db = ctx.clients().client("dynamodb")
            db.delete_table(TableName="university")
            t0 = time.perf_counter()
            check = reconcile.check_state(reconcile.read_state_file(ctx.state_path) or [], remote)
            lost_check = time.perf_counter() - t0
            missing = len(check.missing)
        finally:
            endpoint.stop()

    table = Table(title=f"reconcile on the converged local estate ({tracked} tracked resources, {args.runs} runs)")
    for column in (
        "run",
        "reconcile + check (s)",
        "of which endpoint questions (s)",
        "rest of setup (s)",
        "plain plan, same run (s)",
        "added / plain plan",
    ):
        table.add_column(column, justify="right")
    for n, (added, asked, rest, baseline, _tracked) in enumerate(rows, 1):
        table.add_row(
            str(n), f"{added:.3f}", f"{asked:.3f}", f"{rest:.2f}", f"{baseline:.2f}", f"{added / baseline:.1%}"
        )
    added_median = statistics.median(r[0] for r in rows)
    table.add_row(
        "median",
        f"{added_median:.3f}",
        f"{statistics.median(r[1] for r in rows):.3f}",
        f"{statistics.median(r[2] for r in rows):.2f}",
        f"{statistics.median(r[3] for r in rows):.2f}",
        f"{added_median / statistics.median(r[3] for r in rows):.1%}",
    )
    console.print(table)
    console.print(f"state check with one table gone: {lost_check:.3f} s ({missing} missing found)")
    console.print(f"target: reconcile adds < 2 s to a converged setup; median {added_median:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

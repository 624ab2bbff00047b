"""Benchmark of a pinned run's staging overhead: copy, adapt (strip + relax), schema loads.

Every pinned harness run stages modules/ and a root, then adapts the copy to hashicorp/aws 3.39
(tablekit.staging.compat). This prints what that costs per run, next to the plain copy measured in the same
run as the baseline. Not part of the test suite: `.venv/bin/python bench/bench_compat.py`.

- copy:          tablekit.staging.copies.stage of modules/ + envs/prod (the baseline)
- adapt, cold:   parse and strip every file (first staging of a process, or after an edit)
- adapt, warm:   the same files again (memoized by content: what later fixtures of a test run pay)
- schema loads:  the cached 3.39.0 and 6.66.0 schemas read from build/provider-schemas/ (once per
                 process; later calls reuse the loaded schema)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tablekit.staging import compat, copies, removals, schemas


def _timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    removals.echo(False)
    pinned = schemas.pinned()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "stage"

        def copy() -> None:
            copies.stage(root, include=("modules", "envs/prod"))

        def adapt(cold: bool) -> float:
            copy()
            if cold:
                compat._MEMO.clear()
            return compat.adapt(root, pinned).seconds

        t_copy = _timed(copy, args.repeat)
        t_cold = statistics.median(adapt(True) for _ in range(args.repeat))
        t_warm = statistics.median(adapt(False) for _ in range(args.repeat))
        files = len(compat.tf_files(root))
        copy()
        removed = len(compat.adapt(root, pinned).removals)

    def load(cache: Path) -> None:
        schemas.ProviderSchema.load(cache)

    from tablekit.staging.reference_package import reference_pin

    t_pinned = _timed(lambda: load(schemas.SCHEMA_CACHE / "hashicorp-aws-3.39.0.json"), args.repeat)
    t_ref = _timed(lambda: load(schemas.reference_cache(reference_pin())), args.repeat)
    print(f"{'step':<28}{'median':>10}{'vs copy':>10}")
    print(f"{'copy (baseline)':<28}{t_copy * 1000:>8.1f}ms{1:>9.2f}x")
    print(f"{'adapt, cold':<28}{t_cold * 1000:>8.1f}ms{t_cold / t_copy:>9.2f}x")
    print(f"{'adapt, warm (memoized)':<28}{t_warm * 1000:>8.1f}ms{t_warm / t_copy:>9.2f}x")
    print(f"{'load 3.39.0 schema':<28}{t_pinned * 1000:>8.1f}ms{t_pinned / t_copy:>9.2f}x")
    print(f"{'load 6.66.0 schema':<28}{t_ref * 1000:>8.1f}ms{t_ref / t_copy:>9.2f}x")
    print(f"({files} .tf files staged, {removed} modern-only arguments/blocks removed per copy)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

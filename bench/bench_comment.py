"""Benchmark of the PR plan comment: how long plans of 100 to 5,000 changes take to render.

The target is a 2,000-change plan in under 2 s (CI renders the comment on every push). Each size
is a synthetic plan shaped like the estate's: table updates with GSI, tag and TTL changes (70 %),
creates (20 %), destroys and replacements of tables (5 %), alarm destroys (5 %), and one drift
entry per ten changes. Figures per stage, best of --repeat runs:

- json.loads: reading the plan text -- the baseline every renderer pays, measured in the same run;
- parse:      tablekit.terraform.plan.Plan.parse (validation of every entry);
- summarize:  masking, diffing, data-loss rules, escaping (comment.summarize);
- render:     assembling the comment, including truncation to GitHub's 65,536-character limit;
- redact:     tablekit.review.redact.redact_plan, the artifact copy.

Not part of the test suite: `just bench-comment [--sizes 100,2000] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable, TypeVar

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tablekit.review.comment import render_views  # noqa: E402
from tablekit.review.markdown import utf16_len  # noqa: E402
from tablekit.review.redact import redact_plan  # noqa: E402
from tablekit.review.views import summarize  # noqa: E402
from tablekit.terraform.plan import Plan  # noqa: E402


def _table(name: str, gsis: int, tags: dict[str, str], ttl: bool) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:dynamodb:us-east-1:111122223333:table/{name}",
        "attribute": [{"name": "pk", "type": "S"}, *({"name": f"g{i}", "type": "S"} for i in range(gsis))],
        "billing_mode": "PAY_PER_REQUEST",
        "global_secondary_index": [
            {"name": f"{name}-g{i}", "hash_key": f"g{i}", "projection_type": "ALL", "non_key_attributes": None}
            for i in range(gsis)
        ],
        "hash_key": "pk",
        "name": name,
        "point_in_time_recovery": [{"enabled": True}],
        "replica": [],
        "tags": tags,
        "tags_all": tags,
        "ttl": [{"attribute_name": "expires_at" if ttl else "", "enabled": ttl}],
    }


def _entry(address: str, rtype: str, actions: list[str], before: Any, after: Any, **extra: Any) -> dict[str, Any]:
    change = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": {},
        "before_sensitive": {"tags": {"Owner": True}} if before else False,
        "after_sensitive": {"tags": {"Owner": True}} if after else False,
        **extra,
    }
    return {"address": address, "mode": "managed", "type": rtype, "name": "this", "change": change}


def synthetic_plan(n: int) -> dict[str, Any]:
    """A plan of n resource changes shaped like the estate's (see the module docstring)."""
    changes: list[dict[str, Any]] = []
    drift: list[dict[str, Any]] = []
    for i in range(n):
        address = f'module.family{i % 7}.module.table["table-{i:05d}"].aws_dynamodb_table.this'
        name = f"family-table-{i:05d}"
        tags = {"Environment": "prod", "Owner": f"team-{i % 13}"}
        kind = i % 20
        if kind < 14:
            before = _table(name, 1, tags, ttl=False)
            after = _table(name, 2, {**tags, "CostCenter": "42"}, ttl=True)
            changes.append(_entry(address, "aws_dynamodb_table", ["update"], before, after))
        elif kind < 18:
            changes.append(_entry(address, "aws_dynamodb_table", ["create"], None, _table(name, 1, tags, ttl=True)))
        elif kind == 18:
            before = _table(name, 1, tags, ttl=False)
            after = {**copy.deepcopy(before), "hash_key": "id"}
            entry = _entry(address, "aws_dynamodb_table", ["delete", "create"], before, after)
            entry["change"]["replace_paths"] = [["hash_key"]]
            entry["action_reason"] = "replace_because_cannot_update"
            changes.append(entry)
        else:
            alarm = {"alarm_name": f"{name}-throttles", "threshold": 1, "tags": {}, "tags_all": {}}
            alarm_address = address.replace("aws_dynamodb_table.this", "aws_cloudwatch_metric_alarm.throttles")
            changes.append(_entry(alarm_address, "aws_cloudwatch_metric_alarm", ["delete"], alarm, None))
        if i % 10 == 0:
            real = _table(name, 1, tags, ttl=False)
            drifted = {**copy.deepcopy(real), "point_in_time_recovery": [{"enabled": False}]}
            drift.append(_entry(address, "aws_dynamodb_table", ["update"], real, drifted))
    return {
        "format_version": "0.2",
        "terraform_version": "1.0.3",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "resource_drift": drift,
        "configuration": {"root_module": {}},
    }


T = TypeVar("T")


def best(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Fastest of `repeat` runs, in seconds, and the last result."""
    times = []
    result = fn()
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000,5000", help="comma-separated change counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (the best is shown)")
    args = parser.parse_args()
    console = Console()
    table = Table(title=f"PR comment render time (best of {args.repeat})")
    for col in ("changes", "plan MB", "json.loads", "parse", "summarize", "render", "total", "x json.loads"):
        table.add_column(col, justify="right")
    table.add_column("comment", justify="right")
    table.add_column("redact_plan", justify="right")
    for n in (int(s) for s in args.sizes.split(",")):
        text = json.dumps(synthetic_plan(n))
        load_s, raw = best(args.repeat, partial(json.loads, text))
        parse_s, plan = best(args.repeat, partial(Plan.parse, raw))
        summarize_s, view = best(args.repeat, partial(summarize, "prod", plan))
        render_s, comment = best(args.repeat, partial(render_views, [view]))
        redact_s, _ = best(args.repeat, partial(redact_plan, raw))
        total = parse_s + summarize_s + render_s
        cut = "cut" if ("Shortened to fit" in comment or "Cut at the comment limit" in comment) else "full"
        table.add_row(
            f"{n:,}",
            f"{len(text) / 1e6:.1f}",
            f"{load_s * 1000:.0f} ms",
            f"{parse_s * 1000:.0f} ms",
            f"{summarize_s * 1000:.0f} ms",
            f"{render_s * 1000:.0f} ms",
            f"{total * 1000:.0f} ms",
            f"{total / load_s:.1f}x",
            f"{utf16_len(comment):,} ({cut})",
            f"{redact_s * 1000:.0f} ms",
        )
    console.print(table)
    console.print("target: a 2,000-change plan renders (parse + summarize + render) in under 2 s")


if __name__ == "__main__":
    main()

"""The seed loader on every seed file and the stream processor over the result, on both engines.

Every row of every file the local env selects must come back from the engine exactly as the file
wrote it (numbers exact, sets as sets), and draining the university stream must leave aggregates
that a from-scratch recomputation over the base items agrees with.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from conformance_support import PREFIX, Estate, scan

from tablekit.dynamodb_json import from_item, python_item
from tablekit.paths import SEED_DATA
from tablekit.seed.files import discover, read_rows
from tablekit.seed.selection import load_selection
from tablekit.seed.validate import Validation, validate

pytestmark = [pytest.mark.apply, pytest.mark.slow]


def _expected(estate: Estate) -> Validation:
    """What the seed files say every table holds (validated the loader's way, nothing written)."""
    selection = load_selection(SEED_DATA)
    found, _ = discover(SEED_DATA, selection.sets_for("local"), selection.set_names)
    files = [(seed_file, read_rows(seed_file.path)[0]) for seed_file in found]
    validation = validate(estate.tables, files, env="local", name_prefix=PREFIX)
    assert validation.ok, validation.problems
    return validation


def _sets_sorted(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: {"$set": sorted(v["$set"], key=repr)} if isinstance(v, dict) and "$set" in v else v for k, v in row.items()
    }


def test_every_seed_file_loads_exactly(estate: Estate) -> None:
    expected = _expected(estate)
    assert expected.tables, "the local env selects no seed file"
    assert estate.seed.items == sum(len(plan.items) for plan in expected.tables.values())
    client = estate.engine.clients.dynamodb()
    for name, plan in expected.tables.items():
        stored = {}
        for item in scan(client, name):
            row = from_item(item)
            stored[tuple(str(row[key]) for key in plan.key_names)] = row
        wanted = {tuple(str(from_item(i)[key]) for key in plan.key_names): from_item(i) for i in plan.items.values()}
        extra = {key: row for key, row in stored.items() if key not in wanted}
        # The only items no file wrote are the stream processor's aggregates.
        assert all(str(row.get("pk", "")).startswith("agg#") for row in extra.values()), (name, list(extra)[:3])
        for key, row in wanted.items():
            assert key in stored, f"{name}: {key} was not written"
            assert _sets_sorted(stored[key]) == _sets_sorted(row), f"{name} {key}"


def _recompute(items: list[dict[str, Any]]) -> dict[str, dict[str, Decimal]]:
    """The university aggregates, computed from the base items without the handler's code."""
    expected: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in items:
        kind = item.get("entityType")
        if kind == "student":
            expected[f"agg#{item['pk']}"]["enrolledStudents"] += 1
        elif kind == "order":
            expected[f"agg#{item['pk']}"]["orders"] += 1
        elif kind == "submission":
            expected[f"agg#{item['pk']}"]["submissions"] += 1
            if item.get("grade") is not None:
                for owner in (f"agg#student#{item['studentID']}", f"agg#course#{item['courseID']}"):
                    expected[owner]["gradeSum"] += Decimal(str(item["grade"]))
                    expected[owner]["gradeCount"] += 1
    return {pk: {c: v for c, v in counters.items() if v} for pk, counters in expected.items() if any(counters.values())}


def test_stream_processor_leaves_exact_aggregates(estate: Estate) -> None:
    """tablekit.stream over the engine's own stream (DynamoDB Local has real streams)."""
    summary = estate.stream
    assert summary.records > 0 and summary.dead_lettered == []
    assert summary.counters["applied"] > 0 and summary.counters["conflicts"] == 0
    items = [python_item(i) for i in scan(estate.engine.clients.dynamodb(), estate.app_config["DYNAMODB_UNIVERSITY"])]
    base = [i for i in items if not i["pk"].startswith("agg#")]
    counters = ("enrolledStudents", "orders", "submissions", "gradeSum", "gradeCount")
    stored = {
        i["pk"]: {c: i[c] for c in counters if i.get(c)}
        for i in items
        if i["pk"].startswith("agg#") and any(i.get(c) for c in counters)
    }
    assert stored == _recompute(base)
    assert summary.counters["writes"] == len(_recompute(base))

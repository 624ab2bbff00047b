"""Replays never double-count: past the processor's idempotency horizon the runner rebuilds.

The processor recognises a redelivered record by marks it keeps for the idempotency horizon
(48 h by default). The local endpoint keeps stream records forever, so `tablekit stream
--from-start` days later, or a lost checkpoint, replays records whose marks are long pruned: they
used to be applied again (13 enrolled instead of 7). A simulated clock moves "now" past the
horizon without waiting: the runner must then recompute every aggregate from the table.
"""

from __future__ import annotations

import time

import pytest
from university_support import plain_to_typed

from tablekit import envs
from tablekit.stream import drain
from tablekit.stream.checkpoint import DEFAULT_DIR, checkpoint_dir

ROSTER = [{"pk": "course#101", "sk": f"student#{n}", "entityType": "student", "studentID": str(n)} for n in range(7)]
SUBMISSIONS = [
    {
        "pk": "assignment#a1",
        "sk": f"student#{n}",
        "entityType": "submission",
        "studentID": str(n),
        "courseID": "101",
        "grade": grade,
    }
    for n, grade in enumerate([90, 80, 70])
]
HORIZON = 48 * 3600
DAYS = 24 * 3600


def put_all(client, table, items):
    for item in items:
        client.put_item(TableName=table, Item=plain_to_typed(item))


COUNTERS = ("enrolledStudents", "submissions", "gradeSum", "gradeCount", "orders", "expiredEnrollments")


def totals(client, table):
    """Every aggregate's counters (what a replay must leave exactly as they were)."""
    found = {}
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            if item["pk"]["S"].startswith("agg#"):
                found[item["pk"]["S"]] = {name: item[name]["N"] for name in COUNTERS if name in item}
    return found


@pytest.mark.slow
def test_replay_past_the_horizon_rebuilds_exactly(aws, table, tmp_path):
    client = aws("dynamodb")
    put_all(client, table, [*ROSTER, *SUBMISSIONS])
    start = time.time()
    drain(table, aws, checkpoint_dir=tmp_path, horizon=HORIZON, clock=lambda: start)
    exact = totals(client, table)
    assert exact["agg#course#101"] == {"enrolledStudents": "7", "gradeSum": "240", "gradeCount": "3"}
    assert exact["agg#assignment#a1"] == {"submissions": "3"}

    # Within the horizon a replay is harmless: every record is recognised by its mark.
    soon = drain(table, aws, checkpoint_dir=tmp_path, from_start=True, horizon=HORIZON, clock=lambda: start + 3600)
    assert soon.rebuilds == 0 and soon.counters["writes"] == 0 and totals(client, table) == exact

    # Three days later a new enrolment is applied as usual; that write prunes the marks older
    # than the horizon, so the seeded records are no longer recognised if they come again.
    later = start + 3 * DAYS
    put_all(client, table, [{**ROSTER[0], "sk": "student#7", "studentID": "7"}])
    fresh = drain(table, aws, checkpoint_dir=tmp_path, horizon=HORIZON, clock=lambda: later)
    assert fresh.rebuilds == 0 and fresh.counters["applied"] == 1
    exact = totals(client, table)
    assert exact["agg#course#101"]["enrolledStudents"] == "8"

    # A replay from the start now reaches past the horizon: rebuilt from the table, not re-applied.
    replay = drain(table, aws, checkpoint_dir=tmp_path, from_start=True, horizon=HORIZON, clock=lambda: later)
    assert totals(client, table) == exact
    assert replay.rebuilds == 1 and replay.rebuilt_aggregates >= 2
    assert replay.counters["applied"] == 0  # no old record was applied again

    # After the rebuild the stream continues as usual, from where the rebuild accounted for it.
    client.delete_item(TableName=table, Key=plain_to_typed({"pk": "course#101", "sk": "student#0"}))
    after = drain(table, aws, checkpoint_dir=tmp_path, horizon=HORIZON, clock=lambda: later + 60)
    assert after.rebuilds == 0 and after.counters["applied"] == 1
    assert totals(client, table) == {**exact, "agg#course#101": {**exact["agg#course#101"], "enrolledStudents": "7"}}


def test_lost_checkpoint_with_old_records_rebuilds(aws, table, tmp_path):
    client = aws("dynamodb")
    put_all(client, table, ROSTER)
    start = time.time()
    drain(table, aws, checkpoint_dir=tmp_path / "one", horizon=HORIZON, clock=lambda: start)
    later = start + 5 * DAYS
    put_all(client, table, [{**ROSTER[0], "sk": "student#7", "studentID": "7"}])
    drain(table, aws, checkpoint_dir=tmp_path / "one", horizon=HORIZON, clock=lambda: later)  # prunes old marks
    exact = totals(client, table)
    assert exact["agg#course#101"]["enrolledStudents"] == "8"
    # Another checkpoint directory knows nothing: every record may have been applied already.
    again = drain(table, aws, checkpoint_dir=tmp_path / "two", horizon=HORIZON, clock=lambda: later)
    assert totals(client, table) == exact
    assert again.rebuilds == 1


def test_setup_and_stream_share_one_checkpoint_location():
    # `setup local` drains into checkpoint_dir(ctx.data_dir); `tablekit stream` defaults to the same.
    assert checkpoint_dir(envs.context("local").data_dir) == DEFAULT_DIR

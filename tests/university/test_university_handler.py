"""The stream handler against the session endpoint: counters, averages, idempotency, coalescing, loop guard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from university_stream.handler import BatchFailed, process_event

ROSTER = {
    "pk": "course#101",
    "sk": "student#201",
    "entityType": "student",
    "studentID": "201",
    "expiresAt": 1_830_000_000,
}
ROSTER_2 = {**ROSTER, "sk": "student#202", "studentID": "202"}
SUB = {
    "pk": "assignment#a1011",
    "sk": "student#201",
    "entityType": "submission",
    "studentID": "201",
    "courseID": "101",
    "grade": 90,
}
SUB_2 = {**SUB, "sk": "student#202", "studentID": "202", "grade": 70.5}
ORDER = {"pk": "user#201", "sk": "2025-09-02#order#5002", "entityType": "order", "total": 59.5}


def run(db, table, batch, **kwargs):
    """One handler invocation; returns (response, report)."""
    return process_event({"Records": batch}, db, table, **kwargs)


def test_insert_counts_roster_submissions_orders_and_grades(db, table, records, aggregate):
    response, report = run(
        db,
        table,
        [
            records.insert(ROSTER),
            records.insert(ROSTER_2),
            records.insert(SUB),
            records.insert(SUB_2),
            records.insert(ORDER),
        ],
    )
    assert response == {"batchItemFailures": []}
    assert aggregate("agg#course#101")["enrolledStudents"] == 2
    assert aggregate("agg#course#101")["gradeSum"] == Decimal("160.5")
    assert aggregate("agg#course#101")["gradeCount"] == 2
    assert aggregate("agg#assignment#a1011")["submissions"] == 2
    assert aggregate("agg#student#202")["gradeSum"] == Decimal("70.5")
    assert aggregate("agg#user#201")["orders"] == 1
    assert aggregate("agg#user#201")["entityType"] == "aggregate"
    assert report.applied == 9 and report.failed == []


def test_modify_grade_moves_averages_exactly(db, table, records, aggregate):
    run(db, table, [records.insert(SUB), records.insert(SUB_2)])
    run(db, table, [records.modify(SUB, {**SUB, "grade": Decimal("97.25")})])
    course = aggregate("agg#course#101")
    assert (course["gradeSum"], course["gradeCount"]) == (Decimal("167.75"), 2)  # 97.25 + 70.5
    assert aggregate("agg#student#201")["gradeSum"] == Decimal("97.25")
    assert aggregate("agg#assignment#a1011")["submissions"] == 2  # a MODIFY is not a new submission


def test_grade_added_later_and_ungraded_submission(db, table, records, aggregate):
    ungraded = {k: v for k, v in SUB.items() if k != "grade"}
    run(db, table, [records.insert(ungraded)])
    assert aggregate("agg#assignment#a1011")["submissions"] == 1
    assert aggregate("agg#course#101") is None  # nothing graded yet
    run(db, table, [records.modify(ungraded, SUB)])
    assert (aggregate("agg#course#101")["gradeSum"], aggregate("agg#course#101")["gradeCount"]) == (90, 1)


def test_remove_reverses_the_contribution(db, table, records, aggregate):
    run(db, table, [records.insert(ROSTER), records.insert(ROSTER_2), records.insert(SUB), records.insert(ORDER)])
    run(db, table, [records.remove(ROSTER_2), records.remove(SUB), records.remove(ORDER)])
    course = aggregate("agg#course#101")
    assert course["enrolledStudents"] == 1
    assert (course["gradeSum"], course["gradeCount"]) == (0, 0)
    assert "expiredEnrollments" not in course
    assert aggregate("agg#user#201")["orders"] == 0


def test_ttl_delete_is_recognised(db, table, records, aggregate):
    run(db, table, [records.insert(ROSTER), records.insert(ROSTER_2)])
    run(db, table, [records.remove(ROSTER, ttl=True)])
    course = aggregate("agg#course#101")
    assert course["enrolledStudents"] == 1
    assert course["expiredEnrollments"] == 1


def test_redelivered_batch_leaves_aggregates_unchanged(db, table, records, aggregate):
    regrade = records.modify(SUB, {**SUB, "grade": 80})
    batch = [records.insert(ROSTER), records.insert(SUB), regrade, records.insert(ORDER)]
    run(db, table, batch)
    before = {pk: aggregate(pk) for pk in ("agg#course#101", "agg#student#201", "agg#assignment#a1011", "agg#user#201")}
    writes_before = db.calls["UpdateItem"]
    _, report = run(db, table, batch)
    after = {pk: aggregate(pk) for pk in before}
    assert after == before
    assert db.calls["UpdateItem"] == writes_before  # nothing new: not even a write
    assert report.applied == 0 and report.duplicates > 0


def test_partial_redelivery_from_the_middle_is_exact(db, table, records, aggregate):
    """The mapping retries from the failed record onward: older changes must be skipped, newer applied."""
    first = [records.insert(ROSTER), records.insert(SUB), records.insert(ROSTER_2)]
    run(db, table, first)
    later = [records.insert(SUB_2), records.modify(SUB, {**SUB, "grade": 100})]
    run(db, table, first[1:] + later)  # redelivery starts at record 2 and carries new ones
    course = aggregate("agg#course#101")
    assert course["enrolledStudents"] == 2
    assert (course["gradeSum"], course["gradeCount"]) == (Decimal("170.5"), 2)


def test_poison_record_is_reported_and_the_rest_applied(db, table, records, aggregate):
    poison = records.insert({**SUB_2, "grade": "seventy"})
    batch = [records.insert(ROSTER), poison, records.insert(ROSTER_2), records.insert(SUB)]
    response, _report = run(db, table, batch)
    assert response == {"batchItemFailures": [{"itemIdentifier": poison["dynamodb"]["SequenceNumber"]}]}
    course = aggregate("agg#course#101")
    assert course["enrolledStudents"] == 2
    assert (course["gradeSum"], course["gradeCount"]) == (90, 1)
    assert aggregate("agg#student#202") is None


def test_raise_mode_applies_good_records_then_raises(db, table, records, aggregate):
    poison = records.modify(ROSTER, {"pk": "course#101"})  # MODIFY lost its sort key
    poison["dynamodb"].pop("OldImage")
    with pytest.raises(BatchFailed) as failed:
        run(db, table, [records.insert(ROSTER_2), poison], failure_mode="raise")
    assert failed.value.failed == [poison["dynamodb"]["SequenceNumber"]]
    assert aggregate("agg#course#101")["enrolledStudents"] == 1


def test_one_write_per_aggregate_per_batch(db, table, records):
    students = [{**ROSTER, "sk": f"student#{n}", "studentID": str(n)} for n in range(300, 340)]
    subs = [{**SUB, "sk": f"student#{n}", "studentID": "201", "grade": n % 50 + 50} for n in range(300, 340)]
    batch = [records.insert(s) for s in students] + [records.insert(s) for s in subs]
    _, report = run(db, table, batch)
    # 80 records touch 3 aggregates: course#101 (roster + grades), assignment#a1011, student#201.
    assert dict(db.updates) == {"agg#course#101": 1, "agg#assignment#a1011": 1, "agg#student#201": 1}
    assert report.writes == 3 and report.applied == 40 + 40 * 3
    assert db.calls["BatchGetItem"] == 1


def test_changes_that_cancel_out_still_record_their_marks(db, table, records, aggregate):
    """Insert + delete of one roster entry in a batch nets zero, but a redelivery starting at the
    delete (the mapping retries from a failed record onward) must not apply the delete alone."""
    run(db, table, [records.insert(ROSTER_2)])
    insert, remove = records.insert(ROSTER), records.remove(ROSTER)
    _, report = run(db, table, [insert, remove])
    assert report.writes == 1  # no counter moves, but the marks are written
    assert aggregate("agg#course#101")["enrolledStudents"] == 1
    _, report = run(db, table, [remove])
    assert report.writes == 0 and report.duplicates == 1
    assert aggregate("agg#course#101")["enrolledStudents"] == 1


def test_own_aggregate_records_are_ignored(db, table, records, aggregate):
    """Loop guard: the processor's writes come back on the stream and must not be counted again."""
    run(db, table, [records.insert(ROSTER)])
    own = aggregate("agg#course#101")
    own_record = records.modify({**own, "enrolledStudents": 0}, own)
    _, report = run(db, table, [own_record, records.remove(own)])
    assert report.ignored == 2 and report.writes == 0
    assert aggregate("agg#course#101")["enrolledStudents"] == 1


def test_lost_race_is_retried_on_fresh_state(db, table, records, aggregate, aws):
    """Another shard's invocation updates the same aggregate between our read and our write."""
    run(db, table, [records.insert(ROSTER)])
    other = records.insert(ROSTER_2)

    def concurrent_writer(_request):
        process_event({"Records": [other]}, aws("dynamodb"), table)

    db.before_update = concurrent_writer
    _, report = run(db, table, [records.insert({**ROSTER, "sk": "student#203", "studentID": "203"})])
    assert report.conflicts == 1
    assert aggregate("agg#course#101")["enrolledStudents"] == 3


def test_old_marks_are_pruned_after_the_horizon(db, table, records, aggregate):
    run(db, table, [records.insert(ROSTER)], now=1_000_000)
    run(db, table, [records.insert(ROSTER_2)], now=1_000_000 + 3 * 24 * 3600)
    from university_stream.processor import decode_seq, mark_key

    applied = aggregate("agg#course#101")["applied"]
    assert list(applied) == [str((1_000_000 + 3 * 24 * 3600) // 3600)]  # the old hour bucket is gone
    (marks,) = applied.values()
    assert list(marks) == [mark_key("course#101|student#202")]
    assert decode_seq(marks[mark_key("course#101|student#202")]) > 4_100_000_000_000_000_000_000
    assert aggregate("agg#course#101")["enrolledStudents"] == 2


def test_marks_are_compact():
    from university_stream.processor import decode_seq, encode_seq, mark_key

    for seq in (0, 61, 62, 1100000000017454423009, 10**40 - 1):
        assert decode_seq(encode_seq(seq)) == seq
    assert len(encode_seq(4_421_584_500_000_000_017_450_439_091)) <= 16
    assert len(mark_key("assignment#a1011|student#201")) == 12


def test_kind_rules_are_pure():
    from university_stream.model import contributions, record_deltas

    assert contributions({"pk": "course#101", "sk": "metadata", "entityType": "course"}) == {}
    assert record_deltas({**SUB, "grade": Decimal(90)}, {**SUB, "grade": Decimal(85)}) == (
        {"agg#student#201": {"gradeSum": Decimal(-5)}, "agg#course#101": {"gradeSum": Decimal(-5)}},
        None,
    )
    deltas, problem = record_deltas({**SUB, "grade": Decimal(90)}, {**SUB, "grade": "A+"})
    assert "grade must be a Number" in str(problem)
    assert deltas["agg#assignment#a1011"] == {"submissions": Decimal(-1)}  # the invalid item counts as nothing


def test_invalid_item_is_reported_and_its_fix_applies_exactly(db, table, records, aggregate):
    """Aggregates always equal the sum over valid items: an item turning invalid leaves, its fix returns."""
    run(db, table, [records.insert(SUB), records.insert(SUB_2)])
    broken = records.modify(SUB, {**SUB, "grade": "A+"})
    response, _ = run(db, table, [broken])
    assert response["batchItemFailures"] == [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]
    assert (aggregate("agg#course#101")["gradeSum"], aggregate("agg#course#101")["gradeCount"]) == (Decimal("70.5"), 1)
    assert aggregate("agg#assignment#a1011")["submissions"] == 1
    response, _ = run(db, table, [broken])  # the mapping retries it: still reported, not re-applied
    assert response["batchItemFailures"] and aggregate("agg#assignment#a1011")["submissions"] == 1
    run(db, table, [records.modify({**SUB, "grade": "A+"}, {**SUB, "grade": 85})])
    course = aggregate("agg#course#101")
    assert (course["gradeSum"], course["gradeCount"]) == (Decimal("155.5"), 2)
    assert aggregate("agg#assignment#a1011")["submissions"] == 2

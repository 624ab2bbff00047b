"""University access patterns (seed 004): the four key queries of the single-table design, plus the
aggregates the stream processor maintains.

Key shapes (modules/university/README.md has the full data model):
- course roster entry: pk=course#<courseID>, sk=student#<studentID> (attribute studentID)
- order:               pk=user#<userID>,     sk=<YYYY-MM-DD>#order#<orderID>
- course:              pk=course#<courseID>, sk=metadata (entityType=course, courseDate)
- aggregate:           pk=agg#<kind>#<id>,   sk=summary (written only by the stream processor)

The seed's "user's orders" query (`begins_with(sk, "2025")`) is an orders-of-a-year query: it only
returns orders because nothing else in a user partition has a date-prefixed sort key (profile is
`profile`, sessions are `session#...`). The data model keeps it that way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tablekit.access_patterns import AppConfig, Item, get_item, query, registry, table_name

TABLE = "DYNAMODB_UNIVERSITY"  # modules/university output app_config
STUDENT_INDEX = "studentID-index"  # hash studentID (S), range sk (S)
COURSE_DATE_INDEX = "entityType-courseDate-index"  # hash entityType (S), range courseDate (S, ISO date); sparse
SUMMARY_SK = "summary"
AGGREGATE_KINDS = ("course", "assignment", "student", "user")


def students_in_course(db: Any, config: AppConfig, course_id: str) -> list[Item]:
    """Roster of one course (seed: pk = course#101 AND begins_with(sk, "student#"))."""
    return query(
        db,
        table_name(config, TABLE),
        "#pk = :pk AND begins_with(#sk, :prefix)",
        {"#pk": "pk", "#sk": "sk"},
        {":pk": f"course#{course_id}", ":prefix": "student#"},
    )


def user_orders(
    db: Any, config: AppConfig, user_id: str, date_prefix: str = "2025", newest_first: bool = False
) -> list[Item]:
    """A user's orders whose date starts with `date_prefix`, in date order (seed: begins_with(sk, "2025"))."""
    return query(
        db,
        table_name(config, TABLE),
        "#pk = :pk AND begins_with(#sk, :prefix)",
        {"#pk": "pk", "#sk": "sk"},
        {":pk": f"user#{user_id}", ":prefix": date_prefix},
        newest_first=newest_first,
    )


def student_by_id(db: Any, config: AppConfig, student_id: str) -> list[Item]:
    """Everything carrying studentID (roster entries, submissions, the user profile) via studentID-index."""
    return query(
        db, table_name(config, TABLE), "#sid = :sid", {"#sid": "studentID"}, {":sid": student_id}, index=STUDENT_INDEX
    )


def courses_by_date_range(db: Any, config: AppConfig, start: str = "2025-09-01", end: str = "2025-12-31") -> list[Item]:
    """Courses starting between two ISO dates, inclusive (seed: entityType-courseDate-index BETWEEN)."""
    return query(
        db,
        table_name(config, TABLE),
        "#et = :et AND #cd BETWEEN :start AND :end",
        {"#et": "entityType", "#cd": "courseDate"},
        {":et": "course", ":start": start, ":end": end},
        index=COURSE_DATE_INDEX,
    )


def aggregate_summary(db: Any, config: AppConfig, kind: str, ident: str) -> Item | None:
    """One aggregate item (course/assignment/student/user) with `gradeAverage` derived from sum and count.

    The processor stores gradeSum + gradeCount, never the average itself, so a changed grade moves
    the average exactly; the division happens here, on read. The `applied` idempotency marks are
    bookkeeping and are left out.
    """
    if kind not in AGGREGATE_KINDS:
        raise ValueError(f"unknown aggregate kind {kind!r}: use one of {', '.join(AGGREGATE_KINDS)}")
    item = get_item(db, table_name(config, TABLE), {"pk": f"agg#{kind}#{ident}", "sk": SUMMARY_SK})
    if item is None:
        return None
    item.pop("applied", None)
    count = item.get("gradeCount") or 0
    if count:
        item["gradeAverage"] = float(Decimal(str(item["gradeSum"])) / Decimal(str(count)))
    return item


PATTERNS = registry(students_in_course, user_orders, student_by_id, courses_by_date_range, aggregate_summary)

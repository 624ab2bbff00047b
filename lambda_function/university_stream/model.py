"""Which aggregate counters each base item of the `university` table contributes to.

The rule is one pure function, ``contributions(item)``: the counters an item adds while it exists.
Every stream record then becomes ``contributions(NewImage) - contributions(OldImage)``, so INSERT,
MODIFY (a grade change moves ``gradeSum`` by new - old, a grade added later adds one to
``gradeCount``) and REMOVE (including TTL expiry) share one code path and cannot drift apart.

Averages are stored as ``gradeSum`` + ``gradeCount`` rather than as an average: a sum and a count
can be adjusted exactly by deltas, an average cannot be un-averaged when one grade changes.

Aggregate items live in the same table under their own partition (``pk = "agg#<kind>#<id>"``,
``sk = "summary"``). Their own stream records are ignored (``is_own_item``), which is the loop
guard: the processor's writes never feed back into the processor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, Mapping, Optional, Tuple

AGG_PREFIX = "agg#"
SUMMARY_SK = "summary"
# Key attribute names of the table (modules/university: hash `pk`, range `sk`).
HASH_KEY = "pk"
RANGE_KEY = "sk"
# userIdentity of a delete that DynamoDB's TTL process performed (not an application delete).
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}

ONE = Decimal(1)

Deltas = Dict[str, Decimal]
Contribution = Dict[str, Deltas]  # aggregate pk -> counter name -> delta


class PoisonRecord(ValueError):
    """A record that can never be applied (bad shape or value); retrying it cannot help."""


def aggregate_pk(kind: str, ident: str) -> str:
    """Partition key of one aggregate item, e.g. ``agg#course#101``."""
    return f"{AGG_PREFIX}{kind}#{ident}"


def is_own_item(pk: Any) -> bool:
    """True for the processor's own aggregate items: their stream records are skipped (loop guard)."""
    return isinstance(pk, str) and pk.startswith(AGG_PREFIX)


def is_ttl_delete(record: Mapping[str, Any]) -> bool:
    """A REMOVE that DynamoDB's TTL process made (userIdentity Service/dynamodb.amazonaws.com)."""
    identity = record.get("userIdentity") or {}
    return (
        record.get("eventName") == "REMOVE"
        and identity.get("type") == TTL_IDENTITY["type"]
        and identity.get("principalId") == TTL_IDENTITY["principalId"]
    )


def _id_after(item: Mapping[str, Any], attribute: str, prefix: str) -> str:
    value = item.get(attribute)
    if not isinstance(value, str) or not value.startswith(prefix) or len(value) == len(prefix):
        raise PoisonRecord(f"{item.get('entityType')} item: {attribute} must look like '{prefix}<id>', got {value!r}")
    return value[len(prefix) :]


def _text(item: Mapping[str, Any], attribute: str) -> str:
    value = item.get(attribute)
    if not isinstance(value, str) or not value:
        raise PoisonRecord(
            f"{item.get('entityType')} item {item.get(HASH_KEY)!r}: {attribute} must be a "
            f"non-empty string, got {value!r}"
        )
    return value


def _grade(item: Mapping[str, Any]) -> Optional[Decimal]:
    """The submission's grade, None while ungraded; anything but a finite Number >= 0 is poison."""
    grade = item.get("grade")
    if grade is None:
        return None
    if isinstance(grade, bool) or not isinstance(grade, Decimal) or not grade.is_finite() or grade < 0:
        raise PoisonRecord(
            f"submission {item.get(HASH_KEY)!r}/{item.get(RANGE_KEY)!r}: grade must be a Number >= 0, got {grade!r}"
        )
    return grade


def contributions(item: Optional[Mapping[str, Any]]) -> Contribution:
    """Counters an item adds to aggregates while it exists; {} for kinds nothing aggregates."""
    if not item:
        return {}
    kind = item.get("entityType")
    if kind == "student":
        # A course roster entry: pk=course#<courseID>, sk=student#<studentID>.
        course = _id_after(item, HASH_KEY, "course#")
        return {aggregate_pk("course", course): {"enrolledStudents": ONE}}
    if kind == "submission":
        # pk=assignment#<assignmentID>, sk=student#<studentID>; grade optional until marked.
        assignment = _id_after(item, HASH_KEY, "assignment#")
        out: Contribution = {aggregate_pk("assignment", assignment): {"submissions": ONE}}
        grade = _grade(item)
        if grade is not None:
            student, course = _text(item, "studentID"), _text(item, "courseID")
            out[aggregate_pk("student", student)] = {"gradeSum": grade, "gradeCount": ONE}
            out[aggregate_pk("course", course)] = {"gradeSum": grade, "gradeCount": ONE}
        return out
    if kind == "order":
        # pk=user#<userID>, sk=<ISO date>#order#<orderID>.
        user = _id_after(item, HASH_KEY, "user#")
        return {aggregate_pk("user", user): {"orders": ONE}}
    return {}


def _add(target: Contribution, source: Contribution, sign: int) -> None:
    for agg, deltas in source.items():
        bucket = target.setdefault(agg, {})
        for counter, value in deltas.items():
            bucket[counter] = bucket.get(counter, Decimal(0)) + sign * value


def checked_contributions(item: Optional[Mapping[str, Any]]) -> Tuple[Contribution, Optional[PoisonRecord]]:
    """contributions(item), or ({}, the problem) for an invalid item: invalid items count as nothing."""
    try:
        return contributions(item), None
    except PoisonRecord as problem:
        return {}, problem


def record_deltas(
    old: Optional[Mapping[str, Any]], new: Optional[Mapping[str, Any]], expired: bool = False
) -> Tuple[Contribution, Optional[PoisonRecord]]:
    """(net counter changes of one stream record, problem of its new image or None).

    Invalid images contribute nothing, on either side. So the aggregates always equal the sum
    over the valid items: an item that turns invalid (grade "A+") has its old contribution taken
    out, and the fix that follows (old image invalid, new valid) adds exactly the new one. The
    caller still reports a record whose new image is invalid, so it ends in the DLQ.
    ``expired`` (a TTL delete) additionally counts ``expiredEnrollments`` on the course, so the
    aggregate shows how many roster entries left by expiry rather than by an explicit delete.
    Zero deltas and empty aggregates are dropped.
    """
    gained, problem = checked_contributions(new)
    lost, old_problem = checked_contributions(old)
    result: Contribution = {}
    _add(result, gained, +1)
    _add(result, lost, -1)
    if expired and old_problem is None and old and old.get("entityType") == "student":
        _add(result, {aggregate_pk("course", _id_after(old, HASH_KEY, "course#")): {"expiredEnrollments": ONE}}, +1)
    deltas = {
        agg: {c: v for c, v in counters.items() if v != 0}
        for agg, counters in result.items()
        if any(v != 0 for v in counters.values())
    }
    return deltas, problem

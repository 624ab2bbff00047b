"""Every access pattern of tablekit.access_patterns on both engines, against the seeded estate.

For each pattern there is at least one call that finds data. On each engine: the call succeeds,
every base item it returns is exactly the seed row it came from (the files are the oracle, not
the other engine), and the two engines return the same items.

Found here (docs/engines.md, "moto and DynamoDB Local"): among items with the same index sort key, or on a
GSI without one, the engines return different orders. DynamoDB leaves that order undefined, so
the comparison is of the items, and no pattern or test may rely on it.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from conformance_support import ENGINES, PREFIX, Estate

from tablekit.access_patterns import aitutor, bandup, from_dynamo, ielts, university
from tablekit.paths import SEED_DATA
from tablekit.seed.files import discover, read_rows
from tablekit.seed.selection import load_selection
from tablekit.seed.validate import validate

pytestmark = [pytest.mark.apply, pytest.mark.slow]

FAMILIES = {"bandup": bandup, "ielts": ielts, "aitutor": aitutor, "university": university}

# Seed values the calls use (the same ones tests/families use).
NOW = 1733702400
ALICE, BILAL, CARMEN = "alice.nguyen@example.com", "bilal.khan@example.com", "carmen.diaz@example.com"
JOHN = "03be9731-9870-5b73-a19d-1c48b4770750"
MARIA = "b525e987-f052-515b-a859-82e8151097f1"
ADA = "e3b95b2f-33a8-5e6c-97e4-896a07b7d65d"
EDUCATOR_ADA = "65cbcaba-3bac-5ff7-bd71-86b126f650b2"
STUDENT_JOHN = "61fdbd57-8963-5873-bb9a-662c8e6d33e3"
CAMPUS_MAIN = "80b967b8-90fa-5434-b0c8-1fa54d73c874"
FACULTY_ENGINEERING = "d3d42b5f-0f6c-59bf-8c3a-03efe793b57b"
DEPARTMENT_CS = "1a03e787-ea3a-5778-b268-b566598e6f79"
COURSE_CS = "19d0d077-f591-56d3-a7fd-69b62a2a511a"
MODULE_CS201 = "0779e519-587f-57f0-8e82-2d9c070f5787"
FILE_NOTES = "35afc50a-4bb2-5fbe-bf72-8d47ed9bfeae"
CHAT_JOHN = "464bebe0-1277-5558-adff-662db18cf653"

# (family, pattern, args, kwargs): at least one call per pattern returns data.
CALLS: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("bandup", "user_evaluation_history", ("user-456",), {}),
    ("bandup", "user_evaluation_history", ("user-456",), {"limit": 2}),
    ("bandup", "get_evaluation", ("eval-abc123", "user-456"), {}),
    ("bandup", "user_flashcard_sets", ("user-456",), {}),
    ("bandup", "user_flashcard_sets", ("user-456",), {"status": "processing"}),
    ("bandup", "get_flashcard_set", ("flashcard-set-123", "user-456"), {}),
    ("ielts", "get_user", (ALICE,), {}),
    ("ielts", "get_session", ("sess_9f1c6b2a7d3e4f5a8b9c0d1e2f3a4b5c",), {"now": NOW}),
    ("ielts", "active_user_sessions", (ALICE,), {"now": NOW}),
    ("ielts", "get_valid_qr_token", ("6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",), {"now": NOW}),
    ("ielts", "get_valid_auth_token", ("vt_4f2b9c1e7a3d4e8fb5c6d7e8f9a0b1c2",), {"now": NOW - 3600}),
    ("ielts", "get_valid_reset_token", ("rt_7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29",), {"now": NOW}),
    ("ielts", "entitlement_by_transaction", ("GPA.3345-1289-5567-01234",), {}),
    ("ielts", "check_entitlement", (ALICE, "speaking"), {"now": NOW}),
    ("ielts", "active_entitlements", (ALICE,), {"now": NOW}),
    ("ielts", "fetch_questions", ("speaking_part2",), {}),
    ("ielts", "get_question", ("sp2-001", "speaking_part2"), {}),
    ("ielts", "fetch_rubric", ("speaking-fluency",), {}),
    ("ielts", "get_assessment", ("asmt-01JEX8P2M4D7", ALICE), {}),
    ("ielts", "user_assessments", (ALICE,), {}),
    ("ielts", "assessments_by_type", ("speaking_academic",), {}),
    ("ielts", "assessments_by_type", ("speaking_academic",), {"since": 1733400000}),
    ("ielts", "urgent_tickets", (), {}),
    ("ielts", "tickets_by_status", ("new",), {}),
    ("ielts", "user_tickets", (ALICE,), {}),
    ("ielts", "pending_devops_actions", (), {}),
    ("ielts", "devops_actions_for_ticket", ("TKT-20241208-0001",), {}),
    ("ielts", "service_issues", ("lambda",), {}),
    ("ielts", "published_tests", ("reading",), {}),
    ("ielts", "published_tests", ("full",), {}),
    ("ielts", "get_test", ("full", "FT-AC-001"), {}),
    ("ielts", "questions_for_test", ("listening", "LT-001"), {}),
    ("ielts", "answer_key_for_test", ("reading", "RT-GT-001"), {}),
    ("ielts", "user_test_progress", (ALICE,), {"now": NOW}),
    ("ielts", "user_test_results", (ALICE,), {}),
    ("aitutor", "get_user", (JOHN,), {}),
    ("aitutor", "user_by_email", ("grace.hopper@university.edu",), {}),
    ("aitutor", "get_educator", (EDUCATOR_ADA,), {}),
    ("aitutor", "educator_by_user", (ADA,), {}),
    ("aitutor", "get_student", (STUDENT_JOHN,), {}),
    ("aitutor", "student_by_user", (JOHN,), {}),
    ("aitutor", "get_campus", (CAMPUS_MAIN,), {}),
    ("aitutor", "get_faculty", (FACULTY_ENGINEERING,), {}),
    ("aitutor", "get_department", (DEPARTMENT_CS,), {}),
    ("aitutor", "get_course", (COURSE_CS,), {}),
    ("aitutor", "courses_by_department", (DEPARTMENT_CS,), {}),
    ("aitutor", "get_module", (MODULE_CS201,), {}),
    ("aitutor", "modules_by_course", (COURSE_CS,), {}),
    ("aitutor", "get_file", (FILE_NOTES,), {}),
    ("aitutor", "files_by_module", (MODULE_CS201,), {}),
    ("aitutor", "uploads_by_user", (ADA,), {}),
    ("aitutor", "get_chat_session", (CHAT_JOHN,), {}),
    ("aitutor", "chat_sessions_by_user", (MARIA,), {}),
    ("aitutor", "chat_messages", (CHAT_JOHN,), {}),
    ("aitutor", "audit_logs_for_user", (ADA,), {}),
    ("aitutor", "audit_logs_for_user", (ADA,), {"limit": 1}),
    ("university", "students_in_course", ("101",), {}),
    ("university", "user_orders", ("201",), {}),
    ("university", "user_orders", ("201",), {"newest_first": True}),
    ("university", "student_by_id", ("201",), {}),
    ("university", "courses_by_date_range", ("2025-09-01", "2025-12-31"), {}),
    ("university", "aggregate_summary", ("course", "101"), {}),
]
IDS = [f"{family}.{name}{'+' + ','.join(kwargs) if kwargs else ''}" for family, name, _, kwargs in CALLS]


class ReadOnly:
    """The client a pattern gets: Query and GetItem only, as tests/families enforces on the wire."""

    def __init__(self, client: Any):
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in ("query", "get_item"):
            raise AssertionError(f"an access pattern may only Query or GetItem, not {name}")
        return getattr(self._client, name)  # type: ignore[no-any-return]


def _run(estate: Estate, family: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    pattern = FAMILIES[family].PATTERNS[name]
    return pattern(ReadOnly(estate.engine.clients.dynamodb()), estate.app_config, *args, **kwargs)


@pytest.fixture(scope="module")
def seed_rows(estate: Estate) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Real table name -> key -> the seed row as an access pattern returns it (the oracle)."""
    selection = load_selection(SEED_DATA)
    found, _ = discover(SEED_DATA, selection.sets_for("local"), selection.set_names)
    files = [(seed_file, read_rows(seed_file.path)[0]) for seed_file in found]
    plans = validate(estate.tables, files, env="local", name_prefix=PREFIX).tables
    return {name: {key: from_dynamo(item) for key, item in plan.items.items()} for name, plan in plans.items()}


def test_every_pattern_has_a_call() -> None:
    called = {(family, name) for family, name, _, _ in CALLS}
    every = {(family, name) for family, module in FAMILIES.items() for name in module.PATTERNS}
    assert every - called == set()


def _items(result: Any) -> list[dict[str, Any]]:
    return [] if result is None else [result] if isinstance(result, dict) else list(result)


@pytest.mark.parametrize(("family", "name", "args", "kwargs"), CALLS, ids=IDS)
def test_pattern_returns_the_seed_rows(
    estate: Estate,
    seed_rows: dict[str, dict[tuple[Any, ...], dict[str, Any]]],
    family: str,
    name: str,
    args: Any,
    kwargs: Any,
) -> None:
    items = _items(_run(estate, family, name, args, kwargs))
    assert items, f"{family}.{name}{args} found nothing on {estate.engine.name}"
    every_row = [row for rows in seed_rows.values() for row in rows.values()]
    for item in items:
        if name == "aggregate_summary":
            continue  # derived by the stream processor, checked in test_seed_and_stream
        assert item in every_row, f"{family}.{name} returned an item no seed file holds: {item}"


def _canonical(result: Any) -> list[str]:
    """The items of a result, order-free; `updatedAt` of an aggregate is the time it was processed."""
    return sorted(
        json.dumps({k: v for k, v in item.items() if k != "updatedAt"}, sort_keys=True, default=str)
        for item in _items(result)
    )


@pytest.mark.parametrize(("family", "name", "args", "kwargs"), CALLS, ids=IDS)
def test_engines_agree(estates: Callable[[str], Estate], family: str, name: str, args: Any, kwargs: Any) -> None:
    """moto and DynamoDB Local return the same items (see the module docstring for their order)."""
    moto, local = (_run(estates(engine), family, name, args, kwargs) for engine in ENGINES)
    assert _canonical(moto) == _canonical(local)

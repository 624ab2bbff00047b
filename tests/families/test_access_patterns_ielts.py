"""IELTS GenAI Prep access patterns (seeds 001 and 003) against the applied local env with seed data.

The demo data is a snapshot as of NOW (2024-12-09T00:00:00Z); patterns that judge expiry get it
explicitly, so the results do not depend on the day the suite runs.
"""

from __future__ import annotations

import pytest
from families_support import require_seed_rows

from tablekit.access_patterns import ielts

pytestmark = pytest.mark.apply

NOW = 1733702400
ALICE, BILAL, CARMEN = "alice.nguyen@example.com", "bilal.khan@example.com", "carmen.diaz@example.com"


@pytest.fixture(scope="module")
def config(local_env) -> dict[str, str]:
    """app_config of the local env, once a known seed row proves the seed data is loaded."""
    return require_seed_rows(local_env, "RUBRICS_TABLE", {"rubric_id": "speaking-fluency"})


def test_every_pattern_is_tested() -> None:
    assert {f"test_{name}" for name in ielts.PATTERNS} <= set(globals())


# --- users, sessions, tokens -----------------------------------------------------------------------


def test_get_user(read_only_db, config) -> None:
    """Registration: an existing email is found (duplicate), a new one is not; login reads the hash."""
    user = ielts.get_user(read_only_db, config, ALICE)
    assert user is not None and user["password_hash"].startswith("$2b$12$")
    assert user["email_verified"] is True
    assert ielts.get_user(read_only_db, config, "new.user@example.com") is None


def test_get_session(read_only_db, config) -> None:
    assert ielts.get_session(read_only_db, config, "sess_9f1c6b2a7d3e4f5a8b9c0d1e2f3a4b5c", now=NOW) is not None
    # Expired but not yet swept by TTL: present in the table, rejected by the pattern.
    assert ielts.get_session(read_only_db, config, "sess_5c3a1e8f6b2d4a9c7e0f1b2c3d4e5f6a", now=NOW) is None


def test_active_user_sessions(read_only_db, config) -> None:
    sessions = ielts.active_user_sessions(read_only_db, config, ALICE, now=NOW)
    assert [s["session_id"] for s in sessions] == [
        "sess_9f1c6b2a7d3e4f5a8b9c0d1e2f3a4b5c",
        "sess_2b7e4d9c1a6f4e3b8c5d0a9f8e7d6c5b",
    ]
    assert sessions[1]["qr_authenticated"] is True
    assert len(ielts.active_user_sessions(read_only_db, config, BILAL, now=NOW)) == 1


def test_get_valid_qr_token(read_only_db, config) -> None:
    assert ielts.get_valid_qr_token(read_only_db, config, "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", now=NOW)
    assert ielts.get_valid_qr_token(read_only_db, config, "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b", now=NOW + 301) is None
    assert ielts.get_valid_qr_token(read_only_db, config, "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", now=NOW) is None


def test_get_valid_auth_token(read_only_db, config) -> None:
    token = ielts.get_valid_auth_token(read_only_db, config, "vt_4f2b9c1e7a3d4e8fb5c6d7e8f9a0b1c2", now=NOW - 3600)
    assert token is not None and token["user_email"] == CARMEN
    assert ielts.get_valid_auth_token(read_only_db, config, "vt_a1b2c3d4e5f60718293a4b5c6d7e8f90", now=NOW) is None


def test_get_valid_reset_token(read_only_db, config) -> None:
    fresh = "rt_7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29"
    token = ielts.get_valid_reset_token(read_only_db, config, fresh, now=NOW)
    assert token is not None and token["user_email"] == BILAL
    assert ielts.get_valid_reset_token(read_only_db, config, fresh, now=NOW + 3600) is None  # one hour later


# --- purchases and entitlements --------------------------------------------------------------------


def test_entitlement_by_transaction(read_only_db, config) -> None:
    """Duplicate-transaction check (workflow 2, step 2) through transaction_id-index."""
    found = ielts.entitlement_by_transaction(read_only_db, config, "1000000912345678")
    assert found is not None and (found["user_email"], found["product_id"]) == (ALICE, "speaking")
    assert ielts.entitlement_by_transaction(read_only_db, config, "GPA.3345-1289-5567-01234")["user_email"] == BILAL
    assert ielts.entitlement_by_transaction(read_only_db, config, "1000000999999999") is None


def test_check_entitlement(read_only_db, config) -> None:
    assert ielts.check_entitlement(read_only_db, config, ALICE, "speaking", now=NOW) is not None
    assert ielts.check_entitlement(read_only_db, config, ALICE, "writing", now=NOW) is None  # expired
    assert ielts.check_entitlement(read_only_db, config, BILAL, "writing", now=NOW) is None  # refunded
    assert ielts.check_entitlement(read_only_db, config, CARMEN, "speaking", now=NOW) is None


def test_active_entitlements(read_only_db, config) -> None:
    """user_email-expires_at-index: needs expires_at as a typed (N) key to range over it."""
    assert [e["product_id"] for e in ielts.active_entitlements(read_only_db, config, ALICE, now=NOW)] == ["speaking"]
    assert [e["product_id"] for e in ielts.active_entitlements(read_only_db, config, BILAL, now=NOW)] == [
        "full_mock_test"
    ]


# --- assessments -----------------------------------------------------------------------------------


def test_fetch_questions(read_only_db, config) -> None:
    part2 = ielts.fetch_questions(read_only_db, config, "speaking_part2")
    assert [q["question_id"] for q in part2] == ["sp2-001", "sp2-002", "sp2-003"]
    assert part2[0]["question_text"] == "Describe a person who has influenced you..."
    assert len(ielts.fetch_questions(read_only_db, config, "writing_task2")) == 2


def test_get_question(read_only_db, config) -> None:
    """The seed's Speaking Part 2 example, verbatim plus its sort key."""
    assert ielts.get_question(read_only_db, config, "sp2-001", "speaking_part2") == {
        "question_id": "sp2-001",
        "assessment_type": "speaking_part2",
        "question_text": "Describe a person who has influenced you...",
        "topic": "people",
        "difficulty": "medium",
        "estimated_time": 2,
    }


def test_fetch_rubric(read_only_db, config) -> None:
    assert config["RUBRICS_TABLE"] == "ielts-genai-prep-rubrics"
    rubric = ielts.fetch_rubric(read_only_db, config, "speaking-fluency")
    assert rubric is not None and rubric["criterion"] == "fluency_coherence"
    assert rubric["band_descriptors"]["7"] == "Speaks at length without noticeable effort..."
    assert ielts.fetch_rubric(read_only_db, config, "writing-task-achievement")["skill_type"] == "writing"


def test_get_assessment(read_only_db, config) -> None:
    item = ielts.get_assessment(read_only_db, config, "asmt-01JEX8P2M4D7", ALICE)
    assert item is not None and item["scores"]["writing"]["coherence_cohesion"] == 7.5


def test_user_assessments(read_only_db, config) -> None:
    """Seed 001 query 1 / workflow 5: the user's history, newest first."""
    history = ielts.user_assessments(read_only_db, config, ALICE)
    assert [a["assessment_id"] for a in history] == ["asmt-01JF2R6T8V1B", "asmt-01JEX8P2M4D7", "asmt-01JEQ4K7Z9C2"]


def test_assessments_by_type(read_only_db, config) -> None:
    speaking = ielts.assessments_by_type(read_only_db, config, "speaking_academic")
    assert {a["user_id"] for a in speaking} == {ALICE, BILAL}
    recent = ielts.assessments_by_type(read_only_db, config, "speaking_academic", since=1733400000)
    assert [a["assessment_id"] for a in recent] == ["asmt-01JF2R6T8V1B", "asmt-01JF0A2C4E6G"]


# --- support and DevOps agents ---------------------------------------------------------------------


def test_urgent_tickets(read_only_db, config) -> None:
    """Seed 001 query 2."""
    urgent = ielts.urgent_tickets(read_only_db, config)
    assert [t["ticket_id"] for t in urgent] == ["TKT-20241208-0002", "TKT-20241208-0001"]


def test_tickets_by_status(read_only_db, config) -> None:
    assert [t["ticket_id"] for t in ielts.tickets_by_status(read_only_db, config, "new")] == [
        "TKT-20241208-0005",
        "TKT-20241208-0002",
    ]
    assert len(ielts.tickets_by_status(read_only_db, config, "escalated")) == 1


def test_user_tickets(read_only_db, config) -> None:
    assert [t["ticket_id"] for t in ielts.user_tickets(read_only_db, config, ALICE)] == [
        "TKT-20241208-0001",
        "TKT-20241202-0004",
    ]


def test_pending_devops_actions(read_only_db, config) -> None:
    """Seed 001 query 3 (with `status` behind a placeholder: it is a reserved word)."""
    pending = ielts.pending_devops_actions(read_only_db, config)
    assert [a["action_id"] for a in pending] == ["ACT-20241208-0002", "ACT-20241208-0003"]
    assert all(a["status"] == "pending_review" for a in pending)


def test_devops_actions_for_ticket(read_only_db, config) -> None:
    actions = ielts.devops_actions_for_ticket(read_only_db, config, "TKT-20241208-0001")
    assert [a["action_type"] for a in actions] == ["diagnose", "fix_proposed"]


def test_service_issues(read_only_db, config) -> None:
    assert [a["action_id"] for a in ielts.service_issues(read_only_db, config, "lambda")] == [
        "ACT-20241208-0002",
        "ACT-20241208-0001",
    ]


# --- reading / listening / mock tests --------------------------------------------------------------


def test_published_tests(read_only_db, config) -> None:
    assert [t["test_id"] for t in ielts.published_tests(read_only_db, config, "reading")] == ["RT-GT-001", "RT-AC-001"]
    assert len(ielts.published_tests(read_only_db, config, "listening")) == 2
    assert {t["test_id"] for t in ielts.published_tests(read_only_db, config, "full")} == {"FT-AC-001", "FT-GT-001"}


def test_get_test(read_only_db, config) -> None:
    full = ielts.get_test(read_only_db, config, "full", "FT-AC-001")
    assert full is not None and (full["listening_test_id"], full["reading_test_id"]) == ("LT-001", "RT-AC-001")


def test_questions_for_test(read_only_db, config) -> None:
    questions = ielts.questions_for_test(read_only_db, config, "reading", "RT-AC-001")
    assert [q["question_number"] for q in questions] == [1, 2, 3, 4]
    assert all("answer" not in q for q in questions)
    assert len(ielts.questions_for_test(read_only_db, config, "listening", "LT-001")) == 4


def test_answer_key_for_test(read_only_db, config) -> None:
    key = ielts.answer_key_for_test(read_only_db, config, "listening", "LT-001")
    assert [a["answer"] for a in key] == ["Harrington", "3 March", "B", "D"]
    assert len(ielts.answer_key_for_test(read_only_db, config, "reading", "RT-GT-001")) == 3


def test_user_test_progress(read_only_db, config) -> None:
    progress = ielts.user_test_progress(read_only_db, config, ALICE, now=NOW)
    assert [p["test_id"] for p in progress] == ["RT-AC-001"]  # the abandoned LT-002 record has expired


def test_user_test_results(read_only_db, config) -> None:
    results = ielts.user_test_results(read_only_db, config, ALICE)
    assert [r["test_id"] for r in results] == ["LT-001", "RT-GT-001"]

"""IELTS GenAI Prep access patterns: seed 001's common queries and the reads of seed 003's workflows.

Table names come from `app_config` (modules/ielts-genai-prep: `<LOGICAL_KEY>_TABLE`, e.g.
USERS_TABLE, SESSIONS_TABLE, RUBRICS_TABLE). Every timestamp is Unix epoch seconds (Number).

Patterns that read TTL tables take `now` and drop expired items: DynamoDB deletes expired items
only eventually (typically within 48 hours), so "present" does not mean "valid".
"""

from __future__ import annotations

import time
from typing import Any, Literal

from tablekit.access_patterns import AppConfig, Item, get_item, query, registry, table_name

USERS = "USERS_TABLE"
SESSIONS = "SESSIONS_TABLE"
QR_TOKENS = "QR_TOKENS_TABLE"
AUTH_TOKENS = "AUTH_TOKENS_TABLE"
RESET_TOKENS = "RESET_TOKENS_TABLE"
ENTITLEMENTS = "ENTITLEMENTS_TABLE"
QUESTIONS = "QUESTIONS_TABLE"
RUBRICS = "RUBRICS_TABLE"
ASSESSMENTS = "ASSESSMENTS_TABLE"
SUPPORT_TICKETS = "SUPPORT_TICKETS_TABLE"
DEVOPS_ACTIONS = "DEVOPS_ACTIONS_TABLE"
TEST_PROGRESS = "TEST_PROGRESS_TABLE"
TEST_RESULTS = "TEST_RESULTS_TABLE"

TestKind = Literal["reading", "listening", "full"]
_TEST_TABLES = {"reading": "READING_TESTS_TABLE", "listening": "LISTENING_TESTS_TABLE", "full": "FULL_TESTS_TABLE"}
_QUESTION_TABLES = {"reading": "READING_QUESTIONS_TABLE", "listening": "LISTENING_QUESTIONS_TABLE"}
_ANSWER_TABLES = {"reading": "READING_ANSWERS_TABLE", "listening": "LISTENING_ANSWERS_TABLE"}


def _now(now: int | None) -> int:
    return int(time.time()) if now is None else now


# --- users, sessions, tokens (workflows 1 and 3, QR login) -------------------------------------------


def get_user(db: Any, config: AppConfig, email: str) -> Item | None:
    """A user by email: registration checks it is absent, login verifies the password hash."""
    return get_item(db, table_name(config, USERS), {"email": email})


def get_session(db: Any, config: AppConfig, session_id: str, now: int | None = None) -> Item | None:
    """The session behind a cookie/bearer id, or None once expired (workflows 4 and 5, step 1)."""
    item = get_item(db, table_name(config, SESSIONS), {"session_id": session_id})
    return item if item and item["expires_at"] > _now(now) else None


def active_user_sessions(db: Any, config: AppConfig, user_email: str, now: int | None = None) -> list[Item]:
    """A user's unexpired sessions, newest first (GSI user_email-created_at-index)."""
    return query(
        db,
        table_name(config, SESSIONS),
        "#e = :e",
        {"#e": "user_email", "#x": "expires_at"},
        {":e": user_email, ":now": _now(now)},
        index="user_email-created_at-index",
        filter_expression="#x > :now",
        newest_first=True,
    )


def _valid_token(db: Any, table: str, token: str, now: int | None) -> Item | None:
    item = get_item(db, table, {"token": token})
    if not item or item["expires_at"] <= _now(now) or item.get("used", False):
        return None
    return item


def get_valid_qr_token(db: Any, config: AppConfig, token: str, now: int | None = None) -> Item | None:
    """A QR login token that is unexpired (5-minute TTL) and not yet used (one-time use)."""
    return _valid_token(db, table_name(config, QR_TOKENS), token, now)


def get_valid_auth_token(db: Any, config: AppConfig, token: str, now: int | None = None) -> Item | None:
    """An email-verification token from the link a user clicked, if unexpired and unused."""
    return _valid_token(db, table_name(config, AUTH_TOKENS), token, now)


def get_valid_reset_token(db: Any, config: AppConfig, token: str, now: int | None = None) -> Item | None:
    """A password-reset token from the link a user clicked, if unexpired (1 hour) and unused."""
    return _valid_token(db, table_name(config, RESET_TOKENS), token, now)


# --- purchases and entitlements (workflows 2 and 4) ----------------------------------------------------


def entitlement_by_transaction(db: Any, config: AppConfig, transaction_id: str) -> Item | None:
    """Duplicate-transaction check: the entitlement already granted for a store transaction, if any."""
    found = query(
        db,
        table_name(config, ENTITLEMENTS),
        "#t = :t",
        {"#t": "transaction_id"},
        {":t": transaction_id},
        index="transaction_id-index",
        limit=1,
    )
    return found[0] if found else None


def check_entitlement(
    db: Any, config: AppConfig, user_email: str, product_id: str, now: int | None = None
) -> Item | None:
    """The user's entitlement to one product if it is active and unexpired (workflow 4, step 2)."""
    item = get_item(db, table_name(config, ENTITLEMENTS), {"user_email": user_email, "product_id": product_id})
    if not item or item.get("status") != "active" or item["expires_at"] <= _now(now):
        return None
    return item


def active_entitlements(db: Any, config: AppConfig, user_email: str, now: int | None = None) -> list[Item]:
    """Every active entitlement of a user, soonest expiry first (GSI user_email-expires_at-index)."""
    return query(
        db,
        table_name(config, ENTITLEMENTS),
        "#e = :e AND #x > :now",
        {"#e": "user_email", "#x": "expires_at", "#s": "status"},
        {":e": user_email, ":now": _now(now), ":active": "active"},
        index="user_email-expires_at-index",
        filter_expression="#s = :active",
    )


# --- assessments (workflows 4 and 5, seed 001 query 1) -------------------------------------------------


def fetch_questions(db: Any, config: AppConfig, assessment_type: str) -> list[Item]:
    """The question bank of one type (e.g. speaking_part2), by id (GSI assessment_type-question_id-index)."""
    return query(
        db,
        table_name(config, QUESTIONS),
        "#t = :t",
        {"#t": "assessment_type"},
        {":t": assessment_type},
        index="assessment_type-question_id-index",
    )


def get_question(db: Any, config: AppConfig, question_id: str, assessment_type: str) -> Item | None:
    """One question by its full key (question_id + assessment_type)."""
    return get_item(db, table_name(config, QUESTIONS), {"question_id": question_id, "assessment_type": assessment_type})


def fetch_rubric(db: Any, config: AppConfig, rubric_id: str) -> Item | None:
    """One scoring rubric (RUBRICS_TABLE: the rubrics table under the name AWS really has, see 003)."""
    return get_item(db, table_name(config, RUBRICS), {"rubric_id": rubric_id})


def get_assessment(db: Any, config: AppConfig, assessment_id: str, user_id: str) -> Item | None:
    """One assessment by its full key (assessment_id + user_id = email), for the score report."""
    return get_item(db, table_name(config, ASSESSMENTS), {"assessment_id": assessment_id, "user_id": user_id})


def user_assessments(db: Any, config: AppConfig, user_id: str) -> list[Item]:
    """A user's assessment history, newest first (GSI user_id-created_at-index; user_id is the email)."""
    return query(
        db,
        table_name(config, ASSESSMENTS),
        "#u = :u",
        {"#u": "user_id"},
        {":u": user_id},
        index="user_id-created_at-index",
        newest_first=True,
    )


def assessments_by_type(db: Any, config: AppConfig, assessment_type: str, since: int = 0) -> list[Item]:
    """Assessments of one type created at or after `since`, newest first (assessment_type-created_at-index)."""
    return query(
        db,
        table_name(config, ASSESSMENTS),
        "#t = :t AND #c >= :since",
        {"#t": "assessment_type", "#c": "created_at"},
        {":t": assessment_type, ":since": since},
        index="assessment_type-created_at-index",
        newest_first=True,
    )


# --- AI support and DevOps agents (workflow 6, seed 001 queries 2 and 3) -------------------------------


def urgent_tickets(db: Any, config: AppConfig) -> list[Item]:
    """Support tickets with priority urgent, newest first (GSI priority-created_at-index)."""
    return query(
        db,
        table_name(config, SUPPORT_TICKETS),
        "#p = :p",
        {"#p": "priority"},
        {":p": "urgent"},
        index="priority-created_at-index",
        newest_first=True,
    )


def tickets_by_status(db: Any, config: AppConfig, status: str) -> list[Item]:
    """Support tickets in one status (new, in_progress, resolved, escalated), newest first."""
    return query(
        db,
        table_name(config, SUPPORT_TICKETS),
        "#s = :s",
        {"#s": "status"},
        {":s": status},
        index="status-created_at-index",
        newest_first=True,
    )


def user_tickets(db: Any, config: AppConfig, user_email: str) -> list[Item]:
    """A customer's ticket history, newest first (GSI user_email-created_at-index)."""
    return query(
        db,
        table_name(config, SUPPORT_TICKETS),
        "#e = :e",
        {"#e": "user_email"},
        {":e": user_email},
        index="user_email-created_at-index",
        newest_first=True,
    )


def pending_devops_actions(db: Any, config: AppConfig) -> list[Item]:
    """DevOps actions awaiting human review, oldest first (GSI status-timestamp-index)."""
    return query(
        db,
        table_name(config, DEVOPS_ACTIONS),
        "#s = :s",
        {"#s": "status"},
        {":s": "pending_review"},
        index="status-timestamp-index",
    )


def devops_actions_for_ticket(db: Any, config: AppConfig, ticket_id: str) -> list[Item]:
    """Every DevOps action a support ticket caused, in order (GSI ticket_id-timestamp-index)."""
    return query(
        db,
        table_name(config, DEVOPS_ACTIONS),
        "#t = :t",
        {"#t": "ticket_id"},
        {":t": ticket_id},
        index="ticket_id-timestamp-index",
    )


def service_issues(db: Any, config: AppConfig, affected_service: str) -> list[Item]:
    """DevOps actions about one service (lambda, dynamodb, gemini...), newest first."""
    return query(
        db,
        table_name(config, DEVOPS_ACTIONS),
        "#a = :a",
        {"#a": "affected_service"},
        {":a": affected_service},
        index="affected_service-timestamp-index",
        newest_first=True,
    )


# --- reading / listening / full mock tests (tables found by the audit, 003) ----------------------------


def published_tests(db: Any, config: AppConfig, kind: TestKind) -> list[Item]:
    """Tests a user can start (status published), newest first (GSI status-created_at-index)."""
    return query(
        db,
        table_name(config, _TEST_TABLES[kind]),
        "#s = :s",
        {"#s": "status"},
        {":s": "published"},
        index="status-created_at-index",
        newest_first=True,
    )


def get_test(db: Any, config: AppConfig, kind: TestKind, test_id: str) -> Item | None:
    """One reading, listening or full mock test's metadata."""
    return get_item(db, table_name(config, _TEST_TABLES[kind]), {"test_id": test_id})


def questions_for_test(db: Any, config: AppConfig, kind: Literal["reading", "listening"], test_id: str) -> list[Item]:
    """A test's questions in paper order (sort key question_id is zero-padded)."""
    return query(db, table_name(config, _QUESTION_TABLES[kind]), "#t = :t", {"#t": "test_id"}, {":t": test_id})


def answer_key_for_test(db: Any, config: AppConfig, kind: Literal["reading", "listening"], test_id: str) -> list[Item]:
    """A test's answer key, kept in its own table so it is never served with the questions."""
    return query(db, table_name(config, _ANSWER_TABLES[kind]), "#t = :t", {"#t": "test_id"}, {":t": test_id})


def user_test_progress(db: Any, config: AppConfig, user_email: str, now: int | None = None) -> list[Item]:
    """Tests a user can resume: unexpired progress records (TTL 30 days after the last answer)."""
    return query(
        db,
        table_name(config, TEST_PROGRESS),
        "#e = :e",
        {"#e": "user_email", "#x": "expires_at"},
        {":e": user_email, ":now": _now(now)},
        filter_expression="#x > :now",
    )


def user_test_results(db: Any, config: AppConfig, user_email: str) -> list[Item]:
    """A user's reading/listening/full test results, newest first (GSI user_email-completed_at-index)."""
    return query(
        db,
        table_name(config, TEST_RESULTS),
        "#e = :e",
        {"#e": "user_email"},
        {":e": user_email},
        index="user_email-completed_at-index",
        newest_first=True,
    )


PATTERNS = registry(
    get_user,
    get_session,
    active_user_sessions,
    get_valid_qr_token,
    get_valid_auth_token,
    get_valid_reset_token,
    entitlement_by_transaction,
    check_entitlement,
    active_entitlements,
    fetch_questions,
    get_question,
    fetch_rubric,
    get_assessment,
    user_assessments,
    assessments_by_type,
    urgent_tickets,
    tickets_by_status,
    user_tickets,
    pending_devops_actions,
    devops_actions_for_ticket,
    service_issues,
    published_tests,
    get_test,
    questions_for_test,
    answer_key_for_test,
    user_test_progress,
    user_test_results,
)

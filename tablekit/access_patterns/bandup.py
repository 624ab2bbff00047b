"""BandUp access patterns (seed 000): evaluation history, one evaluation, a user's flashcard sets.

The seed's "get user's flashcard sets" queried the table on `user_id`, which is only its sort key:
DynamoDB rejects that. modules/bandup adds `user_id-created_at-index` to both tables, and the
patterns below use it (newest first, as a history is read).
"""

from __future__ import annotations

from typing import Any

from tablekit.access_patterns import AppConfig, Item, get_item, query, registry, table_name

# Environment variables of the Lambda functions (modules/bandup output `app_config`).
EVALUATIONS = "DYNAMODB_EVALUATIONS"
FLASHCARD_SETS = "DYNAMODB_FLASHCARD_SETS"
# GSI on both tables: hash user_id (S), range created_at (N, Unix epoch seconds).
USER_HISTORY_INDEX = "user_id-created_at-index"


def user_evaluation_history(db: Any, config: AppConfig, user_id: str, limit: int = 10) -> list[Item]:
    """A user's evaluations, most recent first (seed: ScanIndexForward=False, Limit=10)."""
    return query(
        db,
        table_name(config, EVALUATIONS),
        "#u = :u",
        {"#u": "user_id"},
        {":u": user_id},
        index=USER_HISTORY_INDEX,
        newest_first=True,
        limit=limit,
    )


def get_evaluation(db: Any, config: AppConfig, evaluation_id: str, user_id: str) -> Item | None:
    """One evaluation by its full key (evaluation_id + user_id), as the evaluators poll for results."""
    return get_item(db, table_name(config, EVALUATIONS), {"evaluation_id": evaluation_id, "user_id": user_id})


def user_flashcard_sets(db: Any, config: AppConfig, user_id: str, status: str = "completed") -> list[Item]:
    """A user's flashcard sets in one status (default completed), most recent first, via the added GSI."""
    return query(
        db,
        table_name(config, FLASHCARD_SETS),
        "#u = :u",
        {"#u": "user_id", "#s": "status"},
        {":u": user_id, ":s": status},
        index=USER_HISTORY_INDEX,
        filter_expression="#s = :s",
        newest_first=True,
    )


def get_flashcard_set(db: Any, config: AppConfig, set_id: str, user_id: str) -> Item | None:
    """One flashcard set by its full key (set_id + user_id)."""
    return get_item(db, table_name(config, FLASHCARD_SETS), {"set_id": set_id, "user_id": user_id})


PATTERNS = registry(user_evaluation_history, get_evaluation, user_flashcard_sets, get_flashcard_set)

"""BandUp access patterns (seed 000) against the applied local env with seed data loaded.

Each test is named after its pattern; test_every_pattern_is_tested keeps the two lists in step.
"""

from __future__ import annotations

import pytest
from families_support import require_seed_rows

from tablekit.access_patterns import bandup

pytestmark = pytest.mark.apply


@pytest.fixture(scope="module")
def config(local_env) -> dict[str, str]:
    """app_config of the local env, once a known seed row proves the seed data is loaded."""
    return require_seed_rows(local_env, "DYNAMODB_EVALUATIONS", {"evaluation_id": "eval-abc123", "user_id": "user-456"})


def test_every_pattern_is_tested() -> None:
    assert {f"test_{name}" for name in bandup.PATTERNS} <= set(globals())


def test_user_evaluation_history(read_only_db, config) -> None:
    """The seed's query, now served by user_id-created_at-index: most recent first, Limit honoured."""
    history = bandup.user_evaluation_history(read_only_db, config, "user-456")
    assert [e["evaluation_id"] for e in history][:2] == ["speak-ghi012", "eval-def456"]
    assert {"eval-abc123", "speak-xyz789"} <= {e["evaluation_id"] for e in history}
    assert [e["created_at"] for e in history] == sorted((e["created_at"] for e in history), reverse=True)
    assert len(bandup.user_evaluation_history(read_only_db, config, "user-456", limit=2)) == 2
    assert bandup.user_evaluation_history(read_only_db, config, "user-unknown") == []


def test_get_evaluation(read_only_db, config) -> None:
    """The seed's writing example, verbatim, by its full key."""
    item = bandup.get_evaluation(read_only_db, config, "eval-abc123", "user-456")
    assert item == {
        "evaluation_id": "eval-abc123",
        "user_id": "user-456",
        "evaluation_type": "writing",
        "status": "completed",
        "overall_band": "7.0",
        "task_achievement_band": "7.0",
        "coherence_band": "6.5",
        "lexical_band": "7.0",
        "grammar_band": "6.5",
        "feedback": '{"strengths":[...],"weaknesses":[...]}',
        "model_used": "gemini-writing_task2",
        "created_at": 1733644800,
    }
    speaking = bandup.get_evaluation(read_only_db, config, "speak-xyz789", "user-456")
    assert speaking is not None
    assert (speaking["transcript"], speaking["word_count"], speaking["duration"]) == (
        "Well, I'd like to talk about...",
        185,
        "120.5",
    )
    assert bandup.get_evaluation(read_only_db, config, "eval-abc123", "user-789") is None


def test_user_flashcard_sets(read_only_db, config) -> None:
    """The seed's broken query (user_id is only the sort key) works through the added index."""
    completed = bandup.user_flashcard_sets(read_only_db, config, "user-456")
    assert [s["set_id"] for s in completed] == ["flashcard-set-124", "flashcard-set-123"]
    processing = bandup.user_flashcard_sets(read_only_db, config, "user-456", status="processing")
    assert [s["set_id"] for s in processing] == ["flashcard-set-125"]
    assert [s["set_id"] for s in bandup.user_flashcard_sets(read_only_db, config, "user-789")] == ["flashcard-set-201"]


def test_get_flashcard_set(read_only_db, config) -> None:
    item = bandup.get_flashcard_set(read_only_db, config, "flashcard-set-123", "user-456")
    assert item is not None
    assert item["document_id"] == "uploads/documents/user-456/vocab-guide.pdf"
    assert (item["total_cards"], item["page_count"], item["chunk_count"]) == (15, 8, 24)
    assert bandup.get_flashcard_set(read_only_db, config, "flashcard-set-123", "user-789") is None

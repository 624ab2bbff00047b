"""Deterministic synthetic rows for load tests and benchmarks (`tablekit synth`, bench/bench_seed.py).

Why generators per table instead of random blobs: throughput depends on item shape and size, so a
benchmark of 100k items should write items that look like the real ones (an evaluation with band
scores and a feedback JSON string; the university single table's mix of courses, students,
enrollments and orders sharing partitions). Tables without a dedicated generator get a generic one
driven by their key schema (table keys, index keys with their declared types, a TTL attribute).

Determinism: every value comes from `random.Random(seed)` and the row number, so the same
(table, count, seed) gives the same rows on every machine, and keys never collide within a run.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

RowMaker = Callable[[random.Random, int, int], dict[str, Any]]

EPOCH_2025 = 1_735_689_600  # 2025-01-01T00:00:00Z
_DAY = 86_400
_BANDS = [f"{b / 2:.1f}" for b in range(8, 19)]  # "4.0" .. "9.0"
_WORDS = (
    "coherent",
    "fluent",
    "lexical",
    "grammar",
    "argument",
    "example",
    "idea",
    "structure",
    "vocabulary",
    "pronunciation",
    "cohesion",
    "range",
    "accuracy",
    "task",
    "response",
    "clarity",
)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _bandup_evaluation(rng: random.Random, i: int, seed: int) -> dict[str, Any]:
    speaking = i % 2 == 1
    row: dict[str, Any] = {
        "evaluation_id": f"{'speak' if speaking else 'eval'}-{seed}-{i:08d}",
        "user_id": f"user-{rng.randrange(1, 5_000):05d}",
        "evaluation_type": "speaking" if speaking else "writing",
        "status": rng.choice(("completed", "completed", "completed", "processing", "failed")),
        "overall_band": rng.choice(_BANDS),
        "lexical_band": rng.choice(_BANDS),
        "grammar_band": rng.choice(_BANDS),
        "model_used": "gemini-2.5-flash-audio" if speaking else "gemini-writing_task2",
        "created_at": EPOCH_2025 + rng.randrange(0, 365 * _DAY),
        "feedback": json.dumps(
            {"strengths": [_sentence(rng, 6) for _ in range(2)], "weaknesses": [_sentence(rng, 6) for _ in range(2)]}
        ),
    }
    if speaking:
        row.update(
            fluency_band=rng.choice(_BANDS),
            pronunciation_band=rng.choice(_BANDS),
            transcript=_sentence(rng, 30),
            duration=f"{rng.uniform(60, 180):.1f}",
            word_count=rng.randrange(80, 320),
        )
    else:
        row.update(task_achievement_band=rng.choice(_BANDS), coherence_band=rng.choice(_BANDS))
    return row


def _bandup_flashcard_set(rng: random.Random, i: int, seed: int) -> dict[str, Any]:
    cards = [{"question": _sentence(rng, 5), "answer": _sentence(rng, 8)} for _ in range(rng.randrange(3, 8))]
    user = f"user-{rng.randrange(1, 5_000):05d}"
    return {
        "set_id": f"flashcard-set-{seed}-{i:08d}",
        "user_id": user,
        "document_id": f"uploads/documents/{user}/doc-{i}.pdf",
        "status": "completed",
        "flashcards": json.dumps(cards),
        "total_cards": len(cards),
        "page_count": rng.randrange(1, 40),
        "chunk_count": rng.randrange(1, 120),
        "created_at": EPOCH_2025 + rng.randrange(0, 365 * _DAY),
    }


def _university(rng: random.Random, i: int, seed: int) -> dict[str, Any]:
    """The single table, shaped like seed_data/university: per 10 rows, a course with 4 enrolled students
    and 1 assignment in its partition, 2 of those students' profiles and 1 order each."""
    slot, block = i % 10, i // 10
    course_id = f"{seed}-{block:06d}"
    course = f"course#{course_id}"
    day = EPOCH_2025 + rng.randrange(0, 365 * _DAY)
    date = _iso_date(day)
    if slot == 0:
        return {
            "pk": course,
            "sk": "metadata",
            "entityType": "course",
            "courseID": course_id,
            "title": _sentence(rng, 3),
            "courseDate": date,
            "instructorID": f"{rng.randrange(300, 400)}",
            "credits": rng.choice((2, 3, 4)),
        }
    if slot <= 4:
        student = f"{seed}-{i:08d}"
        return {
            "pk": course,
            "sk": f"student#{student}",
            "entityType": "student",
            "studentID": student,
            "name": f"Student {i}",
            "enrolledAt": date,
            # Decades ahead: TTL must never delete synthetic rows under a benchmark (DynamoDB Local
            # expires passed TTLs within a second; a fixed "one year after 2025" has passed already).
            "expiresAt": day + 30 * 365 * _DAY,
        }
    student = f"{seed}-{block * 10 + (slot - 5) % 2 + 1:08d}"  # the students of slots 1 and 2
    if slot <= 6:
        return {
            "pk": f"user#{student}",
            "sk": "profile",
            "entityType": "user",
            "userID": student,
            "studentID": student,
            "email": f"{student}@university.example",
            "name": f"Student {student}",
            "createdAt": date,
        }
    if slot <= 8:
        lines = [f"Textbook: {_sentence(rng, 3)}" for _ in range(rng.randrange(1, 4))]
        return {
            "pk": f"user#{student}",
            "sk": f"{date}#order#{i:08d}",
            "entityType": "order",
            "orderID": f"{i:08d}",
            "userID": student,
            "orderDate": date,
            "total": Decimal(f"{rng.uniform(5, 200):.2f}"),
            "currency": "USD",
            "status": rng.choice(("pending", "paid", "delivered")),
            "lines": lines,
        }
    return {
        "pk": course,
        "sk": f"{date}#assignment#a{i:08d}",
        "entityType": "assignment",
        "assignmentID": f"a{i:08d}",
        "courseID": course_id,
        "title": _sentence(rng, 2),
        "dueDate": date,
        "maxPoints": 100,
    }


def _iso_date(epoch: int) -> str:
    days = (epoch - EPOCH_2025) // _DAY
    month, day = divmod(days, 28)  # every month 28 days long: plausible, cheap, valid
    return f"2025-{month % 12 + 1:02d}-{day + 1:02d}"


GENERATORS: dict[str, RowMaker] = {
    "bandup-evaluations": _bandup_evaluation,
    "bandup-flashcard-sets": _bandup_flashcard_set,
    "university": _university,
}


def _value_for(kind: str, name: str, rng: random.Random, i: int, seed: int, unique: bool) -> Any:
    if kind == "N":
        return i if unique else rng.randrange(0, 1_000)
    if kind == "B":
        return f"{seed}:{i}".encode() if unique else bytes([rng.randrange(256)])
    return f"{name}-{seed}-{i:08d}" if unique else f"{name}-{rng.randrange(0, 50):02d}"


def generic_maker(schema: Mapping[str, Any]) -> RowMaker:
    """Rows for any table from its key_schema: unique hash key, index keys, TTL, a small payload."""
    hash_key, range_key = schema["hash_key"], schema.get("range_key")
    others = {
        name: kind
        for name, kind in (schema.get("attributes") or {}).items()
        if name not in {hash_key["name"], (range_key or {}).get("name")}
    }
    ttl = schema.get("ttl_attribute")

    def make(rng: random.Random, i: int, seed: int) -> dict[str, Any]:
        row: dict[str, Any] = {hash_key["name"]: _value_for(hash_key["type"], hash_key["name"], rng, i, seed, True)}
        if range_key:
            row[range_key["name"]] = _value_for(range_key["type"], range_key["name"], rng, i, seed, False)
        for name, kind in others.items():
            row[name] = _value_for(kind, name, rng, i, seed, False)
        if ttl:
            row[ttl] = EPOCH_2025 + rng.randrange(30, 365) * _DAY
        row.update(
            note=_sentence(rng, 12),
            score=Decimal(f"{rng.uniform(0, 100):.2f}"),
            tags=[rng.choice(_WORDS) for _ in range(3)],
            created_at=EPOCH_2025 + i,
        )
        return row

    return make


def maker_for(table: str, schema: Mapping[str, Any] | None = None) -> RowMaker:
    """The generator of a table: dedicated by contract name (a dev prefix is ignored), else generic."""
    for name, maker in GENERATORS.items():
        if table == name or table.endswith(f"-{name}") or table.endswith(f"_{name}"):
            return maker
    if schema is None:
        raise ValueError(
            f"no dedicated generator for {table!r}; pass its key_schema for the generic one "
            f"(dedicated: {', '.join(GENERATORS)})"
        )
    return generic_maker(schema)


def generate(
    table: str, count: int, seed: int = 0, schema: Mapping[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """`count` plain rows for `table`, identical for identical (table, count, seed)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    maker = maker_for(table, schema)
    rng = random.Random(seed)
    for i in range(count):
        yield maker(rng, i, seed)

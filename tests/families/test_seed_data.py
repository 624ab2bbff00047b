"""Seed files of the three families against the key schemas their modules declare (the `tables` output).

What the loader cannot know and this checks: every table of a family has rows (so every access
pattern has something to find), every row carries every index key (no family relies on sparse
indexes, so a row missing one would silently vanish from a query), no value is null, and every
timestamp is Unix epoch seconds.
"""

from __future__ import annotations

from typing import Any

import pytest
from families_support import FAMILIES, planned_outputs, seed_rows

from tablekit.paths import SEED_DATA
from tablekit.seed import files, validate

pytestmark = pytest.mark.slow

SETS = {"reference", "demo"}
# Epoch seconds between 2001-09-09 and 2286-11-20; milliseconds or ISO strings fail.
EPOCH_RANGE = (1_000_000_000, 10_000_000_000)
TIME_SUFFIXES = ("_at", "At", "Time", "Date", "timestamp", "_date")
TYPE_CHECK = {
    "S": lambda v: isinstance(v, str) and v != "",
    "N": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


@pytest.fixture(scope="module", params=list(FAMILIES))
def family(request, local_plan) -> tuple[str, dict[str, Any], dict[str, list[dict]]]:
    name = request.param
    tables = planned_outputs(local_plan)[f"{FAMILIES[name]}_tables"]
    return name, tables, seed_rows(name)


def _nulls(value: Any, path: str) -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


def test_files_are_sets_of_declared_tables(family) -> None:
    name, tables, _ = family
    for path in (SEED_DATA / name).glob("*/*"):
        assert path.parent.name in SETS, f"{path}: the set must be reference or demo"
        assert path.suffix == ".json" and path.stem in tables, f"{path}: no table {path.stem} in {name}"


def test_the_loader_accepts_every_file(family) -> None:
    """tablekit.seed's own validation (keys, index key types, TTL numbers, sizes) finds nothing to fix."""
    name, tables, _ = family
    found, warnings = files.discover(SEED_DATA, sorted(SETS), only_families=[name])
    assert not warnings
    pairs = []
    for seed_file in found:
        rows, problems = files.read_rows(seed_file.path)
        assert not problems, problems
        pairs.append((seed_file, rows))
    result = validate.validate(tables, pairs, env="local")
    # Demo rows are dated (tests query them as of 2024-12-09); the loader warns that TTL deletes them on AWS.
    warnings = [warning for warning in result.warnings if "have a TTL" not in warning]
    assert (result.problems, warnings) == ([], [])
    assert set(result.tables) == set(tables)


def test_every_table_has_rows(family) -> None:
    _, tables, rows = family
    assert {table for table in tables if rows.get(table)} == set(tables)


def test_keys_and_index_keys_present_and_typed(family) -> None:
    _, tables, rows = family
    for table, items in rows.items():
        schema = tables[table]
        key_names = [schema["hash_key"]["name"]] + ([schema["range_key"]["name"]] if schema.get("range_key") else [])
        index_keys = {
            key for index in schema["indexes"].values() for key in (index["hash_key"], index.get("range_key")) if key
        }
        seen = set()
        for i, item in enumerate(items):
            where = f"{table}[{i}]"
            for attribute in {*key_names, *index_keys}:
                assert attribute in item, f"{where}: missing key attribute {attribute}"
                kind = schema["attributes"][attribute]
                assert TYPE_CHECK[kind](item[attribute]), f"{where}.{attribute} must be {kind}: {item[attribute]!r}"
            key = tuple(item[k] for k in key_names)
            assert key not in seen, f"{where}: duplicate primary key {key}"
            seen.add(key)


def test_no_nulls_and_epoch_second_timestamps(family) -> None:
    _, tables, rows = family
    for table, items in rows.items():
        ttl = tables[table].get("ttl_attribute")
        for i, item in enumerate(items):
            where = f"{table}[{i}]"
            assert not _nulls(item, where), "omit absent values instead of storing null"
            for attribute, value in item.items():
                if attribute.endswith(TIME_SUFFIXES) or attribute == ttl:
                    assert isinstance(value, int) and EPOCH_RANGE[0] <= value < EPOCH_RANGE[1], (
                        f"{where}.{attribute} must be Unix epoch seconds (Number): {value!r}"
                    )
            if ttl:
                assert ttl in item, f"{where}: rows of a TTL table carry {ttl}"


def test_the_seed_documents_examples_are_present() -> None:
    """Every example item written in the seeds is in the data (placeholders replaced, nulls omitted)."""
    ids = {
        ("bandup", "bandup-evaluations", "evaluation_id"): {"eval-abc123", "speak-xyz789"},
        ("bandup", "bandup-flashcard-sets", "set_id"): {"flashcard-set-123"},
        ("ielts-genai-prep", "ielts-assessment-questions", "question_id"): {"sp2-001"},
        ("ielts-genai-prep", "ielts-genai-prep-rubrics", "rubric_id"): {"speaking-fluency"},
    }
    for (family_name, table, key), expected in ids.items():
        assert expected <= {row[key] for row in seed_rows(family_name)[table]}, table
    aitutor = seed_rows("aitutor")
    assert any(u["email"] == "user@example.com" and u["firstName"] == "John" for u in aitutor["aitutor_users"])
    assert any(e["staffNumber"] == "E12345" for e in aitutor["aitutor_educators"])
    assert any(s["studentNumber"] == "S98765" for s in aitutor["aitutor_students"])
    assert any(m["code"] == "CS201" for m in aitutor["aitutor_modules"])
    assert any(f["fileName"] == "lecture-notes.pdf" for f in aitutor["aitutor_files"])
    assert any(d["code"] == "CS" for d in aitutor["aitutor_departments"])
    assert any(c["code"] == "MAIN" for c in aitutor["aitutor_campuses"])
    assert any(c["code"] == "CSXX" for c in aitutor["aitutor_courses"])
    assert any(f["name"] == "Faculty of Engineering" for f in aitutor["aitutor_faculties"])
    assert any(s["title"] == "Questions about Module 5" for s in aitutor["aitutor_chat_sessions"])
    assert any(m["content"] == "Your message here" for m in aitutor["aitutor_chat_messages"])
    assert any(a["ipAddress"] == "192.168.1.1" for a in aitutor["aitutor_audit_logs"])
    assert not any("uuid" in str(row.values()) for rows in aitutor.values() for row in rows)

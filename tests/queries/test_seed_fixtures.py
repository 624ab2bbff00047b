"""The four seeds' query examples give exactly their known findings, and none on the correct ones.

Known findings (issue "Application queries agree with the tables"):
- seed 000: "get user's flashcard sets" queries bandup-flashcard-sets by its sort key user_id
  without IndexName (the partition key set_id has no equality); the fix names the index that
  serves it. The evaluation-history query and the get_item are correct.
- seed 001: no query defines the :placeholders it uses; the third names `status`, a reserved word.
- seed 003: the rubrics table is referenced under a name no env declares; the fix is the real name.
- seed 004: all four params objects match modules/university (index and key names).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tablekit.cli import main
from tablekit.queries.source import check_tree

SEEDS = Path(__file__).parent / "fixtures" / "seeds"

# (line holding this text: its nth occurrence, severity, rule, table)
EXPECTED = {
    "bandup_000.py": [
        (("KeyConditionExpression=Key('user_id')", 2), "error", "key-condition-partition", "bandup-flashcard-sets")
    ],
    "ielts_001.py": [
        (("user_id = :email", 1), "error", "placeholder-undefined", "ielts-genai-prep-assessments"),
        (("priority = :urgent", 1), "error", "placeholder-undefined", "ielts-support-tickets"),
        (("status = :pending_review", 1), "error", "reserved-word", "ielts-devops-actions"),
        (("status = :pending_review", 1), "error", "placeholder-undefined", "ielts-devops-actions"),
    ],
    "ielts_003.py": [
        (("self.table_names['rubrics']).get_item", 1), "error", "table-not-declared", "ielts-assessment-rubrics")
    ],
    "university_004.js": [],
}


def line_of(name: str, text: str, nth: int = 1) -> int:
    lines = [i for i, line in enumerate((SEEDS / name).read_text().splitlines(), start=1) if text in line]
    return lines[nth - 1]


CALLS = {"bandup_000.py": 3, "ielts_001.py": 3, "ielts_003.py": 4, "university_004.js": 4}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_fixture_gives_exactly_its_known_findings(name: str, local_declared) -> None:
    report = check_tree(SEEDS / name, local_declared)
    found = [(f.pos.line, f.severity, f.rule, f.table) for f in report.findings]
    assert found == [(line_of(name, *marker), *rest) for marker, *rest in EXPECTED[name]]
    assert len(report.calls) == CALLS[name]
    assert all(c.table.name is not None for c in report.calls), "every seed call resolves its table"


def test_the_fixes_name_what_repairs_each_finding(local_declared) -> None:
    report = check_tree(SEEDS, local_declared)
    fixes = {(f.file, f.rule): f.fix for f in report.findings}
    assert fixes["bandup_000.py", "key-condition-partition"] == (
        "add IndexName='user_id-created_at-index' (its partition key is 'user_id')"
    )
    assert fixes["ielts_003.py", "table-not-declared"] == "use 'ielts-genai-prep-rubrics'"
    assert "#status" in fixes["ielts_001.py", "reserved-word"]
    reserved = next(f for f in report.findings if f.rule == "reserved-word")
    line = line_of("ielts_001.py", "status = :pending_review")
    column = (SEEDS / "ielts_001.py").read_text().splitlines()[line - 1].index("status = ") + 1
    assert reserved.line().startswith(f"ielts_001.py:{line}:{column}: error: KeyConditionExpression uses 'status'")


def test_how_each_seed_call_names_its_table(local_declared) -> None:
    report = check_tree(SEEDS, local_declared)
    how = {(c.file, c.pos.line): (c.table.name, c.table.how) for c in report.calls}
    assert how["bandup_000.py", line_of("bandup_000.py", "table.query(")] == (
        "bandup-evaluations",
        "env DYNAMODB_EVALUATIONS",
    )
    assert how["bandup_000.py", line_of("bandup_000.py", "table.query(", 2)] == (
        "bandup-flashcard-sets",
        "env DYNAMODB_FLASHCARD_SETS",
    )
    assert how["ielts_003.py", line_of("ielts_003.py", "table_names['rubrics']).get_item")] == (
        "ielts-assessment-rubrics",
        "constant self.table_names['rubrics']",
    )
    assert how["ielts_003.py", line_of("ielts_003.py", "sessions_table.get_item")] == (
        "ielts-genai-prep-sessions",
        "env SESSIONS_TABLE",
    )
    assert how["university_004.js", line_of("university_004.js", "ddb.send(new QueryCommand")] == (
        "university",
        "literal",
    )


def test_command_exit_codes_and_json(local_declared, tmp_path, capsys) -> None:
    declared_file = tmp_path / "declared.json"
    declared_file.write_text(
        json.dumps({"tables": dict(local_declared.key_schemas), "app_config": dict(local_declared.app_config)})
    )
    assert main(["check-queries", "local", "--source", str(SEEDS), "--declared", str(declared_file), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (
        data["ok"] is False and data["calls"] == 14 and data["counts"] == {"error": 6, "warning": 0, "not-checked": 0}
    )
    first = data["findings"][0]
    line = line_of("bandup_000.py", "KeyConditionExpression=Key('user_id')", 2)
    assert (first["file"], first["line"], first["col"], first["rule"]) == (
        "bandup_000.py",
        line,
        32,
        "key-condition-partition",
    )
    clean = SEEDS / "university_004.js"
    assert main(["check-queries", "local", "--source", str(clean), "--declared", str(declared_file)]) == 0
    out = capsys.readouterr().out
    assert "1 files, 4 calls: 0 errors, 0 warnings, 0 not checked" in out


def test_bad_input_is_one_line_before_anything_starts(tmp_path, capsys) -> None:
    assert main(["check-queries", "local", "--source", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: --source {tmp_path / 'nowhere'}: no such file or directory"]
    assert main(["check-queries", "local", "--source", str(SEEDS), "--declared", str(tmp_path / "x.json")]) == 2
    assert "--declared" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["check-queries", "staging", "--source", str(SEEDS)])
    assert exit_info.value.code == 2

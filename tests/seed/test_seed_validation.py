"""Every validation error names file:line and the fix, all errors come at once, and one bad row anywhere
means nothing is written anywhere (the all-or-nothing rule of tablekit.seed.loader)."""

from __future__ import annotations

import re

import pytest

from tablekit.errors import UserError
from tablekit.seed import SeedValidationError, load_env


def _never_called():
    raise AssertionError("validation failed, so no client may be created")


def _problems(seed_root, tables, **kwargs) -> str:
    with pytest.raises(SeedValidationError) as caught:
        load_env(tables, _never_called, env="local", seed_root=seed_root, **kwargs)
    return str(caught.value)


def _line_of(message: str, file: str) -> list[str]:
    return [line.strip() for line in message.splitlines() if file in line]


def test_missing_and_mistyped_keys(seed_tree, schemas) -> None:
    root = seed_tree(
        {
            "bandup/demo/bandup-evaluations.json": [
                {"evaluation_id": "ok", "user_id": "u1"},
                {"evaluation_id": "no-user"},
                {"evaluation_id": 123, "user_id": "u1"},
                {"evaluation_id": "", "user_id": "u1"},
            ],
            "misc/demo/counters.jsonl": '{"counter_id": "7"}\n{"counter_id": 7}\n',
            "misc/demo/blobs.jsonl": '{"blob_id": "aGk="}\n{"blob_id": {"$binary": "aGk="}}\n',
        }
    )
    message = _problems(root, schemas)
    evaluations = _line_of(message, "bandup-evaluations.json")
    assert any(
        re.search(
            r"bandup-evaluations\.json:6: missing key attribute 'user_id' \(range key.*type S\); "
            r"fix: add \"user_id\": \"<text>\"",
            line,
        )
        for line in evaluations
    ), message
    assert any(
        ":9: key attribute 'evaluation_id' must be a string (S)" in line
        and 'fix: quote it: "evaluation_id": "123"' in line
        for line in evaluations
    ), message
    assert any(":13: key attribute 'evaluation_id' is an empty string" in line for line in evaluations), message
    (counters,) = _line_of(message, "counters.jsonl")
    assert "counters.jsonl:1: key attribute 'counter_id' must be a number (N)" in counters
    assert 'fix: write it as a JSON number without quotes: "counter_id": 7' in counters
    (blobs,) = _line_of(message, "blobs.jsonl")
    assert "blobs.jsonl:1: key attribute 'blob_id' must be binary (B)" in blobs and '"$binary"' in blobs
    assert "5 seed data problem(s) in 3 file(s); nothing was written" in message


def test_unknown_table_suggests_the_closest_name(seed_tree, schemas) -> None:
    root = seed_tree({"bandup/demo/bandup-evaluation.json": [{"evaluation_id": "a", "user_id": "b"}]})
    (line,) = _line_of(_problems(root, schemas), "bandup-evaluation.json")
    assert "bandup-evaluation.json:1: table 'bandup-evaluation' is not declared by env 'local'" in line
    assert "fix: did you mean 'bandup-evaluations'? rename the file to bandup-evaluations.json" in line


def test_invalid_json_names_the_line_and_the_usual_cause(seed_tree, schemas) -> None:
    root = seed_tree(
        {
            "bandup/demo/bandup-evaluations.json": (
                '[\n  {"evaluation_id": "a", "user_id": "b"}\n  {"evaluation_id": "c"}\n]'
            ),
            "misc/demo/counters.jsonl": '{"counter_id": 1}\n{"counter_id": 2,}\n{"counter_id": NaN}\n',
        }
    )
    message = _problems(root, schemas)
    (array,) = _line_of(message, "bandup-evaluations.json")
    assert "bandup-evaluations.json:3: expected ',' or ']' after a row; fix: separate rows with commas" in array
    counters = _line_of(message, "counters.jsonl")
    assert any(
        "counters.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes" in line
        and "remove any trailing comma" in line
        for line in counters
    ), counters
    assert any("counters.jsonl:3: attribute counter_id: NaN is not a number" in line for line in counters), counters


def test_item_over_400_kb_and_index_and_ttl_types(seed_tree, schemas) -> None:
    root = seed_tree(
        {
            "university/demo/university.jsonl": "\n".join(
                [
                    '{"pk": "a", "sk": "b", "blob": "' + "x" * 410_000 + '"}',
                    '{"pk": "c", "sk": "d", "studentID": 201}',
                    '{"pk": "e", "sk": "f", "expiresAt": "2025-01-01"}',
                    '{"pk": "g", "sk": "h", "entityType": "course", "courseDate": "2025-09-01", '
                    '"expiresAt": 1767225600}',
                ]
            )
        }
    )
    message = _problems(root, schemas)
    lines = _line_of(message, "university.jsonl")
    assert any(
        "university.jsonl:1: item is 410,0" in line
        and "over DynamoDB's 400 KB" in line
        and "fix: move large values to S3" in line
        for line in lines
    ), lines
    assert any("university.jsonl:2: 'studentID' is an index key of type S" in line for line in lines), lines
    assert any(
        "university.jsonl:3: TTL attribute 'expiresAt' must be a number of epoch seconds" in line for line in lines
    ), lines
    assert len(lines) == 3  # row 4 is valid


def test_one_bad_file_means_nothing_is_written_anywhere(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations", "counters")
    root = seed_tree(
        {
            "bandup/demo/bandup-evaluations.json": [{"evaluation_id": f"e{i}", "user_id": "u"} for i in range(30)],
            "misc/demo/counters.json": [{"counter_id": 1}, {"counter_id": "two"}],
        }
    )
    with pytest.raises(SeedValidationError, match=r"counters\.json:5: key attribute 'counter_id' must be a number"):
        load_env(tables, factory, env="local", seed_root=root)
    for table in tables:
        assert scan(table) == {}, f"{table} must stay empty when any file is invalid"


def test_duplicate_attribute_names_in_one_object(seed_tree, schemas) -> None:
    root = seed_tree({"misc/demo/counters.jsonl": '{"counter_id": 1, "n": 1, "n": 2}\n'})
    (line,) = _line_of(_problems(root, schemas), "counters.jsonl")
    assert "counters.jsonl:1: attribute 'n' appears twice in one object" in line and "fix: remove one" in line


def test_unreadable_files_are_one_line_each_and_nothing_is_written(seed_tree, env_tables, scan, factory) -> None:
    tables = env_tables("bandup-evaluations")
    prefix = next(iter(tables)).split("-")[0] + "-"
    root = seed_tree({"bandup/demo/bandup-evaluations.json": [{"evaluation_id": "e1", "user_id": "u"}]})
    for family in ("broken", "looping"):
        (root / family / "demo").mkdir(parents=True)
    (root / "broken/demo/bandup-evaluations.json").symlink_to(root / "gone.json")  # a broken link
    looping = root / "looping/demo/bandup-evaluations.json"
    looping.symlink_to(looping)  # a link to itself
    with pytest.raises(SeedValidationError) as caught:
        load_env(tables, factory, env="local", seed_root=root, name_prefix=prefix)
    message = str(caught.value)
    (broken,) = _line_of(message, "broken/demo")
    assert "bandup-evaluations.json:1: cannot read" in broken and "(No such file or directory)" in broken
    assert "fix: it is a broken symlink or vanished while reading" in broken
    (loop,) = _line_of(message, "looping/demo")
    assert "(Too many levels of symbolic links)" in loop and "points (indirectly) at itself" in loop
    assert "Traceback" not in message and "2 seed data problem(s) in 2 file(s); nothing was written" in message
    assert all(scan(table) == {} for table in tables)


def test_unreadable_environments_file_is_one_line(seed_tree, schemas) -> None:
    root = seed_tree({"bandup/demo/bandup-evaluations.json": []})
    (root / "environments.json").unlink()
    (root / "environments.json").symlink_to(root / "environments.json")
    with pytest.raises(UserError) as caught:
        load_env(schemas, _never_called, env="local", seed_root=root)
    assert "environments.json (Too many levels of symbolic links); fix:" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_dynamodb_json_is_detected_and_explained(seed_tree, schemas) -> None:
    root = seed_tree(
        {
            "bandup/demo/bandup-evaluations.jsonl": (
                '{"evaluation_id": {"S": "e1"}, "user_id": {"S": "u1"}, "band": {"N": "7.5"}}\n'
                '{"evaluation_id": "e2", "user_id": "u1", "title": {"S": "Essay"}, "scores": {"M": {"a": 1}}}\n'
            )
        }
    )
    message = _problems(root, schemas)
    (whole_row,) = _line_of(message, ".jsonl:1:")
    assert "this row is written in DynamoDB JSON" in whole_row
    assert 'fix: unwrap every value, e.g. "evaluation_id": "e1", "user_id": "u1"' in whole_row
    (value,) = _line_of(message, ".jsonl:2:")
    assert 'attribute title: {"S": ...} is DynamoDB JSON, but seed files hold plain JSON' in value
    assert 'fix: write "Essay" instead' in value


def test_index_key_sizes_empty_names_and_item_size_with_names(seed_tree, schemas) -> None:
    root = seed_tree(
        {
            "university/demo/university.jsonl": "\n".join(
                [
                    '{"pk": "a", "sk": "b", "studentID": "' + "s" * 2049 + '"}',
                    '{"pk": "a", "sk": "c", "entityType": "course", "courseDate": "' + "d" * 1025 + '"}',
                    '{"pk": "a", "sk": "d", "": "no name"}',
                    '{"pk": "a", "sk": "e", "m": {"": 1}}',
                    '{"pk": "a", "sk": "f", "'
                    + "n" * 40_000
                    + '": 1, "'
                    + "o" * 40_000
                    + '": 1, "blob": "'
                    + "x" * 330_000
                    + '"}',
                    '{"pk": "a", "sk": "g", "studentID": "' + "s" * 1024 + '"}',
                ]
            )
        }
    )
    lines = _line_of(_problems(root, schemas), "university.jsonl")
    assert any(
        ":1: key attribute 'studentID' is 2,049 bytes; as the partition key of index studentID-index" in line
        and "holds at most 2,048 bytes" in line
        for line in lines
    ), lines
    assert any(
        ":2: key attribute 'courseDate' is 1,025 bytes; as the sort key of index entityType-courseDate-index" in line
        for line in lines
    ), lines
    assert any(':3: attribute : the attribute name is empty ("")' in line for line in lines), lines
    assert any(':4: attribute m.: the attribute name is empty ("")' in line for line in lines), lines
    assert any(":5: item is 410,0" in line and "(attribute names included)" in line for line in lines), lines
    assert len(lines) == 5  # row 6 is valid (1024 bytes is fine for a GSI partition key)


def test_rows_whose_ttl_has_passed_get_one_warning_per_file(seed_tree, env_tables, factory) -> None:
    tables = env_tables("university")
    prefix = next(iter(tables)).split("-")[0] + "-"
    rows = [{"pk": f"p{i}", "sk": "s", "expiresAt": 1733702400 + i} for i in range(3)]  # December 2024
    rows += [{"pk": "q", "sk": "s", "expiresAt": 4102444800}, {"pk": "r", "sk": "s", "expiresAt": 86_400}]
    root = seed_tree({"university/demo/university.json": rows})
    summary = load_env(tables, factory, env="local", seed_root=root, name_prefix=prefix)
    (warning,) = [w for w in summary.warnings if "have a TTL" in w]
    assert "university.json:2: 3 row(s) for " in warning and "have a TTL (expiresAt) that has already passed" in warning
    assert "DynamoDB Local within seconds; moto never" in warning  # 1970 (> 5 years ago) is never deleted

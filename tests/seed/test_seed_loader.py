"""The pipeline against the session endpoint: idempotent re-runs, set selection, dedupe, prune and dry run."""

from __future__ import annotations

import pytest

from tablekit.errors import UserError
from tablekit.seed import load_env

EVALS = [
    {"evaluation_id": f"eval-{i}", "user_id": "user-456", "created_at": 1733644800 + i, "overall_band": "7.0"}
    for i in range(60)
]
RUBRICS = [{"counter_id": i, "label": f"rubric {i}"} for i in range(3)]


def test_running_twice_leaves_the_same_items(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations", "counters")
    root = seed_tree(
        {
            "bandup/demo/bandup-evaluations.json": EVALS,
            "misc/reference/counters.jsonl": "\n".join(
                f'{{"counter_id": {r["counter_id"]}, "label": "{r["label"]}"}}' for r in RUBRICS
            ),
        }
    )
    first = load_env(tables, factory, env="local", seed_root=root, workers=3)
    before = {table: scan(table) for table in tables}
    second = load_env(tables, factory, env="local", seed_root=root, workers=3)
    after = {table: scan(table) for table in tables}
    assert first.items == second.items == 63
    assert before == after
    assert sum(len(rows) for rows in after.values()) == 63
    assert {row.table.split("-", 1)[1]: row.items for row in second.tables} == {"bandup-evaluations": 60, "counters": 3}


def test_prod_loads_reference_only_and_refuses_demo(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations", "counters")
    root = seed_tree({"bandup/demo/bandup-evaluations.json": EVALS, "misc/reference/counters.json": RUBRICS})
    summary = load_env(tables, factory, env="prod", seed_root=root)
    assert summary.sets == ["reference"] and summary.items == 3
    with pytest.raises(UserError, match=r"seed set 'demo' may not load in 'prod'"):
        load_env(tables, factory, env="prod", sets=["demo"], seed_root=root)
    with pytest.raises(UserError, match=r"unknown seed set 'dmeo' \(did you mean 'demo'\?\)"):
        load_env(tables, factory, env="local", sets=["dmeo"], seed_root=root)


def test_family_filter_and_later_sets_win_on_duplicate_keys(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations", "counters")
    table = next(name for name in tables if name.endswith("bandup-evaluations"))
    root = seed_tree(
        {
            "bandup/reference/bandup-evaluations.json": [{"evaluation_id": "e1", "user_id": "u", "v": "reference"}],
            "bandup/demo/bandup-evaluations.json": [
                {"evaluation_id": "e1", "user_id": "u", "v": "demo-first"},
                {"evaluation_id": "e1", "user_id": "u", "v": "demo-last"},
            ],
            "misc/reference/counters.json": RUBRICS,
        }
    )
    summary = load_env(tables, factory, env="local", seed_root=root, families=["bandup"])
    assert summary.items == 1
    assert [row["v"] for row in scan(table).values()] == ["demo-last"]
    duplicates = [w for w in summary.warnings if "duplicate key" in w]
    assert len(duplicates) == 2 and "evaluation_id='e1', user_id='u'" in duplicates[0]
    assert "demo/bandup-evaluations.json:7: duplicate key" in duplicates[1]
    assert "also at " in duplicates[1] and "demo/bandup-evaluations.json:2; the later row wins" in duplicates[1]
    with pytest.raises(UserError, match=r"no seed family 'bandp'.*did you mean 'bandup'\?"):
        load_env(tables, factory, env="local", seed_root=root, families=["bandp"])


def test_prune_lists_first_and_dry_run_deletes_nothing(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("bandup-evaluations")
    (table,) = tables
    root = seed_tree({"bandup/demo/bandup-evaluations.json": EVALS[:5]})
    load_env(tables, factory, env="local", seed_root=root)
    factory().put_item(TableName=table, Item={"evaluation_id": {"S": "stray"}, "user_id": {"S": "x"}})
    listed: list[list] = []

    dry = load_env(tables, factory, env="local", seed_root=root, prune=True, dry_run=True, on_stale=listed.append)
    assert [item.text for item in dry.stale] == ["evaluation_id='stray', user_id='x'"]
    assert listed == [dry.stale]
    assert len(scan(table)) == 6, "a dry run deletes nothing"

    real = load_env(tables, factory, env="local", seed_root=root, prune=True)
    assert real.tables[0].pruned == 1
    assert sorted(key[0] for key in scan(table)) == sorted(row["evaluation_id"] for row in EVALS[:5])

    with pytest.raises(UserError, match="drop --sets when pruning"):
        load_env(tables, factory, env="local", seed_root=root, prune=True, sets=["demo"])


def test_exact_table_names_win_and_nothing_loads_without_files(seed_tree, schemas) -> None:
    root = seed_tree({})
    summary = load_env(schemas, None, env="local", seed_root=root, dry_run=True)
    assert summary.tables == [] and summary.items == 0

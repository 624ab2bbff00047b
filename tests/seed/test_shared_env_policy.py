"""Seed data in shared envs (dev, prod) never overwrites a live row: new rows are written on the
condition that the item does not exist, and the summary says how many were new, unchanged, and
skipped because the live row differs. Demo data stays refused in prod."""

from __future__ import annotations

import io

import pytest

from tablekit.dynamodb_json import serialize_item
from tablekit.errors import UserError
from tablekit.seed import load_env
from tablekit.seed.summary import print_summary

RUBRICS = [{"counter_id": i, "label": f"rubric {i}"} for i in range(5)]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_shared_env_keeps_rows_the_application_changed(env, seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("counters")
    (table,) = tables
    root = seed_tree({"misc/reference/counters.json": RUBRICS})
    client = factory()
    # The application already wrote two of the seed's keys: one exactly as the seed has it, one changed.
    client.put_item(TableName=table, Item=serialize_item({"counter_id": 0, "label": "rubric 0"}))
    client.put_item(TableName=table, Item=serialize_item({"counter_id": 1, "label": "renamed by the app"}))

    summary = load_env(tables, factory, env=env, seed_root=root)

    rows = scan(table)
    assert rows[("1",)]["label"] == "renamed by the app", "a shared env's live row was overwritten"
    assert {key: row["label"] for key, row in rows.items() if key != ("1",)} == {
        (str(i),): f"rubric {i}" for i in (0, 2, 3, 4)
    }
    row = summary.table(table)
    assert (row.new, row.unchanged, row.skipped) == (3, 1, 1)
    out = io.StringIO()
    print_summary(summary, out)
    assert "skipped" in out.getvalue() and "differs" in out.getvalue()
    again = load_env(tables, factory, env=env, seed_root=root).table(table)
    assert (again.new, again.unchanged, again.skipped) == (0, 4, 1)


def test_local_still_converges_to_the_seed(seed_tree, env_tables, factory, scan) -> None:
    tables = env_tables("counters")
    (table,) = tables
    root = seed_tree({"misc/reference/counters.json": RUBRICS})
    factory().put_item(TableName=table, Item=serialize_item({"counter_id": 1, "label": "changed locally"}))
    load_env(tables, factory, env="local", seed_root=root)
    assert scan(table)[("1",)]["label"] == "rubric 1"


def test_demo_stays_refused_in_prod(seed_tree, env_tables, factory) -> None:
    tables = env_tables("counters")
    root = seed_tree({"misc/demo/counters.json": RUBRICS})
    with pytest.raises(UserError, match="demo"):
        load_env(tables, factory, env="prod", sets=["demo"], seed_root=root)

"""`tablekit seed ...` end to end through the CLI: exit codes, messages, summary, prune listing, synth."""

from __future__ import annotations

import pytest

from tablekit import cli
from tablekit.seed import loader


@pytest.fixture
def cli_env(monkeypatch, env_tables):
    """Tables come from the env's Terraform outputs in real runs; here from tables created on the endpoint."""

    def use(*names: str) -> dict:
        tables = env_tables(*names)
        monkeypatch.setattr(loader, "tables_of", lambda ctx: tables)
        return tables

    return use


def test_invalid_row_exits_2_with_file_line_and_fix(cli_env, seed_tree, endpoint_url, scan, capsys) -> None:
    tables = cli_env("counters")
    root = seed_tree({"misc/reference/counters.jsonl": '{"counter_id": 1}\n{"label": "no key"}\n'})
    code = cli.main(["seed", "local", "--seed-dir", str(root), "--endpoint-url", endpoint_url, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: 1 seed data problem(s) in 1 file(s); nothing was written" in err
    assert "counters.jsonl:2: missing key attribute 'counter_id'" in err and 'fix: add "counter_id": 123' in err
    assert scan(next(iter(tables))) == {}


def test_success_prints_the_summary_and_prune_dry_run_lists(cli_env, seed_tree, endpoint_url, factory, capsys) -> None:
    tables = cli_env("counters")
    (table,) = tables
    root = seed_tree({"misc/reference/counters.json": [{"counter_id": i} for i in range(30)]})
    args = ["seed", "local", "--seed-dir", str(root), "--endpoint-url", endpoint_url, "--quiet"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert table in out and "30" in out
    for header in ("table", "items", "seconds", "items/s", "retries"):
        assert header in out
    factory().put_item(TableName=table, Item={"counter_id": {"N": "999"}})
    assert cli.main([*args, "--prune", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"prune: would delete {table} (counter_id=999)" in out
    assert "dry run: nothing written" in out


def test_pruning_a_shared_env_needs_confirmation(capsys) -> None:
    assert cli.main(["seed", "dev", "--prune"]) == 2
    assert "run it with --dry-run first, then add --confirm dev" in capsys.readouterr().err


def test_synth_to_file_is_deterministic(tmp_path, capsys) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for out in (first, second):
        assert cli.main(["synth", "--table", "university", "--count", "50", "--seed", "7", "--out", str(out)]) == 0
    assert first.read_text() == second.read_text()
    assert len(first.read_text().splitlines()) == 50
    assert "wrote 50 synthetic university rows (seed 7)" in capsys.readouterr().out

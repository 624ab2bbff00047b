"""`tablekit upgrade-check` bad input: one line on stderr naming the ref or entry, exit 2, nothing written.

The command reads the repository it runs in; here it is pointed at a clone of the fixture repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit import cli
from tablekit.commands import upgrade as command


@pytest.fixture
def in_repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(command, "ROOT", repo)
    return repo


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


def test_a_ref_that_does_not_exist(in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(["upgrade-check", "--from", "v7.7.7", "--data-dir", str(tmp_path / "out")], capsys)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("error: --from v7.7.7: no such commit, tag or branch")
    assert not (tmp_path / "out").exists(), "bad input stops before anything is written"


def test_no_release_recorded_yet(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(["upgrade-check"], capsys)
    assert code == 2 and len(lines) == 1
    assert "records no release older than" in lines[0] and "--from REF" in lines[0]


def test_a_dirty_worktree(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_repo / "envs" / "local" / "extra.tf").write_text("# not committed\n")
    code, lines = run(["upgrade-check", "--from", "HEAD"], capsys)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: the working tree has uncommitted changes in envs/local/extra.tf")


def test_an_allow_entry_without_a_reason(in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    allow = tmp_path / "allow.toml"
    allow.write_text("[[allow]]\naddress = 'module.table[\"upgrade-users\"].aws_dynamodb_table.this'\n")
    code, lines = run(["upgrade-check", "--from", "HEAD", "--allow", str(allow)], capsys)
    assert code == 2 and len(lines) == 1
    assert lines[0] == (
        'error: allow.toml entry 1 (module.table["upgrade-users"].aws_dynamodb_table.this): reason is missing: '
        "say why losing this object is acceptable (reviewers read it)"
    )


def test_from_a_commit_that_is_not_an_ancestor(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from .upgrade_support import commit, git

    git(in_repo, "checkout", "-q", "-b", "side")
    side = commit(in_repo, {"notes.txt": "side\n"}, "side branch")
    git(in_repo, "checkout", "-q", "main")
    code, lines = run(["upgrade-check", "--from", side], capsys)
    assert code == 2 and len(lines) == 1 and "is not an ancestor of HEAD" in lines[0]


def test_migrate_from_a_ref_that_does_not_exist(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(["migrate", "local", "--from", "nope", "--dry-run"], capsys)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: --from nope: no such commit")

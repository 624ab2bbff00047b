"""upgrade-check end to end on the small fixture repository: real Terraform, a real endpoint, real items.

Each test commits one change on top of the fixture's first commit and checks the upgrade from
HEAD~1, the way CI checks a pull request against its merge base.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit.errors import OperationFailed, UserError
from tablekit.upgrade import render, upgrade_check, verdicts

from .upgrade_support import MAIN_FOR_EACH, commit, main_tf

pytestmark = [pytest.mark.apply, pytest.mark.slow]

USERS = 'module.table["upgrade-users"].aws_dynamodb_table.this'
LEGACY_OLD = "module.legacy[0].aws_dynamodb_table.this"
LEGACY_NEW = 'module.table["upgrade-legacy"].aws_dynamodb_table.this'


def check(repo: Path, tmp_path: Path, allow: str | None = None) -> upgrade_check.Report:
    allow_file = None
    if allow is not None:
        allow_file = tmp_path / "allow.toml"
        allow_file.write_text(allow)
    prepared = upgrade_check.prepare(repo, "HEAD~1", allow_file=allow_file, data_dir=tmp_path / "check")
    return upgrade_check.run(prepared, ["local"])


def test_a_key_schema_change_is_caught_with_the_table_name_and_the_reason(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"envs/local/main.tf": main_tf(users_key='{ name = "id", type = "S" }')}, "rename the users key")
    report = check(repo, tmp_path)

    (result,) = report.results
    (finding,) = result.failures
    assert (finding.address, finding.object, finding.action) == (USERS, "upgrade-users", "replace")
    assert "hash_key" in finding.reason and "cannot be changed in place" in finding.reason
    assert finding.data_bearing and finding.verdict == verdicts.Verdict.FAIL
    assert not result.applied, "a plan that destroys a table is never applied"
    assert not report.passed
    with pytest.raises(OperationFailed, match=r"upgrade-users"):
        render.exit_code(report)


def test_count_to_for_each_without_a_migration_is_caught_and_the_move_is_suggested(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"envs/local/main.tf": main_tf(MAIN_FOR_EACH)}, "legacy joins the for_each map")
    report = check(repo, tmp_path)

    failures = {f.address: f for f in report.results[0].failures}
    assert set(failures) == {LEGACY_OLD}
    finding = failures[LEGACY_OLD]
    assert finding.moved_to == LEGACY_NEW and finding.object == "upgrade-legacy"
    assert f"its address changed to {LEGACY_NEW} without a migration" in finding.reason
    assert finding.suggestion == "terraform state mv 'module.legacy[0]' 'module.table[\"upgrade-legacy\"]'"


def test_the_same_refactor_with_its_migration_passes_and_keeps_every_item(repo: Path, tmp_path: Path) -> None:
    migration = (
        "# legacy joined the for_each map\nterraform state mv 'module.legacy[0]' 'module.table[\"upgrade-legacy\"]'\n"
    )
    commit(
        repo,
        {"envs/local/main.tf": main_tf(MAIN_FOR_EACH), "migrations/unreleased.txt": migration},
        "legacy joins the for_each map, with its migration",
    )
    report = check(repo, tmp_path)

    (result,) = report.results
    assert [(s.move.source, s.outcome) for s in result.migrations] == [("module.legacy[0]", "move")]
    assert result.findings == [] and result.counts.destroys == 0
    assert result.applied and report.passed
    assert {c.table: (c.before.items, c.ok) for c in result.items} == {
        "upgrade-legacy": (1, True),
        "upgrade-orders": (3, True),
        "upgrade-users": (2, True),
    }
    assert render.exit_code(report) == 0


def test_an_allowed_replacement_is_applied_and_the_item_check_catches_the_loss(repo: Path, tmp_path: Path) -> None:
    """The item check is not vacuous: when a reviewer allows a replacement, the lost items are reported."""
    commit(repo, {"envs/local/main.tf": main_tf(users_key='{ name = "id", type = "S" }')}, "rename the users key")
    allow = f"[[allow]]\naddress = '{USERS}'\nreason = 'users are re-imported from the CRM after the release'\n"
    report = check(repo, tmp_path, allow)

    (result,) = report.results
    (finding,) = result.findings
    assert finding.verdict == verdicts.Verdict.ALLOWED and finding.allowed_by is not None
    assert result.applied
    lost = {c.table: c.problem for c in result.lost}
    assert lost == {"upgrade-users": "table upgrade-users holds 0 items, 2 before"}
    with pytest.raises(OperationFailed, match="holds 0 items, 2 before"):
        render.exit_code(report)


def test_an_allow_entry_that_matches_nothing_is_bad_input(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"README.md": "docs only\n"}, "a change that destroys nothing")
    allow = "[[allow]]\naddress = 'module.table[\"upgrade-gone\"].aws_dynamodb_table.this'\nreason = 'retired'\n"
    report = check(repo, tmp_path, allow)

    assert report.results[0].applied and report.results[0].findings == []
    with pytest.raises(UserError, match=r'allow.toml entry 1 \(module.table\["upgrade-gone"\]\S+\) matches no'):
        render.exit_code(report)

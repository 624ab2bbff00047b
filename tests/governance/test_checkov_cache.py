"""The checkov result cache: an unchanged input is answered from the cache, any change re-runs.

The cache is keyed by content (tablekit.review.policy.run_checkov); what must never happen is a stale
answer: a module an env loads through `source = "../mod"` lives outside the scanned directory,
and editing it has to miss the cache and show the new findings.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tablekit.review import policy

PITR = "CKV_AWS_28"
TABLE = """resource "aws_dynamodb_table" "t" {
  name         = "t"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
%s}
"""
PITR_ON = "  point_in_time_recovery {\n    enabled = true\n  }\n"


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkov wrapper that appends a line to a log on every real run; the cache in tmp_path."""
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "checkov"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{policy.checkov_bin()}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(policy.CHECKOV_ENV_VAR, str(wrapper))
    monkeypatch.setattr(policy, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.delenv(policy.CACHE_ENV_VAR, raising=False)
    tree = tmp_path / "tree"
    (tree / "env").mkdir(parents=True)
    (tree / "mod").mkdir()
    (tree / "env" / "main.tf").write_text('module "t" {\n  source = "../mod"\n}\n')
    (tree / "mod" / "main.tf").write_text(TABLE % "")
    return log


def _scan(tmp_path: Path) -> policy.ScanResult:
    tree = tmp_path / "tree"
    return policy.scan_directory(tree / "env", tmp_path / "reports", config_file=None, cwd=tree)


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.slow
def test_an_unchanged_tree_is_answered_from_the_cache(counted: Path, tmp_path: Path) -> None:
    first = _scan(tmp_path)
    second = _scan(tmp_path)
    assert _runs(counted) == 1
    assert PITR in {f.check_id for f in first.failed}
    assert [(f.check_id, f.resource, f.file) for f in second.failed] == [
        (f.check_id, f.resource, f.file) for f in first.failed
    ]
    assert second.reports["json"].read_text() == first.reports["json"].read_text()


@pytest.mark.slow
def test_editing_a_module_outside_the_scanned_directory_misses_the_cache(counted: Path, tmp_path: Path) -> None:
    assert PITR in {f.check_id for f in _scan(tmp_path).failed}
    (tmp_path / "tree" / "mod" / "main.tf").write_text(TABLE % PITR_ON)
    fixed = _scan(tmp_path)
    assert _runs(counted) == 2
    assert PITR not in {f.check_id for f in fixed.failed}


@pytest.mark.slow
def test_the_cache_can_be_turned_off(counted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(policy.CACHE_ENV_VAR, "0")
    _scan(tmp_path)
    _scan(tmp_path)
    assert _runs(counted) == 2
    assert not (tmp_path / "cache").exists() or not os.listdir(tmp_path / "cache")

"""Fixtures of the upgrade tests: the small fixture repository and a clone of it per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from .upgrade_support import clone, make_repo


@pytest.fixture(scope="session")
def fixture_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("upgrade-fixture") / "repo")


@pytest.fixture
def repo(fixture_repo: Path, tmp_path: Path) -> Path:
    """A fresh clone of the fixture repository the test may commit to."""
    return clone(fixture_repo, tmp_path / "repo")

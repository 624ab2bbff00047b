"""CHANGELOG.md as the release list: its format, finding "the previous release" without tags, and the
project's own changelog and module README pins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tablekit.errors import UserError
from tablekit.operations import module_docs
from tablekit.paths import MODULES, ROOT
from tablekit.upgrade import git, migrations, releases

from .upgrade_support import commit
from .upgrade_support import git as run_git

GOOD = """# Changelog

## Unreleased

- something coming

## v0.3.0 — 2027-02-01

Commit: pending

## v0.2.0 — 2027-01-15

Commit: `abcdef1`

### Breaking changes and their migration

## v0.1.0

Commit: 0123456789abcdef0123456789abcdef01234567
"""


def test_sections_are_read_newest_first_with_commit_date_and_pending() -> None:
    log = releases.parse(GOOD, Path("CHANGELOG.md"))
    assert [(r.version, r.commit, r.date) for r in log.releases] == [
        ("v0.3.0", None, "2027-02-01"),
        ("v0.2.0", "abcdef1", "2027-01-15"),
        ("v0.1.0", "0123456789abcdef0123456789abcdef01234567", None),
    ]
    assert log.latest() is not None and log.latest().version == "v0.3.0"  # type: ignore[union-attr]
    assert log.unreleased == "- something coming"
    assert log.releases[1].text.startswith("Commit: `abcdef1`")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## 0.1.0\nCommit: abcdef1\n", r"CHANGELOG.md:1: '## 0.1.0' is not a release heading"),
        ("## v0.1\nCommit: abcdef1\n", "is not a release heading"),
        ("## v0.1.0\n\nnotes\n", r"CHANGELOG.md:1: release v0.1.0 names no commit"),
        ("## v0.1.0\nCommit: HEAD\n", r"CHANGELOG.md:2: release v0.1.0: 'HEAD' is not a commit hash"),
        ("## v0.1.0 (soon)\nCommit: abcdef1\n", "write ` — YYYY-MM-DD` or nothing"),
        ("## v0.1.0\nCommit: abcdef1\n## v0.1.0\nCommit: abcdef1\n", "appears twice"),
        ("## v0.1.0\nCommit: abcdef1\n## v0.2.0\nCommit: abcdef2\n", "sections go newest first"),
        ("## v0.1.0\nCommit: abcdef1\n## Unreleased\n", "must come before every release"),
        (
            "## v0.2.0\nCommit: pending\n## v0.1.0\nCommit: pending\n",
            r"CHANGELOG.md:4: release v0.1.0 still says `Commit: pending` but v0.2.0 came after it",
        ),
    ],
)
def test_format_mistakes_are_one_line_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as raised:
        releases.parse(text, ROOT / "CHANGELOG.md")
    assert "\n" not in str(raised.value)


@pytest.fixture
def history(repo: Path) -> dict[str, str]:
    """Three commits, then a CHANGELOG recording two of them as releases (the follow-up commit)."""
    first = run_git(repo, "rev-parse", "HEAD")
    second = commit(repo, {"notes.txt": "two\n"}, "second")
    third = commit(repo, {"notes.txt": "three\n"}, "third")
    text = (
        "# Changelog\n\n## Unreleased\n\n## v0.3.0\n\nCommit: pending\n\n"
        f"## v0.2.0\n\nCommit: {second[:10]}\n\n## v0.1.0\n\nCommit: {first}\n"
    )
    head = commit(repo, {"CHANGELOG.md": text}, "record releases")
    return {"first": first, "second": second, "third": third, "head": head}


def test_last_release_is_the_newest_recorded_ancestor_without_any_tag(repo: Path, history: dict[str, str]) -> None:
    assert git.tags(repo) == {}
    log = releases.read(repo)
    found = releases.resolve_from(repo, releases.LAST_RELEASE, history["head"], log)
    assert (found.commit, found.release.version if found.release else None) == (history["second"], "v0.2.0")
    assert releases.resolve_from(repo, "v0.1.0", history["head"], log).commit == history["first"]
    assert releases.resolve_from(repo, "HEAD~1", history["head"], log).commit == history["third"]


def test_releases_after_a_commit_include_pending_ones(repo: Path, history: dict[str, str]) -> None:
    log = releases.read(repo)
    assert [r.version for r in releases.released_after(repo, log, history["first"])] == ["v0.2.0", "v0.3.0"]
    assert [r.version for r in releases.released_after(repo, log, history["third"])] == ["v0.3.0"]


def test_a_tag_that_disagrees_with_the_changelog_is_an_error(repo: Path, history: dict[str, str]) -> None:
    run_git(repo, "tag", "v0.1.0", history["second"])
    with pytest.raises(UserError, match=r"tag v0.1.0 points at \w+ but CHANGELOG.md names"):
        releases.resolve_from(repo, "v0.1.0", history["head"])
    run_git(repo, "tag", "-f", "v0.1.0", history["first"])
    assert releases.resolve_from(repo, "v0.1.0", history["head"]).commit == history["first"]


def test_a_ref_that_does_not_exist_is_named(repo: Path, history: dict[str, str]) -> None:
    with pytest.raises(UserError, match=r"--from v9.9.9: no such commit, tag or branch .* \(releases: v0.3.0"):
        releases.resolve_from(repo, "v9.9.9", history["head"])
    with pytest.raises(UserError, match=r"release v0.3.0 has no commit yet"):
        releases.resolve_from(repo, "v0.3.0", history["head"])


def test_a_release_commit_missing_from_the_clone_is_named(repo: Path, history: dict[str, str]) -> None:
    text = "## v0.1.0\n\nCommit: 0123456789abcdef0123456789abcdef01234567\n"
    head = commit(repo, {"CHANGELOG.md": text}, "a rewritten release commit")
    with pytest.raises(UserError, match=r"names commit 0123456789abcdef.*which this clone does not have"):
        releases.resolve_from(repo, releases.LAST_RELEASE, head)


# ------------------------------------------------------------------------------------------------
# The project's own records
# ------------------------------------------------------------------------------------------------


def test_the_projects_changelog_records_the_first_release() -> None:
    log = releases.read(ROOT)
    first = log.get("v0.1.0")
    assert first is not None and first.recorded, "v0.1.0 names its release commit"
    assert [r.version for r in log.releases][-1] == "v0.1.0"
    head = git.resolve(ROOT, "HEAD")
    assert head is not None
    for release in log.releases:
        if release.commit is not None:
            assert git.is_ancestor(ROOT, releases.commit_of(ROOT, release), head), release.version


def test_every_release_migration_is_listed_first_in_its_section() -> None:
    log = releases.read(ROOT)
    files = migrations.read_all(ROOT)
    migrations.check_against(log, files)
    for name, migration in files.items():
        if name == migrations.UNRELEASED:
            continue
        release = log.get(name)
        assert release is not None
        first_subsection = re.search(r"^### (.+)$", release.text, re.MULTILINE)
        assert first_subsection and first_subsection.group(1) == "Breaking changes and their migration", name
        assert f"migrations/{migration.path.name}" in release.text, f"{name} must name its migration file"


def test_every_module_readme_pins_the_newest_release() -> None:
    latest = releases.read(ROOT).latest()
    assert latest is not None
    for module in module_docs.module_dirs(MODULES):
        line = module_docs.consumer_source(module)
        assert line == (
            f'source = "git::https://github.com/tablekit/tablekit.git//modules/{module.name}?ref={latest.version}"'
        )
        readme = (module / "README.md").read_text()
        generated = readme[readme.index(module_docs.BEGIN) : readme.index(module_docs.END)]
        assert line in generated, f"{module.name}: run `just docs`"


def test_modules_outside_the_repository_get_no_pin(tmp_path: Path) -> None:
    assert module_docs.consumer_source(tmp_path) is None

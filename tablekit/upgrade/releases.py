"""Releases as recorded in CHANGELOG.md: versions, the commit each was cut from, and what came after a ref.

Why the list lives in the repository and not only in git tags: CI clones often carry no tags, yet
`upgrade-check` must find "the previous release" and the migrations shipped since. CHANGELOG.md is
in every clone, reviewed like code, and readable by people; tags are created *from* it by the
release workflow, and a tag that disagrees with it is an error.

The format (one section per release, newest first, after an optional `## Unreleased`):

    ## v0.2.0 — 2027-01-15
    Commit: 3f9c2e1d…            (the commit the release was cut from, or `pending`)

    ### Breaking changes and their migration
    ...

Why an explicit commit (filled in by a follow-up commit) rather than "the commit that added the
heading": a section cannot name its own commit, and the commit that introduced a heading depends on
how the branch was merged (a merge commit, a rebased copy, a squash) and changes silently when the
heading is rewritten. An explicit hash is checked: it must exist, be an ancestor of the checked
commit and agree with the tag if one exists; any mismatch is a loud error, never a wrong answer.
Until the follow-up lands the section says `Commit: pending`: the release is being cut, so it
counts as newer than every ref, and its migrations apply to all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tablekit.errors import UserError
from tablekit.paths import ROOT
from tablekit.upgrade import git

CHANGELOG = "CHANGELOG.md"
# `## v1.2.3` optionally followed by ` — 2026-12-01` (em dash or hyphen).
_HEADING = re.compile(
    r"^## (?P<version>v(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*))(?P<rest>.*)$"
)
_DATE = re.compile(r"^\s+[—-]\s+(?P<date>\d{4}-\d{2}-\d{2})\s*$")
_UNRELEASED = re.compile(r"^## Unreleased\s*$")
_COMMIT = re.compile(r"^Commit:\s*`?(?P<commit>[^`\s]*)`?\s*$")
_HASH = re.compile(r"^[0-9a-f]{7,40}$")
PENDING = "pending"
# What `--from` accepts besides git refs and versions: the newest release before the checked commit.
LAST_RELEASE = "last-release"


@dataclass(frozen=True)
class Release:
    """One CHANGELOG section."""

    version: str
    key: tuple[int, int, int]
    commit: str | None  # None while the section says `Commit: pending`
    date: str | None
    line: int
    text: str

    @property
    def recorded(self) -> bool:
        return self.commit is not None


@dataclass(frozen=True)
class Changelog:
    path: Path
    releases: tuple[Release, ...] = ()  # newest first
    unreleased: str = ""

    def latest(self) -> Release | None:
        """The newest section, recorded or pending (module READMEs pin consumers to it)."""
        return self.releases[0] if self.releases else None

    def get(self, version: str) -> Release | None:
        return next((r for r in self.releases if r.version == version), None)


@dataclass(frozen=True)
class FromRef:
    """What `--from` resolved to."""

    ref: str
    commit: str
    release: Release | None = None
    via: str = field(default="git")  # "git", "tag", "changelog"


def _where(path: Path, line: int) -> str:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{shown}:{line}"


def parse(text: str, path: Path) -> Changelog:
    """Read the sections; every structural mistake is a UserError naming the line and the fix."""
    lines = text.splitlines()
    heads: list[tuple[int, str | None, re.Match[str] | None]] = []
    for number, line in enumerate(lines, start=1):
        if _UNRELEASED.match(line):
            heads.append((number, None, None))
        elif line.startswith("## "):
            match = _HEADING.match(line)
            if match is None:
                raise UserError(
                    f"{_where(path, number)}: {line.strip()!r} is not a release heading: write `## vMAJOR.MINOR.PATCH"
                    " — YYYY-MM-DD` (semantic version) or `## Unreleased`"
                )
            heads.append((number, match["version"], match))
    releases: list[Release] = []
    unreleased = ""
    for position, (number, version, match) in enumerate(heads):
        end = heads[position + 1][0] - 1 if position + 1 < len(heads) else len(lines)
        body = "\n".join(lines[number:end]).strip("\n")
        if version is None or match is None:
            if releases:
                raise UserError(f"{_where(path, number)}: `## Unreleased` must come before every release section")
            unreleased = body
            continue
        date = None
        if match["rest"].strip():
            dated = _DATE.match(match["rest"])
            if dated is None:
                raise UserError(
                    f"{_where(path, number)}: after the version write ` — YYYY-MM-DD` or nothing, not {match['rest']!r}"
                )
            date = dated["date"]
        commit_lines = [
            (i, m) for i, raw in enumerate(lines[number:end], start=number + 1) if (m := _COMMIT.match(raw))
        ]
        if not commit_lines:
            raise UserError(
                f"{_where(path, number)}: release {version} names no commit: add a line `Commit: <hash>` "
                f"(or `Commit: {PENDING}` until the release commit exists)"
            )
        commit_line, commit_match = commit_lines[0]
        commit = commit_match["commit"]
        if commit != PENDING and not _HASH.match(commit):
            raise UserError(
                f"{_where(path, commit_line)}: release {version}: {commit!r} is not a commit hash: write 7-40 "
                f"lowercase hex digits, or `{PENDING}`"
            )
        key = (int(match["major"]), int(match["minor"]), int(match["patch"]))
        if any(r.version == version for r in releases):
            raise UserError(f"{_where(path, number)}: release {version} appears twice: keep one section per release")
        if commit == PENDING and releases:
            raise UserError(
                f"{_where(path, commit_line)}: release {version} still says `Commit: {PENDING}` but "
                f"{releases[-1].version} came after it: record its commit (only the newest release may be pending)"
            )
        if releases and key >= releases[-1].key:
            raise UserError(
                f"{_where(path, number)}: release {version} is listed after {releases[-1].version}: "
                f"sections go newest first, and versions only go up"
            )
        releases.append(
            Release(
                version=version,
                key=key,
                commit=None if commit == PENDING else commit,
                date=date,
                line=number,
                text=body,
            )
        )
    return Changelog(path=path, releases=tuple(releases), unreleased=unreleased)


def read(repo: Path = ROOT) -> Changelog:
    path = repo / CHANGELOG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path.name} is missing in {repo}: it records every release (see docs/releases.md)") from None
    return parse(text, path)


def commit_of(repo: Path, release: Release) -> str:
    """The full hash of a recorded release's commit, checked against the clone and any tag."""
    if release.commit is None:
        raise UserError(
            f"release {release.version} has no commit yet (CHANGELOG says `Commit: {PENDING}`): record the release "
            f"commit first, or pass --from another release or commit"
        )
    full = git.resolve(repo, release.commit)
    if full is None:
        hint = (
            " (this clone is shallow: fetch the history with `git fetch --unshallow`)" if git.is_shallow(repo) else ""
        )
        raise UserError(
            f"CHANGELOG.md: release {release.version} names commit {release.commit}, which this clone does not "
            f"have{hint}; fix the Commit line if the release commit was rewritten"
        )
    tagged = git.tags(repo).get(release.version)
    if tagged is not None and tagged != full:
        raise UserError(
            f"tag {release.version} points at {tagged[:12]} but CHANGELOG.md names {full[:12]}: one of them is "
            f"wrong; fix the Commit line or the tag"
        )
    return full


def last_release(repo: Path, changelog: Changelog, head: str) -> Release:
    """The newest recorded release whose commit is a strict ancestor of `head`."""
    for release in changelog.releases:
        if release.commit is None:
            continue
        commit = commit_of(repo, release)
        if commit != head and git.is_ancestor(repo, commit, head):
            return release
    raise UserError(
        f"{CHANGELOG} records no release older than {head[:12]}: pass --from REF (a tag, commit or version) or "
        f"record the first release"
    )


def resolve_from(repo: Path, ref: str, head: str, changelog: Changelog | None = None) -> FromRef:
    """`--from` value -> commit: `last-release`, a CHANGELOG version, or any git ref (tag, branch, hash)."""
    changelog = changelog or read(repo)
    release = last_release(repo, changelog, head) if ref == LAST_RELEASE else changelog.get(ref)
    if release is not None:
        return FromRef(ref=ref, commit=commit_of(repo, release), release=release, via="changelog")
    commit = git.resolve(repo, ref)
    if commit is None:
        known = ", ".join(r.version for r in changelog.releases) or "none recorded"
        raise UserError(
            f"--from {ref}: no such commit, tag or branch in this clone, and no CHANGELOG release of that name "
            f"(releases: {known}); pass a commit that exists or `{LAST_RELEASE}`"
        )
    return FromRef(ref=ref, commit=commit, release=None, via="git")


def released_after(repo: Path, changelog: Changelog, commit: str) -> list[Release]:
    """Releases whose changes `commit` does not contain, oldest first (pending releases always count)."""
    after = [r for r in changelog.releases if r.commit is None or not git.is_ancestor(repo, commit_of(repo, r), commit)]
    return sorted(after, key=lambda r: r.key)

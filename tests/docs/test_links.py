"""Every relative link of the project's Markdown points at a file that exists, and at a heading of
it that exists when the link names one.

Why: the README is short and sends the reader to docs/ pages, module READMEs and headings inside
them; a renamed page, a moved file or a reworded heading would otherwise leave a dead link that
nothing notices. Links to other sites are not fetched (the suite runs offline).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tablekit.paths import ROOT

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def markdown_files() -> list[Path]:
    """The project's own Markdown: every .md file git tracks or would track (not ignored), outside
    tests/ (the Markdown there is fixtures and golden output)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(ROOT / name for name in listed.split("\0") if name and not name.startswith("tests/"))


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, with inline code spans blanked out."""
    out, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append((number, CODE_SPAN.sub("", line)))
    return out


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose_lines(path.read_text()):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path) -> list[str]:
    problems = []
    for number, line in _prose_lines(path.read_text()):
        for target in LINK.findall(line):
            if not target or SCHEME.match(target):
                continue
            file_part, _, fragment = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}:{number}: ({target})"
            if not dest.exists():
                problems.append(f"{where} points at {file_part}, which does not exist")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                problems.append(f"{where}: {dest.relative_to(ROOT)} has no heading #{fragment}")
    return problems


FILES = markdown_files()


def test_the_docs_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"README.md", "CONTRIBUTING.md", "docs/architecture.md", "docs/troubleshooting.md"} <= names


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_relative_links_resolve(path: Path) -> None:
    problems = broken_links(path)
    assert not problems, "\n".join(problems)


def test_the_readme_links_every_docs_page() -> None:
    """The README's "where to read more" list is the way into docs/: no page is left out of it."""
    readme = (ROOT / "README.md").read_text()
    more = readme[readme.index("## Where to read more") :]
    missing = [p.name for p in sorted((ROOT / "docs").glob("*.md")) if f"](docs/{p.name})" not in more]
    assert not missing, f"README.md ## Where to read more has no link to: {', '.join(missing)}"


def test_slugs_follow_github() -> None:
    assert slug("CI: pull request → merge") == "ci-pull-request--merge"
    assert slug("The `tablekit` package") == "the-tablekit-package"
    assert slug("Where the seeds were silent or wrong (design decisions)") == (
        "where-the-seeds-were-silent-or-wrong-design-decisions"
    )

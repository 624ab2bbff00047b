"""Where a row came from and what is wrong with it: the vocabulary every seed error is written in.

Why one type for all validation errors: the loader validates everything before writing and then
reports every problem at once, each as `file:line: what is wrong; fix: what to do`, so an author can
fix a whole file in one pass instead of one error per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tablekit.errors import UserError

# Every problem is kept on the exception; the message lists this many (a generator bug can make 100k).
MAX_LISTED = 200


def display_path(path: Path) -> str:
    """Path relative to the working directory when possible (what editors and terminals link)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Origin:
    """A file and 1-based line number."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One validation error: where, what, and the fix."""

    origin: Origin
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}; fix: {self.fix}"


class SeedValidationError(UserError):
    """Seed files failed validation; nothing was written. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        # Grouped by file, in line order, so an author can walk one file top to bottom.
        self.problems = sorted(problems, key=lambda p: (str(p.origin.path), p.origin.line))
        files = len({p.origin.path for p in self.problems})
        shown = self.problems[:MAX_LISTED]
        lines = "\n".join(f"  {p}" for p in shown)
        if len(self.problems) > len(shown):
            lines += f"\n  ... and {len(self.problems) - len(shown)} more (fix the ones above and re-run)"
        super().__init__(f"{len(self.problems)} seed data problem(s) in {files} file(s); nothing was written:\n{lines}")


class SeedWriteError(UserError):
    """A write failed after validation (throttled past the retry budget, missing table, ...)."""

"""Where a row came from and what is wrong with it: the vocabulary every seed error is written in.

Why one type for all validation errors: the loader validates everything before writing and then
reports every problem at once, each as `file:line: what is wrong; fix: what to do`, so an author can
fix a whole file in one pass instead of one error per run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from tablekit.errors import UserError

if TYPE_CHECKING:
    from tablekit.seed.journal import Rollback

# Every problem is kept on the exception; the message lists this many (a generator bug can make 100k).
MAX_LISTED = 200


def display_path(path: Path) -> str:
    """Path relative to the working directory when possible (what editors and terminals link).

    abspath, not resolve(): the path is shown as written, and a symlink loop (a file the problem is
    about) must not raise while the error is being printed.
    """
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(Path.cwd()))))
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


class SeedRolledBack(SeedWriteError):
    """A write failed mid-run and the undo journal put every table back (or says what it could not).

    `cause` is what stopped the run, `rollback` what the journal did about it.
    """

    def __init__(self, cause: str, rollback: Rollback):
        self.cause = cause
        self.rollback = rollback
        if rollback.complete:
            outcome = "rolled back everything this run wrote, so every table is as it was before the run:"
        else:
            outcome = (
                f"the rollback failed too ({rollback.error}); the BatchWriteItem requests that finish it are saved "
                f"in {rollback.saved_to} (one JSON object per line). Tables touched:"
            )
        lines = "\n".join(f"  {line}" for line in rollback.lines())
        super().__init__(f"{cause}\nThe seed run stopped and {outcome}\n{lines}")

"""The few git questions the release tooling asks, answered by the `git` command line.

Why the CLI and not a library: git is on every machine that has a clone, its plumbing commands are
stable, and a library would be one more dependency for five calls. Every call runs in an explicit
repository directory (never the process's cwd), so tests can point the tooling at a throwaway repo.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path

from tablekit.errors import OperationFailed, UserError


class GitError(OperationFailed):
    """git itself failed (not a missing ref: that is the caller's bad input)."""


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    if shutil.which("git") is None:
        raise UserError("git is not on PATH: upgrade-check and releases read the repository's history with it")
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300
    )
    if check and proc.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed in {repo}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def toplevel(repo: Path) -> Path:
    """The work tree root of the repository that contains `repo`."""
    proc = _git(repo, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise UserError(f"{repo} is not inside a git repository: upgrade-check compares commits, so it needs one")
    return Path(proc.stdout.strip())


def resolve(repo: Path, ref: str) -> str | None:
    """The full commit hash `ref` names (a tag, branch, hash, `HEAD~1`, ...), or None when it names none."""
    if not ref or ref.startswith("-"):
        return None
    proc = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    """True when `ancestor` is `descendant` or one of its ancestors."""
    proc = _git(repo, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
    if proc.returncode not in (0, 1):
        raise GitError(f"git merge-base --is-ancestor {ancestor} {descendant} failed: {proc.stderr.strip()}")
    return proc.returncode == 0


def is_shallow(repo: Path) -> bool:
    return _git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"


def changed_paths(repo: Path, paths: Sequence[str] = ()) -> list[str]:
    """Tracked files with uncommitted changes and untracked, not ignored files (under `paths` when given)."""
    proc = _git(repo, "status", "--porcelain=v1", "--untracked-files=all", "--", *paths)
    return [line[3:] for line in proc.stdout.splitlines() if line.strip()]


def tags(repo: Path) -> dict[str, str]:
    """Tag name => the commit it points at (annotated tags peeled)."""
    proc = _git(repo, "for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags")
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            found[parts[0]] = parts[2] if len(parts) == 3 else parts[1]
    return found


def ls_tree(repo: Path, commit: str) -> list[str]:
    """Top-level entries of a commit's tree."""
    return _git(repo, "ls-tree", "--name-only", commit).stdout.split()


def export(repo: Path, commit: str, dest: Path, paths: Sequence[str]) -> Path:
    """Write the files of `paths` as they are in `commit` into `dest` (no checkout, no worktree entry).

    Why `git archive` and not `git worktree add`: it leaves nothing behind in the repository (no
    worktree to prune if the run is killed), and it never touches the caller's index or files.
    Paths the commit does not have are skipped.
    """
    present = set(ls_tree(repo, commit))
    wanted = [p for p in paths if p.split("/", 1)[0] in present]
    dest.mkdir(parents=True, exist_ok=True)
    if not wanted:
        return dest
    proc = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit, "--", *wanted],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    if proc.returncode != 0:
        raise GitError(f"git archive {commit} failed: {proc.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as archive:
        archive.extractall(dest, filter="data")
    return dest


def show(repo: Path, commit: str, path: str) -> str | None:
    """A file's text as it is in `commit` (None when the commit has no such file)."""
    proc = _git(repo, "show", f"{commit}:{path}", check=False)
    return proc.stdout if proc.returncode == 0 else None

"""Argument parsing shared by every sub-command, so one flag means one thing everywhere.

Standard library only (the PR comment renders from a bare checkout without the project venv).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tablekit.errors import UserError


def env_files(values: Sequence[str], flag: str, must_exist: bool = True) -> dict[str, Path]:
    """`ENV=FILE` pairs (e.g. `--plan prod=build/plans/prod.json`) -> {env: path}, in the order given.

    Every value must name its env: a bare path would make the env name depend on a file name.
    """
    pairs: dict[str, Path] = {}
    for value in values:
        env, sep, path = value.partition("=")
        env, path = env.strip(), path.strip()
        if not sep or not env or not path:
            raise UserError(f"{flag} {value!r}: write ENV=FILE, e.g. {flag} prod=build/plans/prod.json")
        if env in pairs:
            raise UserError(f"{flag}: environment {env!r} given twice; give each env once")
        file = Path(path)
        if must_exist and not file.is_file():
            raise UserError(f"{flag} {env}: no such file {file}")
        pairs[env] = file
    return pairs

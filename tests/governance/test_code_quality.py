"""The code-quality gate CI enforces: ruff lint, ruff format and mypy --strict on the harness.

These run the project's pinned tools from the venv over the whole tree, so a change that breaks
the gate fails the suite (and `.ci/run`) rather than only a local pre-commit hook someone skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tablekit.paths import ROOT

BIN = Path(sys.executable).parent
PYTHON_TREES = ["tablekit", "tests", "bench", "lambda_function"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", *PYTHON_TREES), ("ruff", "format", "--check", *PYTHON_TREES)],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff_is_clean(command: tuple[str, ...]) -> None:
    done = _run(*command)
    assert done.returncode == 0, f"`{' '.join(command)}` failed (fix: ./just fmt):\n{done.stdout}{done.stderr}"


def test_mypy_strict_is_clean_on_the_harness() -> None:
    # [tool.mypy] in pyproject.toml: strict, files = tablekit. The cache lives in build/.
    done = _run("mypy", "--cache-dir", str(ROOT / "build" / "mypy-cache"))
    assert done.returncode == 0, f"mypy --strict found errors (run ./just typecheck):\n{done.stdout}{done.stderr}"
    assert "Success" in done.stdout, done.stdout

"""Fixtures of the governance tests."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Callable, Sequence

import pytest

from tablekit.errors import UserError

# governance_support.py (synthetic plan JSON) sits next to the tests; make it importable however pytest is run.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def tk() -> Callable[..., int]:
    """Run one tablekit sub-command the way tablekit.cli.main does (UserError -> exit 2).

    Only the named command module is registered, so these tests do not depend on every other
    command module importing cleanly while the project is being built up.
    """

    def run(command: str, argv: Sequence[str]) -> int:
        module = importlib.import_module(f"tablekit.commands.{command}")
        parser = argparse.ArgumentParser(prog="tablekit")
        module.register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args([command, *argv])
        try:
            return int(args.func(args) or 0)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run

"""Argument parsing shared by every sub-command, so one flag means one thing everywhere.

Standard library only (the PR comment renders from a bare checkout without the project venv).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tablekit.errors import UserError

ENV_NAMES = ("local", "dev", "prod")  # same as tablekit.paths.ENV_NAMES (kept import-free here)


# Terraform's identifier rule for variable names.
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# A Go duration, as Terraform's -lock-timeout parses it (5m, 90s, 1h30m, 0s).
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def duration(value: str) -> str:
    """argparse type of --lock-timeout: refused here, before an endpoint or Terraform starts."""
    if not _DURATION.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a duration: write a number and a unit (5m, 90s, 1h30m)")
    return value


def sha256_digest(value: str) -> str:
    """argparse type of --sha256: the 64 hex digits `plan` printed."""
    if not _SHA256.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a sha256 digest: pass the 64 hex digits `tablekit plan` printed next to the saved plan"
        )
    return value.lower()


class Parser(argparse.ArgumentParser):
    """argparse with the CLI contract's usage errors: one line naming the fix, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def add_env(parser: argparse.ArgumentParser, default: str | None = None, what: str = "environment") -> None:
    """The env, always the first positional argument of an env command."""
    if default is None:
        parser.add_argument("env", choices=ENV_NAMES, metavar="ENV", help=f"{what}: {', '.join(ENV_NAMES)}")
    else:
        parser.add_argument(
            "env", nargs="?", default=default, choices=ENV_NAMES, metavar="ENV", help=f"{what} (default {default})"
        )


def add_endpoint_url(parser: argparse.ArgumentParser, help: str, default: str | None = None) -> None:
    parser.add_argument("--endpoint-url", default=default, metavar="URL", help=help)


ACCOUNTS = ("aws", "simulated")  # same as tablekit.envs.account.CHOICES (kept import-free here)


def add_account(parser: argparse.ArgumentParser) -> None:
    """--account: which account dev/prod work on (tablekit.envs.account); local always uses the endpoint."""
    parser.add_argument(
        "--account",
        choices=ACCOUNTS,
        help="dev/prod: aws (real credentials, the default) or simulated (the local endpoint stands in "
        "for the account); default from TABLEKIT_ACCOUNT",
    )


def add_inputs(parser: argparse.ArgumentParser) -> None:
    """--var / --var-file, passed through to Terraform (-var wins over -var-file, as in Terraform)."""
    parser.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="a Terraform input variable (repeatable)"
    )
    parser.add_argument(
        "--var-file", action="append", default=[], type=Path, metavar="FILE", help="a .tfvars file (repeatable)"
    )


def add_json(parser: argparse.ArgumentParser, what: str = "the result") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON on stdout")


def variables(values: Sequence[str]) -> dict[str, object]:
    """`--var NAME=VALUE` values -> {NAME: VALUE}; Terraform parses VALUE as it parses -var."""
    parsed: dict[str, object] = {}
    for value in values:
        name, sep, text = value.partition("=")
        name = name.strip()
        if not sep or not _VAR_NAME.match(name):
            raise UserError(f"--var {value!r}: write NAME=VALUE, e.g. --var alarm_sns_topic_arn=arn:aws:sns:...")
        parsed[name] = text
    return parsed


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

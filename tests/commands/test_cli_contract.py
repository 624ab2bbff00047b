"""The CLI contract of docs/cli.md, checked against the real parser and real invocations."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tablekit import cli
from tablekit.paths import ENV_NAMES, ROOT

DOCS = ROOT / "docs" / "cli.md"
# Commands that act on one environment: the env must be their first positional argument.
ENV_COMMANDS = {
    "setup",
    "teardown",
    "status",
    "plan",
    "apply",
    "app-config",
    "seed",
    "synth",
    "stream",
    "adopt",
    "audit",
    "check-queries",
    "migrate",
}
# Old spellings the contract replaced; none may come back.
FORBIDDEN_FLAGS = {"--endpoint", "--plan-json", "--json-out", "--env"}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _walk(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for name, sub in _subparsers(parser).items():
        full = f"{path} {name}".strip()
        yield full, sub
        yield from _walk(sub, full)


COMMANDS = dict(_walk(cli.build_parser()))
TOP_LEVEL = sorted(_subparsers(cli.build_parser()))


def _positionals(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]


@pytest.mark.parametrize("name", sorted(ENV_COMMANDS))
def test_env_is_the_first_positional_argument(name: str) -> None:
    positionals = _positionals(COMMANDS[name])
    assert positionals, f"{name} has no positional arguments"
    assert positionals[0].dest == "env", f"{name}: the env must be the first positional argument"
    assert tuple(positionals[0].choices or ()) == ENV_NAMES


def test_no_other_command_takes_an_env_positional() -> None:
    takes_env = {name for name, parser in COMMANDS.items() if any(a.dest == "env" for a in _positionals(parser))}
    assert takes_env == ENV_COMMANDS


def test_flag_names_are_the_same_everywhere() -> None:
    found = {
        (name, option)
        for name, parser in COMMANDS.items()
        for action in parser._actions
        for option in action.option_strings
        if option in FORBIDDEN_FLAGS
    }
    assert found == set(), "use the contract's names (docs/cli.md): --endpoint-url, --plan, --out, ENV positional"


def test_docs_name_every_command_and_every_long_option() -> None:
    text = DOCS.read_text()
    rows = {m.group(1) for m in re.finditer(r"^\| `([a-z][a-z-]*)[ `]", text, re.MULTILINE)}
    assert sorted(rows) == TOP_LEVEL, "docs/cli.md's command table must list exactly the commands"
    missing = []
    for name, parser in COMMANDS.items():
        top = name.split()[0]
        line = next(line for line in text.splitlines() if line.startswith(f"| `{top}"))
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help", "--version") and option not in line:
                    missing.append(f"{name} {option}")
    assert missing == [], "add these to docs/cli.md's command table"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert re.fullmatch(r"tablekit \S+\n", capsys.readouterr().out)


MISTAKES = [
    ["no-such-command"],
    ["plan"],
    ["plan", "staging"],
    ["plan", "local", "--no-such-flag"],
    ["plan", "local", "--var", "novalue"],
    ["plan", "local", "--var", "1bad=x"],
    ["plan", "prod", "--account", "simulated", "--var-file", "missing.tfvars"],
    ["setup", "staging"],
    ["seed", "staging"],
    ["seed", "local", "--workers", "0"],
    ["synth", "--table", "university"],
    ["stream", "staging"],
    ["audit", "staging", "--source", "."],
    ["audit", "--source", "."],
    ["adopt"],
    ["app-config", "qa"],
    ["teardown", "prod"],
    ["comment", "--plan", "prod"],
    ["comment", "--plan", "prod=does-not-exist.json"],
    ["lint", "--plan", "prod"],
    ["lint", "--plan", "prod=does-not-exist.json", "--no-plans", "--skip-fmt"],
    ["endpoint", "explode"],
    ["state", "bootstrap"],
    ["migrate"],
    ["migrate", "staging"],
    ["upgrade-check", "--envs", "local,staging"],
    ["upgrade-check", "--jobs", "0"],
]


@pytest.mark.parametrize("argv", MISTAKES, ids=[" ".join(a) for a in MISTAKES])
def test_every_mistake_is_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = cli.main(argv)
    except SystemExit as done:  # argparse usage errors
        code = int(done.code or 0)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_a_real_process_shows_no_traceback_and_the_same_codes(tmp_path: Path) -> None:
    """The module entry point behaves like cli.main (python -m tablekit, as the recipes run it)."""
    bad = subprocess.run(
        [sys.executable, "-m", "tablekit", "comment", "--plan", f"prod={tmp_path / 'none.json'}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    ok = subprocess.run([sys.executable, "-m", "tablekit", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and ok.stdout.startswith("tablekit ")


def test_an_unexpected_error_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from tablekit.commands import env as env_command

    def explode(args: argparse.Namespace) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(env_command, "_app_config", explode)
    assert cli.main(["app-config", "local"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: unexpected RuntimeError: boom (TABLEKIT_DEBUG=1 shows the traceback)"

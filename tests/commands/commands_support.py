"""Support for the CLI tests: the bad-input catalogue and the processes a test leaves behind.

docs/troubleshooting.md lists every bad input a user can hit, each row naming the tests that show
it refused. The suite runs each of those tests with a token in its environment (tests/conftest.py)
and fails one that leaves a process holding the token behind: a refused command must not leave an
endpoint, a Terraform or a provider plugin running.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from tablekit.paths import ROOT

CATALOGUE = ROOT / "docs" / "troubleshooting.md"
TOKEN_VAR = "TABLEKIT_TEST_PROCESS_TOKEN"


def troubleshooting_rows() -> list[tuple[str, str]]:
    """(number, rest of the row) of every row of the catalogue's table."""
    return re.findall(r"^\| (\d+) \|(.*)$", CATALOGUE.read_text(), re.MULTILINE)


def named_tests(row: str) -> list[tuple[str, str]]:
    """(file, test function) of every `tests/FILE.py::test_name` a row names."""
    return re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)


@functools.cache
def bad_input_tests() -> frozenset[tuple[str, str]]:
    """Every test some row of the catalogue names."""
    return frozenset(ref for _, row in troubleshooting_rows() for ref in named_tests(row))


def live_processes() -> Iterator[tuple[int, bytes, bytes]]:
    """(pid, command line, environment) of every running process of this user but this one (the
    one walk of /proc the tests share; zombies are exited, so they are left out)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            yield int(entry.name), (entry / "cmdline").read_bytes(), (entry / "environ").read_bytes()
        except OSError:
            continue


def processes_holding(token: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment holds `token`."""
    needle = f"{TOKEN_VAR}={token}".encode()
    return {
        pid: cmdline.replace(b"\0", b" ").decode(errors="replace")
        for pid, cmdline, environ in live_processes()
        if needle in environ.split(b"\0")
    }


def left_behind(token: str, grace: float = 10.0) -> dict[int, str]:
    """The processes still holding `token` after `grace` seconds (plugins take a moment to exit)."""
    deadline = time.monotonic() + grace
    while True:
        alive = processes_holding(token)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def end(pids: dict[int, str]) -> None:
    """Kill what a failing test left, so one leak does not disturb the tests after it."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

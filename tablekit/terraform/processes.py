"""Terraform's process groups: ending a run and its provider plugins, even after a crash.

Terraform starts one process per provider plugin; killing terraform alone leaves them running.
Every run therefore gets its own process group, recorded in a file, so an interrupt, a timeout or
the next run (after this one was killed) ends the whole group, and only when it still is
Terraform's. Also: output pumps that never block the runner, and SIGTERM handled as Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def end_group(pgid: int, wait: float = 5.0) -> None:
    """SIGKILL every process of a group (terraform and its provider plugins) and wait until they are gone,
    so the next run never meets a provider that is still shutting down; gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    while group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)


def pump(pipe: IO[str] | None, sink: Callable[[str], None], done: Callable[[], None] | None = None) -> threading.Thread:
    """Read a pipe line by line into `sink` on a thread, so the caller can wait on the process instead."""

    def read() -> None:
        if pipe is not None:
            for line in pipe:
                sink(line)
            pipe.close()
        if done is not None:
            done()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(proc.name))
    return members


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def group_is_terraform(pgid: int) -> bool:
    """True when some live process of the group runs terraform or a terraform provider (pid reuse guard)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            group = int(stat.rsplit(")", 1)[1].split()[2])
            if group != pgid:
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError):
            continue
        if b"terraform" in cmdline:
            return True
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_leftover_groups(records: Path) -> list[int]:
    """End the terraform process groups whose harness is gone (killed with SIGKILL, a closed terminal).

    Each run records `<records>/<pgid>` holding the pid of the harness that started it. A group
    whose harness still lives is another run in progress (e.g. two users' plans) and is left alone.
    Returns the groups ended.
    """
    ended: list[int] = []
    for record in sorted(records.glob("[0-9]*")) if records.is_dir() else []:
        try:
            pgid, owner = int(record.name), int(record.read_text().strip() or 0)
        except (OSError, ValueError):
            continue
        if owner and alive(owner):
            continue
        record.unlink(missing_ok=True)
        if pgid <= 1 or not group_alive(pgid) or not group_is_terraform(pgid):
            continue
        print(f"tablekit: ending terraform processes (group {pgid}) left behind by an interrupted run", file=sys.stderr)
        end_group(pgid)
        ended.append(pgid)
    return ended


def end_groups(records: Path) -> list[int]:
    """End every terraform process group recorded under `records`, whoever started it.

    For an owner aborting its own runs from another thread (upgrade-check stopping one env when
    another failed): the harness is alive, so `end_leftover_groups` would rightly spare them.
    """
    ended: list[int] = []
    for record in sorted(records.glob("[0-9]*")) if records.is_dir() else []:
        try:
            pgid = int(record.name)
        except ValueError:
            continue
        record.unlink(missing_ok=True)
        if pgid > 1 and group_alive(pgid) and group_is_terraform(pgid):
            end_group(pgid)
            ended.append(pgid)
    return ended


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM and SIGHUP (a closed terminal) like Ctrl-C while terraform runs, so all take the
    same clean path: terraform runs in its own session and never sees them itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, raise_interrupt) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def note(message: str) -> None:
    """A status line on stderr; a closed terminal (SIGHUP) must not stop the cleanup that follows."""
    with contextlib.suppress(OSError, ValueError):
        print(message, file=sys.stderr, flush=True)

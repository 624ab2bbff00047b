"""Readable progress for long multi-step commands: one line per step with its wall time.

A step is also what a failure is reported against: `current()` names the innermost step that was
entered and did not finish, so tablekit.lifecycle.resume can say which step an endpoint that went
away cut short. One `with steps.step(name)` does both.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.table import Table

# Logs (CI, pipes) get 120 columns instead of rich's 80 so summary tables do not wrap.
console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 120)
_current = threading.local()


def current() -> str | None:
    """The innermost step that was entered and did not finish (None outside any step)."""
    name: str | None = getattr(_current, "name", None)
    return name


def forget_current() -> None:
    """Start a command with no step marked (a previous command's failure may have left one)."""
    _current.name = None


class Steps:
    """Collects (step, seconds, detail) rows and prints them as a table at the end."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, float, str]] = []
        self.started = time.monotonic()

    @contextmanager
    def step(self, name: str) -> Iterator[dict[str, str]]:
        """Run one step; the yielded dict's "detail" ends up in the summary table."""
        info: dict[str, str] = {"detail": ""}
        previous, _current.name = current(), name
        began = time.monotonic()
        if sys.stderr.isatty():
            with console.status(f"[bold]{name}[/]…"):
                yield info
        else:
            console.print(f"… {name}")
            yield info
        _current.name = previous
        elapsed = time.monotonic() - began
        self.rows.append((name, elapsed, info["detail"]))
        console.print(f"[green]✓[/] {name} [dim]({elapsed:.1f}s)[/] {info['detail']}")

    def summary(self) -> Table:
        table = Table(title=self.title)
        table.add_column("step")
        table.add_column("seconds", justify="right")
        table.add_column("result")
        for name, seconds, detail in self.rows:
            table.add_row(name, f"{seconds:.1f}", detail)
        table.add_row("[bold]total[/]", f"[bold]{time.monotonic() - self.started:.1f}[/]", "")
        return table

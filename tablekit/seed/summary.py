"""What a seed run did, as data (for `setup` and tests) and as a table (for people); plus progress bars.

Why progress goes to stderr and the summary to stdout: a user piping `tablekit seed local` into a
file or CI log wants the result, not hundreds of bar redraws; rich's bar only draws on a terminal.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Mapping, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tablekit.seed.prune import StaleItem
from tablekit.seed.writer import Progress as ProgressCallback


@dataclass
class TableSummary:
    """One table's line of the summary."""

    table: str
    items: int  # what the table holds from this run: written, plus `unchanged`
    seconds: float = 0.0
    retries: int = 0
    pruned: int = 0
    files: int = 0
    unchanged: int = 0  # items the table already held exactly, so not written again
    skipped: int = 0  # shared envs: items not written because the live row differs (never overwritten)

    @property
    def new(self) -> int:
        """Items this run wrote."""
        return self.items - self.unchanged - self.skipped

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Summary:
    """Result of one seed run. In a dry run `items` counts what would be written and nothing was."""

    env: str | None
    sets: list[str]
    tables: list[TableSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stale: list[StaleItem] = field(default_factory=list)
    dry_run: bool = False
    pruned: bool = False
    seconds: float = 0.0
    journal_reads: int = 0  # BatchGetItem requests the undo journal made (0 when every table started empty)

    @property
    def items(self) -> int:
        return sum(t.items for t in self.tables)

    @property
    def retries(self) -> int:
        return sum(t.retries for t in self.tables)

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0

    def table(self, name: str) -> TableSummary:
        for row in self.tables:
            if row.table == name:
                return row
        raise KeyError(name)

    def render(self) -> Table:
        """The end-of-run table: table, items, seconds, items/s, retries (and pruned when pruning)."""
        verb = "would write" if self.dry_run else "items"
        # escape(): "[reference, demo]" would otherwise be read as rich markup and vanish.
        title = escape(f"seed {self.env + ' ' if self.env else ''}[{', '.join(self.sets)}]")
        if self.dry_run:
            title += " (dry run: nothing written)"
        grid = Table(title=title, title_justify="left")
        grid.add_column("table")
        grid.add_column(verb, justify="right")
        grid.add_column("seconds", justify="right")
        grid.add_column("items/s", justify="right")
        grid.add_column("retries", justify="right")
        changed = any(row.unchanged for row in self.tables)
        shared = self.env not in (None, "local")
        if changed or shared:
            grid.add_column("unchanged", justify="right")
        if shared:
            grid.add_column("new", justify="right")
            grid.add_column("skipped: live row differs", justify="right")
        if self.pruned:
            grid.add_column("would prune" if self.dry_run else "pruned", justify="right")
        for row in sorted(self.tables, key=lambda r: r.table):
            cells = [
                escape(row.table),
                f"{row.items:,}",
                f"{row.seconds:.2f}",
                f"{row.items_per_second:,.0f}",
                str(row.retries),
            ]
            if changed or shared:
                cells.append(f"{row.unchanged:,}")
            if shared:
                cells += [f"{row.new:,}", f"{row.skipped:,}"]
            if self.pruned:
                cells.append(str(row.pruned))
            grid.add_row(*cells)
        total = ["total", f"{self.items:,}", f"{self.seconds:.2f}", f"{self.items_per_second:,.0f}", str(self.retries)]
        if changed or shared:
            total.append(f"{sum(t.unchanged for t in self.tables):,}")
        if shared:
            total += [f"{sum(t.new for t in self.tables):,}", f"{sum(t.skipped for t in self.tables):,}"]
        if self.pruned:
            total.append(str(sum(t.pruned for t in self.tables)))
        grid.add_row(*total, style="bold", end_section=True)
        return grid


def print_summary(summary: Summary, stream: TextIO | None = None) -> None:
    Console(file=stream or sys.stdout, highlight=False).print(summary.render())


@contextmanager
def progress_bars(totals: Mapping[str, int], enabled: bool, label: str = "writing") -> Iterator[ProgressCallback]:
    """A callback (table, n) advancing one bar per table on stderr; a no-op when disabled or not a TTY."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal or not totals:
        yield lambda table, n: None
        return
    bars = Progress(
        TextColumn(f"{label} [bold]{{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    tasks = {table: bars.add_task(table, total=total) for table, total in totals.items()}
    with bars:
        yield lambda table, n: bars.advance(tasks[table], n)

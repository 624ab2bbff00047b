"""Progress bars of a rebuild from the table: items scanned, aggregates written (stderr, TTYs only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Scanned = Callable[[int], None]
Wrote = Callable[[int], Callable[[], None]]


@contextmanager
def bars(enabled: bool, label: str, total_items: int) -> Iterator[tuple[Scanned, Wrote]]:
    """(scanned(n) after each Scan page, wrote(total) -> tick per aggregate written); no-ops when off.

    The item total is DynamoDB's ItemCount, an estimate that may lag: the bar then ends early or
    overshoots a little, which is all a progress bar promises.
    """
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield (lambda n: None), (lambda total: lambda: None)
        return
    progress = Progress(
        TextColumn(f"{label} [bold]{{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    scan = progress.add_task("items scanned", total=max(total_items, 1))

    def wrote(total: int) -> Callable[[], None]:
        task = progress.add_task("aggregates written", total=max(total, 1))
        return lambda: progress.advance(task, 1)

    with progress:
        yield (lambda n: progress.advance(scan, n)), wrote

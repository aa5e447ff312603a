"""Progress of a copy, dump or restore: rich's bars on a terminal (rows per table, rate,
time left), nothing otherwise (the command then prints one summary line at the end)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class Observer:
    """Sees each table start and its rows pass (transfer.py's Observer); shows nothing."""

    def table(self, name: str, total: int | None) -> None:
        return None

    def advance(self, rows: int) -> None:
        return None


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s", style="progress.data.speed")


class Bars(Observer):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def table(self, name: str, total: int | None) -> None:
        self._close()
        self.task = self.progress.add_task(name, total=total)

    def advance(self, rows: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, rows)

    def _close(self) -> None:
        """A table whose size was not known in advance is complete once the next begins."""
        if self.task is not None:
            done = self.progress.tasks[self.task].completed
            self.progress.update(self.task, total=done, completed=done)


@contextmanager
def observer_on(stream: IO[str]) -> Iterator[Observer]:
    if not stream.isatty():
        yield Observer()
        return
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream)) as progress:
        bars = Bars(progress)
        yield bars
        bars._close()

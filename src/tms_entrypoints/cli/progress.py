"""The progress of a long command (a report, demo data) on stderr."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn


class ProgressBar:
    """On a terminal, a bar redrawn in place (rich); elsewhere (a log, CI) a plain line at
    each tenth of the work. Nothing shows before the first step; leaving the ``with``
    block ends the bar, finished or not."""

    def __init__(self, description: str, total: float = 100, console: Console | None = None):
        self._console = console or Console(stderr=True)
        self._redrawn = self._console.is_terminal
        self._description = description
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:5.1f}%"),
            TextColumn("{task.fields[stage]}"),
            console=self._console,
            disable=not self._redrawn,
        )
        self._task = self._progress.add_task(description, total=max(total, 1), stage="")
        self._started = False
        self._tenths_written = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._started:
            self._progress.stop()

    def advance(self, amount: float, stage: str = "") -> None:
        """``amount`` more of the work done; ``stage`` names what is being done."""
        self._step(stage, advance=amount)

    def update(self, completed: float, stage: str = "") -> None:
        """``completed`` of the work done in all (out of the total)."""
        self._step(stage, completed=completed)

    def finish(self) -> None:
        self._step("", completed=self._progress.tasks[0].total)

    def _step(
        self, stage: str, *, advance: float | None = None, completed: float | None = None
    ) -> None:
        if not self._started:
            self._started = True
            self._progress.start()
        self._progress.update(self._task, advance=advance, completed=completed, stage=stage)
        if not self._redrawn:
            self._write_tenth()

    def _write_tenth(self) -> None:
        task = self._progress.tasks[0]
        percentage = min(task.percentage, 100.0)
        tenth = int(percentage // 10)
        if tenth > self._tenths_written:
            self._tenths_written = tenth
            line = f"{self._description} {percentage:5.1f}% {task.fields['stage']}"
            self._console.print(line.rstrip(), markup=False, highlight=False, soft_wrap=True)

"""What reports need from outside: rows in batches, renderers, and a place to run
blocking work."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any, BinaryIO, Protocol, TypeVar

from tms_domain.kernel import Role
from tms_domain.reporting.model import (
    Cell,
    ReportFilter,
    ReportHeader,
    ReportSummary,
    SectionSpec,
)
from tms_domain.training import SessionStatus

T = TypeVar("T")


RowBatches = AsyncGenerator[list[list[Cell]], None]
"""A report section's rows in batches; closed (``aclose``) by a reader that stops early, so
that a batch read ahead ends with the reader."""


class AnalyticsQueries(Protocol):
    """The counts the admins' figures are made of."""

    async def count_by_role(self) -> dict[Role, int]: ...

    async def count_by_status(self) -> dict[SessionStatus, int]: ...

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        """Per trainer: (sessions not cancelled, minutes of completed sessions)."""
        ...

    async def attendance_rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        """Completed sessions: (enrolments, present marks) overall and per trainer."""
        ...

    async def count_trainees_without_sessions(self) -> int: ...


class ReportQueries(Protocol):
    """What reports read, in batches of rows ready to render (memory stays flat). Outside any
    unit of work: each batch is read on its own and holds no connection once it is handed
    over, so a report waiting for a slow client holds none; a store that cannot be reached
    raises StorageUnavailable."""

    def users(self, batch: int) -> RowBatches:
        """id, username, email, role, first name, last name, created."""
        ...

    def sessions(self, where: ReportFilter, batch: int) -> RowBatches:
        """id, title, trainer name, trainee names, start, duration, status; by start."""
        ...

    def attendance(self, where: ReportFilter, batch: int) -> RowBatches:
        """session id, session title, trainee name, present, marked at."""
        ...

    def progress(self, where: ReportFilter, batch: int) -> RowBatches:
        """trainee id, trainee name, enrolled (not cancelled), attended, percentage."""
        ...

    async def summary(self, where: ReportFilter) -> ReportSummary: ...

    async def count(self, where: ReportFilter) -> dict[str, int]:
        """Rows each table section will have."""
        ...


class ReportRenderer(Protocol):
    """Writes one report format incrementally; called off the event loop, in this order:
    ``open``, then ``summary`` if that section is wanted (after the tables instead when
    ``summary_last``), then for each table section ``begin_section``, ``write_rows`` any
    number of times, ``end_section``; last ``close``."""

    format: str
    media_type: str
    extension: str
    summary_last: bool
    """True where readers expect the tables first (CSV: Users, then Sessions)."""

    def open(self, sink: BinaryIO, header: ReportHeader) -> None: ...

    def summary(self, summary: ReportSummary) -> None: ...

    def begin_section(self, spec: SectionSpec) -> None: ...

    def write_rows(self, rows: Sequence[Sequence[Cell]]) -> None: ...

    def end_section(self) -> None: ...

    def close(self) -> None: ...


class BlockingRunner(Protocol):
    """Runs blocking work (rendering a file) off the event loop."""

    async def __call__(self, function: Callable[..., T], /, *args: Any) -> T: ...

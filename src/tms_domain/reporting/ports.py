"""What reports need from outside: the facts they are made of, in batches; the admins' figures;
renderers, and a place to run blocking work."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, NamedTuple, Protocol, TypeVar

from tms_domain.kernel import Role
from tms_domain.learning import EnrolmentStatus
from tms_domain.reporting.model import (
    Cell,
    ReportFilter,
    ReportHeader,
    ReportSummary,
    SectionSpec,
)
from tms_domain.training import SessionStatus

T = TypeVar("T")
F = TypeVar("F")


RowBatches = AsyncGenerator[list[list[Cell]], None]
"""A report section's rows in batches; closed (``aclose``) by a reader that stops early, so
that a batch read ahead ends with the reader."""

FactBatches = AsyncGenerator[list[F], None]
"""The facts a report section is made of, in batches, closed as ``RowBatches`` are."""


class UserFacts(NamedTuple):
    id: int
    username: str
    email: str
    role: str
    first_name: str
    last_name: str
    created_at: datetime


class SessionFacts(NamedTuple):
    id: int
    title: str
    trainer_name: str
    trainee_names: list[str]
    """In enrolment order (a trainee deleted meanwhile is left out)."""
    start: datetime
    duration_minutes: int
    status: str


class AttendanceFacts(NamedTuple):
    session_id: int
    session_title: str
    trainee_name: str
    present: bool
    marked_at: datetime


class ProgressFacts(NamedTuple):
    trainee_id: int
    trainee_name: str
    enrolled: int
    """Sessions enrolled in, cancelled ones left out."""
    attended: int
    """Of those, the ones marked present."""


class CourseFacts(NamedTuple):
    id: int
    code: str
    title: str
    status: str
    total_lessons: int
    """The lessons the course has now."""
    enrolments_by_completed: dict[int, int]
    """How many of the course's enrolments have completed how many of its current lessons:
    completed lessons -> enrolments (a trainee with none completed counts under 0)."""


@dataclass(frozen=True)
class TrainerFacts:
    trainer_id: int
    name: str
    sessions: int
    """Sessions not cancelled."""
    minutes: int
    """Minutes of completed sessions."""
    enrolled: int
    """Enrolments in completed sessions."""
    present: int
    """Of those, the ones marked present."""


@dataclass(frozen=True)
class SummaryFacts:
    users_by_role: dict[str, int]
    sessions_by_status: dict[str, int]
    trainers: list[TrainerFacts]
    """Every trainer with a session not cancelled among the report's."""


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

    async def count_published_courses(self) -> int: ...

    async def count_course_enrolments(self) -> dict[EnrolmentStatus, int]:
        """Course enrolments by their stored status, which the learning use cases keep in
        step with ``progress_of`` as lessons are completed and as lessons come and go."""
        ...


class ReportQueries(Protocol):
    """The facts reports are made of, in batches (memory stays flat); the report's rules
    (``tms_domain.reporting.rows``) make rows of them. Outside any unit of work: each batch is
    read on its own and holds no connection once it is handed over, so a report waiting for
    a slow client holds none; a store that cannot be reached raises StorageUnavailable.
    Names are made by ``tms_domain.accounts.display_name``."""

    def users(self, batch: int) -> FactBatches[UserFacts]:
        """Every user, by id."""
        ...

    def sessions(self, where: ReportFilter, batch: int) -> FactBatches[SessionFacts]:
        """The sessions chosen, by start then id."""
        ...

    def attendance(self, where: ReportFilter, batch: int) -> FactBatches[AttendanceFacts]:
        """The marks of the sessions chosen, by mark id."""
        ...

    def progress(self, where: ReportFilter, batch: int) -> FactBatches[ProgressFacts]:
        """Every trainee, by id, counted over the sessions chosen."""
        ...

    def courses(self, where: ReportFilter, batch: int) -> FactBatches[CourseFacts]:
        """Every course (only ``where.course_id`` when given), by id."""
        ...

    async def summary(self, where: ReportFilter) -> SummaryFacts: ...

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

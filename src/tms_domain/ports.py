"""The interfaces the core needs from the outside world, named for what they do."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, BinaryIO, Protocol, Self, TypeVar

from tms_domain.model import (
    Assignment,
    Attendance,
    AuditEntry,
    AuditQuery,
    DomainEvent,
    Role,
    SessionQuery,
    SessionStatus,
    SignIn,
    TrainingSession,
    User,
)
from tms_domain.model.reports import (
    Cell,
    ReportFilter,
    ReportHeader,
    ReportSummary,
    SectionSpec,
)

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash uses another scheme or outdated parameters."""
        ...

    async def burn(self, password: str) -> None:
        """Spend the time of one verification (for unknown users, so timing leaks nothing)."""
        ...

    def hashes_as_typed(self, password_hash: str) -> bool:
        """True for a hash made over the password as typed, not its normalised form (the
        earlier system's hashes)."""
        ...


@dataclass(frozen=True)
class GuessEstimate:
    """How hard a password is to guess for an attacker who knows some words about its owner."""

    guesses: float
    """The guesses the cheapest attack needs."""
    covered: Mapping[str, int]
    """For each known word the cheapest attack builds on: how many of the password's
    characters it accounts for (the word repeated, reversed, l33t-spelled or recased)."""


class GuessEstimator(Protocol):
    def estimate(self, password: str, hints: Collection[str]) -> GuessEstimate:
        """Estimate for an attacker who knows ``hints`` (lower-case words)."""
        ...


class TokenService(Protocol):
    def issue(self, *, user_id: int, sign_in_id: str, expires_at: datetime) -> str: ...

    def read(self, token: str) -> tuple[int, str]:
        """Return (user_id, sign_in_id); raise AuthenticationFailed for any bad token."""
        ...


class AttemptStore(Protocol):
    """Counters of failed sign-ins, shared by every app process."""

    async def failures(self, key: str) -> tuple[int, datetime | None]:
        """(failures in a row, time of the last one) for an account key."""
        ...

    async def add_failure(self, key: str, at: datetime) -> int:
        """Count one more failure; return the new count."""
        ...

    async def clear(self, key: str) -> None: ...

    async def recent(self, key: str, window_seconds: int) -> int:
        """Failures counted for ``key`` (a client address) in the current window."""
        ...

    async def add_recent(self, key: str, window_seconds: int) -> int: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> User:
        """Insert; raise Conflict on a duplicate username or email, or a username that looks
        like another's, naming neither account. Returns it with an id never used before."""
        ...

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None: ...

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]: ...

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        """The users enrolled in any of these sessions, by id."""
        ...

    async def find_by_login(self, login: str) -> User | None:
        """By username or email, case-insensitively, as typed or NFKC-normalised; a login
        with @ means an email before a username (see ``login_preference``)."""
        ...

    async def update(self, user: User) -> None:
        """Save; raise Conflict as ``add`` does. A username kept (case aside) keeps its
        look-alike key, even none."""
        ...

    async def delete(self, user_id: int) -> None: ...

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]: ...

    async def count_by_role(self) -> dict[Role, int]: ...

    async def count_trainees_without_sessions(self) -> int: ...

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        """Take row locks on these users until the unit of work ends (for booking rules)."""
        ...


class SignInRepository(Protocol):
    async def add(self, sign_in: SignIn) -> None: ...

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None: ...

    async def revoke(self, sign_in_id: str, at: datetime) -> None: ...

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        """Revoke every active sign-in of the user but ``except_id``; return how many."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget sign-ins that expired before ``before``."""
        ...

    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        """When each of these users last signed in, up to ``until`` (those who never did, or
        whose sign-ins are forgotten, are left out)."""
        ...


class SessionRepository(Protocol):
    async def add(self, session: TrainingSession) -> TrainingSession: ...

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None: ...

    async def get_by_link(self, session_link: str) -> TrainingSession | None: ...

    async def update(self, session: TrainingSession) -> None:
        """Save the fields and the trainee list; raise Conflict on a duplicate enrolment."""
        ...

    async def delete(self, session_id: int) -> None: ...

    async def page(self, query: SessionQuery) -> list[TrainingSession]: ...

    async def find_overlapping(
        self,
        start: datetime,
        end: datetime,
        *,
        trainer_id: int | None = None,
        trainee_ids: Sequence[int] = (),
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        """Scheduled sessions overlapping [start, end) trained by the trainer or attended
        by any of the trainees."""
        ...

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        """Enrol; raise Conflict when already enrolled."""
        ...

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool: ...

    async def count_by_status(self) -> dict[SessionStatus, int]: ...

    async def count_trained_by(self, trainer_id: int) -> int: ...

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        """Per trainer: (sessions not cancelled, minutes of completed sessions)."""
        ...

    async def ids_trained_by(self, trainer_id: int) -> list[int]: ...

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        """Every trainee enrolled in any of the trainer's sessions."""
        ...

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        """Each trainee's sessions, without their trainee lists filled in."""
        ...

    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        """The latest moment up to ``until`` at which each trainee was enrolled in a session,
        was marked present, or had a session of theirs (not cancelled) start. Trainees with
        none are left out."""
        ...


class AssignmentRepository(Protocol):
    async def add(self, assignment: Assignment) -> Assignment:
        """Insert; raise Conflict when the pair exists."""
        ...

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None: ...

    async def delete(self, student_id: int, teacher_id: int) -> bool: ...

    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]: ...

    async def is_assigned(self, student_id: int, teacher_id: int) -> bool: ...

    async def student_ids_of(self, teacher_id: int) -> list[int]: ...

    async def teacher_ids_of(self, student_id: int) -> list[int]: ...


class AttendanceRepository(Protocol):
    async def get(self, attendance_id: int) -> Attendance | None: ...

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None: ...

    async def add(self, attendance: Attendance) -> Attendance:
        """Insert; raise Conflict when the trainee already has a record for the session."""
        ...

    async def update(self, attendance: Attendance) -> None: ...

    async def delete(self, attendance_id: int) -> None: ...

    async def list_for_session(self, session_id: int) -> list[Attendance]: ...

    async def list_for_trainee(
        self, trainee_id: int, *, skip: int, limit: int
    ) -> list[Attendance]: ...

    async def count_for_trainee(self, trainee_id: int) -> int: ...

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """For each trainee: (enrolled non-cancelled sessions, of those marked present)."""
        ...

    async def rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        """Completed sessions: (enrolments, present marks) overall and per trainer."""
        ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def page(self, query: AuditQuery) -> list[AuditEntry]: ...


class EventStore(Protocol):
    """The outbox: events written in the same transaction as the change that caused them."""

    async def append(self, events: Sequence[DomainEvent]) -> None:
        """Give each event its stream id and time, and store it."""
        ...

    async def since(self, last_id: int, *, limit: int) -> list[DomainEvent]: ...

    async def replay(
        self, user_id: int | None, after: int, until: int, *, limit: int, not_before: datetime
    ) -> list[DomainEvent] | None:
        """The events with ids in (``after``, ``until``] whose audience lists ``user_id``
        (every event when None), in order; or None when they cannot all be given: the event
        right after ``after`` is no longer kept or happened before ``not_before``, or there
        are more than ``limit`` of them. Ids have no gaps, so that first event tells."""
        ...

    async def last_id(self) -> int: ...

    async def prune(self, before: datetime) -> int: ...


RowBatches = AsyncGenerator[list[list[Cell]], None]
"""A report section's rows in batches; closed (``aclose``) by a reader that stops early, so
that a batch read ahead ends with the reader."""


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


class UnitOfWork(Protocol):
    """One transaction. Leaving it without ``commit()`` rolls back."""

    users: UserRepository
    sign_ins: SignInRepository
    sessions: SessionRepository
    assignments: AssignmentRepository
    attendance: AttendanceRepository
    audit: AuditLog
    events: EventStore

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def record(self, event: DomainEvent) -> None:
        """Keep an event to store at commit and publish after it."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Hand committed events to live listeners; best effort, never raises."""
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

"""What happens in training. Each fact holds domain values (sessions as they were when it
happened); the edge words it for clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tms_domain.kernel.events import Audience, DomainEvent

if TYPE_CHECKING:
    from tms_domain.training.model import Attendance, Room, TrainingSession


def _people(session: TrainingSession, *extra: int) -> Audience:
    """The session's trainer and trainees, and whoever else is named."""
    return Audience(frozenset({session.trainer_id, *session.trainee_ids, *extra}))


@dataclass(frozen=True)
class SessionScheduled(DomainEvent):
    session: TrainingSession

    @property
    def audience(self) -> Audience:
        return _people(self.session)


@dataclass(frozen=True)
class SessionChanged(DomainEvent):
    """Heard by the people of the session before and after the change."""

    before: TrainingSession
    session: TrainingSession
    cancellation_reason: str | None = None
    """Why, when the change cancelled the session and a reason was given."""

    @property
    def audience(self) -> Audience:
        return _people(self.session, self.before.trainer_id, *self.before.trainee_ids)


@dataclass(frozen=True)
class SessionDeleted(DomainEvent):
    session: TrainingSession
    attendance: tuple[Attendance, ...] = ()
    """The attendance marks that went with it (those who react to attendance follow them:
    a session lesson completed by being present there, for one)."""

    @property
    def audience(self) -> Audience:
        return _people(self.session)


@dataclass(frozen=True)
class TraineeEnrolled(DomainEvent):
    """Staff enrolled a trainee; ``session`` with them in it."""

    session: TrainingSession
    trainee_id: int
    at: datetime

    @property
    def audience(self) -> Audience:
        return _people(self.session, self.trainee_id)


@dataclass(frozen=True)
class TraineeWithdrawn(DomainEvent):
    """``session`` without the trainee, who still hears of it."""

    session: TrainingSession
    trainee_id: int
    at: datetime

    @property
    def audience(self) -> Audience:
        return _people(self.session, self.trainee_id)


@dataclass(frozen=True)
class TraineeJoinedByLink(DomainEvent):
    session: TrainingSession
    trainee_id: int
    trainee_name: str

    @property
    def audience(self) -> Audience:
        return _people(self.session, self.trainee_id)


def _trainer_and(session: TrainingSession, trainee_id: int) -> Audience:
    """A booking concerns the session's trainer and the trainee, not the other trainees."""
    return Audience(frozenset({session.trainer_id, trainee_id}))


@dataclass(frozen=True)
class SessionBooked(DomainEvent):
    """A trainee booked a place: ``booking`` is "enrolled" or "waitlisted"."""

    session: TrainingSession
    trainee_id: int
    booking: str
    at: datetime

    @property
    def audience(self) -> Audience:
        return _trainer_and(self.session, self.trainee_id)


@dataclass(frozen=True)
class BookingCancelled(DomainEvent):
    """A trainee gave up their place (``booking`` "enrolled") or their place on the
    waitlist ("waitlisted")."""

    session: TrainingSession
    trainee_id: int
    booking: str
    at: datetime

    @property
    def audience(self) -> Audience:
        return _trainer_and(self.session, self.trainee_id)


@dataclass(frozen=True)
class WaitlistPromoted(DomainEvent):
    """The first free trainee on the waitlist took a place that came free. The hook for
    telling them (a notification) when notifications come."""

    session: TrainingSession
    trainee_id: int
    at: datetime

    @property
    def audience(self) -> Audience:
        return _trainer_and(self.session, self.trainee_id)


@dataclass(frozen=True)
class RoomAdded(DomainEvent):
    """Rooms are admins' to manage: their events go to admins only."""

    room: Room


@dataclass(frozen=True)
class RoomChanged(DomainEvent):
    room: Room


@dataclass(frozen=True)
class RoomRemoved(DomainEvent):
    room: Room


@dataclass(frozen=True)
class TraineeAssigned(DomainEvent):
    assignment_id: int
    student_id: int
    teacher_id: int
    assigned_at: datetime

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.student_id, self.teacher_id}))


@dataclass(frozen=True)
class TraineeUnassigned(DomainEvent):
    student_id: int
    teacher_id: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.student_id, self.teacher_id}))


@dataclass(frozen=True)
class AttendanceMarked(DomainEvent):
    """A first mark; ``trainer_id``: the session's trainer."""

    attendance: Attendance
    trainer_id: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.trainer_id, self.attendance.trainee_id}))


@dataclass(frozen=True)
class AttendanceChanged(DomainEvent):
    attendance: Attendance
    trainer_id: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.trainer_id, self.attendance.trainee_id}))


@dataclass(frozen=True)
class AttendanceDeleted(DomainEvent):
    """``trainer_id`` is None when the session is gone."""

    attendance: Attendance
    trainer_id: int | None

    @property
    def audience(self) -> Audience:
        trainer = () if self.trainer_id is None else (self.trainer_id,)
        return Audience(frozenset({*trainer, self.attendance.trainee_id}))

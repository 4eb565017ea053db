"""Training sessions, enrolments, trainer-trainee assignments and attendance."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tms_domain.audit import diff
from tms_domain.kernel import Conflict, DomainEvent, InvalidInput, NotFound, as_utc
from tms_domain.training.events import (
    BookingCancelled,
    SessionBooked,
    SessionChanged,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeWithdrawn,
    WaitlistPromoted,
)
from tms_domain.training.room import Room, RoomChanges
from tms_domain.training.rules import booking_violations, session_violations

__all__ = [
    "ALLOWED_MOVES",
    "Assignment",
    "Attendance",
    "Booking",
    "Room",
    "RoomChanges",
    "SessionChanges",
    "SessionQuery",
    "SessionStatus",
    "TrainingSession",
]


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


ALLOWED_MOVES: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.SCHEDULED: frozenset({SessionStatus.COMPLETED, SessionStatus.CANCELLED}),
    SessionStatus.CANCELLED: frozenset({SessionStatus.SCHEDULED}),
    SessionStatus.COMPLETED: frozenset(),
}

JOIN_LINK_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
JOIN_LINK_RULE = "Join link must be 16-64 letters, digits, - or _"

CALENDAR_FIELDS = frozenset(
    {"scheduled_date", "duration_minutes", "status", "class_link", "session_link", "room_id"}
)
"""What a calendar entry shows of when, where (the room too) and whether: a change to any of
these bumps the session's ``sequence`` (a new title or description does not: calendars need
no re-invite)."""


class Booking(StrEnum):
    """Where a trainee stands in a session they booked."""

    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"


CLEARABLE = frozenset({"capacity", "booking_closes_at", "room_id"})
"""Fields a change may set back to none (no limit, closing at the start, no room)."""


@dataclass(frozen=True)
class SessionChanges:
    """Fields to change; None leaves a field as it is. ``trainee_ids`` replaces the list."""

    title: str | None = None
    description: str | None = None
    trainer_id: int | None = None
    trainee_ids: tuple[int, ...] | None = None
    scheduled_date: datetime | None = None
    duration_minutes: int | None = None
    status: SessionStatus | None = None
    class_link: str | None = None
    session_link: str | None = None
    capacity: int | None = None
    self_booking: bool | None = None
    booking_closes_at: datetime | None = None
    room_id: int | None = None
    cleared: frozenset[str] = frozenset()
    """Fields of ``CLEARABLE`` to set to none."""
    cancellation_reason: str | None = None
    """Why the session is cancelled: only with ``status`` cancelled; not stored on the
    session, carried by ``SessionChanged`` into what its people are told."""


CANCELLATION_REASON_MAX = 1000


def _cancellation_reason(changes: SessionChanges) -> str | None:
    """The reason given with a cancellation, trimmed (blank: none); 422 naming the field
    when it is too long or comes without ``status`` cancelled."""
    reason = (changes.cancellation_reason or "").strip() or None
    if reason is None:
        return None
    if changes.status is not SessionStatus.CANCELLED:
        raise InvalidInput.for_field(
            "cancellation_reason", 'A cancellation reason goes with status "cancelled"'
        )
    if len(reason) > CANCELLATION_REASON_MAX:
        raise InvalidInput.for_field(
            "cancellation_reason",
            f"The cancellation reason is longer than {CANCELLATION_REASON_MAX} characters",
        )
    return reason


def _unique(ids: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if ids is None else tuple(dict.fromkeys(ids))


def _ensure_valid(changes: SessionChanges) -> None:
    """Every field being set within its bounds; all violations named at once."""
    trainee_ids = _unique(changes.trainee_ids)
    errors = session_violations(
        title=changes.title,
        description=changes.description,
        duration_minutes=changes.duration_minutes,
        class_link=changes.class_link,
        scheduled_date=(
            as_utc(changes.scheduled_date, "scheduled_date")
            if changes.scheduled_date is not None
            else None
        ),
        trainee_count=len(trainee_ids) if trainee_ids is not None else None,
    )
    errors += booking_violations(
        capacity=changes.capacity,
        booking_closes_at=changes.booking_closes_at,
    )
    if changes.session_link is not None and not JOIN_LINK_PATTERN.fullmatch(changes.session_link):
        errors.append(("session_link", JOIN_LINK_RULE))
    if errors:
        raise InvalidInput.many("Invalid session", errors)


def _as_given(value: Any) -> Any:
    return value


_STORED_AS: dict[str, Any] = {
    "title": str.strip,
    "trainee_ids": lambda ids: list(dict.fromkeys(ids)),
    "scheduled_date": as_utc,
    "class_link": lambda link: link or None,
    "booking_closes_at": as_utc,
}
"""How a changed field is kept (the others as given); field names are the session's."""


@dataclass
class TrainingSession:
    """The aggregate: a session's fields, its status moves and its enrolments. Rules that
    need other sessions or users (double booking, who may be enrolled) are the use cases'."""

    id: int
    title: str
    description: str | None
    trainer_id: int
    trainee_ids: list[int]
    scheduled_date: datetime
    duration_minutes: int
    status: SessionStatus
    class_link: str | None
    session_link: str
    created_at: datetime
    updated_at: datetime
    capacity: int | None = None
    """The most trainees it takes; None: no limit."""
    self_booking: bool = False
    """Trainees may book it themselves (``book``)."""
    booking_closes_at: datetime | None = None
    """When self-booking ends; None: at the start."""
    room_id: int | None = None
    waitlist_ids: list[int] = field(default_factory=list)
    """Trainees waiting for a place, first come first."""
    sequence: int = 0
    """The calendar's SEQUENCE: one more each time the time, place, join link or status
    changes (see ``CALENDAR_FIELDS``); never less."""
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)
    """What the session's changes raised, until the use case takes them (``pull_events``)."""

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_date + timedelta(minutes=self.duration_minutes)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Half-open ranges: [start, end) meets [end, ...) without overlapping."""
        return self.scheduled_date < end and start < self.ends_at

    @classmethod
    def plan(
        cls,
        *,
        title: str,
        trainer_id: int,
        scheduled_date: datetime,
        duration_minutes: int,
        description: str | None,
        trainee_ids: tuple[int, ...],
        status: SessionStatus,
        class_link: str | None,
        session_link: str,
        now: datetime,
        capacity: int | None = None,
        self_booking: bool = False,
        booking_closes_at: datetime | None = None,
        room_id: int | None = None,
    ) -> TrainingSession:
        """A new session (not stored yet: id 0), its fields checked; trainees listed once,
        no more of them than its capacity (422), and booking closing before its end."""
        _ensure_valid(
            SessionChanges(
                title=title,
                description=description,
                trainee_ids=trainee_ids,
                scheduled_date=scheduled_date,
                duration_minutes=duration_minutes,
                class_link=class_link,
                session_link=session_link,
                capacity=capacity,
                booking_closes_at=booking_closes_at,
            )
        )
        session = cls(
            id=0,
            title=title.strip(),
            description=description,
            trainer_id=trainer_id,
            trainee_ids=list(_unique(trainee_ids) or ()),
            scheduled_date=as_utc(scheduled_date),
            duration_minutes=duration_minutes,
            status=status,
            class_link=class_link or None,
            session_link=session_link,
            created_at=now,
            updated_at=now,
            capacity=capacity,
            self_booking=self_booking,
            booking_closes_at=as_utc(booking_closes_at) if booking_closes_at else None,
            room_id=room_id,
        )
        if capacity is not None and len(session.trainee_ids) > capacity:
            raise InvalidInput.for_field(
                "trainees",
                f"{len(session.trainee_ids)} trainees are more than the capacity of {capacity}",
            )
        session._ensure_booking_closes_in_time()
        return session

    def snapshot(self) -> TrainingSession:
        """A copy that later changes to this session leave alone (events hold these)."""
        return replace(
            self,
            trainee_ids=list(self.trainee_ids),
            waitlist_ids=list(self.waitlist_ids),
            events=[],
        )

    @property
    def places_left(self) -> int | None:
        """None: no limit. Never below 0, even when staff enrolled past the capacity."""
        if self.capacity is None:
            return None
        return max(0, self.capacity - len(self.trainee_ids))

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def booking_closes(self) -> datetime:
        """When self-booking ends: the closing time given, or the start."""
        return self.booking_closes_at or self.scheduled_date

    def booking_of(self, trainee_id: int) -> Booking | None:
        if trainee_id in self.trainee_ids:
            return Booking.ENROLLED
        if trainee_id in self.waitlist_ids:
            return Booking.WAITLISTED
        return None

    def waitlist_position(self, trainee_id: int) -> int | None:
        """1 for the first in line; None when not waiting."""
        if trainee_id not in self.waitlist_ids:
            return None
        return self.waitlist_ids.index(trainee_id) + 1

    def is_open_for_booking(self, now: datetime) -> bool:
        return (
            self.self_booking
            and self.status is SessionStatus.SCHEDULED
            and now < self.booking_closes
        )

    def _ensure_booking_closes_in_time(self) -> None:
        if self.booking_closes_at is not None and self.booking_closes_at >= self.ends_at:
            raise InvalidInput.for_field(
                "booking_closes_at", "Booking must close before the session ends"
            )

    def pull_events(self) -> list[DomainEvent]:
        """The events raised so far, handed over once (take them before saving)."""
        events, self.events = self.events, []
        return events

    def audit_fields(self) -> dict[str, Any]:
        """The session as the audit trail records it (the join link never)."""
        return {
            "title": self.title,
            "description": self.description,
            "trainer_id": self.trainer_id,
            "trainees": sorted(self.trainee_ids),
            "scheduled_date": self.scheduled_date.isoformat(),
            "duration_minutes": self.duration_minutes,
            "status": self.status.value,
            "class_link": self.class_link,
            "capacity": self.capacity,
            "self_booking": self.self_booking,
            "booking_closes_at": (
                self.booking_closes_at.isoformat() if self.booking_closes_at else None
            ),
            "room_id": self.room_id,
        }

    def ensure_can_move_to(self, status: SessionStatus) -> None:
        """scheduled -> completed | cancelled; cancelled -> scheduled; completed is final."""
        if status != self.status and status not in ALLOWED_MOVES[self.status]:
            raise Conflict(f"A {self.status.value} session cannot become {status.value}")

    def apply(self, changes: SessionChanges, now: datetime) -> dict[str, list[Any]]:
        """Check and make the changes; answer what changed, field by field as [before,
        after] (the join link masked), and touch ``updated_at`` only when something did.
        Nothing changes when a field or the status move is refused."""
        _ensure_valid(changes)
        reason = _cancellation_reason(changes)
        if changes.status is not None:
            self.ensure_can_move_to(changes.status)
        before = self.snapshot()
        after = self.snapshot()
        after._set(changes)
        after._ensure_booking_closes_in_time()
        _ensure_fits(before, after)
        self._set(changes)
        # Trainees enrolled by the change wait no longer.
        self.waitlist_ids = [i for i in self.waitlist_ids if i not in self.trainee_ids]
        changed = diff(before.audit_fields(), self.audit_fields())
        if self.session_link != before.session_link:
            changed["session_link"] = ["***", "***"]
        if changed:
            self.updated_at = now
            if CALENDAR_FIELDS & changed.keys():
                self.sequence += 1
            cancelled = "status" in changed and self.status is SessionStatus.CANCELLED
            if cancelled and reason:
                changed["cancellation_reason"] = [None, reason]
            self.events.append(
                SessionChanged(before, self.snapshot(), reason if cancelled else None)
            )
        return changed

    def _set(self, changes: SessionChanges) -> None:
        for change in fields(changes):
            if change.name in ("cleared", "cancellation_reason"):
                continue
            value = getattr(changes, change.name)
            if value is not None:
                setattr(self, change.name, _STORED_AS.get(change.name, _as_given)(value))
        for name in changes.cleared & CLEARABLE:
            setattr(self, name, None)

    def enrol(
        self, trainee_id: int, trainee_name: str, now: datetime, *, override: bool = False
    ) -> None:
        """Staff enrol a trainee, once (notifications tell the trainee). A full session takes
        them only with ``override`` (staff deciding to go past the capacity); a trainee
        waiting for a place leaves the waitlist."""
        if trainee_id in self.trainee_ids:
            raise Conflict(f"{trainee_name} is already enrolled in this session")
        if self.is_full and not override:
            raise Conflict(
                f"The session is full ({self.capacity} places): enrol with override=true"
                " to go past its capacity"
            )
        if trainee_id in self.waitlist_ids:
            self.waitlist_ids.remove(trainee_id)
        self.trainee_ids.append(trainee_id)
        self.updated_at = now
        self.events.append(TraineeEnrolled(self.snapshot(), trainee_id, now))

    def withdraw(self, trainee_id: int, now: datetime) -> None:
        if trainee_id not in self.trainee_ids:
            raise NotFound("The trainee is not enrolled in this session")
        self.trainee_ids.remove(trainee_id)
        self.updated_at = now
        self.events.append(TraineeWithdrawn(self.snapshot(), trainee_id, now))

    def join_by_link(self, trainee_id: int, trainee_name: str, now: datetime) -> bool:
        """A trainee enrols themself while the session is scheduled; joining again changes
        nothing (False)."""
        if trainee_id in self.trainee_ids:
            return False
        if self.status is not SessionStatus.SCHEDULED:
            raise Conflict(f"This session is {self.status.value}: it can no longer be joined")
        if self.is_full:
            raise Conflict(f"This session is full ({self.capacity} places)")
        if trainee_id in self.waitlist_ids:
            self.waitlist_ids.remove(trainee_id)
        self.trainee_ids.append(trainee_id)
        self.updated_at = now
        self.events.append(TraineeJoinedByLink(self.snapshot(), trainee_id, trainee_name))
        return True

    def ensure_bookable(self, now: datetime) -> None:
        """Open to self-booking: a scheduled session that takes bookings (otherwise "not
        found", as for a session the trainee may not see), until booking closes (409)."""
        if not self.self_booking or self.status is not SessionStatus.SCHEDULED:
            raise NotFound("Session not found")
        if now >= self.booking_closes:
            raise Conflict(f"Booking for this session closed at {self.booking_closes.isoformat()}")

    def book(self, trainee_id: int, now: datetime) -> Booking:
        """A trainee books a place: enrolled while places are left, otherwise last on the
        waitlist. Booking twice is a conflict."""
        self.ensure_bookable(now)
        if trainee_id in self.trainee_ids:
            raise Conflict("You are already enrolled in this session")
        if trainee_id in self.waitlist_ids:
            raise Conflict(
                "You are already on the waitlist of this session"
                f" (place {self.waitlist_position(trainee_id)})"
            )
        if self.is_full:
            self.waitlist_ids.append(trainee_id)
            booking = Booking.WAITLISTED
        else:
            self.trainee_ids.append(trainee_id)
            booking = Booking.ENROLLED
        self.updated_at = now
        self.events.append(SessionBooked(self.snapshot(), trainee_id, booking.value, now))
        return booking

    def cancel_booking(self, trainee_id: int, now: datetime) -> Booking:
        """A trainee gives up their place, or their place on the waitlist, until the session
        starts; answer which it was."""
        if not self.self_booking or self.status is not SessionStatus.SCHEDULED:
            raise NotFound("Session not found")
        if now >= self.scheduled_date:
            raise Conflict("This session has started: its bookings can no longer be cancelled")
        booking = self.booking_of(trainee_id)
        if booking is None:
            raise NotFound("You have no booking for this session")
        if booking is Booking.ENROLLED:
            self.trainee_ids.remove(trainee_id)
        else:
            self.waitlist_ids.remove(trainee_id)
        self.updated_at = now
        self.events.append(BookingCancelled(self.snapshot(), trainee_id, booking.value, now))
        return booking

    def waiting_for_a_place(self, now: datetime) -> list[int]:
        """Who may be promoted now, first in line first: none unless a place is free and the
        session is scheduled and has not started."""
        if (
            self.is_full
            or not self.waitlist_ids
            or self.status is not SessionStatus.SCHEDULED
            or now >= self.scheduled_date
        ):
            return []
        return list(self.waitlist_ids)

    def promote(self, trainee_id: int, now: datetime) -> None:
        """The trainee leaves the waitlist for a free place (the use case picks who: the
        first who is free at that time)."""
        if trainee_id not in self.waitlist_ids or self.is_full:
            raise Conflict("No place to promote this trainee to")
        self.waitlist_ids.remove(trainee_id)
        self.trainee_ids.append(trainee_id)
        self.updated_at = now
        self.events.append(WaitlistPromoted(self.snapshot(), trainee_id, now))


def _ensure_fits(before: TrainingSession, after: TrainingSession) -> None:
    """A change may not leave more trainees than places (409: the current enrolment is in
    the way, not the value): neither a capacity below the trainees enrolled, nor new
    trainees past the capacity. A session staff filled past its capacity keeps its
    trainees through other changes."""
    if after.capacity is None:
        return
    enrolled = len(after.trainee_ids)
    if after.capacity != before.capacity and after.capacity < enrolled:
        raise Conflict(
            f"{enrolled} trainees are enrolled: the capacity cannot be lower than that"
            " (remove trainees first)"
        )
    if enrolled > after.capacity and enrolled > len(before.trainee_ids):
        raise Conflict(
            f"The session is full ({after.capacity} places): enrol one by one with"
            " override=true to go past its capacity"
        )


@dataclass(frozen=True)
class SessionQuery:
    """Filters for listing sessions; ``starts_from`` inclusive, ``starts_before`` exclusive."""

    status: SessionStatus | None = None
    trainer_id: int | None = None
    trainee_id: int | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    newest_first: bool = False
    """By start, latest first (for a history), instead of earliest first."""
    skip: int = 0
    limit: int = 100


@dataclass
class Assignment:
    id: int
    student_id: int
    teacher_id: int
    assigned_date: datetime


@dataclass
class Attendance:
    id: int
    session_id: int
    trainee_id: int
    present: bool
    marked_at: datetime

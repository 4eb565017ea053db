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
    SessionChanged,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeToldOfEnrolment,
    TraineeWithdrawn,
)
from tms_domain.training.rules import session_violations


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
    {"scheduled_date", "duration_minutes", "status", "class_link", "session_link"}
)
"""What a calendar entry shows of when, where and whether: a change to any of these bumps the
session's ``sequence`` (a new title or description does not: calendars need no re-invite)."""


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
    ) -> TrainingSession:
        """A new session (not stored yet: id 0), its fields checked; trainees listed once."""
        _ensure_valid(
            SessionChanges(
                title=title,
                description=description,
                trainee_ids=trainee_ids,
                scheduled_date=scheduled_date,
                duration_minutes=duration_minutes,
                class_link=class_link,
                session_link=session_link,
            )
        )
        return cls(
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
        )

    def snapshot(self) -> TrainingSession:
        """A copy that later changes to this session leave alone (events hold these)."""
        return replace(self, trainee_ids=list(self.trainee_ids), events=[])

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
        if changes.status is not None:
            self.ensure_can_move_to(changes.status)
        before = self.snapshot()
        self._set(changes)
        changed = diff(before.audit_fields(), self.audit_fields())
        if self.session_link != before.session_link:
            changed["session_link"] = ["***", "***"]
        if changed:
            self.updated_at = now
            if CALENDAR_FIELDS & changed.keys():
                self.sequence += 1
            self.events.append(SessionChanged(before, self.snapshot()))
        return changed

    def _set(self, changes: SessionChanges) -> None:
        for change in fields(changes):
            value = getattr(changes, change.name)
            if value is not None:
                setattr(self, change.name, _STORED_AS.get(change.name, _as_given)(value))

    def enrol(self, trainee_id: int, trainee_name: str, now: datetime) -> None:
        """Staff enrol a trainee, once; the trainee is told."""
        if trainee_id in self.trainee_ids:
            raise Conflict(f"{trainee_name} is already enrolled in this session")
        self.trainee_ids.append(trainee_id)
        self.updated_at = now
        self.events.append(TraineeEnrolled(self.snapshot(), trainee_id, now))
        self.events.append(TraineeToldOfEnrolment(self.snapshot(), trainee_id, now))

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
        self.trainee_ids.append(trainee_id)
        self.updated_at = now
        self.events.append(TraineeJoinedByLink(self.snapshot(), trainee_id, trainee_name))
        return True


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

"""Training sessions, enrolments, trainer-trainee assignments and attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass
class TrainingSession:
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

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_date + timedelta(minutes=self.duration_minutes)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Half-open ranges: [start, end) meets [end, ...) without overlapping."""
        return self.scheduled_date < end and start < self.ends_at


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

"""What the training area needs from outside: a write-side repository per aggregate
(sessions with their enrolments, assignments, attendance) and read-side queries named by
what they answer (listings, progress, activity)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.training.model import (
    Assignment,
    Attendance,
    Room,
    SessionQuery,
    TrainingSession,
)


class SessionRepository(Protocol):
    """Sessions as the writes need them, with the lookups their rules make. A session comes
    with its trainees in enrolment order and its waitlist in order of arrival; ``update``
    saves both."""

    async def add(self, session: TrainingSession) -> TrainingSession: ...

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None: ...

    async def get_by_link(self, session_link: str) -> TrainingSession | None: ...

    async def update(self, session: TrainingSession) -> None:
        """Save the fields, the trainee list and the waitlist (those who join it go to its
        end); raise Conflict on a duplicate enrolment or waitlist place."""
        ...

    async def delete(self, session_id: int) -> None: ...

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        """Enrol; raise Conflict when already enrolled."""
        ...

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool: ...

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
        by any of the trainees, by start: at most ``overlap_limit(trainee_ids)`` of them,
        enough to name every trainee in the way."""
        ...

    async def ids_trained_by(self, trainer_id: int) -> list[int]: ...

    async def find_in_room(
        self,
        room_id: int,
        start: datetime,
        end: datetime,
        *,
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        """Scheduled sessions held in the room that overlap [start, end) (at most 10)."""
        ...

    async def using_room(self, room_id: int, *, ending_after: datetime) -> list[TrainingSession]:
        """Scheduled sessions held in the room that end after the moment, by start (at most
        10)."""
        ...


class SessionListing(Protocol):
    async def page(self, query: SessionQuery) -> list[TrainingSession]: ...

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        """Each trainee's sessions by start, without their trainee lists filled in."""
        ...

    async def open_for_booking(
        self, trainee_id: int, now: datetime, *, skip: int, limit: int
    ) -> list[TrainingSession]:
        """By start: scheduled self-booking sessions that have not started and either still
        take bookings or hold a booking or waitlist place of the trainee."""
        ...


class RoomRepository(Protocol):
    async def add(self, room: Room) -> Room:
        """Insert; raise Conflict when the name is taken."""
        ...

    async def get(self, room_id: int, *, for_update: bool = False) -> Room | None:
        """``for_update``: lock the room until the unit of work ends, so that two sessions
        cannot take it at the same time."""
        ...

    async def update(self, room: Room) -> None:
        """Raise Conflict when the new name is taken."""
        ...

    async def delete(self, room_id: int) -> None:
        """Sessions that were held in it keep no room."""
        ...


class RoomListing(Protocol):
    async def page(self, *, skip: int, limit: int) -> list[Room]:
        """By name, then id."""
        ...


class AssignmentRepository(Protocol):
    async def add(self, assignment: Assignment) -> Assignment:
        """Insert; raise Conflict when the pair exists."""
        ...

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None: ...

    async def delete(self, student_id: int, teacher_id: int) -> bool: ...

    async def student_ids_of(self, teacher_id: int) -> list[int]: ...

    async def teacher_ids_of(self, student_id: int) -> list[int]: ...


class AssignmentListing(Protocol):
    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]: ...


class AttendanceRepository(Protocol):
    async def get(self, attendance_id: int) -> Attendance | None: ...

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None: ...

    async def add(self, attendance: Attendance) -> Attendance:
        """Insert; raise Conflict when the trainee already has a record for the session."""
        ...

    async def update(self, attendance: Attendance) -> None: ...

    async def delete(self, attendance_id: int) -> None: ...

    async def count_for_trainee(self, trainee_id: int) -> int: ...


class AttendanceListing(Protocol):
    async def list_for_session(self, session_id: int) -> list[Attendance]: ...

    async def list_for_trainee(
        self, trainee_id: int, *, skip: int, limit: int
    ) -> list[Attendance]: ...


class TrainingProgress(Protocol):
    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """For each trainee: (enrolled non-cancelled sessions, of those marked present)."""
        ...

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        """Every trainee enrolled in any of the trainer's sessions."""
        ...


class TraineeActivity(Protocol):
    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        """The latest moment up to ``until`` at which each trainee was enrolled in a session,
        was marked present, or had a session of theirs (not cancelled) start. Trainees with
        none are left out."""
        ...


def overlap_limit(trainee_ids: Sequence[int]) -> int:
    """The overlapping sessions looked at: one per trainee booked, and ten more (each
    trainee in the way is in at least one; the trainer's own are among the ten)."""
    return len(set(trainee_ids)) + 10

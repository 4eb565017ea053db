"""The training area's read side in memory: listings of sessions, assignments and
attendance; progress and activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_adapters.persistence.memory.training import is_present, session_out
from tms_domain.training import (
    Assignment,
    Attendance,
    Room,
    SessionQuery,
    SessionStatus,
    TrainingSession,
)


class MemorySessionListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, query: SessionQuery) -> list[TrainingSession]:
        found = []
        for session in self._s.sessions.values():
            if query.status is not None and session.status is not query.status:
                continue
            if query.trainer_id is not None and session.trainer_id != query.trainer_id:
                continue
            if (
                query.trainee_id is not None
                and (session.id, query.trainee_id) not in self._s.enrolments
            ):
                continue
            if query.starts_from is not None and session.scheduled_date < query.starts_from:
                continue
            if query.starts_before is not None and session.scheduled_date >= query.starts_before:
                continue
            found.append(session)
        found.sort(key=lambda s: (s.scheduled_date, s.id), reverse=query.newest_first)
        return [session_out(self._s, s) for s in found[query.skip : query.skip + query.limit]]

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        found: dict[int, list[TrainingSession]] = {}
        for session_id, trainee_id in self._s.enrolments:
            if trainee_id in trainee_ids and session_id in self._s.sessions:
                session = session_out(self._s, self._s.sessions[session_id], with_trainees=False)
                found.setdefault(trainee_id, []).append(session)
        for sessions in found.values():
            sessions.sort(key=lambda s: (s.scheduled_date, s.id))
        return found

    async def open_for_booking(
        self, trainee_id: int, now: datetime, *, skip: int, limit: int
    ) -> list[TrainingSession]:
        found = []
        for session in self._s.sessions.values():
            if not (
                session.self_booking
                and session.status is SessionStatus.SCHEDULED
                and session.scheduled_date > now
            ):
                continue
            key = (session.id, trainee_id)
            if session.booking_closes > now or key in self._s.enrolments or key in self._s.waitlist:
                found.append(session)
        found.sort(key=lambda s: (s.scheduled_date, s.id))
        return [session_out(self._s, s) for s in found[skip : skip + limit]]


class MemoryRoomListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, *, skip: int, limit: int) -> list[Room]:
        rooms = sorted(self._s.rooms.values(), key=lambda r: (r.name, r.id))
        return [replace(r) for r in rooms[skip : skip + limit]]


class MemoryAssignmentListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]:
        found = [
            replace(a)
            for a in sorted(self._s.assignments.values(), key=lambda a: a.id)
            if (student_id is None or a.student_id == student_id)
            and (teacher_id is None or a.teacher_id == teacher_id)
        ]
        return found[skip : skip + limit]


class MemoryAttendanceListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def list_for_session(self, session_id: int) -> list[Attendance]:
        return [
            replace(a)
            for a in sorted(self._s.attendance.values(), key=lambda a: a.id)
            if a.session_id == session_id
        ]

    async def list_for_trainee(self, trainee_id: int, *, skip: int, limit: int) -> list[Attendance]:
        found = [
            replace(a)
            for a in sorted(self._s.attendance.values(), key=lambda a: (a.marked_at, a.id))
            if a.trainee_id == trainee_id
        ]
        return found[skip : skip + limit]


class MemoryTrainingProgress:
    def __init__(self, state: State) -> None:
        self._s = state

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if trainee_id not in trainee_ids or session is None:
                continue
            if session.status is SessionStatus.CANCELLED:
                continue
            total, attended = found.get(trainee_id, (0, 0))
            found[trainee_id] = (total + 1, attended + is_present(self._s, session_id, trainee_id))
        return found

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(
            {
                trainee_id
                for session_id, trainee_id in self._s.enrolments
                if self._s.sessions[session_id].trainer_id == trainer_id
            }
        )


class MemoryTraineeActivity:
    def __init__(self, state: State) -> None:
        self._s = state

    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        wanted = set(trainee_ids)
        moments: dict[int, list[datetime]] = {}
        for (session_id, trainee_id), enrolment in self._s.enrolments.items():
            if trainee_id not in wanted:
                continue
            session = self._s.sessions[session_id]
            moments.setdefault(trainee_id, []).append(enrolment.enrolled_at)
            if session.status is not SessionStatus.CANCELLED:
                moments[trainee_id].append(session.scheduled_date)
        for mark in self._s.attendance.values():
            if mark.trainee_id in wanted and mark.present:
                moments.setdefault(mark.trainee_id, []).append(mark.marked_at)
        latest = {i: max((m for m in ms if m <= until), default=None) for i, ms in moments.items()}
        return {i: m for i, m in latest.items() if m is not None}

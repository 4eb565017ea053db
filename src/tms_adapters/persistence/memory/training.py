"""The training area in memory: sessions and their enrolments, assignments and attendance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import Enrolment, State
from tms_domain.kernel import Conflict
from tms_domain.training import (
    Assignment,
    Attendance,
    Room,
    SessionStatus,
    TrainingSession,
    overlap_limit,
)


def trainees_of(state: State, session_id: int) -> list[int]:
    """The session's trainees, in enrolment order."""
    pairs = [(e.id, tid) for (sid, tid), e in state.enrolments.items() if sid == session_id]
    return [tid for _, tid in sorted(pairs)]


def waitlist_of(state: State, session_id: int) -> list[int]:
    """The session's waitlist, first in line first."""
    pairs = [(e.id, tid) for (sid, tid), e in state.waitlist.items() if sid == session_id]
    return [tid for _, tid in sorted(pairs)]


def session_out(
    state: State, session: TrainingSession, *, with_trainees: bool = True
) -> TrainingSession:
    """A copy to hand out, its trainee list and waitlist filled in (or left empty)."""
    trainees = trainees_of(state, session.id) if with_trainees else []
    waitlist = waitlist_of(state, session.id) if with_trainees else []
    return replace(session, trainee_ids=trainees, waitlist_ids=waitlist)


def is_present(state: State, session_id: int, trainee_id: int) -> bool:
    return any(
        a.present
        for a in state.attendance.values()
        if (a.session_id, a.trainee_id) == (session_id, trainee_id)
    )


class MemorySessionRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, session: TrainingSession) -> TrainingSession:
        if any(s.session_link == session.session_link for s in self._s.sessions.values()):
            raise Conflict("That join link is already in use")
        session.id = self._s.next_id("sessions")
        self._s.sessions[session.id] = replace(session, trainee_ids=[], waitlist_ids=[])
        for trainee_id in session.trainee_ids:
            self._enrol(session.id, trainee_id, session.created_at)
        return session

    def _enrol(self, session_id: int, trainee_id: int, at: datetime) -> None:
        if (session_id, trainee_id) in self._s.enrolments:
            raise Conflict("The trainee is already enrolled in this session")
        enrolment = Enrolment(self._s.next_id("enrolments"), at)
        self._s.enrolments[(session_id, trainee_id)] = enrolment

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None:
        session = self._s.sessions.get(session_id)
        return session_out(self._s, session) if session else None

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        for session in self._s.sessions.values():
            if session.session_link == session_link:
                return session_out(self._s, session)
        return None

    async def update(self, session: TrainingSession) -> None:
        self._s.sessions[session.id] = replace(session, trainee_ids=[], waitlist_ids=[])
        current = trainees_of(self._s, session.id)
        wanted = list(dict.fromkeys(session.trainee_ids))
        for trainee_id in set(current) - set(wanted):
            del self._s.enrolments[(session.id, trainee_id)]
        for trainee_id in wanted:
            if trainee_id not in current:
                self._enrol(session.id, trainee_id, session.updated_at)
        waiting = waitlist_of(self._s, session.id)
        wanted = list(dict.fromkeys(session.waitlist_ids))
        for trainee_id in set(waiting) - set(wanted):
            del self._s.waitlist[(session.id, trainee_id)]
        for trainee_id in wanted:
            if trainee_id not in waiting:
                place = Enrolment(self._s.next_id("waitlist"), session.updated_at)
                self._s.waitlist[(session.id, trainee_id)] = place

    async def delete(self, session_id: int) -> None:
        self._s.sessions.pop(session_id, None)
        s = self._s
        s.enrolments = {k: v for k, v in s.enrolments.items() if k[0] != session_id}
        s.waitlist = {k: v for k, v in s.waitlist.items() if k[0] != session_id}
        s.attendance = {k: v for k, v in s.attendance.items() if v.session_id != session_id}
        for course in s.courses.values():
            for lesson in course.lessons:
                if session_id in lesson.session_ids:
                    lesson.session_ids.remove(session_id)

    async def find_overlapping(
        self,
        start: datetime,
        end: datetime,
        *,
        trainer_id: int | None = None,
        trainee_ids: Sequence[int] = (),
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        wanted = set(trainee_ids)
        found = []
        for session in self._s.sessions.values():
            if session.id == exclude_session_id or session.status is not SessionStatus.SCHEDULED:
                continue
            if not session.overlaps(start, end):
                continue
            if session.trainer_id == trainer_id or wanted & set(trainees_of(self._s, session.id)):
                found.append(session_out(self._s, session))
        found.sort(key=lambda s: (s.scheduled_date, s.id))
        return found[: overlap_limit(trainee_ids)]

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        self._enrol(session_id, trainee_id, at)

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool:
        return self._s.enrolments.pop((session_id, trainee_id), None) is not None

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(s.id for s in self._s.sessions.values() if s.trainer_id == trainer_id)

    def _scheduled_in(self, room_id: int) -> list[TrainingSession]:
        found = [
            session_out(self._s, s, with_trainees=False)
            for s in self._s.sessions.values()
            if s.room_id == room_id and s.status is SessionStatus.SCHEDULED
        ]
        return sorted(found, key=lambda s: (s.scheduled_date, s.id))

    async def find_in_room(
        self,
        room_id: int,
        start: datetime,
        end: datetime,
        *,
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        return [
            s
            for s in self._scheduled_in(room_id)
            if s.id != exclude_session_id and s.overlaps(start, end)
        ][:10]

    async def using_room(self, room_id: int, *, ending_after: datetime) -> list[TrainingSession]:
        return [s for s in self._scheduled_in(room_id) if s.ends_at > ending_after][:10]


ROOM_NAME_TAKEN = "A room with that name already exists"


class MemoryRoomRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _name_taken(self, room: Room) -> bool:
        return any(r.name == room.name and r.id != room.id for r in self._s.rooms.values())

    async def add(self, room: Room) -> Room:
        if self._name_taken(room):
            raise Conflict(ROOM_NAME_TAKEN)
        room.id = self._s.next_id("rooms")
        self._s.rooms[room.id] = replace(room)
        return room

    async def get(self, room_id: int, *, for_update: bool = False) -> Room | None:
        room = self._s.rooms.get(room_id)
        return replace(room) if room else None

    async def update(self, room: Room) -> None:
        if self._name_taken(room):
            raise Conflict(ROOM_NAME_TAKEN)
        self._s.rooms[room.id] = replace(room)

    async def delete(self, room_id: int) -> None:
        self._s.rooms.pop(room_id, None)
        for session_id, session in self._s.sessions.items():
            if session.room_id == room_id:
                self._s.sessions[session_id] = replace(session, room_id=None)


class MemoryAssignmentRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, assignment: Assignment) -> Assignment:
        if await self.get(assignment.student_id, assignment.teacher_id) is not None:
            raise Conflict("The trainee is already assigned to this trainer")
        assignment.id = self._s.next_id("assignments")
        self._s.assignments[assignment.id] = replace(assignment)
        return assignment

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None:
        for assignment in self._s.assignments.values():
            if (assignment.student_id, assignment.teacher_id) == (student_id, teacher_id):
                return replace(assignment)
        return None

    async def delete(self, student_id: int, teacher_id: int) -> bool:
        found = await self.get(student_id, teacher_id)
        if found is None:
            return False
        del self._s.assignments[found.id]
        return True

    async def student_ids_of(self, teacher_id: int) -> list[int]:
        return sorted(
            a.student_id for a in self._s.assignments.values() if a.teacher_id == teacher_id
        )

    async def teacher_ids_of(self, student_id: int) -> list[int]:
        return sorted(
            a.teacher_id for a in self._s.assignments.values() if a.student_id == student_id
        )


class MemoryAttendanceRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def get(self, attendance_id: int) -> Attendance | None:
        found = self._s.attendance.get(attendance_id)
        return replace(found) if found else None

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None:
        for record in self._s.attendance.values():
            if (record.session_id, record.trainee_id) == (session_id, trainee_id):
                return replace(record)
        return None

    async def add(self, attendance: Attendance) -> Attendance:
        if await self.find(attendance.session_id, attendance.trainee_id) is not None:
            raise Conflict("Attendance for this trainee is already being marked")
        attendance.id = self._s.next_id("attendance")
        self._s.attendance[attendance.id] = replace(attendance)
        return attendance

    async def update(self, attendance: Attendance) -> None:
        self._s.attendance[attendance.id] = replace(attendance)

    async def delete(self, attendance_id: int) -> None:
        self._s.attendance.pop(attendance_id, None)

    async def count_for_trainee(self, trainee_id: int) -> int:
        return sum(1 for a in self._s.attendance.values() if a.trainee_id == trainee_id)

"""The training area in memory: sessions and their enrolments, assignments and attendance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import Enrolment, State
from tms_domain.kernel import Conflict
from tms_domain.training import Assignment, Attendance, SessionQuery, SessionStatus, TrainingSession


class MemorySessionRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _trainees(self, session_id: int) -> list[int]:
        pairs = [(e.id, tid) for (sid, tid), e in self._s.enrolments.items() if sid == session_id]
        return [tid for _, tid in sorted(pairs)]

    def _out(self, session: TrainingSession, *, with_trainees: bool = True) -> TrainingSession:
        trainees = self._trainees(session.id) if with_trainees else []
        return replace(session, trainee_ids=trainees)

    async def add(self, session: TrainingSession) -> TrainingSession:
        if any(s.session_link == session.session_link for s in self._s.sessions.values()):
            raise Conflict("That join link is already in use")
        session.id = self._s.next_id("sessions")
        self._s.sessions[session.id] = replace(session, trainee_ids=[])
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
        return self._out(session) if session else None

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        for session in self._s.sessions.values():
            if session.session_link == session_link:
                return self._out(session)
        return None

    async def update(self, session: TrainingSession) -> None:
        self._s.sessions[session.id] = replace(session, trainee_ids=[])
        current = self._trainees(session.id)
        wanted = list(dict.fromkeys(session.trainee_ids))
        for trainee_id in set(current) - set(wanted):
            del self._s.enrolments[(session.id, trainee_id)]
        for trainee_id in wanted:
            if trainee_id not in current:
                self._enrol(session.id, trainee_id, session.updated_at)

    async def delete(self, session_id: int) -> None:
        self._s.sessions.pop(session_id, None)
        s = self._s
        s.enrolments = {k: v for k, v in s.enrolments.items() if k[0] != session_id}
        s.attendance = {k: v for k, v in s.attendance.items() if v.session_id != session_id}

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
        return [self._out(s) for s in found[query.skip : query.skip + query.limit]]

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
            if session.trainer_id == trainer_id or wanted & set(self._trainees(session.id)):
                found.append(self._out(session))
        found.sort(key=lambda s: (s.scheduled_date, s.id))
        return found[:10]

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        self._enrol(session_id, trainee_id, at)

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool:
        return self._s.enrolments.pop((session_id, trainee_id), None) is not None

    async def count_by_status(self) -> dict[SessionStatus, int]:
        counts = dict.fromkeys(SessionStatus, 0)
        for session in self._s.sessions.values():
            counts[session.status] += 1
        return counts

    async def count_trained_by(self, trainer_id: int) -> int:
        return len(await self.ids_trained_by(trainer_id))

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(s.id for s in self._s.sessions.values() if s.trainer_id == trainer_id)

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(
            {
                trainee_id
                for session_id, trainee_id in self._s.enrolments
                if self._s.sessions[session_id].trainer_id == trainer_id
            }
        )

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        found: dict[int, list[TrainingSession]] = {}
        for session_id, trainee_id in self._s.enrolments:
            if trainee_id in trainee_ids and session_id in self._s.sessions:
                session = self._out(self._s.sessions[session_id], with_trainees=False)
                found.setdefault(trainee_id, []).append(session)
        for sessions in found.values():
            sessions.sort(key=lambda s: (s.scheduled_date, s.id))
        return found

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

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        stats: dict[int, tuple[int, int]] = {}
        for session in self._s.sessions.values():
            if session.status is SessionStatus.CANCELLED:
                continue
            count, minutes = stats.get(session.trainer_id, (0, 0))
            done = session.duration_minutes if session.status is SessionStatus.COMPLETED else 0
            stats[session.trainer_id] = (count + 1, minutes + done)
        return stats


class MemoryAssignmentRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, assignment: Assignment) -> Assignment:
        if await self.is_assigned(assignment.student_id, assignment.teacher_id):
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

    async def is_assigned(self, student_id: int, teacher_id: int) -> bool:
        return await self.get(student_id, teacher_id) is not None

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

    async def count_for_trainee(self, trainee_id: int) -> int:
        return sum(1 for a in self._s.attendance.values() if a.trainee_id == trainee_id)

    def _present(self, session_id: int, trainee_id: int) -> bool:
        return any(
            a.present
            for a in self._s.attendance.values()
            if (a.session_id, a.trainee_id) == (session_id, trainee_id)
        )

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if trainee_id not in trainee_ids or session is None:
                continue
            if session.status is SessionStatus.CANCELLED:
                continue
            total, attended = found.get(trainee_id, (0, 0))
            found[trainee_id] = (total + 1, attended + self._present(session_id, trainee_id))
        return found

    async def rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        per_trainer: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if session is None or session.status is not SessionStatus.COMPLETED:
                continue
            total, attended = per_trainer.get(session.trainer_id, (0, 0))
            per_trainer[session.trainer_id] = (
                total + 1,
                attended + self._present(session_id, trainee_id),
            )
        enrolled = sum(total for total, _ in per_trainer.values())
        attended = sum(count for _, count in per_trainer.values())
        return enrolled, attended, per_trainer

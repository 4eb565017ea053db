"""Report queries over the in-memory state: the same facts as the SQL ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TypeVar

from tms_adapters.persistence.memory.state import MemoryStore, State
from tms_domain.kernel import Role
from tms_domain.learning import Course
from tms_domain.reporting import (
    AttendanceFacts,
    CourseFacts,
    FactBatches,
    ProgressFacts,
    ReportFilter,
    SessionFacts,
    SummaryFacts,
    TrainerFacts,
    UserFacts,
)
from tms_domain.training import SessionStatus, TrainingSession


def _matches(session: TrainingSession, where: ReportFilter) -> bool:
    return (
        (where.starts_from is None or session.scheduled_date >= where.starts_from)
        and (where.starts_before is None or session.scheduled_date < where.starts_before)
        and (where.trainer_id is None or session.trainer_id == where.trainer_id)
        and (where.status is None or session.status.value == where.status)
    )


F = TypeVar("F")


def _enrolments_by_completed(state: State, course: Course) -> Counter[int]:
    """Completed lessons -> how many of the course's enrolments completed that many (of the
    lessons the course has now)."""
    lesson_ids = {lesson.id for lesson in course.lessons}
    done: Counter[int] = Counter(
        trainee_id
        for (lesson_id, trainee_id), completion in state.lesson_completions.items()
        if lesson_id in lesson_ids and completion.course_id == course.id
    )
    return Counter(
        done[trainee_id]
        for course_id, trainee_id in state.course_enrolments
        if course_id == course.id
    )


def _batches(rows: list[F], batch: int) -> Iterator[list[F]]:
    for start in range(0, len(rows), batch):
        yield rows[start : start + batch]


class MemoryReportQueries:
    """Reads the state as last committed, at each call (outside any unit of work, like the
    SQL report queries)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def _s(self) -> State:
        return self._store.state

    def _name(self, user_id: int) -> str:
        user = self._s.users.get(user_id)
        return user.name if user else ""

    def _sessions(self, where: ReportFilter) -> list[TrainingSession]:
        found = [x for x in self._s.sessions.values() if _matches(x, where)]
        return sorted(found, key=lambda x: (x.scheduled_date, x.id))

    def _trainees(self, session_id: int) -> list[int]:
        pairs = sorted(
            (eid, tid) for (sid, tid), eid in self._s.enrolments.items() if sid == session_id
        )
        return [tid for _, tid in pairs]

    async def users(self, batch: int) -> FactBatches[UserFacts]:
        rows = [
            UserFacts(
                x.id, x.username, x.email, x.role.value, x.first_name, x.last_name, x.created_at
            )
            for x in sorted(self._s.users.values(), key=lambda x: x.id)
        ]
        for chunk in _batches(rows, batch):
            yield chunk

    async def sessions(self, where: ReportFilter, batch: int) -> FactBatches[SessionFacts]:
        rows = [
            SessionFacts(
                x.id,
                x.title,
                self._name(x.trainer_id),
                [self._name(t) for t in self._trainees(x.id) if t in self._s.users],
                x.scheduled_date,
                x.duration_minutes,
                x.status.value,
            )
            for x in self._sessions(where)
        ]
        for chunk in _batches(rows, batch):
            yield chunk

    async def attendance(self, where: ReportFilter, batch: int) -> FactBatches[AttendanceFacts]:
        rows: list[AttendanceFacts] = []
        for record in sorted(self._s.attendance.values(), key=lambda r: r.id):
            session = self._s.sessions.get(record.session_id)
            if session is None or not _matches(session, where):
                continue
            rows.append(
                AttendanceFacts(
                    session.id,
                    session.title,
                    self._name(record.trainee_id),
                    record.present,
                    record.marked_at,
                )
            )
        for chunk in _batches(rows, batch):
            yield chunk

    def _present(self, session_id: int, trainee_id: int) -> bool:
        return any(
            r.present and (r.session_id, r.trainee_id) == (session_id, trainee_id)
            for r in self._s.attendance.values()
        )

    async def progress(self, where: ReportFilter, batch: int) -> FactBatches[ProgressFacts]:
        counted = {x.id for x in self._sessions(where) if x.status is not SessionStatus.CANCELLED}
        rows: list[ProgressFacts] = []
        for user in sorted(self._s.users.values(), key=lambda x: x.id):
            if user.role is not Role.TRAINEE:
                continue
            sessions = [
                sid for (sid, tid) in self._s.enrolments if tid == user.id and sid in counted
            ]
            attended = sum(self._present(sid, user.id) for sid in sessions)
            rows.append(ProgressFacts(user.id, user.name, len(sessions), attended))
        for chunk in _batches(rows, batch):
            yield chunk

    def _courses(self, where: ReportFilter) -> list[Course]:
        return sorted(
            (x for x in self._s.courses.values() if where.course_id in (None, x.id)),
            key=lambda x: x.id,
        )

    async def courses(self, where: ReportFilter, batch: int) -> FactBatches[CourseFacts]:
        rows = [
            CourseFacts(
                x.id,
                x.code,
                x.title,
                x.status.value,
                x.lesson_count,
                dict(_enrolments_by_completed(self._s, x)),
            )
            for x in self._courses(where)
        ]
        for chunk in _batches(rows, batch):
            yield chunk

    async def summary(self, where: ReportFilter) -> SummaryFacts:
        by_role = {role.value: 0 for role in Role}
        for user in self._s.users.values():
            by_role[user.role.value] += 1
        sessions = self._sessions(where)
        by_status = {status.value: 0 for status in SessionStatus}
        for x in sessions:
            by_status[x.status.value] += 1
        per_trainer: dict[int, list[int]] = {}
        for x in sessions:
            if x.status is SessionStatus.CANCELLED:
                continue
            figures = per_trainer.setdefault(x.trainer_id, [0, 0, 0, 0])
            figures[0] += 1
            if x.status is SessionStatus.COMPLETED:
                figures[1] += x.duration_minutes
                trainees = self._trainees(x.id)
                figures[2] += len(trainees)
                figures[3] += sum(self._present(x.id, t) for t in trainees)
        trainers = [
            TrainerFacts(
                trainer_id=trainer_id,
                name=self._name(trainer_id),
                sessions=count,
                minutes=minutes,
                enrolled=enrolled,
                present=present,
            )
            for trainer_id, (count, minutes, enrolled, present) in per_trainer.items()
        ]
        return SummaryFacts(users_by_role=by_role, sessions_by_status=by_status, trainers=trainers)

    async def count(self, where: ReportFilter) -> dict[str, int]:
        sessions = self._sessions(where)
        ids = {x.id for x in sessions}
        return {
            "users": len(self._s.users),
            "sessions": len(sessions),
            "attendance": sum(1 for r in self._s.attendance.values() if r.session_id in ids),
            "progress": sum(1 for x in self._s.users.values() if x.role is Role.TRAINEE),
            "courses": len(self._courses(where)),
        }

"""The admins' figures in SQL: counts over users, sessions, attendance and courses."""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Role
from tms_domain.learning import CourseStatus, EnrolmentStatus
from tms_domain.training import SessionStatus


class SqlaAnalyticsQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def count_by_role(self) -> dict[Role, int]:
        rows = await self._conn.execute(
            select(t.users.c.role, func.count()).group_by(t.users.c.role)
        )
        counts = dict.fromkeys(Role, 0)
        for role, count in rows:
            counts[Role(role)] = int(count)
        return counts

    async def count_trainees_without_sessions(self) -> int:
        enrolled = exists().where(t.enrolments.c.trainee_id == t.users.c.id)
        query = select(func.count()).where(t.users.c.role == Role.TRAINEE.value, ~enrolled)
        return int((await self._conn.execute(query)).scalar_one())

    async def count_by_status(self) -> dict[SessionStatus, int]:
        s = t.training_sessions
        rows = await self._conn.execute(select(s.c.status, func.count()).group_by(s.c.status))
        counts = dict.fromkeys(SessionStatus, 0)
        for status, count in rows:
            counts[SessionStatus(status)] = int(count)
        return counts

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        """Per trainer: (sessions not cancelled, minutes of completed sessions)."""
        s = t.training_sessions
        completed_minutes = func.sum(
            case((s.c.status == SessionStatus.COMPLETED.value, s.c.duration_minutes), else_=0)
        )
        rows = await self._conn.execute(
            select(s.c.trainer_id, func.count(), completed_minutes)
            .where(s.c.status != SessionStatus.CANCELLED.value)
            .group_by(s.c.trainer_id)
        )
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}

    async def attendance_rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        e, s, a = t.enrolments, t.training_sessions, t.attendance
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        rows = await self._conn.execute(
            select(s.c.trainer_id, func.count(), present)
            .join(e, e.c.session_id == s.c.id)
            .outerjoin(a, and_(a.c.session_id == s.c.id, a.c.trainee_id == e.c.trainee_id))
            .where(s.c.status == SessionStatus.COMPLETED.value)
            .group_by(s.c.trainer_id)
        )
        per_trainer = {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}
        enrolled = sum(total for total, _ in per_trainer.values())
        attended = sum(count for _, count in per_trainer.values())
        return enrolled, attended, per_trainer

    async def count_published_courses(self) -> int:
        c = t.courses
        query = select(func.count()).where(c.c.status == CourseStatus.PUBLISHED.value)
        return int((await self._conn.execute(query)).scalar_one())

    async def count_course_enrolments(self) -> dict[EnrolmentStatus, int]:
        ce = t.course_enrolments
        rows = await self._conn.execute(select(ce.c.status, func.count()).group_by(ce.c.status))
        counts = dict.fromkeys(EnrolmentStatus, 0)
        for status, count in rows:
            counts[EnrolmentStatus(status)] = int(count)
        return counts

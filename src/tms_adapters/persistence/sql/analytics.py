"""The admins' figures in SQL: counts over users, sessions, attendance and courses."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Role
from tms_domain.learning import CourseStatus
from tms_domain.training import SessionStatus


def completed_lessons_by_enrolment(
    course_ids: Collection[int] | None = None,
) -> Select[Any]:
    """(course id, completed lessons, enrolments) for each course and number of completed
    lessons that some of its enrolments have: a row per group, however many enrolments.
    Only lessons the course still has count. Each enrolment's count is one seek in the
    completions' (course, trainee) index."""
    ce, lc, les = t.course_enrolments, t.lesson_completions, t.lessons
    completed = (
        select(func.count())
        .select_from(lc)
        .join(les, and_(les.c.id == lc.c.lesson_id, les.c.course_id == lc.c.course_id))
        .where(lc.c.course_id == ce.c.course_id, lc.c.trainee_id == ce.c.trainee_id)
        .scalar_subquery()
    )
    per_enrolment = select(ce.c.course_id, completed.label("completed"))
    if course_ids is not None:
        per_enrolment = per_enrolment.where(ce.c.course_id.in_(course_ids))
    rows = per_enrolment.subquery("per_enrolment")
    return select(rows.c.course_id, rows.c.completed, func.count()).group_by(
        rows.c.course_id, rows.c.completed
    )


def lessons_by_course(course_ids: Collection[int] | None = None) -> Select[Any]:
    """(course id, lessons) of every course that has lessons."""
    les = t.lessons
    query = select(les.c.course_id, func.count()).group_by(les.c.course_id)
    if course_ids is not None:
        query = query.where(les.c.course_id.in_(course_ids))
    return query


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

    async def course_progress_counts(self) -> dict[tuple[int, int], int]:
        totals: dict[Any, int] = {
            course_id: int(count)
            for course_id, count in await self._conn.execute(lessons_by_course())
        }
        counts: dict[tuple[int, int], int] = {}
        for course_id, completed, enrolments in await self._conn.execute(
            completed_lessons_by_enrolment()
        ):
            key = (int(completed), totals.get(course_id, 0))
            counts[key] = counts.get(key, 0) + int(enrolments)
        return counts

"""The learning area's read side in SQL: course listings, and enrolments with the counts
their progress is computed from, each in a fixed number of statements (counts grouped,
never one query per row)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ScalarSelect, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.learning_rows import (
    COURSE_COLUMNS,
    ENROLMENT_COLUMNS,
    course_from_row,
    enrolment_from_row,
)
from tms_domain.learning import Course, CourseBrief, CourseQuery, CourseStatus, EnrolmentRow

_C, _L, _E, _LC = t.courses, t.lessons, t.course_enrolments, t.lesson_completions


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlaCourseListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, query: CourseQuery) -> list[Course]:
        statement = select(*COURSE_COLUMNS)
        if query.status is not None:
            statement = statement.where(_C.c.status == query.status.value)
        if query.q:
            pattern = _like(query.q)
            statement = statement.where(
                or_(
                    func.lower(_C.c.title).like(pattern, escape="\\"),
                    _C.c.code_key.like(pattern, escape="\\"),
                )
            )
        if query.category:
            statement = statement.where(func.lower(_C.c.category) == query.category.casefold())
        if query.enrolled_trainee_id is not None:
            statement = statement.join(
                _E, (_E.c.course_id == _C.c.id) & (_E.c.trainee_id == query.enrolled_trainee_id)
            )
        statement = (
            statement.order_by(func.lower(_C.c.title), _C.c.id)
            .offset(query.skip)
            .limit(query.limit)
        )
        return [course_from_row(row) for row in (await self._conn.execute(statement)).all()]


def _lesson_total() -> ScalarSelect[int]:
    """The enrolment's course's lessons, counted beside each row (by index)."""
    return (
        select(func.count())
        .select_from(_L)
        .where(_L.c.course_id == _E.c.course_id)
        .correlate(_E)
        .scalar_subquery()
    )


def _completed() -> ScalarSelect[int]:
    """The lessons of the course the enrolled trainee completed, beside each row."""
    return (
        select(func.count())
        .select_from(_LC)
        .where(_LC.c.course_id == _E.c.course_id, _LC.c.trainee_id == _E.c.trainee_id)
        .correlate(_E)
        .scalar_subquery()
    )


class SqlaEnrolmentListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(
        self,
        course_id: int,
        *,
        skip: int,
        limit: int,
        trainee_ids: Sequence[int] | None = None,
    ) -> list[EnrolmentRow]:
        """One statement: the page, each row with its counts (correlated, by index)."""
        statement = select(*ENROLMENT_COLUMNS, _lesson_total(), _completed()).where(
            _E.c.course_id == course_id
        )
        if trainee_ids is not None:
            if not trainee_ids:
                return []
            statement = statement.where(_E.c.trainee_id.in_(list(trainee_ids)))
        statement = statement.order_by(_E.c.id).offset(skip).limit(limit)
        width = len(ENROLMENT_COLUMNS)
        return [
            EnrolmentRow(enrolment_from_row(row), int(row[width + 1]), int(row[width]))
            for row in (await self._conn.execute(statement)).all()
        ]

    async def of_trainee(self, trainee_id: int) -> list[tuple[EnrolmentRow, CourseBrief]]:
        """One statement: each enrolment with its course and its counts."""
        statement = (
            select(
                *ENROLMENT_COLUMNS,
                _lesson_total(),
                _completed(),
                _C.c.code,
                _C.c.title,
                _C.c.status,
            )
            .join(_C, _C.c.id == _E.c.course_id)
            .where(_E.c.trainee_id == trainee_id)
            .order_by(_E.c.id)
        )
        found = []
        width = len(ENROLMENT_COLUMNS)
        for row in (await self._conn.execute(statement)).all():
            enrolment = enrolment_from_row(row)
            total, completed, code, title, status = row[width : width + 5]
            found.append(
                (
                    EnrolmentRow(enrolment, int(completed), int(total)),
                    CourseBrief(enrolment.course_id, code, title, CourseStatus(status)),
                )
            )
        return found

    async def trainee_ids(self, course_id: int) -> list[int]:
        query = select(_E.c.trainee_id).where(_E.c.course_id == course_id).order_by(_E.c.trainee_id)
        return list((await self._conn.execute(query)).scalars().all())

"""Attempts at assessments in SQL, mapped to domain objects; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.assessment_rows import (
    answers_json,
    answers_of,
    assessment_json,
    assessment_of,
)
from tms_adapters.persistence.sql.tables_assess import assessment_attempts
from tms_domain.accounts import display_name
from tms_domain.kernel import Conflict
from tms_domain.skills import Attempt, AttemptQuery

_A = assessment_attempts
_COLUMNS = (
    _A.c.id,
    _A.c.lesson_id,
    _A.c.course_id,
    _A.c.trainee_id,
    _A.c.number,
    _A.c.assessment,
    _A.c.started_at,
    _A.c.deadline,
    _A.c.submitted_at,
    _A.c.answers,
    _A.c.score,
    _A.c.passed,
    _A.c.graded,
    _A.c.expired,
    _A.c.graded_by,
    _A.c.graded_at,
)


def _attempt(row: Sequence[Any], trainee_name: str | None = None) -> Attempt:
    assessment = assessment_of(row[5])
    assert assessment is not None  # noqa: S101 - the column is not nullable
    return Attempt(
        id=row[0],
        lesson_id=row[1],
        course_id=row[2],
        trainee_id=row[3],
        number=row[4],
        assessment=assessment,
        started_at=row[6],
        deadline=row[7],
        submitted_at=row[8],
        answers=answers_of(row[9]),
        score=float(row[10]),
        passed=bool(row[11]),
        graded=bool(row[12]),
        expired=bool(row[13]),
        graded_by=row[14],
        graded_at=row[15],
        trainee_name=trainee_name,
    )


def _changing(attempt: Attempt) -> dict[str, Any]:
    return {
        "submitted_at": attempt.submitted_at,
        "answers": answers_json(attempt.answers),
        "score": attempt.score,
        "passed": attempt.passed,
        "graded": attempt.graded,
        "expired": attempt.expired,
        "graded_by": attempt.graded_by,
        "graded_at": attempt.graded_at,
    }


class SqlaAttemptRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, attempt: Attempt) -> Attempt:
        values = {
            "lesson_id": attempt.lesson_id,
            "course_id": attempt.course_id,
            "trainee_id": attempt.trainee_id,
            "number": attempt.number,
            "assessment": assessment_json(attempt.assessment),
            "started_at": attempt.started_at,
            "deadline": attempt.deadline,
            **_changing(attempt),
        }
        try:
            result = await self._conn.execute(insert(_A).values(**values))
        except IntegrityError as error:
            raise Conflict("This attempt was started already") from error
        attempt.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return attempt

    async def get(self, attempt_id: int, *, for_update: bool = False) -> Attempt | None:
        query = select(*_COLUMNS).where(_A.c.id == attempt_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _attempt(row) if row else None

    async def save(self, attempt: Attempt) -> None:
        await self._conn.execute(
            update(_A).where(_A.c.id == attempt.id).values(**_changing(attempt))
        )

    async def open_attempt(self, lesson_id: int, trainee_id: int) -> Attempt | None:
        query = (
            select(*_COLUMNS)
            .where(
                _A.c.lesson_id == lesson_id,
                _A.c.trainee_id == trainee_id,
                _A.c.submitted_at.is_(None),
            )
            .order_by(_A.c.id.desc())
            .limit(1)
        )
        row = (await self._conn.execute(query)).first()
        return _attempt(row) if row else None

    async def count(self, lesson_id: int, trainee_id: int) -> int:
        query = select(func.count()).where(
            _A.c.lesson_id == lesson_id, _A.c.trainee_id == trainee_id
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def page(self, query: AttemptQuery) -> list[Attempt]:
        users = t.users
        statement = (
            select(*_COLUMNS, users.c.first_name, users.c.last_name)
            .join(users, users.c.id == _A.c.trainee_id)
            .where(_A.c.submitted_at.is_not(None))
            .order_by(_A.c.id.desc())
            .offset(query.skip)
            .limit(query.limit)
        )
        if query.lesson_id is not None:
            statement = statement.where(_A.c.lesson_id == query.lesson_id)
        if query.trainee_id is not None:
            statement = statement.where(_A.c.trainee_id == query.trainee_id)
        if query.graded is not None:
            statement = statement.where(_A.c.graded == query.graded)
        if query.owner_id is not None:
            statement = statement.join(t.courses, t.courses.c.id == _A.c.course_id).where(
                t.courses.c.owner_id == query.owner_id
            )
        rows = (await self._conn.execute(statement)).all()
        return [_attempt(row, display_name(row[16], row[17])) for row in rows]

    async def submitted_of_lesson(self, lesson_id: int) -> list[Attempt]:
        query = (
            select(*_COLUMNS)
            .where(_A.c.lesson_id == lesson_id, _A.c.submitted_at.is_not(None))
            .order_by(_A.c.id)
        )
        return [_attempt(row) for row in (await self._conn.execute(query)).all()]

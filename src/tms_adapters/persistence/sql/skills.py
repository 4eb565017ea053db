"""The skill catalogue in SQL: skills, the levels users hold, the skills courses grant and
the matrix's read side, mapped to domain objects; never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.accounts import _USER_COLUMNS, _user
from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.tables_cohorts import batch_members
from tms_adapters.persistence.sql.tables_skills import course_skills, skills, user_skills
from tms_domain.accounts import User
from tms_domain.kernel import Conflict, Role
from tms_domain.skills import MatrixQuery, Skill, SkillQuery, SkillSource, UserSkill

_S, _U, _C = skills, user_skills, course_skills
_COLUMNS = (
    _S.c.id,
    _S.c.name,
    _S.c.category,
    _S.c.description,
    _S.c.created_at,
    _S.c.updated_at,
)
_SOURCES = {source.value: source for source in SkillSource}
# By category (none last), then name.
_ORDER = (_S.c.category.is_(None), _S.c.category, _S.c.name_key, _S.c.id)


def _skill(row: Sequence[Any]) -> Skill:
    return Skill(row[0], row[1], row[2], row[3], row[4], row[5])


def _values(skill: Skill) -> dict[str, Any]:
    return {
        "name": skill.name,
        "name_key": skill.name.casefold(),
        "category": skill.category,
        "description": skill.description,
        "created_at": skill.created_at,
        "updated_at": skill.updated_at,
    }


def _taken(skill: Skill) -> Conflict:
    return Conflict(f"A skill named {skill.name} already exists")


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlaSkillRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, skill: Skill) -> Skill:
        try:
            result = await self._conn.execute(insert(_S).values(**_values(skill)))
        except IntegrityError as error:
            raise _taken(skill) from error
        skill.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return skill

    async def get(self, skill_id: int) -> Skill | None:
        row = (await self._conn.execute(select(*_COLUMNS).where(_S.c.id == skill_id))).first()
        return _skill(row) if row else None

    async def get_many(self, skill_ids: Sequence[int]) -> dict[int, Skill]:
        found: dict[int, Skill] = {}
        for part in chunks(list(skill_ids)):
            for row in await self._conn.execute(select(*_COLUMNS).where(_S.c.id.in_(part))):
                found[row[0]] = _skill(row)
        return found

    async def save(self, skill: Skill) -> None:
        values = _values(skill)
        del values["created_at"]
        try:
            await self._conn.execute(update(_S).where(_S.c.id == skill.id).values(**values))
        except IntegrityError as error:
            raise _taken(skill) from error

    async def delete(self, skill_id: int) -> None:
        # Held levels and courses' grants go with it (the foreign keys cascade); deleted
        # first all the same, so that no engine's cascade setting matters.
        await self._conn.execute(delete(_U).where(_U.c.skill_id == skill_id))
        await self._conn.execute(delete(_C).where(_C.c.skill_id == skill_id))
        await self._conn.execute(delete(_S).where(_S.c.id == skill_id))

    async def page(self, query: SkillQuery) -> list[Skill]:
        statement = select(*_COLUMNS)
        if query.q:
            statement = statement.where(_S.c.name_key.like(_like(query.q), escape="\\"))
        if query.category:
            statement = statement.where(func.lower(_S.c.category) == query.category.casefold())
        statement = statement.order_by(*_ORDER).offset(query.skip).limit(query.limit)
        return [_skill(row) for row in await self._conn.execute(statement)]


class SqlaUserSkillRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def of_user(self, user_id: int) -> list[UserSkill]:
        rows = await self._conn.execute(
            select(*_COLUMNS, _U.c.level, _U.c.source, _U.c.awarded_at)
            .join(_U, _U.c.skill_id == _S.c.id)
            .where(_U.c.user_id == user_id)
            .order_by(*_ORDER)
        )
        return [UserSkill(user_id, _skill(row), row[6], _SOURCES[row[7]], row[8]) for row in rows]

    async def levels(self, user_id: int, skill_ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for part in chunks(list(skill_ids)):
            rows = await self._conn.execute(
                select(_U.c.skill_id, _U.c.level).where(
                    _U.c.user_id == user_id, _U.c.skill_id.in_(part)
                )
            )
            found.update({skill_id: level for skill_id, level in rows})
        return found

    async def put(
        self, user_id: int, skill_id: int, level: int, source: SkillSource, at: datetime
    ) -> None:
        values = {"level": level, "source": source.value, "awarded_at": at}
        result = await self._conn.execute(
            update(_U).where(_U.c.user_id == user_id, _U.c.skill_id == skill_id).values(**values)
        )
        if not result.rowcount:
            await self._conn.execute(
                insert(_U).values(user_id=user_id, skill_id=skill_id, **values)
            )

    async def holder_ids(self, skill_id: int) -> list[int]:
        rows = await self._conn.execute(
            select(_U.c.user_id).where(_U.c.skill_id == skill_id).order_by(_U.c.user_id)
        )
        return list(rows.scalars())


class SqlaCourseSkillRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def of_course(self, course_id: int) -> list[tuple[int, int]]:
        rows = await self._conn.execute(
            select(_C.c.skill_id, _C.c.level)
            .where(_C.c.course_id == course_id)
            .order_by(_C.c.skill_id)
        )
        return [(skill_id, level) for skill_id, level in rows]

    async def replace(self, course_id: int, grants: Mapping[int, int]) -> None:
        await self._conn.execute(delete(_C).where(_C.c.course_id == course_id))
        if grants:
            await self._conn.execute(
                insert(_C),
                [{"course_id": course_id, "skill_id": s, "level": lv} for s, lv in grants.items()],
            )


class SqlaSkillMatrixQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def trainees(self, query: MatrixQuery) -> list[User]:
        u = t.users.c
        statement = select(*_USER_COLUMNS).where(u.role == Role.TRAINEE.value)
        if query.trainer_id is not None:
            a = t.assignments.c
            statement = statement.where(
                u.id.in_(select(a.student_id).where(a.teacher_id == query.trainer_id))
            )
        if query.batch_id is not None:
            m = batch_members.c
            statement = statement.where(
                u.id.in_(select(m.trainee_id).where(m.batch_id == query.batch_id))
            )
        if query.course_id is not None:
            e = t.course_enrolments.c
            statement = statement.where(
                u.id.in_(select(e.trainee_id).where(e.course_id == query.course_id))
            )
        statement = (
            statement.order_by(u.last_name, u.first_name, u.id)
            .offset(query.skip)
            .limit(query.limit)
        )
        return [_user(row) for row in await self._conn.execute(statement)]

    async def levels(
        self, trainee_ids: Sequence[int], skill_ids: Sequence[int]
    ) -> dict[int, dict[int, int]]:
        found: dict[int, dict[int, int]] = {}
        if not trainee_ids or not skill_ids:
            return found
        wanted = list(dict.fromkeys(skill_ids))
        for part in chunks(list(trainee_ids), 1000):
            statement = select(_U.c.user_id, _U.c.skill_id, _U.c.level).where(
                _U.c.user_id.in_(part), _U.c.skill_id.in_(wanted)
            )
            for user_id, skill_id, level in (await self._conn.execute(statement)).all():
                found.setdefault(user_id, {})[skill_id] = level
        return found

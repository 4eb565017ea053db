"""Batches in SQL: their fields, trainers, members and courses, mapped to domain objects;
never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.learning_rows import insert_ignoring_duplicates
from tms_adapters.persistence.sql.tables_cohorts import (
    batch_courses,
    batch_members,
    batch_trainers,
    batches,
)
from tms_domain.cohorts import Batch, BatchQuery
from tms_domain.kernel import Conflict

_B, _M, _T, _C = batches, batch_members, batch_trainers, batch_courses
_COLUMNS = (
    _B.c.id,
    _B.c.code,
    _B.c.name,
    _B.c.description,
    _B.c.starts_on,
    _B.c.ends_on,
    _B.c.created_at,
    _B.c.updated_at,
)


def _values(batch: Batch) -> dict[str, Any]:
    return {
        "code": batch.code,
        "code_key": batch.code.casefold(),
        "name": batch.name,
        "description": batch.description,
        "starts_on": batch.starts_on,
        "ends_on": batch.ends_on,
        "created_at": batch.created_at,
        "updated_at": batch.updated_at,
    }


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _with_links(conn: AsyncConnection, rows: Sequence[Any]) -> list[Batch]:
    """Batches from rows of ``_COLUMNS``, each with its trainers, member count and courses:
    three grouped statements whatever the number of batches."""
    ids = [row[0] for row in rows]
    trainers: dict[int, list[int]] = defaultdict(list)
    counts: dict[int, int] = {}
    courses: dict[int, list[int]] = defaultdict(list)
    for part in chunks(ids):
        for batch_id, trainer_id in await conn.execute(
            select(_T.c.batch_id, _T.c.trainer_id)
            .where(_T.c.batch_id.in_(part))
            .order_by(_T.c.batch_id, _T.c.trainer_id)
        ):
            trainers[batch_id].append(trainer_id)
        for batch_id, count in await conn.execute(
            select(_M.c.batch_id, func.count())
            .where(_M.c.batch_id.in_(part))
            .group_by(_M.c.batch_id)
        ):
            counts[batch_id] = count
        for batch_id, course_id in await conn.execute(
            select(_C.c.batch_id, _C.c.course_id)
            .where(_C.c.batch_id.in_(part))
            .order_by(_C.c.batch_id, _C.c.course_id)
        ):
            courses[batch_id].append(course_id)
    return [
        Batch(
            id=row[0],
            code=row[1],
            name=row[2],
            description=row[3],
            starts_on=row[4],
            ends_on=row[5],
            created_at=row[6],
            updated_at=row[7],
            trainer_ids=tuple(trainers[row[0]]),
            trainee_count=counts.get(row[0], 0),
            course_ids=tuple(courses[row[0]]),
        )
        for row in rows
    ]


class SqlaBatchRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, batch: Batch) -> Batch:
        try:
            result = await self._conn.execute(insert(_B).values(**_values(batch)))
        except IntegrityError as error:
            raise Conflict(f"The code {batch.code} is already in use") from error
        batch.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await self._save_trainers(batch)
        return batch

    async def _save_trainers(self, batch: Batch) -> None:
        await self._conn.execute(delete(_T).where(_T.c.batch_id == batch.id))
        if batch.trainer_ids:
            await self._conn.execute(
                insert(_T), [{"batch_id": batch.id, "trainer_id": i} for i in batch.trainer_ids]
            )
        batch.trainer_ids = tuple(sorted(batch.trainer_ids))

    async def get(self, batch_id: int, *, for_update: bool = False) -> Batch | None:
        query = select(*_COLUMNS).where(_B.c.id == batch_id)
        if for_update:
            query = query.with_for_update()
        rows = (await self._conn.execute(query)).all()
        found = await _with_links(self._conn, rows)
        return found[0] if found else None

    async def get_many(self, batch_ids: Sequence[int]) -> dict[int, Batch]:
        rows: list[Any] = []
        for part in chunks(list(batch_ids)):
            rows += (await self._conn.execute(select(*_COLUMNS).where(_B.c.id.in_(part)))).all()
        return {batch.id: batch for batch in await _with_links(self._conn, rows)}

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        wanted: dict[str, list[str]] = defaultdict(list)
        for code in codes:
            wanted[code.strip().casefold()].append(code)
        found: dict[str, int] = {}
        for part in chunks(sorted(wanted)):
            rows = await self._conn.execute(
                select(_B.c.id, _B.c.code_key).where(_B.c.code_key.in_(part))
            )
            for batch_id, key in rows.all():
                found.update(dict.fromkeys(wanted[key], int(batch_id)))
        return found

    async def save(self, batch: Batch) -> None:
        values = _values(batch)
        del values["created_at"]
        try:
            await self._conn.execute(update(_B).where(_B.c.id == batch.id).values(**values))
        except IntegrityError as error:
            raise Conflict(f"The code {batch.code} is already in use") from error
        await self._save_trainers(batch)

    async def delete(self, batch_id: int) -> None:
        # Its members, trainers and courses go with it (the foreign keys cascade).
        await self._conn.execute(delete(_B).where(_B.c.id == batch_id))

    async def member_ids(self, batch_ids: Sequence[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for part in chunks(list(batch_ids)):
            present = await self._conn.execute(select(_B.c.id).where(_B.c.id.in_(part)))
            for (batch_id,) in present:
                found[batch_id] = []
            for batch_id, trainee_id in await self._conn.execute(
                select(_M.c.batch_id, _M.c.trainee_id)
                .where(_M.c.batch_id.in_(part))
                .order_by(_M.c.batch_id, _M.c.id)
            ):
                found[batch_id].append(trainee_id)
        return found

    async def member_page(self, batch_id: int, *, skip: int, limit: int) -> list[int]:
        rows = await self._conn.execute(
            select(_M.c.trainee_id)
            .where(_M.c.batch_id == batch_id)
            .order_by(_M.c.id)
            .offset(skip)
            .limit(limit)
        )
        return list(rows.scalars())

    async def add_members(
        self, batch_id: int, trainee_ids: Sequence[int], at: datetime
    ) -> list[int]:
        """The batch's row is locked by the caller: members are added one batch at a time,
        so those present before are exactly the ones not added."""
        present: set[int] = set()
        for part in chunks(list(trainee_ids)):
            present.update(
                (
                    await self._conn.execute(
                        select(_M.c.trainee_id).where(
                            _M.c.batch_id == batch_id, _M.c.trainee_id.in_(part)
                        )
                    )
                ).scalars()
            )
        fresh = [i for i in trainee_ids if i not in present]
        if fresh:
            await self._conn.execute(
                insert_ignoring_duplicates(self._conn, _M),
                [{"batch_id": batch_id, "trainee_id": i, "joined_at": at} for i in fresh],
            )
        return fresh

    async def remove_member(self, batch_id: int, trainee_id: int) -> bool:
        result = await self._conn.execute(
            delete(_M).where(_M.c.batch_id == batch_id, _M.c.trainee_id == trainee_id)
        )
        return bool(result.rowcount)

    async def batch_ids_of_member(self, trainee_id: int) -> list[int]:
        rows = await self._conn.execute(
            select(_M.c.batch_id).where(_M.c.trainee_id == trainee_id).order_by(_M.c.batch_id)
        )
        return list(rows.scalars())

    async def add_course(self, batch_id: int, course_id: int, at: datetime) -> bool:
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, _C).values(
                batch_id=batch_id, course_id=course_id, enrolled_at=at
            )
        )
        return bool(result.rowcount)


class SqlaBatchListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, query: BatchQuery) -> list[Batch]:
        statement = select(*_COLUMNS)
        if query.q:
            pattern = _like(query.q)
            statement = statement.where(
                or_(
                    _B.c.code_key.like(pattern, escape="\\"),
                    func.lower(_B.c.name).like(pattern, escape="\\"),
                )
            )
        if query.trainer_id is not None:
            statement = statement.where(
                _B.c.id.in_(select(_T.c.batch_id).where(_T.c.trainer_id == query.trainer_id))
            )
        if query.member_id is not None:
            statement = statement.where(
                _B.c.id.in_(select(_M.c.batch_id).where(_M.c.trainee_id == query.member_id))
            )
        statement = statement.order_by(_B.c.code_key, _B.c.id).offset(query.skip).limit(query.limit)
        rows = (await self._conn.execute(statement)).all()
        return await _with_links(self._conn, rows)

"""Report queries: the facts of each section read in keyset-paginated batches, so memory
stays flat, each batch on a connection of its own that goes back to the pool before the
batch is handed on. What a row holds is the domain's to decide (tms_domain.reporting.rows)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Collection
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, Select, aggregate_order_by, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.unit_of_work import STORAGE_DOWN, storage_error
from tms_domain.accounts import display_name
from tms_domain.kernel import Role, StorageUnavailable
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
from tms_domain.training import SessionStatus

s, e, a, u = t.training_sessions, t.enrolments, t.attendance, t.users
c = t.courses
log = logging.getLogger(__name__)
F = TypeVar("F")


def _filtered(query: Select[Any], where: ReportFilter) -> Select[Any]:
    if where.starts_from is not None:
        query = query.where(s.c.scheduled_date >= where.starts_from)
    if where.starts_before is not None:
        query = query.where(s.c.scheduled_date < where.starts_before)
    if where.trainer_id is not None:
        query = query.where(s.c.trainer_id == where.trainer_id)
    if where.status is not None:
        query = query.where(s.c.status == where.status)
    return query


def _chosen_courses(query: Select[Any], where: ReportFilter) -> Select[Any]:
    if where.course_id is not None:
        query = query.where(c.c.id == where.course_id)
    return query


def _lessons_by_course(course_ids: Collection[int]) -> Select[Any]:
    """(course id, lessons) of each of the courses that has lessons."""
    les = t.lessons
    return (
        select(les.c.course_id, func.count())
        .where(les.c.course_id.in_(course_ids))
        .group_by(les.c.course_id)
    )


def _enrolments_by_completed(course_ids: Collection[int]) -> Select[Any]:
    """(course id, completed lessons, enrolments): for each of the courses, how many of its
    enrolments have completed how many lessons, a row per course and number. Each
    enrolment's count is one range of the completions' (course, trainee) index; deleting
    a lesson deletes its completions (the foreign key cascades), so those counted are of
    the lessons the course has now."""
    ce, lc = t.course_enrolments, t.lesson_completions
    completed = (
        select(func.count())
        .select_from(lc)
        .where(lc.c.course_id == ce.c.course_id, lc.c.trainee_id == ce.c.trainee_id)
        .scalar_subquery()
    )
    per_enrolment = (
        select(ce.c.course_id, completed.label("completed"))
        .where(ce.c.course_id.in_(course_ids))
        .subquery("per_enrolment")
    )
    return select(per_enrolment.c.course_id, per_enrolment.c.completed, func.count()).group_by(
        per_enrolment.c.course_id, per_enrolment.c.completed
    )


_NAME_CACHE_SIZE = 50_000
"""Trainee names kept between batches of the sessions section (a few megabytes)."""
_NAME_LOOKUP_CHUNK = 1000


async def _read_ahead(batches: FactBatches[F]) -> FactBatches[F]:
    """The batches of ``batches``, the next one being read while the caller works on the one
    it was given (the report's renderer runs in a worker thread meanwhile): the database's
    time and the renderer's overlap. One read in flight, at most two batches held."""
    next_batch = asyncio.ensure_future(anext(batches, None))
    try:
        while (rows := await next_batch) is not None:
            next_batch = asyncio.ensure_future(anext(batches, None))
            yield rows
    finally:
        # Left early: the read in flight ends (and gives its connection back) with the reader.
        next_batch.cancel()
        with contextlib.suppress(BaseException):
            await next_batch
        if next_batch.done():
            await batches.aclose()


class SqlaReportQueries:
    """Reads for reports, on a budget of their own: at most ``connections`` of the engine's
    connections at once, each held for one batch's statements only. A report whose client
    reads slowly, or not at all, waits between batches holding no connection, and however
    many reports run, the rest of the app keeps the other connections. A batch is one
    short read transaction: a report made while others write sees each batch as it is
    then (the keyset seek neither repeats nor skips a row that stays in place)."""

    def __init__(self, engine: AsyncEngine, connections: int) -> None:
        self._engine = engine
        self._budget = asyncio.Semaphore(connections)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        async with self._budget:
            try:
                async with self._engine.connect() as conn:
                    yield conn
            except Exception as error:
                if storage_error(error):
                    log.warning("database unavailable for a report: %s", error)
                    raise StorageUnavailable(STORAGE_DOWN) from error
                raise

    def users(self, batch: int) -> FactBatches[UserFacts]:
        return _read_ahead(self._users(batch))

    def sessions(self, where: ReportFilter, batch: int) -> FactBatches[SessionFacts]:
        return _read_ahead(self._sessions(where, batch))

    def attendance(self, where: ReportFilter, batch: int) -> FactBatches[AttendanceFacts]:
        return _read_ahead(self._attendance(where, batch))

    def progress(self, where: ReportFilter, batch: int) -> FactBatches[ProgressFacts]:
        return _read_ahead(self._progress(where, batch))

    def courses(self, where: ReportFilter, batch: int) -> FactBatches[CourseFacts]:
        return _read_ahead(self._courses(where, batch))

    async def _users(self, batch: int) -> FactBatches[UserFacts]:
        last = 0
        while True:
            async with self._connection() as conn:
                rows = (
                    await conn.execute(select(u).where(u.c.id > last).order_by(u.c.id).limit(batch))
                ).all()
            if not rows:
                return
            last = rows[-1].id
            yield [
                UserFacts(
                    r.id, r.username, r.email, r.role, r.first_name, r.last_name, r.created_at
                )
                for r in rows
            ]

    async def _sessions(self, where: ReportFilter, batch: int) -> FactBatches[SessionFacts]:
        trainer = u.alias("trainer")
        query = _filtered(
            select(
                s.c.id,
                s.c.title,
                s.c.scheduled_date,
                s.c.duration_minutes,
                s.c.status,
                trainer.c.first_name,
                trainer.c.last_name,
            ).join(trainer, trainer.c.id == s.c.trainer_id),
            where,
        ).order_by(s.c.scheduled_date, s.c.id)
        after: tuple[Any, int] | None = None
        names = _TraineeNames()
        while True:
            page = query
            if after is not None:
                # The ">=" bound lets the database seek in the start-time index rather
                # than test every earlier row (the OR alone is not a range).
                page = page.where(
                    s.c.scheduled_date >= after[0],
                    or_(s.c.scheduled_date > after[0], s.c.id > after[1]),
                )
            # The trainees are listed for the batch's sessions only, the page being limited
            # first.
            batch_page = page.limit(batch).subquery("page")
            async with self._connection() as conn:
                if conn.dialect.name in ("mysql", "mariadb"):
                    # Room for 1,000 trainees' names (MySQL's default is 1,024 bytes, MariaDB's
                    # 1 MB).
                    await conn.exec_driver_sql(
                        "SET SESSION group_concat_max_len = "
                        "GREATEST(@@SESSION.group_concat_max_len, 1048576)"
                    )
                rows = (
                    await conn.execute(
                        select(
                            batch_page,
                            _trainee_ids(conn.dialect.name, batch_page.c.id).label("trainees"),
                        ).order_by(batch_page.c.scheduled_date, batch_page.c.id)
                    )
                ).all()
                trainees = [r.trainees.split(",") if r.trainees else [] for r in rows]
                await names.load(conn, trainees)
            if not rows:
                return
            after = (rows[-1].scheduled_date, rows[-1].id)
            # Unpacked by position (the select's order): a hundred thousand rows read eight
            # attributes each by name cost more than the rest of the loop.
            yield [
                SessionFacts(
                    session_id,
                    title,
                    display_name(first, last),
                    names.of(ids),
                    start,
                    minutes,
                    status,
                )
                for (session_id, title, start, minutes, status, first, last, _), ids in zip(
                    rows, trainees, strict=True
                )
            ]

    async def _attendance(self, where: ReportFilter, batch: int) -> FactBatches[AttendanceFacts]:
        query = _filtered(
            select(
                a.c.id,
                a.c.session_id,
                s.c.title,
                u.c.first_name,
                u.c.last_name,
                a.c.present,
                a.c.marked_at,
            )
            .join(s, s.c.id == a.c.session_id)
            .join(u, u.c.id == a.c.trainee_id),
            where,
        ).order_by(a.c.id)
        if self._engine.dialect.name in ("mysql", "mariadb"):
            # Read attendance in id order and stop at the batch's end. Left to itself MariaDB
            # starts from users and sorts the whole join for every batch (0.7 s a batch at
            # 150,000 marks, quadratic in all).
            query = query.prefix_with("STRAIGHT_JOIN")
        last = 0
        while True:
            async with self._connection() as conn:
                rows = (await conn.execute(query.where(a.c.id > last).limit(batch))).all()
            if not rows:
                return
            last = rows[-1].id
            yield [
                AttendanceFacts(
                    r.session_id,
                    r.title,
                    display_name(r.first_name, r.last_name),
                    bool(r.present),
                    r.marked_at,
                )
                for r in rows
            ]

    async def _progress(self, where: ReportFilter, batch: int) -> FactBatches[ProgressFacts]:
        last = 0
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        while True:
            async with self._connection() as conn:
                trainees, counts = await self._progress_batch(conn, where, last, batch, present)
            if not trainees:
                return
            last = trainees[-1].id
            yield [
                ProgressFacts(
                    r.id, display_name(r.first_name, r.last_name), *counts.get(r.id, (0, 0))
                )
                for r in trainees
            ]

    @staticmethod
    async def _progress_batch(
        conn: AsyncConnection, where: ReportFilter, last: int, batch: int, present: Any
    ) -> tuple[list[Any], dict[int, tuple[int, int]]]:
        trainees = list(
            (
                await conn.execute(
                    select(u.c.id, u.c.first_name, u.c.last_name)
                    .where(u.c.role == Role.TRAINEE.value, u.c.id > last)
                    .order_by(u.c.id)
                    .limit(batch)
                )
            ).all()
        )
        if not trainees:
            return trainees, {}
        counts_query = _filtered(
            select(e.c.trainee_id, func.count(), present)
            .join(s, s.c.id == e.c.session_id)
            .outerjoin(a, and_(a.c.session_id == e.c.session_id, a.c.trainee_id == e.c.trainee_id))
            .where(
                e.c.trainee_id.in_([r.id for r in trainees]),
                s.c.status != SessionStatus.CANCELLED.value,
            ),
            where,
        ).group_by(e.c.trainee_id)
        counts = {r[0]: (int(r[1]), int(r[2] or 0)) for r in await conn.execute(counts_query)}
        return trainees, counts

    async def _courses(self, where: ReportFilter, batch: int) -> FactBatches[CourseFacts]:
        last = 0
        query = _chosen_courses(select(c.c.id, c.c.code, c.c.title, c.c.status), where).order_by(
            c.c.id
        )
        while True:
            async with self._connection() as conn:
                courses = (await conn.execute(query.where(c.c.id > last).limit(batch))).all()
                ids = [row.id for row in courses]
                lessons: dict[int, int] = {}
                completed: dict[int, dict[int, int]] = {}
                if ids:
                    lessons = {i: int(n) for i, n in await conn.execute(_lessons_by_course(ids))}
                    for course_id, done, enrolments in await conn.execute(
                        _enrolments_by_completed(ids)
                    ):
                        completed.setdefault(course_id, {})[int(done)] = int(enrolments)
            if not courses:
                return
            last = ids[-1]
            yield [
                CourseFacts(
                    course_id,
                    code,
                    title,
                    status,
                    int(lessons.get(course_id, 0)),
                    completed.get(course_id, {}),
                )
                for course_id, code, title, status in courses
            ]

    async def summary(self, where: ReportFilter) -> SummaryFacts:
        async with self._connection() as conn:
            return await _summary(conn, where)

    async def count(self, where: ReportFilter) -> dict[str, int]:
        async with self._connection() as conn:

            async def scalar(query: Select[Any]) -> int:
                return int((await conn.execute(query)).scalar_one())

            return {
                "users": await scalar(select(func.count()).select_from(u)),
                "sessions": await scalar(_filtered(select(func.count()).select_from(s), where)),
                "attendance": await scalar(
                    _filtered(
                        select(func.count()).select_from(a).join(s, s.c.id == a.c.session_id),
                        where,
                    )
                ),
                "progress": await scalar(
                    select(func.count()).select_from(u).where(u.c.role == Role.TRAINEE.value)
                ),
                "courses": await scalar(
                    _chosen_courses(select(func.count()).select_from(c), where)
                ),
            }


def _trainee_ids(dialect: str, session_id: Any) -> ScalarSelect[Any]:
    """The ids of a session's trainees in enrolment order, joined by "," in the database: one
    row per session reaches Python rather than one per enrolment. The names are looked up in
    Python (_TraineeNames): joining users for every enrolment in the database cost two
    thirds of the sessions section's time at 100,000 sessions."""
    if dialect == "sqlite":
        # SQLite before 3.44 has no ORDER BY inside an aggregate; as a window function,
        # group_concat takes the rows in the window's order.
        ids = (
            select(func.group_concat(e.c.trainee_id, ",").over(order_by=e.c.id, rows=(None, None)))
            .where(e.c.session_id == session_id)
            .limit(1)
        )
    else:
        ids = select(aggregate_order_by(func.aggregate_strings(e.c.trainee_id, ","), e.c.id)).where(
            e.c.session_id == session_id
        )
    return ids.scalar_subquery()


async def _summary(conn: AsyncConnection, where: ReportFilter) -> SummaryFacts:
    by_role = {role.value: 0 for role in Role}
    for role, count in await conn.execute(select(u.c.role, func.count()).group_by(u.c.role)):
        by_role[role] = int(count)
    by_status = {status.value: 0 for status in SessionStatus}
    status_rows = await conn.execute(
        _filtered(select(s.c.status, func.count()), where).group_by(s.c.status)
    )
    for status, count in status_rows:
        by_status[status] = int(count)
    minutes = func.sum(
        case((s.c.status == SessionStatus.COMPLETED.value, s.c.duration_minutes), else_=0)
    )
    delivered = await conn.execute(
        _filtered(
            select(s.c.trainer_id, u.c.first_name, u.c.last_name, func.count(), minutes)
            .join(u, u.c.id == s.c.trainer_id)
            .where(s.c.status != SessionStatus.CANCELLED.value),
            where,
        ).group_by(s.c.trainer_id, u.c.first_name, u.c.last_name)
    )
    present = func.sum(case((a.c.present.is_(True), 1), else_=0))
    rates = {
        r[0]: (int(r[1]), int(r[2] or 0))
        for r in await conn.execute(
            _filtered(
                select(s.c.trainer_id, func.count(), present)
                .join(e, e.c.session_id == s.c.id)
                .outerjoin(a, and_(a.c.session_id == s.c.id, a.c.trainee_id == e.c.trainee_id))
                .where(s.c.status == SessionStatus.COMPLETED.value),
                where,
            ).group_by(s.c.trainer_id)
        )
    }
    trainers = []
    for trainer_id, first, last, count, total_minutes in delivered:
        enrolled, attended = rates.get(trainer_id, (0, 0))
        trainers.append(
            TrainerFacts(
                trainer_id=trainer_id,
                name=display_name(first, last),
                sessions=int(count),
                minutes=int(total_minutes or 0),
                enrolled=enrolled,
                present=attended,
            )
        )
    return SummaryFacts(users_by_role=by_role, sessions_by_status=by_status, trainers=trainers)


class _TraineeNames:
    """Trainees' display names by id (as text, the way _trainee_ids lists them), read in
    bulk for the ids a batch needs and kept for later batches, up to a bound so that memory
    stays flat however many users there are."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    async def load(self, conn: AsyncConnection, id_lists: list[list[str]]) -> None:
        wanted = set(chain.from_iterable(id_lists))
        missing = wanted.difference(self._names)
        if not missing:
            return
        if len(self._names) + len(missing) > _NAME_CACHE_SIZE:
            self._names = {key: self._names[key] for key in wanted.intersection(self._names)}
        ordered = sorted(int(trainee_id) for trainee_id in missing)
        for start in range(0, len(ordered), _NAME_LOOKUP_CHUNK):
            chunk = ordered[start : start + _NAME_LOOKUP_CHUNK]
            found = await conn.execute(
                select(u.c.id, u.c.first_name, u.c.last_name).where(u.c.id.in_(chunk))
            )
            for user_id, first, last in found:
                self._names[str(user_id)] = display_name(first, last)

    def of(self, ids: list[str]) -> list[str]:
        """The names of ``ids``, in order (a trainee deleted meanwhile is left out)."""
        names = self._names
        try:
            return list(map(names.__getitem__, ids))
        except KeyError:
            return [names[i] for i in ids if i in names]

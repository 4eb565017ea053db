"""The training area's read side in SQL: listings of sessions, assignments and attendance;
progress and activity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import CHUNK, chunks
from tms_adapters.persistence.sql.training import (
    SESSION_COLUMNS,
    assignment_from_row,
    attendance_from_row,
    room_from_row,
    session_from_row,
    with_trainees,
)
from tms_domain.training import (
    Assignment,
    Attendance,
    Room,
    SessionQuery,
    SessionStatus,
    TrainingSession,
)


class SqlaSessionListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, query: SessionQuery) -> list[TrainingSession]:
        s = t.training_sessions
        statement = select(*SESSION_COLUMNS)
        if query.status is not None:
            statement = statement.where(s.c.status == query.status.value)
        if query.trainer_id is not None:
            statement = statement.where(s.c.trainer_id == query.trainer_id)
        if query.trainee_id is not None:
            statement = statement.where(
                s.c.id.in_(
                    select(t.enrolments.c.session_id).where(
                        t.enrolments.c.trainee_id == query.trainee_id
                    )
                )
            )
        if query.starts_from is not None:
            statement = statement.where(s.c.scheduled_date >= query.starts_from)
        if query.starts_before is not None:
            statement = statement.where(s.c.scheduled_date < query.starts_before)
        order = (
            (s.c.scheduled_date.desc(), s.c.id.desc())
            if query.newest_first
            else (s.c.scheduled_date, s.c.id)
        )
        statement = statement.order_by(*order).offset(query.skip).limit(query.limit)
        rows = (await self._conn.execute(statement)).all()
        return await with_trainees(self._conn, rows)

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        s, e = t.training_sessions, t.enrolments
        found: dict[int, list[TrainingSession]] = defaultdict(list)
        for chunk in chunks(sorted(set(trainee_ids))):
            rows = await self._conn.execute(
                select(*SESSION_COLUMNS, e.c.trainee_id.label("enrolled_trainee_id"))
                .join(e, e.c.session_id == s.c.id)
                .where(e.c.trainee_id.in_(chunk))
                .order_by(s.c.scheduled_date, s.c.id)
            )
            for row in rows:
                found[row.enrolled_trainee_id].append(session_from_row(row, []))
        return found

    async def open_for_booking(
        self, trainee_id: int, now: datetime, *, skip: int, limit: int
    ) -> list[TrainingSession]:
        s, e, w = t.training_sessions, t.enrolments, t.session_waitlist
        still_open = func.coalesce(s.c.booking_closes_at, s.c.scheduled_date) > now
        held = or_(
            s.c.id.in_(select(e.c.session_id).where(e.c.trainee_id == trainee_id)),
            s.c.id.in_(select(w.c.session_id).where(w.c.trainee_id == trainee_id)),
        )
        statement = (
            select(*SESSION_COLUMNS)
            .where(
                s.c.self_booking.is_(True),
                s.c.status == SessionStatus.SCHEDULED.value,
                s.c.scheduled_date > now,
                or_(still_open, held),
            )
            .order_by(s.c.scheduled_date, s.c.id)
            .offset(skip)
            .limit(limit)
        )
        rows = (await self._conn.execute(statement)).all()
        return await with_trainees(self._conn, rows)


class SqlaRoomListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, *, skip: int, limit: int) -> list[Room]:
        r = t.rooms
        rows = await self._conn.execute(
            select(r).order_by(r.c.name, r.c.id).offset(skip).limit(limit)
        )
        return [room_from_row(row) for row in rows]


class SqlaAssignmentListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]:
        a = t.assignments
        query = select(a).order_by(a.c.id).offset(skip).limit(limit)
        if student_id is not None:
            query = query.where(a.c.student_id == student_id)
        if teacher_id is not None:
            query = query.where(a.c.teacher_id == teacher_id)
        return [assignment_from_row(row) for row in await self._conn.execute(query)]


class SqlaAttendanceListing:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def list_for_session(self, session_id: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a).where(a.c.session_id == session_id).order_by(a.c.id)
        )
        return [attendance_from_row(row) for row in rows]

    async def list_for_trainee(self, trainee_id: int, *, skip: int, limit: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a)
            .where(a.c.trainee_id == trainee_id)
            .order_by(a.c.marked_at, a.c.id)
            .offset(skip)
            .limit(limit)
        )
        return [attendance_from_row(row) for row in rows]


class SqlaTrainingProgress:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        e, s, a = t.enrolments, t.training_sessions, t.attendance
        present = func.sum(case((a.c.present.is_(True), 1), else_=0))
        found: dict[int, tuple[int, int]] = {}
        for chunk in chunks(sorted(set(trainee_ids))):
            rows = await self._conn.execute(
                select(e.c.trainee_id, func.count(), present)
                .join(s, s.c.id == e.c.session_id)
                .outerjoin(
                    a, and_(a.c.session_id == e.c.session_id, a.c.trainee_id == e.c.trainee_id)
                )
                .where(e.c.trainee_id.in_(chunk), s.c.status != SessionStatus.CANCELLED.value)
                .group_by(e.c.trainee_id)
            )
            found.update((row[0], (int(row[1]), int(row[2] or 0))) for row in rows)
        return found

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        s, e = t.training_sessions, t.enrolments
        rows = await self._conn.execute(
            select(e.c.trainee_id)
            .distinct()
            .join(s, s.c.id == e.c.session_id)
            .where(s.c.trainer_id == trainer_id)
            .order_by(e.c.trainee_id)
        )
        return [row[0] for row in rows]


class SqlaTraineeActivity:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        s, e, a = t.training_sessions, t.enrolments, t.attendance
        found: dict[int, datetime] = {}
        # Each IN list appears three times: a third of the usual chunk keeps the statement's
        # bound parameters within what SQLite allows.
        for chunk in chunks(sorted(set(trainee_ids)), CHUNK // 3):
            moments = union_all(
                select(e.c.trainee_id.label("trainee_id"), e.c.enrolled_at.label("at")).where(
                    e.c.trainee_id.in_(chunk), e.c.enrolled_at <= until
                ),
                select(a.c.trainee_id, a.c.marked_at).where(
                    a.c.trainee_id.in_(chunk), a.c.present.is_(True), a.c.marked_at <= until
                ),
                select(e.c.trainee_id, s.c.scheduled_date)
                .join(s, s.c.id == e.c.session_id)
                .where(
                    e.c.trainee_id.in_(chunk),
                    s.c.status != SessionStatus.CANCELLED.value,
                    s.c.scheduled_date <= until,
                ),
            ).subquery()
            rows = await self._conn.execute(
                select(moments.c.trainee_id, func.max(moments.c.at)).group_by(moments.c.trainee_id)
            )
            found.update((row[0], row[1]) for row in rows)
        return found

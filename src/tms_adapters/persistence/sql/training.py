"""The training area in SQL: sessions and their enrolments, assignments and attendance,
mapped to domain objects; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Row,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.bulk import insert_many
from tms_adapters.persistence.sql.common import chunks
from tms_domain.kernel import Conflict
from tms_domain.training import (
    Assignment,
    Attendance,
    Room,
    SessionStatus,
    TrainingSession,
    overlap_limit,
)

_S = t.training_sessions

SESSION_COLUMNS: tuple[Column[Any], ...] = (
    _S.c.id,
    _S.c.title,
    _S.c.description,
    _S.c.trainer_id,
    _S.c.scheduled_date,
    _S.c.duration_minutes,
    _S.c.status,
    _S.c.class_link,
    _S.c.session_link,
    _S.c.created_at,
    _S.c.updated_at,
    _S.c.capacity,
    _S.c.self_booking,
    _S.c.booking_closes_at,
    _S.c.room_id,
    _S.c.sequence,
)
"""What a TrainingSession is read from (``ends_at`` is derived); a query selects these first."""

_STATUSES = {status.value: status for status in SessionStatus}


def session_from_row(
    row: Sequence[Any], trainee_ids: list[int], waitlist_ids: list[int] | None = None
) -> TrainingSession:
    """From a row that starts with ``SESSION_COLUMNS``."""
    (
        session_id,
        title,
        description,
        trainer_id,
        scheduled_date,
        duration_minutes,
        status,
        class_link,
        session_link,
        created_at,
        updated_at,
        capacity,
        self_booking,
        booking_closes_at,
        room_id,
        sequence,
    ) = row[:16]
    return TrainingSession(
        id=session_id,
        title=title,
        description=description,
        trainer_id=trainer_id,
        trainee_ids=trainee_ids,
        scheduled_date=scheduled_date,
        duration_minutes=duration_minutes,
        status=_STATUSES[status],
        class_link=class_link,
        session_link=session_link,
        created_at=created_at,
        updated_at=updated_at,
        capacity=capacity,
        self_booking=bool(self_booking),
        booking_closes_at=booking_closes_at,
        room_id=room_id,
        waitlist_ids=waitlist_ids or [],
        sequence=sequence,
    )


async def trainees_of(conn: AsyncConnection, session_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each session's trainees, in enrolment order."""
    by_session: dict[int, list[int]] = defaultdict(list)
    e = t.enrolments
    for chunk in chunks(session_ids):
        rows = await conn.execute(
            select(e.c.session_id, e.c.trainee_id)
            .where(e.c.session_id.in_(chunk))
            .order_by(e.c.session_id, e.c.id)
        )
        for session_id, trainee_id in rows.all():
            by_session[session_id].append(trainee_id)
    return by_session


async def waitlists_of(conn: AsyncConnection, session_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each session's waitlist, first in line first."""
    by_session: dict[int, list[int]] = defaultdict(list)
    w = t.session_waitlist
    for chunk in chunks(session_ids):
        rows = await conn.execute(
            select(w.c.session_id, w.c.trainee_id)
            .where(w.c.session_id.in_(chunk))
            .order_by(w.c.session_id, w.c.id)
        )
        for session_id, trainee_id in rows.all():
            by_session[session_id].append(trainee_id)
    return by_session


async def with_trainees(
    conn: AsyncConnection, rows: Sequence[Sequence[Any]]
) -> list[TrainingSession]:
    """Sessions from rows that start with ``SESSION_COLUMNS``, their trainee lists and
    waitlists filled in (the waitlists only asked for when a session has a capacity: without
    one, nobody waits)."""
    if not rows:
        return []
    trainees = await trainees_of(conn, [row[0] for row in rows])
    limited = [row[0] for row in rows if row[11] is not None]
    waitlists = await waitlists_of(conn, limited) if limited else {}
    return [
        session_from_row(row, trainees.get(row[0], []), waitlists.get(row[0], [])) for row in rows
    ]


class SqlaSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def values(self, session: TrainingSession) -> dict[str, Any]:
        return {
            "title": session.title,
            "description": session.description,
            "trainer_id": session.trainer_id,
            "scheduled_date": session.scheduled_date,
            "ends_at": session.ends_at,
            "duration_minutes": session.duration_minutes,
            "status": session.status.value,
            "class_link": session.class_link,
            "session_link": session.session_link,
            "created_at": session.created_at,
            "updated_at": session.updated_at,
            "capacity": session.capacity,
            "self_booking": session.self_booking,
            "booking_closes_at": session.booking_closes_at,
            "room_id": session.room_id,
            "sequence": session.sequence,
        }

    async def add(self, session: TrainingSession) -> TrainingSession:
        try:
            result = await self._conn.execute(
                insert(t.training_sessions).values(**self.values(session))
            )
        except IntegrityError as error:
            raise Conflict("That join link is already in use") from error
        session.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if session.trainee_ids:
            await self._enrol(session.id, session.trainee_ids, session.created_at)
        return session

    async def _enrol(self, session_id: int, trainee_ids: Sequence[int], at: datetime) -> None:
        try:
            await insert_many(
                self._conn,
                insert(t.enrolments),
                [
                    {"session_id": session_id, "trainee_id": trainee_id, "enrolled_at": at}
                    for trainee_id in trainee_ids
                ],
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already enrolled in this session") from error

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None:
        query = select(*SESSION_COLUMNS).where(_S.c.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return (await with_trainees(self._conn, [row]))[0]

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        query = select(*SESSION_COLUMNS).where(_S.c.session_link == session_link)
        row = (await self._conn.execute(query)).first()
        return (await with_trainees(self._conn, [row]))[0] if row else None

    async def update(self, session: TrainingSession) -> None:
        values = self.values(session)
        del values["created_at"]
        await self._conn.execute(
            update(t.training_sessions)
            .where(t.training_sessions.c.id == session.id)
            .values(**values)
        )
        current = (await trainees_of(self._conn, [session.id])).get(session.id, [])
        wanted = list(dict.fromkeys(session.trainee_ids))
        gone = set(current) - set(wanted)
        if gone:
            await self._conn.execute(
                delete(t.enrolments).where(
                    t.enrolments.c.session_id == session.id,
                    t.enrolments.c.trainee_id.in_(sorted(gone)),
                )
            )
        new = [trainee_id for trainee_id in wanted if trainee_id not in current]
        if new:
            await self._enrol(session.id, new, session.updated_at)
        await self._save_waitlist(session)

    async def _save_waitlist(self, session: TrainingSession) -> None:
        """Those who left the waitlist leave its table; those who joined go to its end."""
        w = t.session_waitlist
        current = (await waitlists_of(self._conn, [session.id])).get(session.id, [])
        wanted = list(dict.fromkeys(session.waitlist_ids))
        gone = set(current) - set(wanted)
        if gone:
            await self._conn.execute(
                delete(w).where(w.c.session_id == session.id, w.c.trainee_id.in_(sorted(gone)))
            )
        joined = [trainee_id for trainee_id in wanted if trainee_id not in current]
        if not joined:
            return
        try:
            await self._conn.execute(
                insert(w),
                [
                    {
                        "session_id": session.id,
                        "trainee_id": trainee_id,
                        "joined_at": session.updated_at,
                    }
                    for trainee_id in joined
                ],
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already on the waitlist of this session") from error

    async def delete(self, session_id: int) -> None:
        await self._conn.execute(
            delete(t.training_sessions).where(t.training_sessions.c.id == session_id)
        )

    async def find_overlapping(
        self,
        start: datetime,
        end: datetime,
        *,
        trainer_id: int | None = None,
        trainee_ids: Sequence[int] = (),
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        s = t.training_sessions
        people = []
        if trainer_id is not None:
            people.append(s.c.trainer_id == trainer_id)
        if trainee_ids:
            people.append(
                s.c.id.in_(
                    select(t.enrolments.c.session_id).where(
                        t.enrolments.c.trainee_id.in_(list(trainee_ids))
                    )
                )
            )
        if not people:
            return []
        statement = (
            select(*SESSION_COLUMNS)
            .where(
                s.c.status == SessionStatus.SCHEDULED.value,
                s.c.scheduled_date < end,
                s.c.ends_at > start,
                or_(*people),
            )
            .order_by(s.c.scheduled_date, s.c.id)
            .limit(overlap_limit(trainee_ids))
        )
        if exclude_session_id is not None:
            statement = statement.where(s.c.id != exclude_session_id)
        rows = (await self._conn.execute(statement)).all()
        return await with_trainees(self._conn, rows)

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        await self._enrol(session_id, [trainee_id], at)

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool:
        result = await self._conn.execute(
            delete(t.enrolments).where(
                t.enrolments.c.session_id == session_id,
                t.enrolments.c.trainee_id == trainee_id,
            )
        )
        return bool(result.rowcount)

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        s = t.training_sessions
        rows = await self._conn.execute(
            select(s.c.id).where(s.c.trainer_id == trainer_id).order_by(s.c.id)
        )
        return [row.id for row in rows]

    async def find_in_room(
        self,
        room_id: int,
        start: datetime,
        end: datetime,
        *,
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        statement = (
            select(*SESSION_COLUMNS)
            .where(
                _S.c.room_id == room_id,
                _S.c.status == SessionStatus.SCHEDULED.value,
                _S.c.scheduled_date < end,
                _S.c.ends_at > start,
            )
            .order_by(_S.c.scheduled_date, _S.c.id)
            .limit(10)
        )
        if exclude_session_id is not None:
            statement = statement.where(_S.c.id != exclude_session_id)
        rows = (await self._conn.execute(statement)).all()
        return [session_from_row(row, []) for row in rows]

    async def using_room(self, room_id: int, *, ending_after: datetime) -> list[TrainingSession]:
        statement = (
            select(*SESSION_COLUMNS)
            .where(
                _S.c.room_id == room_id,
                _S.c.status == SessionStatus.SCHEDULED.value,
                _S.c.ends_at > ending_after,
            )
            .order_by(_S.c.scheduled_date, _S.c.id)
            .limit(10)
        )
        rows = (await self._conn.execute(statement)).all()
        return [session_from_row(row, []) for row in rows]


def room_from_row(row: Row[Any]) -> Room:
    return Room(
        id=row.id,
        name=row.name,
        location=row.location,
        capacity=row.capacity,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


ROOM_NAME_TAKEN = "A room with that name already exists"


class SqlaRoomRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, room: Room) -> Room:
        try:
            result = await self._conn.execute(
                insert(t.rooms).values(
                    name=room.name,
                    location=room.location,
                    capacity=room.capacity,
                    created_at=room.created_at,
                    updated_at=room.updated_at,
                )
            )
        except IntegrityError as error:
            raise Conflict(ROOM_NAME_TAKEN) from error
        room.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return room

    async def get(self, room_id: int, *, for_update: bool = False) -> Room | None:
        query = select(t.rooms).where(t.rooms.c.id == room_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return room_from_row(row) if row else None

    async def update(self, room: Room) -> None:
        try:
            await self._conn.execute(
                update(t.rooms)
                .where(t.rooms.c.id == room.id)
                .values(
                    name=room.name,
                    location=room.location,
                    capacity=room.capacity,
                    updated_at=room.updated_at,
                )
            )
        except IntegrityError as error:
            raise Conflict(ROOM_NAME_TAKEN) from error

    async def delete(self, room_id: int) -> None:
        await self._conn.execute(delete(t.rooms).where(t.rooms.c.id == room_id))


def assignment_from_row(row: Row[Any]) -> Assignment:
    return Assignment(
        id=row.id,
        student_id=row.student_id,
        teacher_id=row.teacher_id,
        assigned_date=row.assigned_date,
    )


class SqlaAssignmentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, assignment: Assignment) -> Assignment:
        try:
            result = await self._conn.execute(
                insert(t.assignments).values(
                    student_id=assignment.student_id,
                    teacher_id=assignment.teacher_id,
                    assigned_date=assignment.assigned_date,
                )
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already assigned to this trainer") from error
        assignment.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return assignment

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None:
        a = t.assignments
        row = (
            await self._conn.execute(
                select(a).where(a.c.student_id == student_id, a.c.teacher_id == teacher_id)
            )
        ).first()
        return assignment_from_row(row) if row else None

    async def delete(self, student_id: int, teacher_id: int) -> bool:
        a = t.assignments
        result = await self._conn.execute(
            delete(a).where(a.c.student_id == student_id, a.c.teacher_id == teacher_id)
        )
        return bool(result.rowcount)

    async def student_ids_of(self, teacher_id: int) -> list[int]:
        a = t.assignments
        rows = await self._conn.execute(
            select(a.c.student_id).where(a.c.teacher_id == teacher_id).order_by(a.c.student_id)
        )
        return [row[0] for row in rows]

    async def teacher_ids_of(self, student_id: int) -> list[int]:
        a = t.assignments
        rows = await self._conn.execute(
            select(a.c.teacher_id).where(a.c.student_id == student_id).order_by(a.c.teacher_id)
        )
        return [row[0] for row in rows]


def attendance_from_row(row: Row[Any]) -> Attendance:
    return Attendance(
        id=row.id,
        session_id=row.session_id,
        trainee_id=row.trainee_id,
        present=bool(row.present),
        marked_at=row.marked_at,
    )


class SqlaAttendanceRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, attendance_id: int) -> Attendance | None:
        a = t.attendance
        row = (await self._conn.execute(select(a).where(a.c.id == attendance_id))).first()
        return attendance_from_row(row) if row else None

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None:
        a = t.attendance
        row = (
            await self._conn.execute(
                select(a).where(a.c.session_id == session_id, a.c.trainee_id == trainee_id)
            )
        ).first()
        return attendance_from_row(row) if row else None

    async def add(self, attendance: Attendance) -> Attendance:
        try:
            result = await self._conn.execute(
                insert(t.attendance).values(
                    session_id=attendance.session_id,
                    trainee_id=attendance.trainee_id,
                    present=attendance.present,
                    marked_at=attendance.marked_at,
                )
            )
        except IntegrityError as error:
            raise Conflict("Attendance for this trainee is already being marked") from error
        attendance.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return attendance

    async def update(self, attendance: Attendance) -> None:
        a = t.attendance
        await self._conn.execute(
            update(a)
            .where(a.c.id == attendance.id)
            .values(present=attendance.present, marked_at=attendance.marked_at)
        )

    async def delete(self, attendance_id: int) -> None:
        await self._conn.execute(delete(t.attendance).where(t.attendance.c.id == attendance_id))

    async def count_for_trainee(self, trainee_id: int) -> int:
        a = t.attendance
        query = select(func.count()).where(a.c.trainee_id == trainee_id)
        return int((await self._conn.execute(query)).scalar_one())

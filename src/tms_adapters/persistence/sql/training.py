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
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import CHUNK, chunks
from tms_domain.kernel import Conflict
from tms_domain.training import Assignment, Attendance, SessionQuery, SessionStatus, TrainingSession

_S = t.training_sessions

_SESSION_COLUMNS: tuple[Column[Any], ...] = (
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
)
"""What a TrainingSession is read from (``ends_at`` is derived); a query selects these first."""

_STATUSES = {status.value: status for status in SessionStatus}


def _session(row: Sequence[Any], trainee_ids: list[int]) -> TrainingSession:
    """From a row that starts with ``_SESSION_COLUMNS``."""
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
    ) = row[:11]
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
    )


class SqlaSessionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def _values(self, session: TrainingSession) -> dict[str, Any]:
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
        }

    async def _trainees_of(self, session_ids: Sequence[int]) -> dict[int, list[int]]:
        by_session: dict[int, list[int]] = defaultdict(list)
        e = t.enrolments
        for chunk in chunks(session_ids):
            rows = await self._conn.execute(
                select(e.c.session_id, e.c.trainee_id)
                .where(e.c.session_id.in_(chunk))
                .order_by(e.c.session_id, e.c.id)
            )
            for session_id, trainee_id in rows.all():
                by_session[session_id].append(trainee_id)
        return by_session

    async def _with_trainees(self, rows: Sequence[Sequence[Any]]) -> list[TrainingSession]:
        trainees = await self._trainees_of([row[0] for row in rows]) if rows else {}
        return [_session(row, trainees.get(row[0], [])) for row in rows]

    async def add(self, session: TrainingSession) -> TrainingSession:
        try:
            result = await self._conn.execute(
                insert(t.training_sessions).values(**self._values(session))
            )
        except IntegrityError as error:
            raise Conflict("That join link is already in use") from error
        session.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if session.trainee_ids:
            await self._enrol(session.id, session.trainee_ids, session.created_at)
        return session

    async def _enrol(self, session_id: int, trainee_ids: Sequence[int], at: datetime) -> None:
        try:
            await self._conn.execute(
                insert(t.enrolments),
                [
                    {"session_id": session_id, "trainee_id": trainee_id, "enrolled_at": at}
                    for trainee_id in trainee_ids
                ],
            )
        except IntegrityError as error:
            raise Conflict("The trainee is already enrolled in this session") from error

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None:
        query = select(*_SESSION_COLUMNS).where(_S.c.id == session_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return (await self._with_trainees([row]))[0]

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        query = select(*_SESSION_COLUMNS).where(_S.c.session_link == session_link)
        row = (await self._conn.execute(query)).first()
        return (await self._with_trainees([row]))[0] if row else None

    async def update(self, session: TrainingSession) -> None:
        values = self._values(session)
        del values["created_at"]
        await self._conn.execute(
            update(t.training_sessions)
            .where(t.training_sessions.c.id == session.id)
            .values(**values)
        )
        current = (await self._trainees_of([session.id])).get(session.id, [])
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

    async def delete(self, session_id: int) -> None:
        await self._conn.execute(
            delete(t.training_sessions).where(t.training_sessions.c.id == session_id)
        )

    async def page(self, query: SessionQuery) -> list[TrainingSession]:
        s = t.training_sessions
        statement = select(*_SESSION_COLUMNS)
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
        return await self._with_trainees(rows)

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
            select(*_SESSION_COLUMNS)
            .where(
                s.c.status == SessionStatus.SCHEDULED.value,
                s.c.scheduled_date < end,
                s.c.ends_at > start,
                or_(*people),
            )
            .order_by(s.c.scheduled_date, s.c.id)
            .limit(10)
        )
        if exclude_session_id is not None:
            statement = statement.where(s.c.id != exclude_session_id)
        rows = (await self._conn.execute(statement)).all()
        return await self._with_trainees(rows)

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

    async def count_by_status(self) -> dict[SessionStatus, int]:
        s = t.training_sessions
        rows = await self._conn.execute(select(s.c.status, func.count()).group_by(s.c.status))
        counts = dict.fromkeys(SessionStatus, 0)
        for status, count in rows:
            counts[SessionStatus(status)] = int(count)
        return counts

    async def count_trained_by(self, trainer_id: int) -> int:
        s = t.training_sessions
        query = select(func.count()).where(s.c.trainer_id == trainer_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        s = t.training_sessions
        rows = await self._conn.execute(
            select(s.c.id).where(s.c.trainer_id == trainer_id).order_by(s.c.id)
        )
        return [row.id for row in rows]

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

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        s, e = t.training_sessions, t.enrolments
        found: dict[int, list[TrainingSession]] = defaultdict(list)
        for chunk in chunks(sorted(set(trainee_ids))):
            rows = await self._conn.execute(
                select(*_SESSION_COLUMNS, e.c.trainee_id.label("enrolled_trainee_id"))
                .join(e, e.c.session_id == s.c.id)
                .where(e.c.trainee_id.in_(chunk))
                .order_by(s.c.scheduled_date, s.c.id)
            )
            for row in rows:
                found[row.enrolled_trainee_id].append(_session(row, []))
        return found

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


def _assignment(row: Row[Any]) -> Assignment:
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
        return _assignment(row) if row else None

    async def delete(self, student_id: int, teacher_id: int) -> bool:
        a = t.assignments
        result = await self._conn.execute(
            delete(a).where(a.c.student_id == student_id, a.c.teacher_id == teacher_id)
        )
        return bool(result.rowcount)

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
        return [_assignment(row) for row in await self._conn.execute(query)]

    async def is_assigned(self, student_id: int, teacher_id: int) -> bool:
        return await self.get(student_id, teacher_id) is not None

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


def _attendance(row: Row[Any]) -> Attendance:
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
        return _attendance(row) if row else None

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None:
        a = t.attendance
        row = (
            await self._conn.execute(
                select(a).where(a.c.session_id == session_id, a.c.trainee_id == trainee_id)
            )
        ).first()
        return _attendance(row) if row else None

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

    async def list_for_session(self, session_id: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a).where(a.c.session_id == session_id).order_by(a.c.id)
        )
        return [_attendance(row) for row in rows]

    async def list_for_trainee(self, trainee_id: int, *, skip: int, limit: int) -> list[Attendance]:
        a = t.attendance
        rows = await self._conn.execute(
            select(a)
            .where(a.c.trainee_id == trainee_id)
            .order_by(a.c.marked_at, a.c.id)
            .offset(skip)
            .limit(limit)
        )
        return [_attendance(row) for row in rows]

    async def count_for_trainee(self, trainee_id: int) -> int:
        a = t.attendance
        query = select(func.count()).where(a.c.trainee_id == trainee_id)
        return int((await self._conn.execute(query)).scalar_one())

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

    async def rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
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

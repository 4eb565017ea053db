"""Use cases for taking attendance."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    BadRequest,
    NotFound,
    Page,
    Permission,
    Target,
    as_utc,
    authorize,
)
from tms_domain.training.events import AttendanceChanged, AttendanceDeleted, AttendanceMarked
from tms_domain.training.model import Attendance, TrainingSession
from tms_domain.training.use_cases.sessions import session_target, visible_session
from tms_domain.unit_of_work import Core, UnitOfWork


@dataclass(frozen=True)
class AttendanceDetails:
    attendance: Attendance
    session: TrainingSession
    trainee: User


class AttendanceService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_for_session(self, actor: Actor, session_id: int) -> list[AttendanceDetails]:
        """Admins and the session's trainer; marks of trainees no longer enrolled are left
        out, as progress leaves them out."""
        async with self._core.uow(read_only=True) as uow:
            session = await visible_session(uow, actor, session_id)
            authorize(actor, Permission.READ_ATTENDANCE, session_target(session))
            records = await uow.attendance_listing.list_for_session(session_id)
            users = await uow.users.get_many({r.trainee_id for r in records})
        return [
            AttendanceDetails(r, session, users[r.trainee_id])
            for r in records
            if r.trainee_id in users and r.trainee_id in session.trainee_ids
        ]

    async def list_for_trainee(
        self, actor: Actor, trainee_id: int, page: Page
    ) -> list[AttendanceDetails]:
        """A trainee's own marks, oldest first, for admins, their assigned trainers and
        themself."""
        async with self._core.uow(read_only=True) as uow:
            teachers = await uow.assignments.teacher_ids_of(trainee_id)
            authorize(
                actor,
                Permission.READ_TRAINEE_PROGRESS,
                Target(user_id=trainee_id, assigned_trainer_ids=frozenset(teachers)),
            )
            trainee = await uow.users.get(trainee_id)
            if trainee is None:
                raise NotFound("User not found")
            records = await uow.attendance_listing.list_for_trainee(
                trainee_id, skip=page.skip, limit=page.limit
            )
            enrolled = await uow.session_listing.sessions_of_trainees([trainee_id])
            sessions = {s.id: s for s in enrolled.get(trainee_id, [])}
        return [
            AttendanceDetails(r, sessions[r.session_id], trainee)
            for r in records
            if r.session_id in sessions
        ]

    async def mark(
        self,
        actor: Actor,
        session_id: int,
        trainee_id: int,
        present: bool,
        marked_at: datetime | None = None,
    ) -> Attendance:
        """Admins and the session's trainer mark an enrolled trainee present or absent;
        marking again updates the one record there is per trainee and session. Marks of
        one session are serialised (its row is locked), so one that races another for the
        same trainee sees the other's record and updates it."""
        async with self._core.uow() as uow:
            session = await visible_session(uow, actor, session_id, for_update=True)
            authorize(actor, Permission.MARK_ATTENDANCE, session_target(session))
            if trainee_id not in session.trainee_ids:
                raise BadRequest("The trainee is not enrolled in this session")
            when = as_utc(marked_at, "marked_at") if marked_at else self._core.clock.now()
            existing = await uow.attendance.find(session_id, trainee_id)
            if existing is not None:
                await self._change(uow, actor, session, existing, present, when)
                await uow.commit()
                return existing
            record = await uow.attendance.add(
                Attendance(
                    id=0,
                    session_id=session_id,
                    trainee_id=trainee_id,
                    present=present,
                    marked_at=when,
                )
            )
            await record_audit(
                uow,
                actor,
                "attendance.marked",
                "attendance",
                record.id,
                self._core.clock.now(),
                {
                    "session_id": [None, session_id],
                    "trainee_id": [None, trainee_id],
                    "present": [None, present],
                },
            )
            uow.record(AttendanceMarked(replace(record), session.trainer_id))
            await uow.commit()
            return record

    async def update(self, actor: Actor, attendance_id: int, present: bool) -> Attendance:
        """Admins and the session's trainer change a mark."""
        async with self._core.uow() as uow:
            record = await uow.attendance.get(attendance_id)
            if record is None:
                raise NotFound("Attendance record not found")
            try:
                session = await visible_session(uow, actor, record.session_id)
            except NotFound:
                raise NotFound("Attendance record not found") from None
            authorize(actor, Permission.MARK_ATTENDANCE, session_target(session))
            await self._change(uow, actor, session, record, present, self._core.clock.now())
            await uow.commit()
            return record

    async def _change(
        self,
        uow: UnitOfWork,
        actor: Actor,
        session: TrainingSession,
        record: Attendance,
        present: bool,
        when: datetime,
    ) -> None:
        before = record.present
        record.present = present
        record.marked_at = when
        await uow.attendance.update(record)
        await record_audit(
            uow,
            actor,
            "attendance.updated",
            "attendance",
            record.id,
            self._core.clock.now(),
            {"present": [before, present]} if before != present else {},
            subject_id=record.trainee_id,
        )
        uow.record(AttendanceChanged(replace(record), session.trainer_id))

    async def delete(self, actor: Actor, attendance_id: int) -> None:
        """Admins only."""
        authorize(actor, Permission.DELETE_ATTENDANCE)
        async with self._core.uow() as uow:
            record = await uow.attendance.get(attendance_id)
            if record is None:
                raise NotFound("Attendance record not found")
            session = await uow.sessions.get(record.session_id)
            await uow.attendance.delete(attendance_id)
            await record_audit(
                uow,
                actor,
                "attendance.deleted",
                "attendance",
                attendance_id,
                self._core.clock.now(),
                {"present": [record.present, None]},
                subject_id=record.trainee_id,
            )
            uow.record(AttendanceDeleted(record, session.trainer_id if session else None))
            await uow.commit()

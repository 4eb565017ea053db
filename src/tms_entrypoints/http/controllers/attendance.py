"""/attendance: marks of presence."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from tms_domain.errors import InvalidInput
from tms_domain.model import Actor
from tms_domain.services.attendance import AttendanceService
from tms_entrypoints.http.controllers.params import Id
from tms_entrypoints.http.schemas import (
    AttendanceIn,
    AttendanceListingOut,
    AttendanceOut,
    AttendanceUpdateIn,
    MessageOut,
    SessionSummaryOut,
    UserOut,
    iso,
)


class AttendanceController(Controller):
    path = "/attendance"
    tags = ["attendance"]

    @get("/session/{session_id:int}", operation_id="listSessionAttendance")
    async def list_for_session(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> list[AttendanceListingOut]:
        """Admins and the session's trainer."""
        found = await attendance.list_for_session(actor, session_id)
        return [
            AttendanceListingOut(
                id=d.attendance.id,
                session=SessionSummaryOut.of(d.session),
                trainee=UserOut.of(d.trainee),
                present=d.attendance.present,
                marked_at=iso(d.attendance.marked_at),
            )
            for d in found
        ]

    @post("/", operation_id="markAttendance", status_code=200)
    async def mark(
        self,
        data: AttendanceIn,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> AttendanceOut:
        """Mark an enrolled trainee; marking again updates. 400 if not enrolled."""
        record = await attendance.mark(
            actor, data.session_id, data.trainee_id, data.present, data.marked_at
        )
        return AttendanceOut.of(record)

    @put("/{attendance_id:int}", operation_id="updateAttendance")
    async def update(
        self,
        attendance_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
        present: Annotated[bool | None, QueryParameter()] = None,
        data: AttendanceUpdateIn | None = None,
    ) -> AttendanceOut:
        """`?present=true|false`, or a JSON body `{present}`."""
        value = present if present is not None else (data.present if data else None)
        if value is None:
            raise InvalidInput.for_field("present", "Give present=true or present=false")
        return AttendanceOut.of(await attendance.update(actor, attendance_id, value))

    @delete("/{attendance_id:int}", operation_id="deleteAttendance", status_code=200)
    async def delete(
        self,
        attendance_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> MessageOut:
        """Admins."""
        await attendance.delete(actor, attendance_id)
        return MessageOut("Attendance record deleted")

"""/attendance: marks of presence."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import InvalidInput, Page
from tms_domain.training.use_cases.attendance import AttendanceDetails, AttendanceService
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut, iso
from tms_entrypoints.http.timestamps import parse_optional_timestamp
from tms_entrypoints.http.training.schemas import (
    AttendanceIn,
    AttendanceListingOut,
    AttendanceOut,
    AttendanceUpdateIn,
    SessionSummaryOut,
)


def _listing(details: AttendanceDetails) -> AttendanceListingOut:
    return AttendanceListingOut(
        id=details.attendance.id,
        session=SessionSummaryOut.of(details.session),
        trainee=UserOut.of(details.trainee),
        present=details.attendance.present,
        marked_at=iso(details.attendance.marked_at),
    )


class AttendanceController(Controller):
    path = "/attendance"
    tags = ["attendance"]

    @get(
        "/session/{session_id:int}", operation_id="listSessionAttendance", responses=ERROR_RESPONSES
    )
    async def list_for_session(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> list[AttendanceListingOut]:
        """Admins and the session's trainer."""
        return [_listing(d) for d in await attendance.list_for_session(actor, session_id)]

    @get(
        "/trainee/{trainee_id:int}", operation_id="listTraineeAttendance", responses=ERROR_RESPONSES
    )
    async def list_for_trainee(
        self,
        trainee_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[AttendanceListingOut]:
        """A trainee's marks, oldest first: admins, their assigned trainers, and the trainee
        themself."""
        found = await attendance.list_for_trainee(actor, trainee_id, Page(skip, limit))
        return [_listing(d) for d in found]

    @post("/", operation_id="markAttendance", status_code=200, responses=ERROR_RESPONSES)
    async def mark(
        self,
        data: JSONBody[AttendanceIn],
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> AttendanceOut:
        """Mark an enrolled trainee; marking again updates. 400 if not enrolled."""
        record = await attendance.mark(
            actor,
            data.session_id,
            data.trainee_id,
            data.present,
            parse_optional_timestamp(data.marked_at, "marked_at"),
        )
        return AttendanceOut.of(record)

    @put("/{attendance_id:int}", operation_id="updateAttendance", responses=ERROR_RESPONSES)
    async def update(
        self,
        attendance_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
        present: Annotated[bool | None, QueryParameter()] = None,
        data: JSONBody[AttendanceUpdateIn | None] = None,
    ) -> AttendanceOut:
        """`?present=true|false`, or a JSON body `{present}`."""
        value = present if present is not None else (data.present if data else None)
        if value is None:
            raise InvalidInput.for_field("present", "Give present=true or present=false")
        return AttendanceOut.of(await attendance.update(actor, attendance_id, value))

    @delete(
        "/{attendance_id:int}",
        operation_id="deleteAttendance",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def delete(
        self,
        attendance_id: Id,
        actor: NamedDependency[Actor],
        attendance: NamedDependency[AttendanceService],
    ) -> MessageOut:
        """Admins."""
        await attendance.delete(actor, attendance_id)
        return MessageOut("Attendance record deleted")

"""/sessions and /join: training sessions, enrolment, join links."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar, cast

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.training import SessionChanges, SessionStatus
from tms_domain.training.use_cases.sessions import (
    NewSession,
    SessionFilters,
    SessionService,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import From, Id, Limit, Skip, To, moment
from tms_entrypoints.http.schemas import MAX_ID, MessageOut, StatusName
from tms_entrypoints.http.timestamps import (
    parse_optional_timestamp,
    parse_timestamp,
)
from tms_entrypoints.http.training.schemas import (
    JoinedSessionOut,
    JoinOut,
    SessionCreateIn,
    SessionOut,
    SessionUpdateIn,
)

T = TypeVar("T")


def given(value: T | msgspec.UnsetType) -> T | None:
    """A field left out of the body reads as None (unchanged)."""
    return None if isinstance(value, msgspec.UnsetType) else value


class SessionsController(Controller):
    path = "/sessions"
    tags = ["sessions"]

    @get("/", operation_id="listSessions", responses=ERROR_RESPONSES)
    async def list_sessions(
        self,
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
        skip: Skip = 0,
        limit: Limit = 100,
        status: Annotated[StatusName | None, QueryParameter()] = None,
        trainer_id: Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)] = None,
        starts_from: From = None,
        starts_before: To = None,
        order: Annotated[
            Literal["asc", "desc"],
            QueryParameter(description="by start: asc (earliest first) or desc (latest first)"),
        ] = "asc",
    ) -> list[SessionOut]:
        """Sessions by start time: admins all, trainers their own, trainees those they are
        enrolled in; `from` and `to` bound the start (`from` after `to`: 422)."""
        # The read side's page (persistence/views.py: SessionView structs, or them already
        # encoded as msgspec.Raw, sent as it is), which encodes as SessionOut does, byte for
        # byte (tests/contract/test_views.py), built from the rows.
        views = await sessions.list_session_views(
            actor,
            SessionFilters(
                status=SessionStatus(status) if status else None,
                trainer_id=trainer_id,
                starts_from=moment(starts_from, "from"),
                starts_before=moment(starts_before, "to"),
                newest_first=order == "desc",
            ),
            Page(skip, limit),
        )
        return cast("list[SessionOut]", views)

    @get("/{session_id:int}", operation_id="getSession", responses=ERROR_RESPONSES)
    async def get_session(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
    ) -> SessionOut:
        """Admins, its trainer and its trainees; anyone else gets 404."""
        details = await sessions.get_session(actor, session_id)
        return SessionOut.of(details.session, details.trainees, viewer_id=actor.id)

    @post("/", operation_id="createSession", status_code=201, responses=ERROR_RESPONSES)
    async def create_session(
        self,
        data: JSONBody[SessionCreateIn],
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
    ) -> SessionOut:
        """Schedule a session. Trainers only for themselves. 409 on a double booking of the
        trainer or a trainee, naming the conflicting session. `batch_ids`: every member of
        those batches is enrolled too (a trainer uses the batches they follow; 422 naming
        the others); a double booking names every trainee that clashes."""
        details = await sessions.create_session(
            actor,
            NewSession(
                title=data.title,
                trainer_id=data.trainer_id,
                scheduled_date=parse_timestamp(data.scheduled_date, "scheduled_date"),
                duration_minutes=data.duration_minutes,
                description=data.description,
                trainee_ids=tuple(data.trainees),
                status=SessionStatus(data.status) if data.status else SessionStatus.SCHEDULED,
                class_link=data.class_link,
                session_link=data.session_link,
                capacity=data.capacity,
                self_booking=data.self_booking,
                booking_closes_at=parse_optional_timestamp(
                    data.booking_closes_at, "booking_closes_at"
                ),
                room_id=data.room_id,
                batch_ids=tuple(data.batch_ids),
            ),
        )
        return SessionOut.of(details.session, details.trainees, viewer_id=actor.id)

    @put("/{session_id:int}", operation_id="updateSession", responses=ERROR_RESPONSES)
    async def update_session(
        self,
        session_id: Id,
        data: JSONBody[SessionUpdateIn],
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
    ) -> SessionOut:
        """Change any field; `trainees` replaces the list. 409 for an illegal status move, a
        double booking, a room taken at that time, or a capacity below the trainees
        enrolled; 422 for a capacity over the room's. `capacity`, `booking_closes_at` and
        `room_id` set to null clear them; left out, they stay. `batch_ids`: the members of
        those batches join the trainees."""
        cleared = frozenset(
            name
            for name in ("capacity", "booking_closes_at", "room_id")
            if getattr(data, name) is None
        )
        details = await sessions.update_session(
            actor,
            session_id,
            SessionChanges(
                title=data.title,
                description=data.description,
                trainer_id=data.trainer_id,
                trainee_ids=tuple(data.trainees) if data.trainees is not None else None,
                scheduled_date=parse_optional_timestamp(data.scheduled_date, "scheduled_date"),
                duration_minutes=data.duration_minutes,
                status=SessionStatus(data.status) if data.status else None,
                class_link=data.class_link,
                session_link=data.session_link,
                capacity=given(data.capacity),
                self_booking=data.self_booking,
                booking_closes_at=parse_optional_timestamp(
                    given(data.booking_closes_at), "booking_closes_at"
                ),
                room_id=given(data.room_id),
                cleared=cleared,
                cancellation_reason=data.cancellation_reason,
            ),
            batch_ids=data.batch_ids,
        )
        return SessionOut.of(details.session, details.trainees, viewer_id=actor.id)

    @delete(
        "/{session_id:int}",
        operation_id="deleteSession",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def delete_session(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
    ) -> MessageOut:
        """Admins only."""
        await sessions.delete_session(actor, session_id)
        return MessageOut("Session deleted")

    @post(
        "/{session_id:int}/trainees/{trainee_id:int}",
        operation_id="addTraineeToSession",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def add_trainee(
        self,
        session_id: Id,
        trainee_id: Id,
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
        override: Annotated[
            bool,
            QueryParameter(description="true: enrol even when the session is full"),
        ] = False,
    ) -> MessageOut:
        """Enrol a trainee: 409 if already enrolled or double-booked, or the session is full
        (unless `override=true`); 400 if not a trainee. A trainee on the waitlist leaves it."""
        await sessions.add_trainee(actor, session_id, trainee_id, override=override)
        return MessageOut("Trainee added to the session")

    @delete(
        "/{session_id:int}/trainees/{trainee_id:int}",
        operation_id="removeTraineeFromSession",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def remove_trainee(
        self,
        session_id: Id,
        trainee_id: Id,
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionService],
    ) -> MessageOut:
        """Remove a trainee; 404 if not enrolled."""
        await sessions.remove_trainee(actor, session_id, trainee_id)
        return MessageOut("Trainee removed from the session")


@get(
    "/join/{session_link:str}",
    operation_id="joinSession",
    tags=["sessions"],
    responses=ERROR_RESPONSES,
)
async def join_session(
    session_link: Annotated[str, PathParameter(max_length=200)],
    actor: NamedDependency[Actor],
    sessions: NamedDependency[SessionService],
) -> JoinOut:
    """A trainee joins a scheduled session by its link and is enrolled."""
    result = await sessions.join(actor, session_link)
    session = result.session
    message = (
        f"You are already enrolled in {session.title}"
        if result.already_enrolled
        else f"You joined {session.title}"
    )
    return JoinOut(
        message=message,
        session=JoinedSessionOut(id=session.id, title=session.title, class_link=session.class_link),
        redirect_to=session.class_link,
    )

"""Use cases for training sessions, enrolment and join links."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.cohorts import batch_members
from tms_domain.kernel import (
    BadRequest,
    Forbidden,
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    Target,
    authorize,
    is_allowed,
    utc_period,
)
from tms_domain.training.booking import ensure_no_double_booking
from tms_domain.training.events import SessionDeleted, SessionScheduled
from tms_domain.training.model import (
    JOIN_LINK_PATTERN,
    Room,
    SessionChanges,
    SessionQuery,
    SessionStatus,
    TrainingSession,
)
from tms_domain.training.use_cases.booking import fill_free_places
from tms_domain.training.use_cases.rooms import ensure_fits_room, ensure_room_is_free, room_of
from tms_domain.unit_of_work import Core, UnitOfWork

SESSION_NOT_FOUND = "Session not found"


@dataclass(frozen=True)
class SessionDetails:
    """A session with its trainees loaded."""

    session: TrainingSession
    trainees: list[User]


@dataclass(frozen=True)
class NewSession:
    title: str
    trainer_id: int
    scheduled_date: datetime
    duration_minutes: int
    description: str | None = None
    trainee_ids: tuple[int, ...] = ()
    status: SessionStatus = SessionStatus.SCHEDULED
    class_link: str | None = None
    session_link: str | None = None
    capacity: int | None = None
    self_booking: bool = False
    booking_closes_at: datetime | None = None
    room_id: int | None = None
    batch_ids: tuple[int, ...] = ()
    """Every member of these batches is enrolled too."""


@dataclass(frozen=True)
class SessionFilters:
    status: SessionStatus | None = None
    trainer_id: int | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    newest_first: bool = False


@dataclass(frozen=True)
class JoinResult:
    session: TrainingSession
    already_enrolled: bool


def session_target(session: TrainingSession) -> Target:
    return Target(trainer_id=session.trainer_id, trainee_ids=frozenset(session.trainee_ids))


async def visible_session(
    uow: UnitOfWork, actor: Actor, session_id: int, *, for_update: bool = False
) -> TrainingSession:
    """The session, if the actor may know of it; otherwise "not found", whether or not it
    exists, so probing reveals nothing."""
    session = await uow.sessions.get(session_id, for_update=for_update)
    if session is None or not is_allowed(actor, Permission.READ_SESSION, session_target(session)):
        if actor.user.is_temporary_password:
            authorize(actor, Permission.READ_SESSION)
        raise NotFound(SESSION_NOT_FOUND)
    return session


def _with_trainees(sessions: list[TrainingSession], users: dict[int, User]) -> list[SessionDetails]:
    return [SessionDetails(s, [users[i] for i in s.trainee_ids if i in users]) for s in sessions]


def _visible_sessions(actor: Actor, filters: SessionFilters, page: Page) -> SessionQuery:
    """What a listing may show the actor: admins all; a trainer their own; a trainee those
    they are enrolled in."""
    authorize(actor, Permission.LIST_SESSIONS)
    trainer_id, trainee_id = filters.trainer_id, None
    if actor.role is Role.TRAINER:
        if trainer_id not in (None, actor.id):
            raise Forbidden("Trainers can list only their own sessions")
        trainer_id = actor.id
    elif actor.role is Role.TRAINEE:
        trainee_id = actor.id
    starts_from, starts_before = utc_period(filters.starts_from, filters.starts_before)
    return SessionQuery(
        status=filters.status,
        trainer_id=trainer_id,
        trainee_id=trainee_id,
        starts_from=starts_from,
        starts_before=starts_before,
        newest_first=filters.newest_first,
        skip=page.skip,
        limit=page.limit,
    )


class SessionService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def _details(
        self, uow: UnitOfWork, sessions: list[TrainingSession]
    ) -> list[SessionDetails]:
        users = await uow.users.get_many({i for s in sessions for i in s.trainee_ids})
        return _with_trainees(sessions, users)

    async def list_sessions(
        self, actor: Actor, filters: SessionFilters, page: Page
    ) -> list[SessionDetails]:
        """Sessions by start time (earliest first, or newest first). Admins see all; a trainer
        their own; a trainee those they are enrolled in. Filters apply before paging;
        ``starts_before`` is exclusive and cannot come before ``starts_from``."""
        query = _visible_sessions(actor, filters, page)
        async with self._core.uow(read_only=True) as uow:
            found = await uow.session_listing.page(query)
            # A page's trainees are chosen by its sessions, not by hundreds of ids sent back.
            users = await uow.user_directory.enrolled_in([s.id for s in found]) if found else {}
            return _with_trainees(found, users)

    async def list_session_views(self, actor: Actor, filters: SessionFilters, page: Page) -> object:
        """list_sessions as the client is shown it (the read side's views, not aggregates;
        possibly already encoded): opaque to the domain."""
        query = _visible_sessions(actor, filters, page)
        async with self._core.uow(read_only=True) as uow:
            return await uow.session_views.page(query, actor.id)

    async def get_session(self, actor: Actor, session_id: int) -> SessionDetails:
        """Admins, the session's trainer and its enrolled trainees; others get 404."""
        async with self._core.uow(read_only=True) as uow:
            session = await visible_session(uow, actor, session_id)
            return (await self._details(uow, [session]))[0]

    async def create_session(self, actor: Actor, new: NewSession) -> SessionDetails:
        """Admins schedule for any trainer (or themselves); a trainer only for themself.
        The trainer must be a trainer or an admin, the trainees trainees. Neither the
        trainer nor any trainee may be booked in an overlapping scheduled session. The join
        link is generated (192 bits) unless given. A room holds one scheduled session at a
        time (409); a session held in one takes no more than it seats (422), and as many
        when no capacity is given. ``batch_ids``: every member of those batches is enrolled
        as well (a trainer uses the batches they follow; the others are named in a 422),
        under the same rules; a double booking names every trainee that clashes."""
        authorize(
            actor,
            Permission.CREATE_SESSION,
            Target(trainer_id=new.trainer_id),
            denial="Trainers can create sessions only for themselves",
        )
        async with self._core.uow() as uow:
            session = TrainingSession.plan(
                title=new.title,
                trainer_id=new.trainer_id,
                scheduled_date=new.scheduled_date,
                duration_minutes=new.duration_minutes,
                description=new.description,
                trainee_ids=await _with_members(uow, actor, new.trainee_ids, new.batch_ids),
                status=new.status,
                class_link=new.class_link,
                session_link=(
                    new.session_link if new.session_link is not None else secrets.token_urlsafe(24)
                ),
                now=self._core.clock.now(),
                capacity=new.capacity,
                self_booking=new.self_booking,
                booking_closes_at=new.booking_closes_at,
                room_id=new.room_id,
            )
            now = session.created_at
            if session.room_id is not None:
                room = await room_of(uow, session.room_id)
                if session.capacity is None:
                    session.capacity = room.capacity
                ensure_fits_room(session, room)
                if len(session.trainee_ids) > session.capacity:
                    raise InvalidInput.for_field(
                        "trainees",
                        f"{len(session.trainee_ids)} trainees are more than the room"
                        f" {room.name!r} seats ({room.capacity})",
                    )
                await ensure_room_is_free(uow, session, room)
            people = await _check_people(uow, session.trainer_id, session.trainee_ids)
            await ensure_no_double_booking(
                uow, session, trainer_id=session.trainer_id, trainee_ids=session.trainee_ids
            )
            session = await uow.sessions.add(session)
            await record_audit(
                uow,
                actor,
                "session.created",
                "session",
                session.id,
                now,
                {k: [None, v] for k, v in session.audit_fields().items()},
            )
            uow.record(SessionScheduled(session.snapshot()))
            await uow.commit()
            # The trainees as read (and checked) in this unit of work: not read again.
            return _with_trainees([session], people)[0]

    async def update_session(
        self,
        actor: Actor,
        session_id: int,
        changes: SessionChanges,
        *,
        batch_ids: Sequence[int] = (),
    ) -> SessionDetails:
        """Admins and the session's trainer. A trainer cannot hand the session to someone
        else. Status moves: scheduled -> completed | cancelled, cancelled -> scheduled;
        completed is final. The double-booking rule holds for the result, and so do the
        room's (one session at a time, 409; capacity no more than it seats, 422). Capacity
        cannot drop below the trainees enrolled (409). Places that come free (capacity
        raised, trainees removed) go to the waitlist at once. ``batch_ids``: the members of
        those batches join the trainees (given, or enrolled already), as on creation."""
        async with self._core.uow() as uow:
            session = await visible_session(uow, actor, session_id, for_update=True)
            authorize(actor, Permission.UPDATE_SESSION, session_target(session))
            if batch_ids:
                base = session.trainee_ids if changes.trainee_ids is None else changes.trainee_ids
                changes = replace(
                    changes, trainee_ids=await _with_members(uow, actor, base, batch_ids)
                )
            if (
                changes.trainer_id is not None
                and changes.trainer_id != session.trainer_id
                and not actor.user.is_admin
            ):
                raise Forbidden("Only an admin can give a session to another trainer")
            room_id = (
                None
                if "room_id" in changes.cleared
                else changes.room_id
                if changes.room_id is not None
                else session.room_id
            )
            room = await room_of(uow, room_id) if room_id is not None else None
            changes = _capped_by_room(session, changes, room)
            before = session.snapshot()
            now = self._core.clock.now()
            changed = session.apply(changes, now)
            if not changed:
                session.pull_events()
                return (await self._details(uow, [session]))[0]
            if room is not None:
                ensure_fits_room(session, room)
                await ensure_room_is_free(uow, session, room)
            new_trainees = [i for i in session.trainee_ids if i not in before.trainee_ids]
            await _check_people(
                uow,
                session.trainer_id if session.trainer_id != before.trainer_id else None,
                new_trainees,
            )
            await ensure_no_double_booking(
                uow, session, trainer_id=session.trainer_id, trainee_ids=session.trainee_ids
            )
            await record_audit(
                uow, actor, "session.updated", "session", session.id, session.updated_at, changed
            )
            await fill_free_places(uow, actor, session, now)
            await uow.sessions.update(session)
            for event in session.pull_events():
                uow.record(event)
            await uow.commit()
            # Answer with the trainees in enrolment order, as every read does.
            stored = await uow.sessions.get(session.id)
            return (await self._details(uow, [stored or session]))[0]

    async def delete_session(self, actor: Actor, session_id: int) -> None:
        """Admins only; its enrolments and attendance go with it."""
        async with self._core.uow() as uow:
            session = await visible_session(uow, actor, session_id, for_update=True)
            authorize(actor, Permission.DELETE_SESSION, session_target(session))
            marks = await uow.attendance_listing.list_for_session(session_id)
            await uow.sessions.delete(session_id)
            now = self._core.clock.now()
            await record_audit(
                uow,
                actor,
                "session.deleted",
                "session",
                session_id,
                now,
                {k: [v, None] for k, v in session.audit_fields().items()},
            )
            uow.record(SessionDeleted(session.snapshot(), tuple(marks)))
            await uow.commit()

    async def add_trainee(
        self, actor: Actor, session_id: int, trainee_id: int, *, override: bool = False
    ) -> TrainingSession:
        """Admins and the session's trainer enrol a trainee (a user whose role is trainee),
        once; the trainee must be free at that time if the session is scheduled. A full
        session takes them only with ``override`` (409 otherwise); a trainee on its
        waitlist leaves it."""
        async with self._core.uow() as uow:
            session = await visible_session(uow, actor, session_id, for_update=True)
            authorize(actor, Permission.MANAGE_ENROLMENT, session_target(session))
            trainee = await uow.users.get(trainee_id)
            if trainee is None:
                raise NotFound("User not found")
            if trainee.role is not Role.TRAINEE:
                raise BadRequest(f"{trainee.name} is not a trainee")
            now = self._core.clock.now()
            session.enrol(trainee_id, trainee.name, now, override=override)
            events = session.pull_events()
            await ensure_no_double_booking(uow, session, trainer_id=None, trainee_ids=[trainee_id])
            await uow.sessions.add_trainee(session_id, trainee_id, now)
            await uow.sessions.update(session)
            await record_audit(
                uow,
                actor,
                "enrolment.added",
                "enrolment",
                session_id,
                now,
                {"session_id": [None, session_id], "trainee_id": [None, trainee_id]},
            )
            for event in events:
                uow.record(event)
            await uow.commit()
            return session

    async def remove_trainee(self, actor: Actor, session_id: int, trainee_id: int) -> None:
        """Admins and the session's trainer; 404 when the trainee is not enrolled. The
        removed trainee still hears of the removal; their place goes to the waitlist."""
        async with self._core.uow() as uow:
            session = await visible_session(uow, actor, session_id, for_update=True)
            authorize(actor, Permission.MANAGE_ENROLMENT, session_target(session))
            now = self._core.clock.now()
            session.withdraw(trainee_id, now)
            await uow.sessions.remove_trainee(session_id, trainee_id)
            await record_audit(
                uow,
                actor,
                "enrolment.removed",
                "enrolment",
                session_id,
                now,
                {"session_id": [session_id, None], "trainee_id": [trainee_id, None]},
            )
            await fill_free_places(uow, actor, session, now)
            events = session.pull_events()
            await uow.sessions.update(session)
            for event in events:
                uow.record(event)
            await uow.commit()

    async def join(self, actor: Actor, session_link: str) -> JoinResult:
        """A trainee enrols through a session's join link, while the session is scheduled
        and they are free at that time. Joining again changes nothing."""
        authorize(actor, Permission.JOIN_SESSION, denial="Only trainees join sessions by link")
        async with self._core.uow() as uow:
            found = (
                await uow.sessions.get_by_link(session_link)
                if JOIN_LINK_PATTERN.fullmatch(session_link)
                else None
            )
            if found is None:
                raise NotFound("No session has that join link")
            session = await uow.sessions.get(found.id, for_update=True)
            if session is None:
                raise NotFound("No session has that join link")
            now = self._core.clock.now()
            if not session.join_by_link(actor.id, actor.user.name, now):
                return JoinResult(session, already_enrolled=True)
            events = session.pull_events()
            await ensure_no_double_booking(uow, session, trainer_id=None, trainee_ids=[actor.id])
            await uow.sessions.add_trainee(session.id, actor.id, now)
            await uow.sessions.update(session)
            await record_audit(
                uow,
                actor,
                "enrolment.added",
                "enrolment",
                session.id,
                now,
                {"session_id": [None, session.id], "trainee_id": [None, actor.id]},
            )
            for event in events:
                uow.record(event)
            await uow.commit()
            return JoinResult(session, already_enrolled=False)


def _capped_by_room(
    session: TrainingSession, changes: SessionChanges, room: Room | None
) -> SessionChanges:
    """A session held in a room without a capacity of its own takes as many as it seats."""
    if room is None:
        return changes
    capacity_left_unset = "capacity" in changes.cleared or (
        changes.capacity is None and session.capacity is None
    )
    if not capacity_left_unset:
        return changes
    return replace(changes, capacity=room.capacity, cleared=changes.cleared - {"capacity"})


async def _with_members(
    uow: UnitOfWork, actor: Actor, trainee_ids: Sequence[int], batch_ids: Sequence[int]
) -> tuple[int, ...]:
    """The trainees named, then the members of the batches named (each once)."""
    if not batch_ids:
        return tuple(trainee_ids)
    members = await batch_members(uow, actor, batch_ids)
    return tuple(dict.fromkeys([*trainee_ids, *(i for ids in members.values() for i in ids)]))


async def _check_people(
    uow: UnitOfWork, trainer_id: int | None, trainee_ids: Sequence[int]
) -> dict[int, User]:
    """The trainer is a trainer or an admin; every trainee is a trainee. Answers them all
    by id."""
    wanted = {*trainee_ids, *([trainer_id] if trainer_id is not None else [])}
    users = await uow.users.get_many(wanted)
    errors = []
    if trainer_id is not None:
        trainer = users.get(trainer_id)
        if trainer is None:
            errors.append(("trainer_id", f"No user has id {trainer_id}"))
        elif trainer.role not in (Role.TRAINER, Role.ADMIN):
            raise BadRequest(f"{trainer.name} is not a trainer")
    missing = sorted(i for i in trainee_ids if i not in users)
    if missing:
        errors.append(("trainees", f"No users have the ids {missing}"))
    if errors:
        raise InvalidInput.many("Unknown users", errors)
    not_trainees = [users[i].name for i in trainee_ids if users[i].role is not Role.TRAINEE]
    if not_trainees:
        raise BadRequest(
            f"Only trainees can be enrolled: {', '.join(not_trainees)} is not a trainee"
        )
    return users

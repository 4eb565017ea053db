"""Use cases for rooms: the places sessions held in person take. Everyone signed in reads
the list; admins manage it."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.kernel import Conflict, InvalidInput, NotFound, Page, Permission, authorize
from tms_domain.training.events import RoomAdded, RoomChanged, RoomRemoved
from tms_domain.training.model import Room, RoomChanges, SessionStatus, TrainingSession
from tms_domain.training.rules import Clash, Person, RoomTaken
from tms_domain.unit_of_work import Core, UnitOfWork

ROOM_NOT_FOUND = "Room not found"


@dataclass(frozen=True)
class NewRoom:
    name: str
    capacity: int
    location: str | None = None


def _listed(sessions: list[TrainingSession]) -> str:
    return ", ".join(f'{s.id} "{s.title}"' for s in sessions)


async def room_of(uow: UnitOfWork, room_id: int) -> Room:
    """The room a session names, locked until the unit of work ends (so that two sessions
    cannot take it for the same time); 422 when there is none."""
    room = await uow.rooms.get(room_id, for_update=True)
    if room is None:
        raise InvalidInput.for_field("room_id", f"No room has id {room_id}")
    return room


async def ensure_room_is_free(uow: UnitOfWork, session: TrainingSession, room: Room) -> None:
    """A room holds one scheduled session at a time: RoomTaken (409, shaped like a double
    booking) names the sessions in the way. The caller holds the room's lock."""
    if session.room_id is None or session.status is not SessionStatus.SCHEDULED:
        return
    clashes = await uow.sessions.find_in_room(
        room.id, session.scheduled_date, session.ends_at, exclude_session_id=session.id or None
    )
    if clashes:
        raise RoomTaken(
            [
                Clash(
                    session_id=clash.id,
                    title=clash.title,
                    scheduled_date=clash.scheduled_date,
                    duration_minutes=clash.duration_minutes,
                    trainer=None,
                    trainees=(),
                    room=Person(room.id, room.name),
                )
                for clash in clashes
            ]
        )


def ensure_fits_room(session: TrainingSession, room: Room) -> None:
    """A session's capacity cannot exceed its room's (422)."""
    if session.capacity is not None and session.capacity > room.capacity:
        raise InvalidInput.for_field(
            "capacity",
            f"Capacity {session.capacity} is more than the room {room.name!r} seats"
            f" ({room.capacity})",
        )


class RoomService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_rooms(self, actor: Actor, page: Page) -> list[Room]:
        """Anyone signed in; by name."""
        authorize(actor, Permission.LIST_ROOMS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.room_listing.page(skip=page.skip, limit=page.limit)

    async def create_room(self, actor: Actor, new: NewRoom) -> Room:
        """Admins; names are unique (409)."""
        authorize(actor, Permission.MANAGE_ROOMS, denial="Only admins manage rooms")
        room = Room.plan(
            name=new.name, location=new.location, capacity=new.capacity, now=self._core.clock.now()
        )
        async with self._core.uow() as uow:
            room = await uow.rooms.add(room)
            await record_audit(
                uow,
                actor,
                "room.created",
                "room",
                room.id,
                room.created_at,
                {k: [None, v] for k, v in room.audit_fields().items()},
            )
            uow.record(RoomAdded(room))
            await uow.commit()
            return room

    async def update_room(self, actor: Actor, room_id: int, changes: RoomChanges) -> Room:
        """Admins. A room cannot seat fewer than a session still to come in it takes (409,
        naming the sessions)."""
        authorize(actor, Permission.MANAGE_ROOMS, denial="Only admins manage rooms")
        async with self._core.uow() as uow:
            room = await uow.rooms.get(room_id, for_update=True)
            if room is None:
                raise NotFound(ROOM_NOT_FOUND)
            now = self._core.clock.now()
            changed = room.apply(changes, now)
            if not changed:
                return room
            if "capacity" in changed:
                upcoming = await uow.sessions.using_room(room.id, ending_after=now)
                larger = [s for s in upcoming if (s.capacity or 0) > room.capacity]
                if larger:
                    raise Conflict(
                        f"Sessions still to come in this room take more than {room.capacity}"
                        f" trainees: {_listed(larger)}; lower their capacity first"
                    )
            await uow.rooms.update(room)
            await record_audit(uow, actor, "room.updated", "room", room.id, now, changed)
            uow.record(RoomChanged(room))
            await uow.commit()
            return room

    async def delete_room(self, actor: Actor, room_id: int) -> None:
        """Admins; 409 while a scheduled session that has not ended is held in it (move or
        cancel those first). Past sessions keep no room."""
        authorize(actor, Permission.MANAGE_ROOMS, denial="Only admins manage rooms")
        async with self._core.uow() as uow:
            room = await uow.rooms.get(room_id, for_update=True)
            if room is None:
                raise NotFound(ROOM_NOT_FOUND)
            now = self._core.clock.now()
            upcoming = await uow.sessions.using_room(room.id, ending_after=now)
            if upcoming:
                raise Conflict(
                    f"Sessions still to come are held in this room: {_listed(upcoming)};"
                    " move them to another room or cancel them first"
                )
            await uow.rooms.delete(room.id)
            await record_audit(
                uow,
                actor,
                "room.deleted",
                "room",
                room.id,
                now,
                {k: [v, None] for k, v in room.audit_fields().items()},
            )
            uow.record(RoomRemoved(room))
            await uow.commit()

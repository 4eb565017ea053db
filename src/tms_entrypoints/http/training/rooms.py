"""/rooms: the rooms sessions held in person take."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.training import RoomChanges
from tms_domain.training.use_cases.rooms import NewRoom, RoomService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut
from tms_entrypoints.http.training.schemas import RoomCreateIn, RoomOut, RoomUpdateIn


class RoomsController(Controller):
    path = "/rooms"
    tags = ["rooms"]

    @get("/", operation_id="listRooms", responses=ERROR_RESPONSES)
    async def list_rooms(
        self,
        actor: NamedDependency[Actor],
        rooms: NamedDependency[RoomService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[RoomOut]:
        """Every room, by name: anyone signed in."""
        return [RoomOut.of(room) for room in await rooms.list_rooms(actor, Page(skip, limit))]

    @post("/", operation_id="createRoom", status_code=201, responses=ERROR_RESPONSES)
    async def create_room(
        self,
        data: JSONBody[RoomCreateIn],
        actor: NamedDependency[Actor],
        rooms: NamedDependency[RoomService],
    ) -> RoomOut:
        """Admins; 409 when the name is taken."""
        room = await rooms.create_room(
            actor, NewRoom(name=data.name, capacity=data.capacity, location=data.location)
        )
        return RoomOut.of(room)

    @put("/{room_id:int}", operation_id="updateRoom", responses=ERROR_RESPONSES)
    async def update_room(
        self,
        room_id: Id,
        data: JSONBody[RoomUpdateIn],
        actor: NamedDependency[Actor],
        rooms: NamedDependency[RoomService],
    ) -> RoomOut:
        """Admins; 409 when the name is taken, or the capacity would drop below that of a
        session still to come in the room."""
        room = await rooms.update_room(
            actor,
            room_id,
            RoomChanges(name=data.name, location=data.location, capacity=data.capacity),
        )
        return RoomOut.of(room)

    @delete("/{room_id:int}", operation_id="deleteRoom", status_code=200, responses=ERROR_RESPONSES)
    async def delete_room(
        self,
        room_id: Id,
        actor: NamedDependency[Actor],
        rooms: NamedDependency[RoomService],
    ) -> MessageOut:
        """Admins; 409 while a session still to come is held in the room."""
        await rooms.delete_room(actor, room_id)
        return MessageOut("Room deleted")

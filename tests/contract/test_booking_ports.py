"""The booking and room ports' contract, kept alike by the in-memory, SQLite and MariaDB
adapters: a session's booking fields and waitlist saved and read back in order, the
sessions open for booking, sessions in a room, and rooms themselves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from support import Cast, a_session, add_cast, at, store
from tms_domain.kernel import Conflict
from tms_domain.training import Room, SessionStatus, TrainingSession
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def read(container: Container, session_id: int) -> TrainingSession:
    async with container.uow()(read_only=True) as uow:
        found = await uow.sessions.get(session_id)
    assert found is not None
    return found


async def save(container: Container, session: TrainingSession) -> None:
    async with container.uow()() as uow:
        await uow.sessions.update(session)
        await uow.commit()


async def add_room(container: Container, name: str, capacity: int = 10) -> Room:
    async with container.uow()() as uow:
        room = await uow.rooms.add(
            Room(0, name, "Building A", capacity, created_at=at(-100), updated_at=at(-100))
        )
        await uow.commit()
    return room


def bookable(trainer_id: int, start_hours: float = 0, **fields: object) -> TrainingSession:
    return replace(a_session(trainer_id, at(start_hours)), self_booking=True, **fields)  # type: ignore[arg-type]


async def test_booking_fields_and_the_waitlist_round_trip_in_order(
    storage: Container, cast: Cast
) -> None:
    room = await add_room(storage, "Lab")
    [session] = await store(
        storage,
        bookable(cast.trainer.id, capacity=1, booking_closes_at=at(-1), room_id=room.id),
    )
    got = await read(storage, session.id)
    assert (got.capacity, got.self_booking, got.booking_closes_at, got.room_id) == (
        1,
        True,
        at(-1),
        room.id,
    )
    assert got.waitlist_ids == []

    waiting = [cast.third_trainee.id, cast.trainee.id, cast.other_trainee.id]
    got.waitlist_ids = list(waiting)
    await save(storage, got)
    assert (await read(storage, session.id)).waitlist_ids == waiting

    # The first leaves the line for a place; whoever joins goes to its end.
    got = await read(storage, session.id)
    got.waitlist_ids.remove(cast.third_trainee.id)
    got.trainee_ids.append(cast.third_trainee.id)
    await save(storage, got)
    again = await read(storage, session.id)
    assert (again.trainee_ids, again.waitlist_ids) == (
        [cast.third_trainee.id],
        [cast.trainee.id, cast.other_trainee.id],
    )
    again.waitlist_ids = [cast.other_trainee.id]
    await save(storage, again)
    again.waitlist_ids = [cast.other_trainee.id, cast.trainee.id]
    await save(storage, again)
    assert (await read(storage, session.id)).waitlist_ids == [
        cast.other_trainee.id,
        cast.trainee.id,
    ]

    async with storage.uow()(read_only=True) as uow:
        [listed] = await uow.session_listing.open_for_booking(
            cast.trainee.id, at(-50), skip=0, limit=10
        )
    assert listed.waitlist_ids == [cast.other_trainee.id, cast.trainee.id]


async def test_sessions_open_for_booking(storage: Container, cast: Cast) -> None:
    tom = cast.trainer.id
    later, sooner, closed, held, started, plain, cancelled = await store(
        storage,
        bookable(tom, 10),
        bookable(tom, 5),
        bookable(tom, 20, booking_closes_at=at(-10)),
        bookable(tom, 30, booking_closes_at=at(-10), trainee_ids=[cast.trainee.id]),
        bookable(tom, -10),
        a_session(tom, at(40)),
        bookable(tom, 50, status=SessionStatus.CANCELLED),
    )
    waited = replace(await read(storage, closed.id), waitlist_ids=[cast.other_trainee.id])
    await save(storage, waited)
    now = at(-5)

    async def open_to(trainee_id: int, **page: int) -> list[int]:
        async with storage.uow()(read_only=True) as uow:
            found = await uow.session_listing.open_for_booking(
                trainee_id,
                now,
                skip=page.get("skip", 0),
                limit=page.get("limit", 100),
            )
        return [s.id for s in found]

    assert await open_to(cast.third_trainee.id) == [sooner.id, later.id]
    assert await open_to(cast.trainee.id) == [sooner.id, later.id, held.id]
    assert await open_to(cast.other_trainee.id) == [sooner.id, later.id, closed.id]
    assert await open_to(cast.other_trainee.id, skip=1, limit=1) == [later.id]
    assert started.id not in await open_to(cast.trainee.id)
    assert {plain.id, cancelled.id}.isdisjoint(await open_to(cast.trainee.id))


async def test_sessions_in_a_room(storage: Container, cast: Cast) -> None:
    lab, hall = await add_room(storage, "Lab"), await add_room(storage, "Hall")
    tom = cast.trainer.id
    first, second, elsewhere, gone = await store(
        storage,
        a_session(tom, at(0), minutes=60),
        a_session(tom, at(1), minutes=60),
        a_session(tom, at(0), minutes=60),
        a_session(tom, at(0), minutes=60, status=SessionStatus.CANCELLED),
    )
    for session, room in ((first, lab), (second, lab), (elsewhere, hall), (gone, lab)):
        await save(storage, replace(await read(storage, session.id), room_id=room.id))

    async with storage.uow()(read_only=True) as uow:
        overlapping = await uow.sessions.find_in_room(lab.id, at(0, 30), at(1, 30))
        excluding = await uow.sessions.find_in_room(
            lab.id, at(0, 30), at(1, 30), exclude_session_id=first.id
        )
        touching = await uow.sessions.find_in_room(lab.id, at(2), at(3))
        upcoming = await uow.sessions.using_room(lab.id, ending_after=at(1, 30))
        all_of_lab = await uow.sessions.using_room(lab.id, ending_after=at(-10))
    assert [s.id for s in overlapping] == [first.id, second.id]
    assert [s.id for s in excluding] == [second.id]
    assert touching == []
    assert [s.id for s in upcoming] == [second.id]
    assert [s.id for s in all_of_lab] == [first.id, second.id]


async def test_rooms_are_stored_named_once_and_leave_their_sessions_when_deleted(
    storage: Container, cast: Cast
) -> None:
    hall = await add_room(storage, "Hall", 40)
    lab = await add_room(storage, "Lab", 12)
    with pytest.raises(Conflict, match="already exists"):
        await add_room(storage, "Lab")
    async with storage.uow()() as uow:
        got = await uow.rooms.get(lab.id, for_update=True)
        assert got == lab
        got.capacity, got.location = 14, None
        await uow.rooms.update(got)
        await uow.commit()
    with pytest.raises(Conflict, match="already exists"):
        async with storage.uow()() as uow:
            await uow.rooms.update(replace(lab, name="Hall"))
    [session] = await store(storage, a_session(cast.trainer.id, at(0)))
    await save(storage, replace(await read(storage, session.id), room_id=lab.id))

    async with storage.uow()() as uow:
        await uow.rooms.delete(lab.id)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.rooms.get(lab.id) is None
        assert [r.name for r in await uow.room_listing.page(skip=0, limit=10)] == ["Hall"]
        assert await uow.room_listing.page(skip=1, limit=10) == []
    assert (await read(storage, session.id)).room_id is None
    assert hall.id != lab.id


async def test_deleting_a_trainee_or_a_session_takes_their_waitlist_places(
    storage: Container, cast: Cast
) -> None:
    one, two = await store(
        storage, bookable(cast.trainer.id, capacity=1), bookable(cast.trainer.id, 3, capacity=1)
    )
    for session in (one, two):
        await save(
            storage,
            replace(
                await read(storage, session.id),
                waitlist_ids=[cast.trainee.id, cast.other_trainee.id],
            ),
        )
    async with storage.uow()() as uow:
        await uow.users.delete(cast.trainee.id)
        await uow.sessions.delete(two.id)
        await uow.commit()
    assert (await read(storage, one.id)).waitlist_ids == [cast.other_trainee.id]

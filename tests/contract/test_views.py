"""The read-side views are the contract's shapes, byte for byte: a listing built straight
from the rows (no domain objects) encodes exactly as the DTO built from the aggregate did,
over memory, SQLite and MariaDB, whatever the names, roles and times hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from conftest import FakeClock
from support import Cast, a_session, add_cast, add_user, at, bearer, sign_in, store
from tms_domain.accounts import Actor, UserChanges
from tms_domain.kernel import Page, Role
from tms_domain.training import Room, SessionChanges, SessionStatus
from tms_domain.training.use_cases.sessions import NewSession, SessionFilters
from tms_entrypoints.container import Container
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.app import create_app
from tms_entrypoints.http.training.schemas import SessionOut

PEOPLE: Sequence[tuple[str, Role, str, str, bool, dict[str, float]]] = (
    # username, role, first name, last name, temporary password, clock step before adding
    ("root", Role.ADMIN, "Ada", "Root", False, {}),
    ("tomás", Role.TRAINER, "Tomás", "Ñúñez", False, {"microseconds": 250_001}),
    ("zhang.wei", Role.TRAINEE, "伟", "张", True, {"seconds": 1}),  # microsecond back to 250001
    ("solo", Role.TRAINEE, "Solo", "", False, {"microseconds": 749_999}),  # a whole second
    ("quote", Role.TRAINEE, 'Say "hi"\\', "O'Brien\u2028", False, {"days": 400}),
    ("emoji", Role.TRAINER, "🙂", "Ünïcödé", True, {"hours": 13, "minutes": 7}),
)


async def add_people(container: Container, clock: FakeClock) -> None:
    for username, role, first, last, temporary, step in PEOPLE:
        clock.advance(**step)
        await add_user(
            container,
            username,
            role,
            first_name=first,
            last_name=last,
            temporary=temporary,
            password_hash="x" if username != "root" else None,
        )


def encoded_from_aggregates(users: Sequence[object]) -> bytes:
    return msgspec.json.encode([UserOut.of(user) for user in users])  # type: ignore[arg-type]


@pytest.mark.parametrize("role", [None, Role.TRAINEE, Role.TRAINER])
@pytest.mark.parametrize(("skip", "limit"), [(0, 1000), (1, 2), (5, 10)])
async def test_user_views_encode_as_the_dto_of_the_aggregate(
    storage: Container, clock: FakeClock, role: Role | None, skip: int, limit: int
) -> None:
    await add_people(storage, clock)
    async with storage.uow()(read_only=True) as uow:
        aggregates = await uow.user_directory.page(skip=skip, limit=limit, role=role)
        views = await uow.user_views.page(skip=skip, limit=limit, role=role)
    assert msgspec.json.encode(views) == encoded_from_aggregates(aggregates)
    assert len(views) == len(aggregates)


async def test_the_user_listing_answers_what_it_answered_before(
    storage: Container, clock: FakeClock
) -> None:
    """GET /users/ through the app: its body is the encoding of the aggregates' DTOs."""
    await add_people(storage, clock)
    token, _actor = await sign_in(storage, "root")
    async with storage.uow()(read_only=True) as uow:
        aggregates = await uow.user_directory.page(skip=0, limit=100)
        trainees = await uow.user_directory.page(skip=1, limit=2, role=Role.TRAINEE)
    engine = storage.engine()
    if engine is not None:
        await engine.dispose()  # the test client runs the app on an event loop of its own
    async with AsyncTestClient(create_app(container=storage)) as client:
        listed = await client.get("/users/", headers=bearer(token))
        paged = await client.get("/users/?role=trainee&skip=1&limit=2", headers=bearer(token))
    assert listed.status_code == paged.status_code == 200
    assert listed.content == encoded_from_aggregates(aggregates)
    assert paged.content == encoded_from_aggregates(trainees)


# Sessions


async def add_room(container: Container) -> int:
    async with container.uow()() as uow:
        room = await uow.rooms.add(
            Room(0, "Lab «1»", None, 12, created_at=at(-9), updated_at=at(-9))
        )
        await uow.commit()
    return room.id


async def add_sessions(container: Container, cast: Cast) -> None:
    trainees = (cast.trainee.id, cast.other_trainee.id, cast.third_trainee.id)
    sessions = [
        a_session(cast.trainer.id, at(2 * n), trainees=trainees[: n % 4], title=f"S{n} «ü»")
        for n in range(7)
    ]
    sessions[3].status = SessionStatus.CANCELLED
    sessions[4].description = None
    sessions[5].trainer_id = cast.other_trainer.id
    # Booking: a full session with a waitlist (the admin on it too, as stored data may
    # hold), one with places left, closing before its start, in a room; one past its
    # capacity (staff's override).
    sessions[1].capacity, sessions[1].self_booking = 1, True
    sessions[2].capacity, sessions[2].booking_closes_at = 5, at(3, 30)
    sessions[2].self_booking, sessions[2].room_id = True, await add_room(container)
    sessions[6].capacity = 1
    added = await store(container, *sessions)
    waiting = added[1]
    waiting.waitlist_ids = [cast.third_trainee.id, cast.admin.id, cast.other_trainee.id]
    async with container.uow()() as uow:
        await uow.sessions.update(waiting)
        await uow.commit()


async def encoded_from_details(container: Container, actor: Actor, **filters: Any) -> bytes:
    found = await container.sessions().list_sessions(actor, SessionFilters(**filters), Page(0, 100))
    return msgspec.json.encode(
        [SessionOut.of(d.session, d.trainees, viewer_id=actor.id) for d in found]
    )


def encoded(page: object) -> bytes:
    """A page of views, or one already encoded (msgspec.Raw, encoded as it is)."""
    return msgspec.json.encode(page)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"newest_first": True},
        {"status": SessionStatus.CANCELLED},
        {"trainer_id": "other"},
        {"starts_from": at(3), "starts_before": at(9)},
    ],
)
async def test_session_views_encode_as_the_dto_of_the_aggregates(
    storage: Container, filters: dict[str, Any]
) -> None:
    cast = await add_cast(storage)
    await add_sessions(storage, cast)
    if filters.get("trainer_id") == "other":
        filters["trainer_id"] = cast.other_trainer.id
    service = storage.sessions()
    other_admin = Actor(user=await add_user(storage, "root2", Role.ADMIN))
    for actor in (cast.admin, other_admin, cast.trainer, cast.trainee, cast.third_trainee):
        if actor is cast.trainer and "trainer_id" in filters:
            continue
        expected = await encoded_from_details(storage, actor, **filters)
        for _ in range(2):  # read, then as kept
            page = await service.list_session_views(actor, SessionFilters(**filters), Page(0, 100))
            assert encoded(page) == expected, actor.username


async def test_session_views_carry_every_booking_field_in_the_contracts_order(
    storage: Container,
) -> None:
    """The booking fields are there, with what the caller's own booking is: the admin on a
    waitlist sees their place, another admin sees the same page without it."""
    cast = await add_cast(storage)
    await add_sessions(storage, cast)
    other_admin = Actor(user=await add_user(storage, "root2", Role.ADMIN))
    service = storage.sessions()
    shown = {}
    for actor in (cast.admin, other_admin, cast.admin):
        page = await service.list_session_views(actor, SessionFilters(), Page(0, 100))
        shown[actor.id] = msgspec.json.decode(encoded(page))
    full = shown[cast.admin.id][1]
    assert list(full) == list(SessionOut.__struct_fields__)
    assert (full["capacity"], full["self_booking"], full["places_left"]) == (1, True, 0)
    assert (full["waitlist_count"], full["booking"], full["waitlist_position"]) == (
        3,
        "waitlisted",
        2,
    )
    assert (shown[other_admin.id][1]["booking"], shown[other_admin.id][1]["waitlist_position"]) == (
        None,
        None,
    )
    roomy = shown[cast.admin.id][2]
    assert (roomy["places_left"], roomy["booking_closes_at"], roomy["room_id"]) == (
        3,
        at(3, 30).isoformat(),
        roomy["room_id"],
    )
    assert roomy["room_id"] is not None
    assert shown[cast.admin.id][6]["places_left"] == 0  # two enrolled past a capacity of 1


async def test_a_change_shows_in_the_next_session_listing(storage: Container) -> None:
    """Whatever changes what a listing shows (through the use cases), the next listing
    shows it: nothing kept from before is sent."""
    cast = await add_cast(storage)
    sessions = storage.sessions()
    users = storage.users()

    async def listed() -> bytes:
        page = await sessions.list_session_views(cast.admin, SessionFilters(), Page(0, 100))
        assert encoded(page) == await encoded_from_details(storage, cast.admin)
        return encoded(page)

    seen = [await listed()]
    created = await sessions.create_session(
        cast.admin,
        NewSession(
            title="Kept?",
            trainer_id=cast.trainer.id,
            scheduled_date=at(1),
            duration_minutes=60,
            trainee_ids=(cast.trainee.id,),
        ),
    )
    seen.append(await listed())
    await sessions.update_session(cast.admin, created.session.id, SessionChanges(title="Renamed"))
    seen.append(await listed())
    await sessions.update_session(
        cast.admin,
        created.session.id,
        SessionChanges(trainee_ids=(cast.trainee.id, cast.other_trainee.id)),
    )
    seen.append(await listed())
    await users.update_user(cast.admin, cast.other_trainee.id, UserChanges(first_name="Paula"))
    seen.append(await listed())
    await users.delete_user(cast.admin, cast.other_trainee.id)
    seen.append(await listed())
    await sessions.delete_session(cast.admin, created.session.id)
    seen.append(await listed())
    # Each listing above matched what the aggregates give at that moment; and each change
    # is in it.
    assert b"Kept?" in seen[1]
    assert b"Renamed" in seen[2]
    assert seen[3].count(b'"username"') == 2
    assert b"Paula" in seen[4]
    assert b"Paula" not in seen[5]
    assert seen[6] == seen[0] == b"[]"


async def test_a_booking_shows_in_the_next_session_listing(storage: Container) -> None:
    """Booking, the waitlist, cancelling and the promotion it brings all record events, so
    no page kept from before them is sent: each listing is what the aggregates give."""
    cast = await add_cast(storage)
    sessions, bookings = storage.sessions(), storage.bookings()
    created = await sessions.create_session(
        cast.admin,
        NewSession(
            title="Bookable",
            trainer_id=cast.trainer.id,
            scheduled_date=at(1),
            duration_minutes=60,
            capacity=1,
            self_booking=True,
        ),
    )
    session_id = created.session.id

    async def listed(actor: Actor) -> list[dict[str, Any]]:
        page = await sessions.list_session_views(actor, SessionFilters(), Page(0, 100))
        assert encoded(page) == await encoded_from_details(storage, actor), actor.username
        return msgspec.json.decode(encoded(page))  # type: ignore[no-any-return]

    def fields(found: list[dict[str, Any]]) -> tuple[Any, ...]:
        [one] = found
        return (one["places_left"], one["waitlist_count"], one["booking"], len(one["trainees"]))

    assert fields(await listed(cast.admin)) == (1, 0, None, 0)
    assert await listed(cast.trainee) == []
    await bookings.book(cast.trainee, session_id)
    assert fields(await listed(cast.admin)) == (0, 0, None, 1)
    assert fields(await listed(cast.trainee)) == (0, 0, "enrolled", 1)
    await bookings.book(cast.other_trainee, session_id)
    assert fields(await listed(cast.admin)) == (0, 1, None, 1)
    await bookings.cancel(cast.trainee, session_id)  # the place goes to the one waiting
    assert fields(await listed(cast.admin)) == (0, 0, None, 1)
    assert await listed(cast.trainee) == []
    assert fields(await listed(cast.other_trainee)) == (0, 0, "enrolled", 1)

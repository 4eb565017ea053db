"""Booking live sessions and rooms, over the in-memory adapters: the aggregate's rules
(capacity, closing time, the waitlist first come first served, who is promoted), the use
cases (book, cancel, staff enrolment past capacity, promotion when places free up) and
rooms (one session at a time, capacity capped, deleting a room in use)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FakeClock
from support import TRAINING_START, Cast, a_session, add_cast, add_session, add_user, at
from tms_domain.accounts import Actor
from tms_domain.audit import AuditQuery
from tms_domain.kernel import Conflict, Forbidden, InvalidInput, NotFound, Page
from tms_domain.training import (
    Booking,
    DoubleBooking,
    RoomChanges,
    RoomTaken,
    SessionChanges,
    SessionStatus,
    TrainingSession,
)
from tms_domain.training.events import BookingCancelled, SessionBooked, WaitlistPromoted
from tms_domain.training.use_cases.rooms import NewRoom
from tms_entrypoints.container import Container

NOW = TRAINING_START - timedelta(days=3)


def bookable(capacity: int | None = 2, **fields: object) -> TrainingSession:
    session = replace(a_session(1, at(0)), id=7, capacity=capacity, self_booking=True)
    return replace(session, **fields)  # type: ignore[arg-type]


# The aggregate


def test_booking_fills_places_then_the_waitlist_in_order() -> None:
    session = bookable(capacity=2)
    assert [session.book(i, NOW) for i in (11, 12, 13, 14)] == [
        Booking.ENROLLED,
        Booking.ENROLLED,
        Booking.WAITLISTED,
        Booking.WAITLISTED,
    ]
    assert (session.trainee_ids, session.waitlist_ids) == ([11, 12], [13, 14])
    assert (session.places_left, session.waitlist_position(14)) == (0, 2)
    assert [type(e) for e in session.pull_events()] == [SessionBooked] * 4
    with pytest.raises(Conflict, match="already enrolled"):
        session.book(11, NOW)
    with pytest.raises(Conflict, match=r"already on the waitlist .*place 1"):
        session.book(13, NOW)


def test_booking_closes_at_the_closing_time_or_the_start() -> None:
    closes = at(-24)
    session = bookable(booking_closes_at=closes)
    session.book(11, closes - timedelta(seconds=1))
    with pytest.raises(Conflict, match="closed at 2026-05-03T09:00:00"):
        session.book(12, closes)
    without = bookable()
    with pytest.raises(Conflict, match="closed"):
        without.book(12, at(0))


@pytest.mark.parametrize(
    "fields",
    [{"self_booking": False}, {"status": SessionStatus.CANCELLED}],
    ids=["not self-booking", "cancelled"],
)
def test_only_scheduled_self_booking_sessions_are_bookable(fields: dict[str, object]) -> None:
    with pytest.raises(NotFound):
        bookable(**fields).book(11, NOW)


def test_cancelling_frees_a_place_for_the_first_waiting() -> None:
    session = bookable(capacity=1)
    session.book(11, NOW)
    session.book(12, NOW)
    session.book(13, NOW)
    assert session.cancel_booking(11, NOW) is Booking.ENROLLED
    assert session.waiting_for_a_place(NOW) == [12, 13]
    session.promote(12, NOW)
    assert (session.trainee_ids, session.waitlist_ids) == ([12], [13])
    assert session.waiting_for_a_place(NOW) == []
    assert session.cancel_booking(13, NOW) is Booking.WAITLISTED
    events = session.pull_events()
    assert [type(e) for e in events][-3:] == [BookingCancelled, WaitlistPromoted, BookingCancelled]
    with pytest.raises(NotFound, match="no booking"):
        session.cancel_booking(13, NOW)
    with pytest.raises(Conflict, match="started"):
        session.cancel_booking(12, at(0))


def test_nobody_is_promoted_once_the_session_started_or_is_not_scheduled() -> None:
    session = bookable(capacity=1, trainee_ids=[11], waitlist_ids=[12])
    session.trainee_ids.clear()
    assert session.waiting_for_a_place(NOW) == [12]
    assert session.waiting_for_a_place(at(0)) == []
    assert replace(session, status=SessionStatus.CANCELLED).waiting_for_a_place(NOW) == []


def test_staff_enrol_past_capacity_only_with_override() -> None:
    session = bookable(capacity=1, trainee_ids=[11], waitlist_ids=[12])
    with pytest.raises(Conflict, match="full"):
        session.enrol(12, "Paul", NOW)
    session.enrol(12, "Paul", NOW, override=True)
    assert (session.trainee_ids, session.waitlist_ids, session.places_left) == ([11, 12], [], 0)


def test_capacity_changes_keep_the_enrolled() -> None:
    session = bookable(capacity=3, trainee_ids=[11, 12])
    with pytest.raises(Conflict, match="2 trainees are enrolled"):
        session.apply(SessionChanges(capacity=1), NOW)
    assert session.capacity == 3
    with pytest.raises(Conflict, match="full"):
        session.apply(SessionChanges(trainee_ids=(11, 12, 13, 14)), NOW)
    session.apply(SessionChanges(cleared=frozenset({"capacity"})), NOW)
    assert session.capacity is None
    with pytest.raises(InvalidInput) as invalid:
        session.apply(SessionChanges(capacity=0), NOW)
    assert invalid.value.errors[0].field == "capacity"


def test_booking_must_close_before_the_end() -> None:
    session = bookable()
    with pytest.raises(InvalidInput, match="close before the session ends"):
        session.apply(SessionChanges(booking_closes_at=at(1)), NOW)
    session.apply(SessionChanges(booking_closes_at=at(0, 59)), NOW)
    with pytest.raises(InvalidInput, match="close before the session ends"):
        session.apply(SessionChanges(duration_minutes=30), NOW)


def test_a_plan_holds_no_more_trainees_than_places() -> None:
    with pytest.raises(InvalidInput) as invalid:
        TrainingSession.plan(
            title="Full",
            trainer_id=1,
            scheduled_date=at(0),
            duration_minutes=60,
            description=None,
            trainee_ids=(11, 12, 13),
            status=SessionStatus.SCHEDULED,
            class_link=None,
            session_link="a" * 32,
            now=NOW,
            capacity=2,
        )
    assert invalid.value.errors[0].field == "trainees"


operations = st.lists(
    st.tuples(st.sampled_from(["book", "cancel", "promote"]), st.integers(1, 12)), max_size=60
)


@settings(max_examples=200, deadline=None)
@given(capacity=st.integers(1, 5), steps=operations)
def test_never_over_capacity_and_the_waitlist_is_first_come_first_served(
    capacity: int, steps: list[tuple[str, int]]
) -> None:
    session = bookable(capacity=capacity)
    line: list[int] = []
    """The waitlist as first come, first served says it must be."""
    for operation, trainee in steps:
        try:
            if operation == "book":
                if session.book(trainee, NOW) is Booking.WAITLISTED:
                    line.append(trainee)
            elif operation == "cancel":
                if session.cancel_booking(trainee, NOW) is Booking.WAITLISTED:
                    line.remove(trainee)
            elif session.waiting_for_a_place(NOW):
                session.promote(session.waiting_for_a_place(NOW)[0], NOW)
                line.pop(0)
        except (Conflict, NotFound):
            pass
        assert len(session.trainee_ids) <= capacity
        assert not set(session.trainee_ids) & set(session.waitlist_ids)
        assert session.waitlist_ids == line
        assert session.waiting_for_a_place(NOW) == ([] if session.is_full else line)


# The use cases


@pytest.fixture
async def cast(memory_container: Container) -> Cast:
    return await add_cast(memory_container)


async def booked_session(
    container: Container, cast: Cast, capacity: int | None = 1, **fields: object
) -> TrainingSession:
    return await add_session(
        container,
        cast.trainer,
        capacity=capacity,
        self_booking=True,
        **{"start": at(0), **fields},  # type: ignore[arg-type]
    )


async def trainees(container: Container, count: int) -> list[Actor]:
    return [Actor(user=await add_user(container, f"waiter{i}")) for i in range(count)]


async def stored(container: Container, session_id: int) -> TrainingSession:
    async with container.uow()(read_only=True) as uow:
        found = await uow.sessions.get(session_id)
    assert found is not None
    return found


async def test_book_then_wait_then_be_promoted_when_a_place_frees(
    memory_container: Container, cast: Cast
) -> None:
    session = await booked_session(memory_container, cast, capacity=1)
    bookings = memory_container.bookings()
    first = await bookings.book(cast.trainee, session.id)
    second = await bookings.book(cast.other_trainee, session.id)
    third = await bookings.book(cast.third_trainee, session.id)
    assert (first.booking, second.booking, third.booking) == (
        Booking.ENROLLED,
        Booking.WAITLISTED,
        Booking.WAITLISTED,
    )
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)

    assert await bookings.cancel(cast.trainee, session.id) is Booking.ENROLLED
    now = await stored(memory_container, session.id)
    assert (now.trainee_ids, now.waitlist_ids) == ([cast.other_trainee.id], [cast.third_trainee.id])

    async with memory_container.uow()(read_only=True) as uow:
        trail = await uow.audit_history.page(AuditQuery(target_type="session"))
    assert [e.action for e in reversed(trail)][-5:] == [
        "session.booked",
        "session.booked",
        "session.booked",
        "session.booking_cancelled",
        "session.waitlist_promoted",
    ]


async def test_a_waiting_trainee_who_clashes_keeps_their_place_and_the_next_is_promoted(
    memory_container: Container, cast: Cast
) -> None:
    session = await booked_session(memory_container, cast, capacity=1)
    bookings = memory_container.bookings()
    await bookings.book(cast.trainee, session.id)
    await bookings.book(cast.other_trainee, session.id)
    await bookings.book(cast.third_trainee, session.id)
    # Meanwhile the first in line was enrolled elsewhere at the same time.
    await add_session(
        memory_container,
        cast.other_trainer,
        start=at(0, 30),
        trainees=(cast.other_trainee.id,),
    )
    await bookings.cancel(cast.trainee, session.id)
    now = await stored(memory_container, session.id)
    assert (now.trainee_ids, now.waitlist_ids) == ([cast.third_trainee.id], [cast.other_trainee.id])


async def test_staff_removal_and_a_raised_capacity_promote(
    memory_container: Container, cast: Cast
) -> None:
    session = await booked_session(memory_container, cast, capacity=1)
    waiting = await trainees(memory_container, 4)
    bookings = memory_container.bookings()
    for actor in waiting:
        await bookings.book(actor, session.id)
    ids = [a.id for a in waiting]

    await memory_container.sessions().remove_trainee(cast.trainer, session.id, ids[0])
    assert (await stored(memory_container, session.id)).trainee_ids == [ids[1]]

    await memory_container.sessions().update_session(
        cast.trainer, session.id, SessionChanges(capacity=3)
    )
    now = await stored(memory_container, session.id)
    assert (now.trainee_ids, now.waitlist_ids) == (ids[1:], [])


async def test_staff_enrol_into_a_full_session_only_with_override(
    memory_container: Container, cast: Cast
) -> None:
    session = await booked_session(memory_container, cast, capacity=1)
    await memory_container.bookings().book(cast.trainee, session.id)
    await memory_container.bookings().book(cast.other_trainee, session.id)
    sessions = memory_container.sessions()
    with pytest.raises(Conflict, match="full"):
        await sessions.add_trainee(cast.trainer, session.id, cast.other_trainee.id)
    await sessions.add_trainee(cast.admin, session.id, cast.other_trainee.id, override=True)
    now = await stored(memory_container, session.id)
    assert (now.trainee_ids, now.waitlist_ids) == ([cast.trainee.id, cast.other_trainee.id], [])


async def test_only_trainees_book_and_a_double_booking_is_refused(
    memory_container: Container, cast: Cast
) -> None:
    session = await booked_session(memory_container, cast, capacity=5)
    with pytest.raises(Forbidden):
        await memory_container.bookings().book(cast.trainer, session.id)
    await add_session(
        memory_container, cast.other_trainer, start=at(0, 30), trainees=(cast.trainee.id,)
    )
    with pytest.raises(DoubleBooking):
        await memory_container.bookings().book(cast.trainee, session.id)
    with pytest.raises(NotFound):
        await memory_container.bookings().book(cast.trainee, 4242)


async def test_available_lists_open_sessions_and_those_booked(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    open_one = await booked_session(memory_container, cast, capacity=1)
    closing = await booked_session(
        memory_container, cast, capacity=None, start=at(24), booking_closes_at=at(-48)
    )
    await add_session(memory_container, cast.trainer, start=at(48))  # not self-booking
    await memory_container.bookings().book(cast.trainee, closing.id)
    clock.advance(hours=30)  # booking of `closing` has closed
    listed = await memory_container.bookings().available(cast.trainee, Page(0, 100))
    assert [(b.session.id, b.booking_open) for b in listed] == [
        (open_one.id, True),
        (closing.id, False),
    ]
    others = await memory_container.bookings().available(cast.other_trainee, Page(0, 100))
    assert [b.session.id for b in others] == [open_one.id]
    with pytest.raises(Forbidden):
        await memory_container.bookings().available(cast.admin, Page(0, 100))


# Rooms


async def test_rooms_hold_one_session_at_a_time_and_cap_capacity(
    memory_container: Container, cast: Cast
) -> None:
    rooms = memory_container.rooms()
    lab = await rooms.create_room(cast.admin, NewRoom(name="Lab", capacity=10, location="B1"))
    with pytest.raises(Forbidden):
        await rooms.create_room(cast.trainer, NewRoom(name="Mine", capacity=3))
    with pytest.raises(Conflict, match="already exists"):
        await rooms.create_room(cast.admin, NewRoom(name="Lab", capacity=3))

    held = await add_session(memory_container, cast.trainer, start=at(0), room_id=lab.id)
    assert held.capacity == 10  # as many as the room seats
    with pytest.raises(RoomTaken, match='room "Lab" is already booked for session'):
        await add_session(memory_container, cast.other_trainer, start=at(0, 30), room_id=lab.id)
    await add_session(memory_container, cast.other_trainer, start=at(1), room_id=lab.id)
    with pytest.raises(InvalidInput) as invalid:
        await add_session(
            memory_container, cast.other_trainer, start=at(5), room_id=lab.id, capacity=11
        )
    assert invalid.value.errors[0].field == "capacity"
    with pytest.raises(InvalidInput) as unknown:
        await add_session(memory_container, cast.other_trainer, start=at(9), room_id=999)
    assert unknown.value.errors[0].field == "room_id"
    with pytest.raises(RoomTaken):
        await memory_container.sessions().update_session(
            cast.admin, held.id, SessionChanges(scheduled_date=at(1, 30))
        )


async def test_a_room_in_use_is_not_deleted_nor_made_too_small(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    rooms = memory_container.rooms()
    lab = await rooms.create_room(cast.admin, NewRoom(name="Lab", capacity=10))
    held = await add_session(memory_container, cast.trainer, start=at(0), room_id=lab.id)
    with pytest.raises(Conflict, match="still to come"):
        await rooms.delete_room(cast.admin, lab.id)
    with pytest.raises(Conflict, match="lower their capacity first"):
        await rooms.update_room(cast.admin, lab.id, RoomChanges(capacity=5))
    await rooms.update_room(cast.admin, lab.id, RoomChanges(name="Lab 2", location="East"))
    clock.advance(days=4)  # the session is over
    await rooms.delete_room(cast.admin, lab.id)
    assert (await stored(memory_container, held.id)).room_id is None
    assert await rooms.list_rooms(cast.trainee, Page(0, 100)) == []
    with pytest.raises(NotFound):
        await rooms.delete_room(cast.admin, lab.id)


async def test_trainers_and_trainees_read_rooms_but_do_not_manage_them(
    memory_container: Container, cast: Cast
) -> None:
    rooms = memory_container.rooms()
    await rooms.create_room(cast.admin, NewRoom(name="B", capacity=4))
    await rooms.create_room(cast.admin, NewRoom(name="A", capacity=4))
    assert [r.name for r in await rooms.list_rooms(cast.trainee, Page(0, 100))] == ["A", "B"]
    for who in (cast.trainer, cast.trainee):
        with pytest.raises(Forbidden):
            await rooms.delete_room(who, 1)

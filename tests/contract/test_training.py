"""The training ports' contract, kept alike by the in-memory, SQLite and MariaDB adapters:
session listings, overlaps, enrolments, the users enrolled, progress, trainer figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from support import (
    Cast,
    a_session,
    add_cast,
    at,
    store,
)
from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Role
from tms_domain.training import Attendance, SessionQuery, SessionStatus
from tms_entrypoints.container import Container

SCHEDULED, COMPLETED, CANCELLED = (
    SessionStatus.SCHEDULED,
    SessionStatus.COMPLETED,
    SessionStatus.CANCELLED,
)


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def page_ids(container: Container, **query: Any) -> list[int]:
    async with container.uow()(read_only=True) as uow:
        return [s.id for s in await uow.session_listing.page(SessionQuery(**query))]


# Sessions: stored and read back


async def test_listing_filters_orders_and_pages(storage: Container, cast: Cast) -> None:
    tom, tina = cast.trainer.id, cast.other_trainer.id
    late, early, tie_a, tie_b, gone = await store(
        storage,
        a_session(tom, at(5), trainees=(cast.trainee.id,)),
        a_session(tom, at(1)),
        a_session(tina, at(3), trainees=(cast.trainee.id, cast.other_trainee.id)),
        a_session(tom, at(3)),
        a_session(tina, at(7), status=CANCELLED, trainees=(cast.other_trainee.id,)),
    )
    assert await page_ids(storage) == [early.id, tie_a.id, tie_b.id, late.id, gone.id]
    assert await page_ids(storage, status=CANCELLED) == [gone.id]
    assert await page_ids(storage, status=COMPLETED) == []
    assert await page_ids(storage, trainer_id=tom) == [early.id, tie_b.id, late.id]
    assert await page_ids(storage, trainee_id=cast.trainee.id) == [tie_a.id, late.id]
    assert await page_ids(storage, trainee_id=cast.other_trainee.id, status=SCHEDULED) == [tie_a.id]
    assert await page_ids(storage, starts_from=at(3)) == [
        tie_a.id,
        tie_b.id,
        late.id,
        gone.id,
    ]
    assert await page_ids(storage, starts_before=at(3)) == [early.id]
    assert await page_ids(storage, starts_from=at(3), starts_before=at(5)) == [
        tie_a.id,
        tie_b.id,
    ]
    assert await page_ids(
        storage, starts_from=at(3, minutes=-1), starts_before=at(5, minutes=1)
    ) == [tie_a.id, tie_b.id, late.id]
    assert await page_ids(storage, skip=1, limit=2) == [tie_a.id, tie_b.id]
    assert await page_ids(storage, trainer_id=tom, skip=2, limit=5) == [late.id]
    assert await page_ids(storage, skip=5) == []
    assert await page_ids(storage, trainer_id=tom, trainee_id=cast.trainee.id) == [late.id]


HALF_OPEN_CASES = [
    (at(1), 30, False),  # starts when the booked one ends
    (at(-1), 60, False),  # ends when the booked one starts
    (at(minutes=59), 30, True),
    (at(minutes=-1), 2, True),
    (at(minutes=10), 10, True),
    (at(-2), 300, True),
]


async def test_the_users_enrolled_in_sessions_are_read_by_id(
    storage: Container, cast: Cast
) -> None:
    first, second, third = await store(
        storage,
        a_session(cast.trainer.id, at(0), trainees=(cast.other_trainee.id, cast.trainee.id)),
        a_session(cast.trainer.id, at(2), trainees=(cast.trainee.id,)),
        a_session(cast.trainer.id, at(4), trainees=(cast.third_trainee.id,)),
    )
    async with storage.uow()(read_only=True) as uow:
        both = await uow.user_directory.enrolled_in([first.id, second.id])
        none = await uow.user_directory.enrolled_in([third.id + 1000])
        expected = await uow.users.get_many([cast.trainee.id, cast.other_trainee.id])

    assert both == expected
    assert set(both) == {cast.trainee.id, cast.other_trainee.id}
    assert both[cast.trainee.id].created_at.utcoffset() == timedelta(0)
    assert none == {}


async def test_find_overlapping_looks_at_scheduled_sessions_of_the_given_people(
    storage: Container, cast: Cast
) -> None:
    mine, theirs, _cancelled, _completed = await store(
        storage,
        a_session(cast.trainer.id, trainees=(cast.trainee.id,)),
        a_session(cast.other_trainer.id, at(minutes=30), trainees=(cast.other_trainee.id,)),
        a_session(cast.trainer.id, at(minutes=15), status=CANCELLED, trainees=(cast.trainee.id,)),
        a_session(cast.trainer.id, at(minutes=20), status=COMPLETED, trainees=(cast.trainee.id,)),
    )
    start, end = at(minutes=-30), at(2)
    async with storage.uow()(read_only=True) as uow:
        overlapping = uow.sessions.find_overlapping

        assert [s.id for s in await overlapping(start, end, trainer_id=cast.trainer.id)] == [
            mine.id
        ]
        found = await overlapping(
            start,
            end,
            trainer_id=cast.third_trainee.id,
            trainee_ids=[cast.trainee.id, cast.other_trainee.id],
        )
        assert [s.id for s in found] == [mine.id, theirs.id]
        assert found[1].trainee_ids == [cast.other_trainee.id]
        assert (
            await overlapping(start, end, trainer_id=cast.trainer.id, exclude_session_id=mine.id)
            == []
        )
        assert await overlapping(start, end, trainee_ids=[cast.third_trainee.id]) == []
        assert await overlapping(start, end) == []

        # Half-open ranges: [start, end) meets [end, ...) without overlapping.
        for start, minutes, overlaps in HALF_OPEN_CASES:
            end = start + timedelta(minutes=minutes)
            expected = [mine.id] if overlaps else []
            found = await overlapping(start, end, trainer_id=cast.trainer.id)
            assert [s.id for s in found] == expected, (start, minutes)
            found = await overlapping(start, end, trainee_ids=[cast.trainee.id])
            assert [s.id for s in found] == expected, (start, minutes)


# Uniqueness surfaced as Conflict, never a duplicate row


async def test_progress_rates_and_trainer_figures(storage: Container, cast: Cast) -> None:
    async with storage.uow()(read_only=True) as uow:
        assert await uow.progress.progress([1, 2]) == {}
        assert await uow.analytics.attendance_rates() == (0, 0, {})
        assert await uow.analytics.trainer_stats() == {}
        assert await uow.analytics.count_by_status() == dict.fromkeys(SessionStatus, 0)
        assert await uow.session_listing.sessions_of_trainees([]) == {}
    t1, t2 = cast.trainee.id, cast.other_trainee.id
    done, done_too, ahead, cancelled = await store(
        storage,
        a_session(cast.trainer.id, at(-50), 90, trainees=(t1, t2), status=COMPLETED),
        a_session(cast.other_trainer.id, at(-50), 30, trainees=(t1,), status=COMPLETED),
        a_session(cast.trainer.id, at(2), 60, trainees=(t1,)),
        a_session(cast.trainer.id, at(4), 45, trainees=(t1, t2), status=CANCELLED),
    )
    async with storage.uow()() as uow:
        for session_id, trainee_id, present in [
            (done.id, t1, True),
            (done.id, t2, False),
            (done_too.id, t1, True),
            (cancelled.id, t1, True),
        ]:
            await uow.attendance.add(Attendance(0, session_id, trainee_id, present, at(0)))
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        # t1: done, done_too, ahead count (cancelled left out), two present
        assert await uow.progress.progress([t1, t2, cast.third_trainee.id]) == {
            t1: (3, 2),
            t2: (1, 0),
        }
        enrolled, present, per_trainer = await uow.analytics.attendance_rates()
        assert (enrolled, present) == (3, 2)
        assert per_trainer == {cast.trainer.id: (2, 1), cast.other_trainer.id: (1, 1)}
        assert await uow.analytics.trainer_stats() == {
            cast.trainer.id: (2, 90),
            cast.other_trainer.id: (1, 30),
        }
        assert await uow.analytics.count_by_status() == {
            SCHEDULED: 1,
            COMPLETED: 2,
            CANCELLED: 1,
        }
        assert len(await uow.sessions.ids_trained_by(cast.trainer.id)) == 3
        assert await uow.sessions.ids_trained_by(cast.trainer.id) == [
            done.id,
            ahead.id,
            cancelled.id,
        ]
        assert await uow.progress.trainee_ids_trained_by(cast.trainer.id) == [t1, t2]
        assert await uow.progress.trainee_ids_trained_by(cast.other_trainer.id) == [t1]
        assert await uow.analytics.count_trainees_without_sessions() == 1
        theirs = await uow.session_listing.sessions_of_trainees([t1, t2, cast.third_trainee.id])
    assert {k: [s.id for s in v] for k, v in theirs.items()} == {
        t1: [done.id, done_too.id, ahead.id, cancelled.id],
        t2: [done.id, cancelled.id],
    }
    assert all(s.trainee_ids == [] for v in theirs.values() for s in v)
    assert theirs[t2][0].title == "Session"


# Deleting


# What a listing costs


_trainee_ids = (
    select(t.users.c.id).where(t.users.c.role == Role.TRAINEE.value).order_by(t.users.c.id)
)


# Races: two requests at once, each in its own unit of work on the same engine


ROUNDS = 3

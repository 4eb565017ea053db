"""The training adapters in SQL, on SQLite and MariaDB: what the rows hold, the number of
statements a session listing costs, and races between requests that book the same people
at the same time. The contract every training adapter keeps is in tests/contract."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event, func, insert, select

from support import (
    TRAINING_START,
    Cast,
    a_session,
    add_cast,
    add_session,
    add_user,
    at,
    bearer,
    sign_in,
    store,
)
from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Conflict, Role
from tms_domain.training import Assignment, Attendance, SessionStatus
from tms_domain.training.use_cases.sessions import NewSession
from tms_entrypoints.container import Container
from tms_entrypoints.http.app import create_app

SCHEDULED, COMPLETED, CANCELLED = (
    SessionStatus.SCHEDULED,
    SessionStatus.COMPLETED,
    SessionStatus.CANCELLED,
)


@pytest.fixture
async def cast(sql_container: Container) -> Cast:
    return await add_cast(sql_container)


async def rows(container: Container, table: Any, **where: Any) -> int:
    statement = select(func.count()).select_from(table)
    for column, value in where.items():
        statement = statement.where(table.c[column] == value)
    async with container.engine().connect() as conn:
        return int((await conn.execute(statement)).scalar_one())


# Sessions: stored and read back


async def test_a_session_is_stored_read_back_and_updated(
    sql_container: Container, cast: Cast
) -> None:
    start = datetime(2026, 5, 4, 9, 15, 30, 250_000, tzinfo=TRAINING_START.tzinfo)
    [session] = await store(
        sql_container,
        a_session(cast.trainer.id, start, 45, trainees=(cast.other_trainee.id, cast.trainee.id)),
    )
    assert session.id > 0
    async with sql_container.uow()(read_only=True) as uow:
        got = await uow.sessions.get(session.id)
        by_link = await uow.sessions.get_by_link(session.session_link)
        assert await uow.sessions.get(session.id + 1000) is None
        assert await uow.sessions.get_by_link("no-such-link-0000") is None
    assert got == session
    assert by_link == session
    assert got is not None
    assert got.scheduled_date == start
    assert got.scheduled_date.utcoffset() == timedelta(0)
    assert got.ends_at == start + timedelta(minutes=45)
    assert got.trainee_ids == [cast.other_trainee.id, cast.trainee.id]

    # A join link is unique.
    copy = a_session(cast.other_trainer.id)
    copy.session_link = session.session_link
    with pytest.raises(Conflict):
        await store(sql_container, copy)
    assert await rows(sql_container, t.training_sessions) == 1

    # An update saves the fields and replaces the trainee list.
    session.title = "Renamed"
    session.status = CANCELLED
    session.duration_minutes = 90
    session.trainee_ids = [cast.other_trainee.id, cast.third_trainee.id, cast.third_trainee.id]
    session.updated_at = at(1)
    async with sql_container.uow()() as uow:
        await uow.sessions.update(session)
        await uow.commit()
    async with sql_container.uow()(read_only=True) as uow:
        got = await uow.sessions.get(session.id)
    assert got is not None
    assert (got.title, got.status, got.duration_minutes, got.updated_at) == (
        "Renamed",
        CANCELLED,
        90,
        at(1),
    )
    assert got.ends_at == start + timedelta(minutes=90)
    assert got.trainee_ids == [cast.other_trainee.id, cast.third_trainee.id]
    assert await rows(sql_container, t.enrolments, session_id=session.id) == 2


HALF_OPEN_CASES = [
    (at(1), 30, False),  # starts when the booked one ends
    (at(-1), 60, False),  # ends when the booked one starts
    (at(minutes=59), 30, True),
    (at(minutes=-1), 2, True),
    (at(minutes=10), 10, True),
    (at(-2), 300, True),
]


async def test_duplicates_are_conflicts_and_never_a_second_row(
    sql_container: Container, cast: Cast
) -> None:
    [session] = await store(sql_container, a_session(cast.trainer.id, trainees=(cast.trainee.id,)))
    async with sql_container.uow()() as uow:
        with pytest.raises(Conflict, match="already enrolled"):
            await uow.sessions.add_trainee(session.id, cast.trainee.id, at(0))
    with pytest.raises(Conflict):
        await store(
            sql_container, a_session(cast.trainer.id, at(4), trainees=(cast.trainee.id,) * 2)
        )
    assert await rows(sql_container, t.enrolments) == 1
    # The failed unit of work left nothing behind, not even the session it had inserted.
    assert await rows(sql_container, t.training_sessions) == 1
    async with sql_container.uow()() as uow:
        await uow.sessions.add_trainee(session.id, cast.other_trainee.id, at(0))
        assert await uow.sessions.remove_trainee(session.id, cast.trainee.id)
        assert not await uow.sessions.remove_trainee(session.id, cast.trainee.id)
        await uow.commit()
    async with sql_container.uow()(read_only=True) as uow:
        got = await uow.sessions.get(session.id)
    assert got is not None
    assert got.trainee_ids == [cast.other_trainee.id]

    # One attendance record per trainee and session.
    mark = Attendance(0, session.id, cast.other_trainee.id, True, at(1))
    async with sql_container.uow()() as uow:
        record = await uow.attendance.add(mark)
        await uow.commit()
    assert record.id > 0
    async with sql_container.uow()() as uow:
        with pytest.raises(Conflict):
            await uow.attendance.add(Attendance(0, session.id, cast.other_trainee.id, False, at(2)))
    async with sql_container.uow()() as uow:
        record.present, record.marked_at = False, at(3)
        await uow.attendance.update(record)
        await uow.commit()
    async with sql_container.uow()(read_only=True) as uow:
        assert await uow.attendance.find(session.id, cast.other_trainee.id) == record
        assert await uow.attendance.get(record.id) == record
        assert await uow.attendance_listing.list_for_session(session.id) == [record]
        assert await uow.attendance.count_for_trainee(cast.other_trainee.id) == 1
        assert await uow.attendance.find(session.id, cast.trainee.id) is None
    assert await rows(sql_container, t.attendance) == 1

    # One assignment per pair.
    async with sql_container.uow()() as uow:
        made = await uow.assignments.add(Assignment(0, cast.trainee.id, cast.trainer.id, at(0)))
        await uow.assignments.add(Assignment(0, cast.trainee.id, cast.other_trainer.id, at(0)))
        await uow.assignments.add(Assignment(0, cast.other_trainee.id, cast.trainer.id, at(0)))
        await uow.commit()
    async with sql_container.uow()() as uow:
        with pytest.raises(Conflict, match="already assigned"):
            await uow.assignments.add(Assignment(0, cast.trainee.id, cast.trainer.id, at(1)))
    async with sql_container.uow()(read_only=True) as uow:
        assert await uow.assignments.get(cast.trainee.id, cast.trainer.id) == made
        assert await uow.assignments.student_ids_of(cast.trainer.id) == [
            cast.trainee.id,
            cast.other_trainee.id,
        ]
        assert await uow.assignments.teacher_ids_of(cast.trainee.id) == [
            cast.trainer.id,
            cast.other_trainer.id,
        ]
        paged = await uow.assignment_listing.page(skip=0, limit=10, teacher_id=cast.trainer.id)
        assert [a.student_id for a in paged] == [cast.trainee.id, cast.other_trainee.id]
        paged = await uow.assignment_listing.page(skip=1, limit=1, student_id=cast.trainee.id)
        assert [a.teacher_id for a in paged] == [cast.other_trainer.id]
    assert await rows(sql_container, t.assignments) == 3


# Figures


async def test_deleting_a_session_or_a_trainee_deletes_what_hangs_on_them(
    sql_container: Container, cast: Cast
) -> None:
    keep, drop = await store(
        sql_container,
        a_session(cast.trainer.id, trainees=(cast.trainee.id,)),
        a_session(cast.trainer.id, at(2), trainees=(cast.trainee.id, cast.other_trainee.id)),
    )
    async with sql_container.uow()() as uow:
        await uow.attendance.add(Attendance(0, drop.id, cast.trainee.id, True, at(0)))
        await uow.attendance.add(Attendance(0, keep.id, cast.trainee.id, True, at(0)))
        await uow.sessions.delete(drop.id)
        await uow.commit()
    assert await rows(sql_container, t.training_sessions) == 1
    assert await rows(sql_container, t.enrolments) == 1
    assert await rows(sql_container, t.attendance) == 1
    assert await rows(sql_container, t.enrolments, session_id=drop.id) == 0

    # Deleting a trainee (with cascade: they have attendance history) takes their
    # enrolments, marks and assignments with them.
    await sql_container.sessions().add_trainee(cast.admin, keep.id, cast.other_trainee.id)
    await sql_container.assignments().assign(cast.admin, cast.trainee.id, cast.trainer.id)
    with pytest.raises(Conflict, match="attendance"):
        await sql_container.users().delete_user(cast.admin, cast.trainee.id)
    await sql_container.users().delete_user(cast.admin, cast.trainee.id, cascade=True)
    assert await rows(sql_container, t.enrolments) == 1
    assert await rows(sql_container, t.attendance) == 0
    assert await rows(sql_container, t.assignments) == 0
    assert await rows(sql_container, t.users, id=cast.trainee.id) == 0


async def test_deleting_a_trainer_reassigns_or_cascades(
    sql_container: Container, cast: Cast
) -> None:
    first = await add_session(sql_container, cast.trainer, trainees=(cast.trainee.id,))
    second = await add_session(sql_container, cast.other_trainer, start=at(3))
    await sql_container.attendance().mark(cast.trainer, first.id, cast.trainee.id, True)
    with pytest.raises(Conflict, match="trains 1 session"):
        await sql_container.users().delete_user(cast.admin, cast.trainer.id)
    await sql_container.users().delete_user(
        cast.admin, cast.trainer.id, reassign_to=cast.other_trainer.id
    )
    assert await rows(sql_container, t.training_sessions, trainer_id=cast.other_trainer.id) == 2
    assert await rows(sql_container, t.attendance) == 1
    await sql_container.users().delete_user(cast.admin, cast.other_trainer.id, cascade=True)
    assert await rows(sql_container, t.training_sessions) == 0
    assert await rows(sql_container, t.enrolments) == 0
    assert await rows(sql_container, t.attendance) == 0
    actions = [
        a
        for (a,) in (
            await _fetch(sql_container, select(t.audit_log.c.action).order_by(t.audit_log.c.id))
        )
    ]
    assert actions[-3:] == ["session.deleted", "session.deleted", "user.deleted"]
    assert second.id != first.id


async def _fetch(container: Container, statement: Any) -> list[Any]:
    async with container.engine().connect() as conn:
        return list((await conn.execute(statement)).all())


# What a listing costs


@contextmanager
def counting_statements(container: Container) -> Iterator[list[str]]:
    executed: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        executed.append(statement)

    engine = container.engine().sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield executed
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_listing_sessions_costs_the_same_statements_for_1_or_100(
    sql_container: Container, database_kind: str
) -> None:
    # The event hub polls the database every second, and so do the in-app job workers: a poll
    # during a measured request (slow on a loaded machine, as with parallel test workers)
    # would add to its count. The hub not within an hour, and no job workers.
    sql_container.settings.override(
        replace(sql_container.settings(), event_poll_ms=3_600_000, jobs_workers=0)
    )
    admin = await add_user(sql_container, "root", Role.ADMIN)
    trainer = await add_user(sql_container, "tom", Role.TRAINER, password_hash="x")
    async with sql_container.engine().begin() as conn:
        await conn.execute(insert(t.users), [_trainee_row(i) for i in range(1000)])
        trainees = list((await conn.execute(_trainee_ids)).scalars())
    async with sql_container.uow()() as uow:
        for i in range(100):
            await uow.sessions.add(
                a_session(trainer.id, at(2 * i), trainees=tuple(trainees[10 * i : 10 * i + 10]))
            )
        await uow.commit()
    token, _actor = await sign_in(sql_container, admin.username)
    # The test client runs the app on an event loop of its own: connections made on this
    # one must not be handed to it.
    await sql_container.engine().dispose()
    counts = {}
    async with AsyncTestClient(create_app(container=sql_container)) as client:
        # Warm caches, with another page than those counted: the server keeps the pages it
        # encoded while the data is unchanged, and a page read again costs less.
        await client.get("/sessions/?limit=2", headers=bearer(token))
        for limit in (1, 100):
            with counting_statements(sql_container) as executed:
                response = await client.get(f"/sessions/?limit={limit}", headers=bearer(token))
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body) == limit
            assert all(len(s["trainees"]) == 10 for s in body)
            counts[limit] = len(executed)
    print(f"\nstatements for GET /sessions/ on {database_kind}: {counts}")
    assert counts[1] == counts[100]
    assert counts[100] <= 8


_trainee_ids = (
    select(t.users.c.id).where(t.users.c.role == Role.TRAINEE.value).order_by(t.users.c.id)
)


def _trainee_row(i: int) -> dict[str, Any]:
    username = f"trainee{i:04}"
    return {
        "username": username,
        "username_key": username,
        "email": f"{username}@example.org",
        "email_key": f"{username}@example.org",
        "role": Role.TRAINEE.value,
        "first_name": "Trainee",
        "last_name": str(i),
        "password_hash": "not-a-hash",
        "is_temporary_password": False,
        "created_at": TRAINING_START,
        "updated_at": TRAINING_START,
    }


# Races: two requests at once, each in its own unit of work on the same engine


async def outcomes(*work: Awaitable[Any]) -> list[str]:
    results = await asyncio.gather(*work, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Conflict):
            raise result
    return sorted("conflict" if isinstance(r, Conflict) else "ok" for r in results)


ROUNDS = 3


async def test_nobody_is_double_booked_by_requests_at_once(
    sql_container: Container, cast: Cast
) -> None:
    for round_ in range(ROUNDS):
        start = at(10 * round_)

        def book(offset: int, start: datetime = start, round_: int = round_) -> Awaitable[Any]:
            return sql_container.sessions().create_session(
                cast.trainer,
                NewSession(
                    title=f"Race {round_}.{offset}",
                    trainer_id=cast.trainer.id,
                    scheduled_date=start + timedelta(minutes=offset),
                    duration_minutes=60,
                ),
            )

        assert await outcomes(book(0), book(30)) == ["conflict", "ok"]
        assert await rows(sql_container, t.training_sessions) == round_ + 1

    # Two enrolments of one trainee into overlapping sessions at once.
    sessions = sql_container.sessions()
    for round_ in range(ROUNDS):
        first = await add_session(sql_container, cast.trainer, start=at(100 + 10 * round_))
        second = await add_session(
            sql_container, cast.other_trainer, start=at(100 + 10 * round_, minutes=30)
        )
        assert await outcomes(
            sessions.add_trainee(cast.trainer, first.id, cast.trainee.id),
            sessions.add_trainee(cast.other_trainer, second.id, cast.trainee.id),
        ) == ["conflict", "ok"]
        assert await rows(sql_container, t.enrolments, trainee_id=cast.trainee.id) == round_ + 1


async def test_one_enrolment_and_one_mark_for_requests_at_once(
    sql_container: Container, cast: Cast
) -> None:
    sessions, attendance = sql_container.sessions(), sql_container.attendance()
    for round_ in range(ROUNDS):
        session = await add_session(sql_container, cast.trainer, start=at(10 * round_))
        assert await outcomes(
            sessions.add_trainee(cast.trainer, session.id, cast.trainee.id),
            sessions.add_trainee(cast.admin, session.id, cast.trainee.id),
        ) == ["conflict", "ok"]
        # Joining by link twice at once: both succeed, one enrolment.
        assert await outcomes(
            sessions.join(cast.other_trainee, session.session_link),
            sessions.join(cast.other_trainee, session.session_link),
        ) == ["ok", "ok"]
        assert await rows(sql_container, t.enrolments, session_id=session.id) == 2
        # Marking one trainee twice at once: the later mark updates the one record.
        assert await outcomes(
            attendance.mark(cast.trainer, session.id, cast.trainee.id, True),
            attendance.mark(cast.admin, session.id, cast.trainee.id, False),
        ) == ["ok", "ok"]
        assert await rows(sql_container, t.attendance, session_id=session.id) == 1

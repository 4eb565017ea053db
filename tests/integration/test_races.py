"""Concurrent requests over HTTP on MariaDB: one winner, never a duplicate row, never a 500.

Two app instances (each its own engine and connection pool, as two processes behind a load
balancer would be) share one MariaDB database; the requests of each race are sent at once,
alternating between the instances, in this event loop, so their transactions interleave in
the database. Nothing in the app may rely on an in-process lock for correctness.

- Duplicate usernames (and emails): one 201, the others 409.
- Enrolments of one trainee in two overlapping sessions: one 200, the other 409 (double
  booking); in two adjacent sessions (one ends when the other starts): both 200. The same
  enrolment sent several times at once: one 200, the others 409.
- Attendance marks for the same trainee and session: every mark answers 200 and there is
  one record, holding the value of the last mark to commit. The contract says "marking again
  updates", and two people marking the same trainee at once are marking again, not making
  a mistake to report: so the losers become updates, not 409s.
- Bookings of a session with 10 places by 30 trainees at once: 10 enrolled (201), 20
  waitlisted (202), each told a different place, the line in that order; 5 cancellations
  at once promote exactly the next 5, in order; cancellations and bookings at once never
  take the session over capacity nor lose a place.
- Sessions in one room at one time, created at once: one 201, the others 409 (room taken).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from conftest import (
    FakeClock,
    _create_mariadb_database,
    _drop_mariadb_database,
    make_settings,
    require_mariadb,
)
from support import PASSWORD, TRAINING_START, add_user, bearer
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app

pytestmark = pytest.mark.mariadb

ROUNDS = 3
"""Each race runs this many times on fresh rows: interleavings vary from run to run."""
Call = tuple[str, str, dict[str, Any]]


@dataclass
class Cluster:
    """Two app instances over one database, and the admin's token."""

    containers: tuple[Container, Container]
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
    admin: dict[str, str]

    async def race(self, *calls: Call) -> list[httpx.Response]:
        """Send every call at once, alternating between the instances."""
        return list(
            await asyncio.gather(
                *(
                    self.clients[index % 2].request(method, path, headers=self.admin, **kwargs)
                    for index, (method, path, kwargs) in enumerate(calls)
                )
            )
        )

    async def count(self, sql: str, **params: Any) -> int:
        async with self.containers[0].engine().connect() as conn:
            return int((await conn.execute(text(sql), params)).scalar_one())

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.clients[0].request(method, path, headers=self.admin, **kwargs)
        assert response.is_success, f"{method} {path}: {response.text}"
        return response.json()


@pytest.fixture
async def cluster(clock: FakeClock) -> AsyncIterator[Cluster]:
    require_mariadb()
    url = await _create_mariadb_database()
    try:
        await schema.upgrade(url)
        async with contextlib.AsyncExitStack() as stack:
            containers: list[Container] = []
            for _ in range(2):
                container = build_container(make_settings(database_url=url, db_pool_size=6))
                container.clock.override(clock)
                containers.append(await stack.enter_async_context(running(container)))
            await add_user(containers[0], "root", Role.ADMIN)
            clients = [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=create_app(container=container)),
                        base_url="http://testserver",
                        timeout=30,
                    )
                )
                for container in containers
            ]
            login = await clients[1].post(
                "/auth/login", json={"username": "root", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            yield Cluster(
                (containers[0], containers[1]),
                (clients[0], clients[1]),
                bearer(login.json()["access_token"]),
            )
    finally:
        await _drop_mariadb_database(url)


def tally(responses: list[httpx.Response]) -> Counter[int]:
    assert not [r.text for r in responses if r.status_code >= 500]
    return Counter(r.status_code for r in responses)


def new_user(username: str, email: str, role: str = "trainee") -> dict[str, Any]:
    return {
        "username": username,
        "email": email,
        "first_name": "Race",
        "last_name": "Runner",
        "role": role,
        "password": PASSWORD,
        "is_temporary_password": False,
    }


async def add_person(cluster: Cluster, username: str, role: str = "trainee") -> int:
    created = await cluster.call(
        "POST", "/users/", json=new_user(username, f"{username}@example.org", role)
    )
    return int(created["user"]["id"])


async def add_session(cluster: Cluster, trainer_id: int, start_hours: float, title: str) -> int:
    created = await cluster.call(
        "POST",
        "/sessions/",
        json={
            "title": title,
            "trainer_id": trainer_id,
            "scheduled_date": (TRAINING_START + timedelta(hours=start_hours)).isoformat(),
            "duration_minutes": 60,
        },
    )
    return int(created["id"])


def enrol(session_id: int, trainee_id: int) -> Call:
    return ("POST", f"/sessions/{session_id}/trainees/{trainee_id}", {})


async def enrolments(
    cluster: Cluster, *, session_id: int | None = None, trainee_id: int | None = None
) -> int:
    return await cluster.count(
        "SELECT COUNT(*) FROM enrolments WHERE (:s IS NULL OR session_id = :s)"
        " AND (:t IS NULL OR trainee_id = :t)",
        s=session_id,
        t=trainee_id,
    )


async def test_concurrent_creates_of_one_username_or_email_make_one_user(
    cluster: Cluster,
) -> None:
    for round_ in range(ROUNDS):
        name, email = f"twin{round_}", f"mail{round_}@example.org"
        by_name = await cluster.race(
            *(("POST", "/users/", {"json": new_user(name, f"{name}-{i}@x.org")}) for i in range(6))
        )
        by_email = await cluster.race(
            *(("POST", "/users/", {"json": new_user(f"mail{round_}-{i}", email)}) for i in range(6))
        )

        assert tally(by_name) == {201: 1, 409: 5}
        assert tally(by_email) == {201: 1, 409: 5}
        assert {r.json()["detail"] for r in by_name if r.status_code == 409} == {
            "A user with that username already exists"
        }
        assert {r.json()["detail"] for r in by_email if r.status_code == 409} == {
            "A user with that email already exists"
        }
        assert await cluster.count("SELECT COUNT(*) FROM users WHERE username = :u", u=name) == 1
        assert await cluster.count("SELECT COUNT(*) FROM users WHERE email = :e", e=email) == 1
    assert await cluster.count("SELECT COUNT(*) FROM users") == 1 + 2 * ROUNDS


async def test_concurrent_enrolments_never_double_book_a_trainee(cluster: Cluster) -> None:
    trainers = [await add_person(cluster, f"coach{i}", "trainer") for i in range(2)]
    for round_ in range(ROUNDS):
        trainees = [await add_person(cluster, f"trainee{round_}-{i}") for i in range(3)]
        day = 72 * (round_ + 1)
        # 09:00-10:00 and 09:30-10:30 overlap; the next day 10:00-11:00 and 11:00-12:00 touch.
        first = await add_session(cluster, trainers[0], day, "first")
        overlapping = await add_session(cluster, trainers[1], day + 0.5, "overlapping")
        adjacent = await add_session(cluster, trainers[1], day + 25, "adjacent")
        touching = await add_session(cluster, trainers[0], day + 26, "touching")

        clashing = await cluster.race(
            *(enrol(session, trainee) for trainee in trainees for session in (first, overlapping))
        )
        assert tally(clashing) == {200: 3, 409: 3}
        assert all("Double booking" in r.json()["detail"] for r in clashing if r.status_code == 409)
        assert [await enrolments(cluster, trainee_id=trainee) for trainee in trainees] == [1] * 3

        back_to_back = await cluster.race(
            *(enrol(session, trainee) for trainee in trainees for session in (adjacent, touching))
        )
        assert tally(back_to_back) == {200: 6}

        # Enrolled in the first session already, or booked in the overlapping one.
        assert tally(await cluster.race(*[enrol(first, trainees[0])] * 3)) == {409: 3}
        assert await enrolments(cluster, trainee_id=trainees[0]) == 3

    twice = await cluster.count(
        "SELECT COUNT(*) FROM (SELECT session_id, trainee_id FROM enrolments"
        " GROUP BY session_id, trainee_id HAVING COUNT(*) > 1) AS twice"
    )
    assert twice == 0


async def test_concurrent_enrolments_of_one_trainee_in_one_session_make_one_row(
    cluster: Cluster,
) -> None:
    trainer = await add_person(cluster, "coach", "trainer")
    for round_ in range(ROUNDS):
        trainee = await add_person(cluster, f"solo{round_}")
        session = await add_session(cluster, trainer, 24 * (round_ + 1), "solo")

        answers = await cluster.race(*[enrol(session, trainee)] * 6)

        assert tally(answers) == {200: 1, 409: 5}
        assert await enrolments(cluster, session_id=session) == 1


async def test_concurrent_attendance_marks_make_one_record_and_all_succeed(
    cluster: Cluster,
) -> None:
    trainer = await add_person(cluster, "coach", "trainer")
    for round_ in range(ROUNDS):
        trainee = await add_person(cluster, f"mark{round_}")
        session = await add_session(cluster, trainer, 24 * (round_ + 1), "marked")
        await cluster.call("POST", f"/sessions/{session}/trainees/{trainee}")
        marks = [
            {"session_id": session, "trainee_id": trainee, "present": i % 2 == 0} for i in range(6)
        ]

        answers = await cluster.race(*(("POST", "/attendance/", {"json": m}) for m in marks))

        assert tally(answers) == {200: 6}
        assert len({r.json()["id"] for r in answers}) == 1
        assert (
            await cluster.count(
                "SELECT COUNT(*) FROM attendance WHERE session_id = :s AND trainee_id = :t",
                s=session,
                t=trainee,
            )
            == 1
        )
        listing = await cluster.call("GET", f"/attendance/session/{session}")
        assert len(listing) == 1
        # The trail, oldest first, shows one mark then updates, each seeing the one before.
        trail = await cluster.call(
            "GET", "/audit/", params={"target_type": "attendance", "target_id": listing[0]["id"]}
        )
        trail.reverse()
        assert [entry["action"] for entry in trail] == ["attendance.marked"] + [
            "attendance.updated"
        ] * 5
        present = trail[0]["changes"]["present"][1]
        for entry in trail[1:]:
            if "present" in entry["changes"]:
                before, present = entry["changes"]["present"]
                assert before != present
        assert listing[0]["present"] == present


# Booking live sessions: many trainees at once, over both instances.


async def booking_session(cluster: Cluster, trainer_id: int, capacity: int, hours: float) -> int:
    created = await cluster.call(
        "POST",
        "/sessions/",
        json={
            "title": "Popular",
            "trainer_id": trainer_id,
            "scheduled_date": (TRAINING_START + timedelta(hours=hours)).isoformat(),
            "duration_minutes": 60,
            "capacity": capacity,
            "self_booking": True,
        },
    )
    return int(created["id"])


async def as_each(
    cluster: Cluster, method: str, path: str, tokens: list[dict[str, str]]
) -> list[httpx.Response]:
    """The same call by each trainee at once, alternating between the instances."""
    return list(
        await asyncio.gather(
            *(
                cluster.clients[index % 2].request(method, path, headers=headers)
                for index, headers in enumerate(tokens)
            )
        )
    )


async def waitlist(cluster: Cluster, session_id: int) -> list[int]:
    async with cluster.containers[0].engine().connect() as conn:
        rows = await conn.execute(
            text("SELECT trainee_id FROM session_waitlist WHERE session_id = :s ORDER BY id"),
            {"s": session_id},
        )
        return [int(row[0]) for row in rows]


async def test_concurrent_bookings_fill_the_places_and_queue_the_rest_in_order(
    cluster: Cluster,
) -> None:
    trainer = await add_person(cluster, "coach", "trainer")
    people = [await add_person(cluster, f"booker{i}") for i in range(30)]
    tokens = []
    for i in range(30):
        login = await cluster.clients[i % 2].post(
            "/auth/login", json={"username": f"booker{i}", "password": PASSWORD}
        )
        tokens.append(bearer(login.json()["access_token"]))
    session = await booking_session(cluster, trainer, 10, 24)

    answers = await as_each(cluster, "POST", f"/sessions/{session}/book", tokens)

    assert tally(answers) == {201: 10, 202: 20}
    assert await enrolments(cluster, session_id=session) == 10
    # Every waiting trainee was told a different place, and the line is in that order.
    told = {
        people[i]: r.json()["waitlist_position"]
        for i, r in enumerate(answers)
        if r.status_code == 202
    }
    assert sorted(told.values()) == list(range(1, 21))
    line = await waitlist(cluster, session)
    assert line == sorted(told, key=told.__getitem__)
    enrolled = [people[i] for i, r in enumerate(answers) if r.status_code == 201]

    # Five of the enrolled cancel at once: five places, each to the next in line, in order.
    leaving = [tokens[people.index(p)] for p in enrolled[:5]]
    cancelled = await as_each(cluster, "DELETE", f"/sessions/{session}/book", leaving)
    assert tally(cancelled) == {200: 5}
    assert await enrolments(cluster, session_id=session) == 10
    assert await waitlist(cluster, session) == line[5:]
    promoted = await cluster.count(
        "SELECT COUNT(*) FROM enrolments WHERE session_id = :s AND trainee_id IN :ids",
        s=session,
        ids=tuple(line[:5]),
    )
    assert promoted == 5

    # Cancellations and new bookings at once: never over capacity, never a place lost.
    late = [await add_person(cluster, f"late{i}") for i in range(5)]
    late_tokens = []
    for i in range(len(late)):
        login = await cluster.clients[0].post(
            "/auth/login", json={"username": f"late{i}", "password": PASSWORD}
        )
        late_tokens.append(bearer(login.json()["access_token"]))
    mixed = await asyncio.gather(
        as_each(
            cluster,
            "DELETE",
            f"/sessions/{session}/book",
            [tokens[people.index(p)] for p in enrolled[5:10]],
        ),
        as_each(cluster, "POST", f"/sessions/{session}/book", late_tokens),
    )
    assert tally(mixed[0]) == {200: 5}
    assert tally(mixed[1]) == {202: 5}
    assert await enrolments(cluster, session_id=session) == 10
    remaining = await waitlist(cluster, session)
    assert len(remaining) == 15 - 5 + 5
    assert remaining[:10] == line[10:]
    assert sorted(remaining[10:]) == sorted(late)


async def test_concurrent_room_bookings_hold_one_session_at_a_time(cluster: Cluster) -> None:
    trainers = [await add_person(cluster, f"coach{i}", "trainer") for i in range(6)]
    room = await cluster.call("POST", "/rooms/", json={"name": "Hall", "capacity": 20})
    for round_ in range(ROUNDS):
        start = (TRAINING_START + timedelta(hours=24 * (round_ + 1))).isoformat()
        answers = await cluster.race(
            *(
                (
                    "POST",
                    "/sessions/",
                    {
                        "json": {
                            "title": f"Talk {i}",
                            "trainer_id": trainer,
                            "scheduled_date": start,
                            "duration_minutes": 60,
                            "room_id": room["id"],
                        }
                    },
                )
                for i, trainer in enumerate(trainers)
            )
        )
        assert tally(answers) == {201: 1, 409: 5}
        assert all(
            r.json()["detail"].startswith("Room taken") for r in answers if r.status_code == 409
        )
    assert (
        await cluster.count(
            "SELECT COUNT(*) FROM training_sessions WHERE room_id = :r", r=room["id"]
        )
        == ROUNDS
    )

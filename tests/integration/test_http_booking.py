"""Booking live sessions and rooms through the real app: the shapes of API.md part two and
every bad input a client can send (409 full, closed, double booked, room taken; 422 a
capacity over the room's or below one; 404 not bookable; override), never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import FakeClock
from support import Cast, RecordingClient, add_cast, add_user, api_client, at, bearer, login
from tms_domain.kernel import Role
from tms_domain.training import MAX_TRAINEES_PER_SESSION
from tms_entrypoints.container import Container

BOOKABLE_KEYS = {
    "id",
    "title",
    "description",
    "trainer",
    "scheduled_date",
    "duration_minutes",
    "status",
    "class_link",
    "capacity",
    "self_booking",
    "booking_closes_at",
    "room_id",
    "places_left",
    "waitlist_count",
    "booking",
    "waitlist_position",
    "booking_open",
}
ROOM_KEYS = {"id", "name", "location", "capacity", "created_at", "updated_at"}


@pytest.fixture
def database_kind() -> str:
    """The rules are the domain's; SQLite is enough here (MariaDB: test_races.py)."""
    return "sqlite"


@dataclass
class Desk:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.tokens[who]), **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201, 202), (method, path, response.text)
        return response.json()

    async def session(self, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Forklift basics",
            "trainer_id": self.cast.trainer.id,
            "scheduled_date": at(0).isoformat(),
            "duration_minutes": 60,
            "self_booking": True,
        }
        body.update(fields)
        return await self.ok("admin", "POST", "/sessions/", json=body)  # type: ignore[no-any-return]

    async def room(self, name: str = "Lab", capacity: int = 10) -> dict[str, Any]:
        body = {"name": name, "capacity": capacity, "location": "Building A"}
        return await self.ok("admin", "POST", "/rooms/", json=body)  # type: ignore[no-any-return]


@pytest.fixture
async def desk(sql_container: Container) -> AsyncIterator[Desk]:
    cast = await add_cast(sql_container)
    for i in range(3):
        await add_user(sql_container, f"extra{i}", Role.TRAINEE)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "other_trainer", "trainee", "other_trainee")
        }
        tokens["third_trainee"] = await login(client, cast.third_trainee.user.username)
        for i in range(3):
            tokens[f"extra{i}"] = await login(client, f"extra{i}")
        yield Desk(client, cast, tokens)


async def test_book_wait_cancel_and_be_promoted(desk: Desk) -> None:
    session = await desk.session(capacity=1)
    assert (session["capacity"], session["self_booking"], session["places_left"]) == (1, True, 1)
    assert (session["waitlist_count"], session["booking"], session["booking_closes_at"]) == (
        0,
        None,
        None,
    )
    sid = session["id"]

    listed = await desk.ok("trainee", "GET", "/sessions/available")
    assert [s["id"] for s in listed] == [sid]
    assert set(listed[0]) == BOOKABLE_KEYS
    assert listed[0]["trainer"] == {"id": desk.cast.trainer.id, "name": "Tom Doe"}
    assert (listed[0]["booking"], listed[0]["booking_open"], listed[0]["class_link"]) == (
        None,
        True,
        None,
    )

    booked = await desk.call("trainee", "POST", f"/sessions/{sid}/book")
    assert booked.status_code == 201, booked.text
    assert booked.json() == {
        "message": "You are booked into Forklift basics",
        "session_id": sid,
        "booking": "enrolled",
        "waitlist_position": None,
    }
    waiting = await desk.call("other_trainee", "POST", f"/sessions/{sid}/book")
    assert waiting.status_code == 202, waiting.text
    assert (waiting.json()["booking"], waiting.json()["waitlist_position"]) == ("waitlisted", 1)
    second = await desk.call("third_trainee", "POST", f"/sessions/{sid}/book")
    assert (second.status_code, second.json()["waitlist_position"]) == (202, 2)

    mine = await desk.ok("other_trainee", "GET", "/sessions/available")
    assert (mine[0]["booking"], mine[0]["waitlist_position"], mine[0]["waitlist_count"]) == (
        "waitlisted",
        1,
        2,
    )
    seen = await desk.ok("trainee", "GET", f"/sessions/{sid}")
    assert (seen["booking"], seen["places_left"], seen["waitlist_count"]) == ("enrolled", 0, 2)
    assert [t["id"] for t in seen["trainees"]] == [desk.cast.trainee.id]

    cancelled = await desk.ok("trainee", "DELETE", f"/sessions/{sid}/book")
    assert cancelled == {"message": "Your booking is cancelled"}
    after = await desk.ok("admin", "GET", f"/sessions/{sid}")
    assert [t["id"] for t in after["trainees"]] == [desk.cast.other_trainee.id]
    assert after["waitlist_count"] == 1
    left = await desk.ok("third_trainee", "DELETE", f"/sessions/{sid}/book")
    assert left == {"message": "You left the waitlist"}
    assert (await desk.ok("admin", "GET", f"/sessions/{sid}"))["waitlist_count"] == 0

    trail = await desk.ok("admin", "GET", "/audit/", params={"target_type": "session"})
    assert [e["action"] for e in reversed(trail)][-6:] == [
        "session.booked",
        "session.booked",
        "session.booked",
        "session.booking_cancelled",
        "session.waitlist_promoted",
        "session.booking_cancelled",
    ]


async def test_bad_bookings(desk: Desk, clock: FakeClock) -> None:
    open_one = (await desk.session(capacity=2))["id"]
    await desk.ok("trainee", "POST", f"/sessions/{open_one}/book")

    twice = await desk.call("trainee", "POST", f"/sessions/{open_one}/book")
    assert (twice.status_code, twice.json()["detail"]) == (
        409,
        "You are already enrolled in this session",
    )

    # Booked elsewhere at the same time: the double booking's 409, with its conflicts.
    clashing = (
        await desk.session(
            trainer_id=desk.cast.other_trainer.id, scheduled_date=at(0, 30).isoformat()
        )
    )["id"]
    clash = await desk.call("trainee", "POST", f"/sessions/{clashing}/book")
    assert clash.status_code == 409
    assert clash.json()["detail"].startswith("Double booking: trainee")
    assert [c["session_id"] for c in clash.json()["conflicts"]] == [open_one]

    closing = (
        await desk.session(scheduled_date=at(48).isoformat(), booking_closes_at=at(24).isoformat())
    )["id"]
    not_bookable = (await desk.session(self_booking=False, scheduled_date=at(72).isoformat()))["id"]
    for missing in (not_bookable, 424242):
        response = await desk.call("trainee", "POST", f"/sessions/{missing}/book")
        assert response.status_code == 404, response.text
    nothing = await desk.call("other_trainee", "DELETE", f"/sessions/{open_one}/book")
    assert (nothing.status_code, nothing.json()["detail"]) == (
        404,
        "You have no booking for this session",
    )
    staff = await desk.call("trainer", "POST", f"/sessions/{open_one}/book")
    assert staff.status_code == 403
    assert (await desk.call("admin", "GET", "/sessions/available")).status_code == 403

    clock.advance(days=4)  # past the closing time of `closing` (and the start of `open_one`)
    for who in ("trainee", "other_trainee"):  # signed in again: the tokens expired meanwhile
        desk.tokens[who] = await login(desk.client, getattr(desk.cast, who).user.username)
    late = await desk.call("other_trainee", "POST", f"/sessions/{closing}/book")
    assert (late.status_code, late.json()["detail"]) == (
        409,
        "Booking for this session closed at 2026-05-05T09:00:00+00:00",
    )
    started = await desk.call("trainee", "DELETE", f"/sessions/{open_one}/book")
    assert started.status_code == 409
    assert await desk.ok("other_trainee", "GET", "/sessions/available") == []


async def test_staff_enrol_past_capacity_only_with_override(desk: Desk) -> None:
    sid = (await desk.session(capacity=1))["id"]
    await desk.ok("trainee", "POST", f"/sessions/{sid}/book")
    await desk.ok("other_trainee", "POST", f"/sessions/{sid}/book")
    path = f"/sessions/{sid}/trainees/{desk.cast.other_trainee.id}"
    full = await desk.call("trainer", "POST", path)
    assert full.status_code == 409
    assert full.json()["detail"].startswith("The session is full (1 places)")
    assert (
        await desk.call("trainer", "POST", path, params={"override": "true"})
    ).status_code == 200
    after = await desk.ok("admin", "GET", f"/sessions/{sid}")
    assert (len(after["trainees"]), after["places_left"], after["waitlist_count"]) == (2, 0, 0)

    # Removing a trainee frees a place, which the waitlist takes at once.
    await desk.ok("extra0", "POST", f"/sessions/{sid}/book")
    await desk.ok("admin", "DELETE", f"/sessions/{sid}/trainees/{desk.cast.trainee.id}")
    await desk.ok("admin", "DELETE", f"/sessions/{sid}/trainees/{desk.cast.other_trainee.id}")
    after = await desk.ok("admin", "GET", f"/sessions/{sid}")
    assert [t["username"] for t in after["trainees"]] == ["extra0"]


async def test_session_booking_fields_are_checked(desk: Desk) -> None:
    base = {
        "title": "Checked",
        "trainer_id": desk.cast.trainer.id,
        "scheduled_date": at(0).isoformat(),
        "duration_minutes": 60,
    }
    for bad in (
        {"capacity": 0},
        {"capacity": MAX_TRAINEES_PER_SESSION + 1},
        {"capacity": "many"},
        {"booking_closes_at": at(1).isoformat()},
        {"booking_closes_at": "not a time"},
        {"capacity": 1, "trainees": [desk.cast.trainee.id, desk.cast.other_trainee.id]},
        {"room_id": 424242},
    ):
        response = await desk.call("admin", "POST", "/sessions/", json={**base, **bad})
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["errors"], bad

    sid = (
        await desk.session(capacity=3, trainees=[desk.cast.trainee.id, desk.cast.other_trainee.id])
    )["id"]
    lower = await desk.call("admin", "PUT", f"/sessions/{sid}", json={"capacity": 1})
    assert (lower.status_code, lower.json()["detail"]) == (
        409,
        "2 trainees are enrolled: the capacity cannot be lower than that (remove trainees first)",
    )
    cleared = await desk.ok("admin", "PUT", f"/sessions/{sid}", json={"capacity": None})
    assert (cleared["capacity"], cleared["places_left"]) == (None, None)
    kept = await desk.ok("admin", "PUT", f"/sessions/{sid}", json={"title": "Kept"})
    assert kept["capacity"] is None
    closes = await desk.ok(
        "admin", "PUT", f"/sessions/{sid}", json={"booking_closes_at": "2026-05-04T08:00+00:00"}
    )
    assert closes["booking_closes_at"] == "2026-05-04T08:00:00+00:00"


async def test_rooms(desk: Desk) -> None:
    lab = await desk.room("Lab", 10)
    assert set(lab) == ROOM_KEYS
    assert (lab["name"], lab["capacity"], lab["location"]) == ("Lab", 10, "Building A")
    for who in ("trainer", "trainee"):
        assert [r["name"] for r in await desk.ok(who, "GET", "/rooms/")] == ["Lab"]
        refused = await desk.call(who, "POST", "/rooms/", json={"name": "Mine", "capacity": 3})
        assert refused.status_code == 403
    duplicate = await desk.call("admin", "POST", "/rooms/", json={"name": "Lab", "capacity": 3})
    assert (duplicate.status_code, duplicate.json()["detail"]) == (
        409,
        "A room with that name already exists",
    )
    for bad in ({"name": "", "capacity": 3}, {"name": "X", "capacity": 0}, {"name": "X"}):
        assert (await desk.call("admin", "POST", "/rooms/", json=bad)).status_code == 422, bad

    held = await desk.session(room_id=lab["id"], self_booking=False)
    assert (held["room_id"], held["capacity"]) == (lab["id"], 10)
    taken = await desk.call(
        "admin",
        "POST",
        "/sessions/",
        json={
            "title": "Same room",
            "trainer_id": desk.cast.other_trainer.id,
            "scheduled_date": at(0, 30).isoformat(),
            "duration_minutes": 60,
            "room_id": lab["id"],
        },
    )
    assert taken.status_code == 409
    body = taken.json()
    assert body["detail"] == (
        f'Room taken: the room "Lab" is already booked for session {held["id"]}'
        ' "Forklift basics" starting 2026-05-04T09:00:00+00:00'
    )
    assert body["conflicts"] == [
        {
            "session_id": held["id"],
            "title": "Forklift basics",
            "scheduled_date": "2026-05-04T09:00:00+00:00",
            "ends_at": "2026-05-04T10:00:00+00:00",
            "trainer": None,
            "trainees": [],
            "room": {"id": lab["id"], "name": "Lab"},
        }
    ]
    too_many = await desk.call("admin", "PUT", f"/sessions/{held['id']}", json={"capacity": 11})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "capacity"

    in_use = await desk.call("admin", "DELETE", f"/rooms/{lab['id']}")
    assert in_use.status_code == 409
    assert "still to come" in in_use.json()["detail"]
    smaller = await desk.call("admin", "PUT", f"/rooms/{lab['id']}", json={"capacity": 4})
    assert smaller.status_code == 409
    renamed = await desk.ok(
        "admin", "PUT", f"/rooms/{lab['id']}", json={"name": "Lab 1", "location": ""}
    )
    assert (renamed["name"], renamed["location"]) == ("Lab 1", None)
    moved = await desk.ok("admin", "PUT", f"/sessions/{held['id']}", json={"room_id": None})
    assert moved["room_id"] is None
    assert await desk.ok("admin", "DELETE", f"/rooms/{lab['id']}") == {"message": "Room deleted"}
    assert (await desk.call("admin", "DELETE", f"/rooms/{lab['id']}")).status_code == 404
    trail = await desk.ok("admin", "GET", "/audit/", params={"target_type": "room"})
    assert [e["action"] for e in trail] == ["room.deleted", "room.updated", "room.created"]

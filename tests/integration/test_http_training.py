"""The training part of the HTTP contract (API.md) through the real app on SQLite: every
endpoint's answer shape and status codes, who may call what, time handling, paging bounds,
and requests a client can get wrong without ever causing a 500."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import Response
from litestar.testing import AsyncTestClient

from conftest import FakeClock
from course_rows import add_course, enrol
from support import SECRET_MARKERS, USER_KEYS, Cast, add_cast, at, bearer, sign_in
from tms_domain.learning.model import CourseStatus
from tms_entrypoints.container import Container
from tms_entrypoints.http.app import create_app

SESSION_KEYS = {
    "id",
    "title",
    "description",
    "trainer_id",
    "trainees",
    "scheduled_date",
    "duration_minutes",
    "status",
    "class_link",
    "session_link",
    "created_at",
    "updated_at",
}
BOOKING_KEYS = {
    "capacity",
    "self_booking",
    "booking_closes_at",
    "room_id",
    "places_left",
    "waitlist_count",
    "booking",
    "waitlist_position",
}
"""Part two: booking live sessions, rooms."""
SESSION_KEYS |= BOOKING_KEYS
ATTENDANCE_KEYS = {"id", "session_id", "trainee_id", "present", "marked_at"}
PROGRESS_KEYS = {
    "trainee_id",
    "trainee",
    "total_sessions",
    "attended_sessions",
    "progress_percentage",
}
AUDIT_KEYS = {
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "client_address",
    "changes",
}

ACTORS = ("admin", "trainer", "other_trainer", "trainee", "other_trainee", "anonymous")


@pytest.fixture
def database_kind() -> str:
    """SQLite is enough here: the SQL adapters are tested on MariaDB elsewhere."""
    return "sqlite"


@dataclass
class Api:
    client: AsyncTestClient[Any]
    cast: Cast
    tokens: dict[str, str]
    slots: Iterator[int] = field(default_factory=itertools.count)

    def headers(self, who: str) -> dict[str, str]:
        return {} if who == "anonymous" else bearer(self.tokens[who])

    def id_of(self, who: str) -> int:
        return int(getattr(self.cast, who).id)

    def next_start(self) -> str:
        """A start time no other session of the test has: no accidental double booking."""
        return at(3 * next(self.slots)).isoformat()

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Response:
        return await self.client.request(method, path, headers=self.headers(who), **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    async def new_session(self, who: str = "admin", **body: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "title": "Python basics",
            "trainer_id": self.id_of("trainer"),
            "trainees": [self.id_of("trainee")],
            "scheduled_date": self.next_start(),
            "duration_minutes": 60,
        }
        values.update(body)
        created: dict[str, Any] = await self.ok(who, "POST", "/sessions/", json=values)
        return created


@pytest.fixture
async def api(sql_container: Container) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    tokens = {}
    for who in ACTORS[:-1]:
        tokens[who], _actor = await sign_in(sql_container, getattr(cast, who).user.username)
    async with AsyncTestClient(create_app(container=sql_container)) as client:
        yield Api(client, cast, tokens)


def assert_user(body: Any, user_id: int | None = None) -> None:
    assert set(body) == USER_KEYS
    if user_id is not None:
        assert body["id"] == user_id
    assert body["name"] == f"{body['first_name']} {body['last_name']}"


def assert_session(body: Any) -> None:
    assert set(body) == SESSION_KEYS
    for trainee in body["trainees"]:
        assert_user(trainee)
    assert body["status"] in ("scheduled", "completed", "cancelled")
    for stamp in ("scheduled_date", "created_at", "updated_at"):
        assert datetime.fromisoformat(body[stamp]).utcoffset() == timedelta(0), stamp


def assert_no_secrets(response: Response) -> None:
    for marker in SECRET_MARKERS:
        assert marker not in response.text


# Sessions


async def test_session_lifecycle_with_contract_shapes(api: Api, clock: FakeClock) -> None:
    trainee = api.id_of("trainee")
    created = await api.call(
        "admin",
        "POST",
        "/sessions/",
        json={
            "title": "Python basics",
            "description": "Loops",
            "trainer_id": api.id_of("trainer"),
            "trainees": [trainee],
            "scheduled_date": "2026-05-04T11:00:00+02:00",
            "duration_minutes": 90,
            "class_link": "https://meet.example.org/py",
        },
    )
    assert created.status_code == 201, created.text
    session = created.json()
    assert_session(session)
    assert_no_secrets(created)
    assert session["scheduled_date"] == "2026-05-04T09:00:00+00:00"
    assert (session["title"], session["description"], session["duration_minutes"]) == (
        "Python basics",
        "Loops",
        90,
    )
    assert (session["trainer_id"], session["status"]) == (api.id_of("trainer"), "scheduled")
    assert [t["id"] for t in session["trainees"]] == [trainee]
    assert session["class_link"] == "https://meet.example.org/py"
    assert len(session["session_link"]) >= 22
    assert session["created_at"] == clock.now().isoformat()

    got = await api.ok("trainee", "GET", f"/sessions/{session['id']}")
    assert got == {**session, "booking": "enrolled"}
    listed = await api.ok("trainer", "GET", "/sessions/")
    assert listed == [session]

    clock.advance(minutes=1)
    updated = await api.ok(
        "trainer",
        "PUT",
        f"/sessions/{session['id']}",
        json={"title": "Python, day 1", "trainees": [api.id_of("other_trainee")]},
    )
    assert_session(updated)
    assert updated["title"] == "Python, day 1"
    assert [t["id"] for t in updated["trainees"]] == [api.id_of("other_trainee")]
    assert updated["updated_at"] == clock.now().isoformat()
    assert updated["session_link"] == session["session_link"]

    deleted = await api.call("admin", "DELETE", f"/sessions/{session['id']}")
    assert (deleted.status_code, set(deleted.json())) == (200, {"message"})
    assert (await api.call("admin", "GET", f"/sessions/{session['id']}")).status_code == 404


async def test_status_moves_and_double_booking_answer_409_saying_why(api: Api) -> None:
    session = await api.new_session(title="Morning")
    clash = await api.call(
        "admin",
        "POST",
        "/sessions/",
        json={
            "title": "Clash",
            "trainer_id": api.id_of("other_trainer"),
            "trainees": [api.id_of("trainee")],
            "scheduled_date": (
                datetime.fromisoformat(session["scheduled_date"]) + timedelta(minutes=59)
            ).isoformat(),
            "duration_minutes": 30,
        },
    )
    assert clash.status_code == 409
    assert f"session {session['id']}" in clash.json()["detail"]
    assert '"Morning"' in clash.json()["detail"]
    back_to_back = await api.call(
        "admin",
        "POST",
        "/sessions/",
        json={
            "title": "After",
            "trainer_id": api.id_of("trainer"),
            "trainees": [api.id_of("trainee")],
            "scheduled_date": (
                datetime.fromisoformat(session["scheduled_date"]) + timedelta(minutes=60)
            ).isoformat(),
            "duration_minutes": 30,
        },
    )
    assert back_to_back.status_code == 201, back_to_back.text

    path = f"/sessions/{session['id']}"
    done = await api.ok("trainer", "PUT", path, json={"status": "completed"})
    assert done["status"] == "completed"
    refused = await api.call("trainer", "PUT", path, json={"status": "scheduled"})
    assert refused.status_code == 409
    assert "completed" in refused.json()["detail"]
    bad = await api.call("trainer", "PUT", path, json={"status": "postponed"})
    assert bad.status_code == 422


async def test_listing_filters_from_inclusive_to_exclusive_and_naive_times_as_utc(
    api: Api,
) -> None:
    first = await api.new_session(scheduled_date="2026-05-04T09:00:00")
    second = await api.new_session(scheduled_date="2026-05-04T11:00:00Z")
    third = await api.new_session(scheduled_date="2026-05-04T15:00:00+02:00")
    assert first["scheduled_date"] == "2026-05-04T09:00:00+00:00"
    assert second["scheduled_date"] == "2026-05-04T11:00:00+00:00"
    assert third["scheduled_date"] == "2026-05-04T13:00:00+00:00"
    await api.ok("admin", "PUT", f"/sessions/{second['id']}", json={"status": "cancelled"})

    async def ids(**params: Any) -> list[int]:
        body = await api.ok("admin", "GET", "/sessions/", params=params)
        return [s["id"] for s in body]

    assert await ids() == [first["id"], second["id"], third["id"]]
    assert await ids(**{"from": "2026-05-04T11:00:00", "to": "2026-05-04T13:00:00"}) == [
        second["id"]
    ]
    assert await ids(**{"from": "2026-05-04T13:00:00+02:00"}) == [second["id"], third["id"]]
    assert await ids(**{"to": "2026-05-04T11:00:00.000001"}) == [first["id"], second["id"]]
    assert await ids(status="cancelled") == [second["id"]]
    assert await ids(status="scheduled", trainer_id=api.id_of("trainer")) == [
        first["id"],
        third["id"],
    ]
    assert await ids(trainer_id=api.id_of("other_trainer")) == []
    assert await ids(skip=1, limit=1) == [second["id"]]
    other = await api.call(
        "trainer", "GET", "/sessions/", params={"trainer_id": api.id_of("other_trainer")}
    )
    assert other.status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1001",
        "skip=-1",
        "limit=abc",
        "status=postponed",
        "trainer_id=0",
        "trainer_id=99999999999999999999",
        "from=yesterday",
    ],
)
async def test_bad_listing_parameters_are_422(api: Api, query: str) -> None:
    response = await api.call("admin", "GET", f"/sessions/?{query}")
    assert response.status_code == 422, response.text
    assert "detail" in response.json()
    assert response.json()["errors"]


async def test_paging_bounds_on_every_list(api: Api) -> None:
    for path in ("/sessions/", "/assignments/", "/audit/"):
        for query, status in (("limit=1000", 200), ("limit=1", 200), ("limit=0", 422)):
            response = await api.call("admin", "GET", f"{path}?{query}")
            assert response.status_code == status, (path, query, response.text)
        assert (await api.call("admin", "GET", f"{path}?limit=1001")).status_code == 422


def session_body(api: Api, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Session",
        "trainer_id": api.id_of("trainer"),
        "scheduled_date": api.next_start(),
        "duration_minutes": 60,
    }
    body.update(fields)
    return body


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"trainer_id": 999_999}, 422),  # unknown trainer
        ({"trainer_id": 2**63}, 422),
        ({"trainer_id": 2**70}, 422),
        ({"trainer_id": -1}, 422),
        ({"trainer_id": "tom"}, 422),
        ({"trainees": list(range(1, 100_001))}, 422),
        ({"trainees": [999_999]}, 422),
        ({"trainees": [2**63]}, 422),
        ({"trainees": ["x"]}, 422),
        ({"title": ""}, 422),
        ({"title": "x" * 101}, 422),
        ({"title": "x" * 100_000}, 422),
        ({"description": "x" * 2001}, 422),
        ({"duration_minutes": 0}, 422),
        ({"duration_minutes": 1441}, 422),
        ({"duration_minutes": 2**70}, 422),
        ({"class_link": "javascript:alert(1)"}, 422),
        ({"session_link": "../../etc"}, 422),
        ({"status": "postponed"}, 422),
        ({"scheduled_date": "next monday"}, 422),
        ({"scheduled_date": "9999-12-31T23:59:00"}, 422),
        ({"scheduled_date": "0001-01-01T00:00:00+05:00"}, 422),
        ({"scheduled_date": None}, 422),
    ],
)
async def test_bad_session_bodies_are_4xx_never_500(
    api: Api, fields: dict[str, Any], status: int
) -> None:
    response = await api.call("admin", "POST", "/sessions/", json=session_body(api, **fields))
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert (await api.ok("admin", "GET", "/sessions/")) == []


async def test_other_bodies_a_client_can_get_wrong(api: Api) -> None:
    session = await api.new_session()
    path = f"/sessions/{session['id']}"
    malformed = await api.client.put(
        path,
        content=b'{"title": ',
        headers={**api.headers("admin"), "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert (await api.call("admin", "PUT", path, json={"trainer_id": 999_999})).status_code == 422
    wrong_role = await api.call("admin", "PUT", path, json={"trainer_id": api.id_of("trainee")})
    assert wrong_role.status_code == 400
    not_trainee = await api.call(
        "admin", "PUT", path, json={"trainees": [api.id_of("other_trainer")]}
    )
    assert not_trainee.status_code == 400
    too_many = await api.call("admin", "PUT", path, json={"trainees": list(range(1, 100_001))})
    assert too_many.status_code == 422
    out_of_range = await api.call(
        "admin", "GET", "/sessions/", params={"from": "0001-01-01T00:00:00+05:00"}
    )
    assert out_of_range.status_code == 422
    assert (await api.call("admin", "GET", "/sessions/0")).status_code in (404, 422)
    assert (await api.call("admin", "GET", "/sessions/abc")).status_code in (404, 422)
    assert (await api.call("admin", "GET", "/sessions/424242")).status_code == 404
    audit = await api.call("admin", "GET", "/audit/", params={"target_id": 2**70})
    assert audit.status_code == 422
    assignment = await api.call(
        "admin", "POST", "/assignments/", json={"student_id": 2**63, "teacher_id": 1}
    )
    assert assignment.status_code == 422
    mark = await api.call(
        "admin",
        "POST",
        "/attendance/",
        json={"session_id": session["id"], "trainee_id": 2**70, "present": True},
    )
    assert mark.status_code == 422
    no_present = await api.call("admin", "POST", "/attendance/", json={"session_id": 1})
    assert no_present.status_code == 422
    long_link = await api.call("trainee", "GET", "/join/" + "a" * 300)
    assert long_link.status_code in (404, 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sessions/99999999999999999999"),
        ("GET", "/sessions/?skip=99999999999999999999"),
        ("POST", "/sessions/99999999999999999999/trainees/1"),
        ("DELETE", "/assignments/99999999999999999999/1"),
        ("GET", "/progress/trainee/99999999999999999999"),
    ],
)
async def test_huge_ids_in_paths_are_4xx(api: Api, method: str, path: str) -> None:
    response = await api.call("admin", method, path)
    assert 400 <= response.status_code < 500, response.text


# Enrolment and join links


async def test_enrolment_endpoints(api: Api) -> None:
    session = await api.new_session(trainees=[])
    path = f"/sessions/{session['id']}/trainees/{api.id_of('trainee')}"
    added = await api.call("trainer", "POST", path)
    assert (added.status_code, set(added.json())) == (200, {"message"})
    assert (await api.call("admin", "POST", path)).status_code == 409
    not_trainee = f"/sessions/{session['id']}/trainees/{api.id_of('other_trainer')}"
    assert (await api.call("admin", "POST", not_trainee)).status_code == 400
    unknown = f"/sessions/{session['id']}/trainees/999999"
    assert (await api.call("admin", "POST", unknown)).status_code == 404
    got = await api.ok("trainee", "GET", f"/sessions/{session['id']}")
    assert [t["id"] for t in got["trainees"]] == [api.id_of("trainee")]
    removed = await api.call("trainer", "DELETE", path)
    assert (removed.status_code, set(removed.json())) == (200, {"message"})
    assert (await api.call("admin", "DELETE", path)).status_code == 404
    assert (await api.call("trainee", "GET", f"/sessions/{session['id']}")).status_code == 404


async def test_joining_by_link(api: Api) -> None:
    with_link = await api.new_session(trainees=[], class_link="https://meet.example.org/r")
    joined = await api.ok("trainee", "GET", f"/join/{with_link['session_link']}")
    assert set(joined) == {"message", "session", "redirect_to"}
    assert joined["session"] == {
        "id": with_link["id"],
        "title": with_link["title"],
        "class_link": "https://meet.example.org/r",
    }
    assert joined["redirect_to"] == "https://meet.example.org/r"
    again = await api.ok("trainee", "GET", f"/join/{with_link['session_link']}/")
    assert again["session"]["id"] == with_link["id"]
    got = await api.ok("admin", "GET", f"/sessions/{with_link['id']}")
    assert [t["id"] for t in got["trainees"]] == [api.id_of("trainee")]

    no_link = await api.new_session(trainees=[])
    plain = await api.ok("other_trainee", "GET", f"/join/{no_link['session_link']}")
    assert plain["session"] == {"id": no_link["id"], "title": no_link["title"]}
    assert "redirect_to" not in plain

    await api.ok("admin", "PUT", f"/sessions/{no_link['id']}", json={"status": "cancelled"})
    cancelled = await api.call("trainee", "GET", f"/join/{no_link['session_link']}")
    assert cancelled.status_code == 409
    assert (await api.call("trainee", "GET", "/join/no-such-link-at-all")).status_code == 404
    assert (
        await api.call("trainer", "GET", f"/join/{with_link['session_link']}")
    ).status_code == 403


# Assignments


async def test_assignment_endpoints(api: Api) -> None:
    body = {"student_id": api.id_of("trainee"), "teacher_id": api.id_of("trainer")}
    created = await api.call("admin", "POST", "/assignments/", json=body)
    assert created.status_code == 201, created.text
    made = created.json()
    assert set(made) == {"id", "student_id", "teacher_id", "assigned_date"}
    assert (made["student_id"], made["teacher_id"]) == (body["student_id"], body["teacher_id"])
    assert datetime.fromisoformat(made["assigned_date"]).utcoffset() == timedelta(0)
    assert (await api.call("admin", "POST", "/assignments", json=body)).status_code == 409
    swapped = {"student_id": body["teacher_id"], "teacher_id": body["student_id"]}
    assert (await api.call("admin", "POST", "/assignments/", json=swapped)).status_code == 400
    unknown = {"student_id": 999_999, "teacher_id": body["teacher_id"]}
    assert (await api.call("admin", "POST", "/assignments/", json=unknown)).status_code == 404

    for who in ("admin", "trainer", "trainee"):
        listed = await api.ok(who, "GET", "/assignments/")
        assert len(listed) == 1, who
        assert set(listed[0]) == {"id", "student", "teacher", "assigned_date"}
        assert_user(listed[0]["student"], body["student_id"])
        assert_user(listed[0]["teacher"], body["teacher_id"])
    assert await api.ok("other_trainer", "GET", "/assignments") == []
    assert await api.ok("other_trainee", "GET", "/assignments") == []

    path = f"/assignments/{body['student_id']}/{body['teacher_id']}"
    deleted = await api.call("admin", "DELETE", path)
    assert (deleted.status_code, set(deleted.json())) == (200, {"message"})
    assert (await api.call("admin", "DELETE", path)).status_code == 404


# Attendance


async def test_attendance_endpoints(api: Api, clock: FakeClock) -> None:
    session = await api.new_session()
    trainee = api.id_of("trainee")
    mark = {"session_id": session["id"], "trainee_id": trainee, "present": True}
    first = await api.call("trainer", "POST", "/attendance/", json=mark)
    assert first.status_code == 200, first.text
    record = first.json()
    assert set(record) == ATTENDANCE_KEYS
    assert (record["session_id"], record["trainee_id"], record["present"]) == (
        session["id"],
        trainee,
        True,
    )
    assert record["marked_at"] == clock.now().isoformat()
    again = await api.ok(
        "admin",
        "POST",
        "/attendance",
        json={**mark, "present": False, "marked_at": "2026-05-04T09:30:00"},
    )
    assert again["id"] == record["id"]
    assert (again["present"], again["marked_at"]) == (False, "2026-05-04T09:30:00+00:00")
    stranger = {**mark, "trainee_id": api.id_of("other_trainee")}
    assert (await api.call("admin", "POST", "/attendance/", json=stranger)).status_code == 400
    missing = {**mark, "session_id": 424242}
    assert (await api.call("admin", "POST", "/attendance/", json=missing)).status_code == 404

    listing = await api.ok("trainer", "GET", f"/attendance/session/{session['id']}")
    assert len(listing) == 1
    item = listing[0]
    assert set(item) == {"id", "session", "trainee", "present", "marked_at"}
    assert set(item["session"]) == SESSION_KEYS - {"trainees"} - BOOKING_KEYS
    assert item["session"]["id"] == session["id"]
    assert_user(item["trainee"], trainee)
    assert (item["id"], item["present"]) == (record["id"], False)
    assert await api.ok("trainee", "GET", f"/attendance/trainee/{trainee}/") == listing
    assert await api.ok("admin", "GET", f"/attendance/trainee/{api.id_of('other_trainee')}") == []

    path = f"/attendance/{record['id']}"
    by_query = await api.ok("trainer", "PUT", f"{path}?present=true")
    assert (set(by_query), by_query["present"]) == (ATTENDANCE_KEYS, True)
    by_body = await api.ok("trainer", "PUT", path, json={"present": False})
    assert by_body["present"] is False
    assert (await api.call("trainer", "PUT", path)).status_code == 422
    assert (await api.call("admin", "PUT", "/attendance/424242?present=true")).status_code == 404
    deleted = await api.call("admin", "DELETE", path)
    assert (deleted.status_code, set(deleted.json())) == (200, {"message"})
    assert (await api.call("admin", "DELETE", path)).status_code == 404
    assert await api.ok("admin", "GET", f"/attendance/session/{session['id']}") == []


# Progress, trainers' trainees, analytics, audit


async def test_progress_endpoints(api: Api, clock: FakeClock) -> None:
    trainee, trainer = api.id_of("trainee"), api.id_of("trainer")
    now = clock.now()
    sessions = [
        await api.new_session(scheduled_date=(now - timedelta(hours=48 - 3 * i)).isoformat())
        for i in range(3)
    ]
    long_ago = await api.new_session(
        trainees=[api.id_of("other_trainee")],
        scheduled_date=(now - timedelta(days=40)).isoformat(),
    )
    await api.ok(
        "admin", "POST", "/assignments/", json={"student_id": trainee, "teacher_id": trainer}
    )
    for session in sessions[:2]:
        await api.ok(
            "trainer",
            "POST",
            "/attendance/",
            json={"session_id": session["id"], "trainee_id": trainee, "present": True},
        )
    await api.ok("admin", "PUT", f"/sessions/{sessions[1]['id']}", json={"status": "cancelled"})

    progress = await api.ok("trainee", "GET", f"/progress/trainee/{trainee}")
    assert set(progress) == PROGRESS_KEYS
    assert_user(progress["trainee"], trainee)
    assert (
        progress["trainee_id"],
        progress["total_sessions"],
        progress["attended_sessions"],
        progress["progress_percentage"],
    ) == (trainee, 2, 1, 50.0)
    assert (await api.ok("trainer", "GET", f"/progress/trainee/{trainee}/")) == progress

    mine = await api.ok("trainer", "GET", f"/progress/trainer/{trainer}")
    assert [(p["trainee_id"], p["progress_percentage"]) for p in mine] == [
        (trainee, 50.0),
        (api.id_of("other_trainee"), 0.0),
    ]
    assert all(set(p) == PROGRESS_KEYS for p in mine)
    assert await api.ok("admin", "GET", f"/progress/trainer/{api.id_of('other_trainer')}") == []

    trainees = await api.ok("trainer", "GET", f"/trainers/{trainer}/trainees")
    assert [o["trainee"]["id"] for o in trainees] == [trainee, api.id_of("other_trainee")]
    first, second = trainees
    assert set(first) == {"trainee", "sessions", "sessions_count", "last_active", "status"}
    assert_user(first["trainee"], trainee)
    assert [s["id"] for s in first["sessions"]] == [s["id"] for s in sessions]
    assert all(set(s) == {"id", "title", "created_at"} for s in first["sessions"])
    assert first["sessions_count"] == 3
    # Both signed in and were enrolled just now (activity in detail: test_trainee_activity).
    assert (first["last_active"], first["status"]) == (now.isoformat(), "active")
    assert [s["id"] for s in second["sessions"]] == [long_ago["id"]]
    assert (second["last_active"], second["status"]) == (now.isoformat(), "active")
    assert (await api.ok("admin", "GET", f"/trainers/{trainer}/trainees/")) == trainees
    assert (await api.call("admin", "GET", "/progress/trainee/999999")).status_code == 404
    assert (await api.call("admin", "GET", f"/progress/trainee/{trainer}")).status_code == 400


async def test_analytics_endpoints(api: Api, clock: FakeClock, sql_container: Container) -> None:
    done = await api.new_session(
        trainees=[api.id_of("trainee"), api.id_of("other_trainee")],
        scheduled_date=at(-50).isoformat(),
        duration_minutes=90,
    )
    await api.ok(
        "trainer",
        "POST",
        "/attendance/",
        json={"session_id": done["id"], "trainee_id": api.id_of("trainee"), "present": True},
    )
    await api.ok("admin", "PUT", f"/sessions/{done['id']}", json={"status": "completed"})
    soon = await api.new_session(scheduled_date=at(2).isoformat())

    assert await api.ok("admin", "GET", "/analytics/users") == {
        "admin": 1,
        "trainer": 2,
        "trainee": 3,
    }
    assert await api.ok("admin", "GET", "/analytics/sessions/") == {
        "scheduled": 1,
        "completed": 1,
        "cancelled": 0,
    }
    overview = await api.ok("admin", "GET", "/analytics/overview")
    assert set(overview) == {
        "users_by_role",
        "sessions_by_status",
        "attendance_rate",
        "trainers",
        "upcoming",
        "trainees_without_sessions",
        "courses",
    }
    assert overview["users_by_role"] == {"admin": 1, "trainer": 2, "trainee": 3}
    assert overview["sessions_by_status"] == {"scheduled": 1, "completed": 1, "cancelled": 0}
    assert overview["attendance_rate"] == 50.0
    trainers = {t["trainer_id"]: t for t in overview["trainers"]}
    assert set(trainers) == {api.id_of("trainer"), api.id_of("other_trainer")}
    assert trainers[api.id_of("trainer")] == {
        "trainer_id": api.id_of("trainer"),
        "name": "Tom Doe",
        "sessions": 2,
        "hours": 1.5,
        "attendance_rate": 50.0,
    }
    assert overview["upcoming"] == [
        {
            "id": soon["id"],
            "title": soon["title"],
            "scheduled_date": soon["scheduled_date"],
            "trainer_id": api.id_of("trainer"),
            "trainees": [api.id_of("trainee")],
        }
    ]
    assert overview["trainees_without_sessions"] == 1
    assert overview["courses"] == {"published": 0, "enrolments": 0, "completion_rate": 0.0}

    # Courses: published ones, enrolments, and the share completed (Pia has done all
    # three lessons, Paul one, Pete's draft course counts among the enrolments).
    published = await add_course(sql_container, "CRS-0001", "Forklift", lessons=3)
    draft = await add_course(sql_container, "CRS-0002", "Welding", status=CourseStatus.DRAFT)
    await enrol(sql_container, published, api.id_of("trainee"), completed=3)
    await enrol(sql_container, published, api.id_of("other_trainee"), completed=1)
    await enrol(sql_container, draft, api.id_of("third_trainee"))
    overview = await api.ok("admin", "GET", "/analytics/overview")
    assert overview["courses"] == {"published": 1, "enrolments": 3, "completion_rate": 33.33}


async def test_audit_endpoint_lists_newest_first_with_filters(api: Api, clock: FakeClock) -> None:
    session = await api.new_session()
    clock.advance(minutes=5)
    await api.ok("trainer", "PUT", f"/sessions/{session['id']}", json={"title": "Renamed"})
    clock.advance(minutes=5)
    await api.ok(
        "admin",
        "POST",
        "/assignments/",
        json={"student_id": api.id_of("trainee"), "teacher_id": api.id_of("trainer")},
    )
    entries = await api.ok("admin", "GET", "/audit/")
    # The sign-ins of the test's cast (user.signed_in) are left aside.
    assert [e["action"] for e in entries if e["action"] != "user.signed_in"] == [
        "assignment.created",
        "session.updated",
        "session.created",
    ]
    assert all(set(e) == AUDIT_KEYS for e in entries)
    updated = entries[1]
    assert (updated["actor_id"], updated["actor"]) == (api.id_of("trainer"), "tom")
    assert (updated["target_type"], updated["target_id"]) == ("session", session["id"])
    assert updated["changes"] == {"title": ["Python basics", "Renamed"]}
    assert updated["at"] == at(-72, minutes=5).isoformat()
    assert updated["client_address"]

    async def actions(**params: Any) -> list[str]:
        found = await api.ok("admin", "GET", "/audit", params=params)
        return [e["action"] for e in found if e["action"] != "user.signed_in"]

    assert await actions(actor_id=api.id_of("trainer")) == ["session.updated"]
    assert await actions(action="session.created") == ["session.created"]
    assert await actions(target_type="session", target_id=session["id"]) == [
        "session.updated",
        "session.created",
    ]
    assert await actions(**{"from": at(-72, minutes=5).isoformat()}) == [
        "assignment.created",
        "session.updated",
    ]
    assert await actions(**{"to": "2026-05-01T09:05:00"}) == ["session.created"]
    assert await actions(skip=1, limit=1) == ["session.updated"]
    for method in ("POST", "PUT", "DELETE"):
        assert (await api.call("admin", method, "/audit/")).status_code in (404, 405)


# Trailing slashes


async def test_every_training_path_answers_with_or_without_its_trailing_slash(api: Api) -> None:
    session = await api.new_session()
    record = await api.ok(
        "admin",
        "POST",
        "/attendance/",
        json={"session_id": session["id"], "trainee_id": api.id_of("trainee"), "present": True},
    )
    trainer, trainee = api.id_of("trainer"), api.id_of("trainee")
    paths = [
        "/sessions",
        f"/sessions/{session['id']}",
        "/assignments",
        f"/attendance/session/{session['id']}",
        f"/progress/trainee/{trainee}",
        f"/progress/trainer/{trainer}",
        f"/trainers/{trainer}/trainees",
        "/analytics/users",
        "/analytics/sessions",
        "/analytics/overview",
        "/audit",
        f"/join/{session['session_link']}",
    ]
    for path in paths:
        who = "trainee" if path.startswith("/join") else "admin"
        bare, slashed = await api.call(who, "GET", path), await api.call(who, "GET", path + "/")
        assert bare.status_code == slashed.status_code == 200, path
    for suffix in ("", "/"):
        other = await api.new_session(trainees=[])
        base = f"/sessions/{other['id']}"
        assert (await api.call("admin", "PUT", base + suffix, json={})).status_code == 200
        enrol = f"{base}/trainees/{trainee}{suffix}"
        assert (await api.call("admin", "POST", enrol)).status_code == 200
        assert (await api.call("admin", "DELETE", enrol)).status_code == 200
        assignment = {"student_id": trainee, "teacher_id": trainer}
        assert (
            await api.call("admin", "POST", "/assignments" + suffix, json=assignment)
        ).status_code == 201
        unassign = f"/assignments/{trainee}/{trainer}{suffix}"
        assert (await api.call("admin", "DELETE", unassign)).status_code == 200
        mark = {"session_id": session["id"], "trainee_id": trainee, "present": True}
        assert (await api.call("admin", "POST", "/attendance" + suffix, json=mark)).status_code == (
            200
        )
        put = f"/attendance/{record['id']}{suffix}?present=false"
        assert (await api.call("admin", "PUT", put)).status_code == 200
        assert (await api.call("admin", "DELETE", base + suffix)).status_code == 200
    created = await api.call(
        "admin", "POST", "/sessions", json=session_body(api, trainer_id=trainer)
    )
    assert created.status_code == 201
    gone = await api.call("admin", "DELETE", f"/attendance/{record['id']}/")
    assert gone.status_code == 200


# Who may call what


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    expected: tuple[int, int, int, int, int, int]
    """admin, trainer (of the session), other trainer, trainee (enrolled), other trainee,
    anonymous."""
    body: Callable[[World], dict[str, Any]] | None = None


@dataclass
class World:
    """Fresh things for one call: a session of the trainer with the trainee enrolled and
    marked, the trainee assigned to the trainer."""

    session: dict[str, Any]
    attendance_id: int
    ids: dict[str, int]
    start: str


CASES = [
    Case("list sessions", "GET", "/sessions/", (200, 200, 200, 200, 200, 401)),
    Case("read session", "GET", "/sessions/{session}", (200, 200, 404, 200, 404, 401)),
    Case(
        "create session",
        "POST",
        "/sessions/",
        (201, 201, 403, 403, 403, 401),
        lambda w: {
            "title": "New",
            "trainer_id": w.ids["trainer"],
            "scheduled_date": w.start,
            "duration_minutes": 30,
        },
    ),
    Case(
        "update session",
        "PUT",
        "/sessions/{session}",
        (200, 200, 404, 403, 404, 401),
        lambda w: {"title": "Changed"},
    ),
    Case("delete session", "DELETE", "/sessions/{session}", (200, 403, 404, 403, 404, 401)),
    Case(
        "enrol trainee",
        "POST",
        "/sessions/{session}/trainees/{third_trainee}",
        (200, 200, 404, 403, 404, 401),
    ),
    Case(
        "remove trainee",
        "DELETE",
        "/sessions/{session}/trainees/{trainee}",
        (200, 200, 404, 403, 404, 401),
    ),
    Case("join by link", "GET", "/join/{link}", (403, 403, 403, 200, 200, 401)),
    Case("list assignments", "GET", "/assignments/", (200, 200, 200, 200, 200, 401)),
    Case(
        "create assignment",
        "POST",
        "/assignments/",
        (201, 403, 403, 403, 403, 401),
        lambda w: {"student_id": w.ids["third_trainee"], "teacher_id": w.ids["trainer"]},
    ),
    Case(
        "delete assignment",
        "DELETE",
        "/assignments/{trainee}/{trainer}",
        (200, 403, 403, 403, 403, 401),
    ),
    Case(
        "list attendance",
        "GET",
        "/attendance/session/{session}",
        (200, 200, 404, 403, 404, 401),
    ),
    Case(
        "trainee's attendance",
        "GET",
        "/attendance/trainee/{trainee}",
        (200, 200, 403, 200, 403, 401),
    ),
    Case(
        "mark attendance",
        "POST",
        "/attendance/",
        (200, 200, 404, 403, 404, 401),
        lambda w: {"session_id": w.session["id"], "trainee_id": w.ids["trainee"], "present": True},
    ),
    Case(
        "update attendance",
        "PUT",
        "/attendance/{attendance}?present=false",
        (200, 200, 404, 403, 404, 401),
    ),
    Case("delete attendance", "DELETE", "/attendance/{attendance}", (200, 403, 403, 403, 403, 401)),
    Case(
        "trainee progress",
        "GET",
        "/progress/trainee/{trainee}",
        (200, 200, 403, 200, 403, 401),
    ),
    Case(
        "trainer progress",
        "GET",
        "/progress/trainer/{trainer}",
        (200, 200, 403, 403, 403, 401),
    ),
    Case(
        "trainer's trainees",
        "GET",
        "/trainers/{trainer}/trainees",
        (200, 200, 403, 403, 403, 401),
    ),
    Case("users by role", "GET", "/analytics/users", (200, 403, 403, 403, 403, 401)),
    Case("sessions by status", "GET", "/analytics/sessions", (200, 403, 403, 403, 403, 401)),
    Case("overview", "GET", "/analytics/overview", (200, 403, 403, 403, 403, 401)),
    Case("audit", "GET", "/audit/", (200, 403, 403, 403, 403, 401)),
]


async def fresh_world(api: Api, *, third_trainee: int) -> World:
    session = await api.new_session()
    record = await api.ok(
        "admin",
        "POST",
        "/attendance/",
        json={"session_id": session["id"], "trainee_id": api.id_of("trainee"), "present": True},
    )
    ids = {who: api.id_of(who) for who in ACTORS[:-1]}
    ids["third_trainee"] = third_trainee
    assignment = {"student_id": ids["trainee"], "teacher_id": ids["trainer"]}
    response = await api.call("admin", "POST", "/assignments/", json=assignment)
    assert response.status_code in (201, 409)
    unassign = f"/assignments/{third_trainee}/{ids['trainer']}"
    assert (await api.call("admin", "DELETE", unassign)).status_code in (200, 404)
    return World(session, int(record["id"]), ids, api.next_start())


async def test_permission_matrix(api: Api) -> None:
    third = api.id_of("third_trainee")
    shared = await fresh_world(api, third_trainee=third)
    mismatches = []
    for case in CASES:
        # Reading changes nothing, so reads share one world; anything else gets its own.
        reads = case.method == "GET" and not case.path.startswith("/join")
        for who, expected in zip(ACTORS, case.expected, strict=True):
            world = shared if reads else await fresh_world(api, third_trainee=third)
            path = case.path.format(
                session=world.session["id"],
                link=world.session["session_link"],
                attendance=world.attendance_id,
                **world.ids,
            )
            body = case.body(world) if case.body else None
            response = await api.call(who, case.method, path, json=body)
            if response.status_code != expected:
                mismatches.append((case.name, who, expected, response.status_code, response.text))
            if response.status_code >= 400:
                assert set(response.json()) >= {"detail"}, (case.name, who)
            assert_no_secrets(response)
    assert mismatches == []


async def test_a_trainee_sees_only_their_own_sessions(api: Api) -> None:
    mine = await api.new_session()
    theirs = await api.new_session(trainees=[api.id_of("other_trainee")])
    assert [s["id"] for s in await api.ok("trainee", "GET", "/sessions/")] == [mine["id"]]
    assert [s["id"] for s in await api.ok("other_trainee", "GET", "/sessions")] == [theirs["id"]]
    hidden = await api.call("trainee", "GET", f"/sessions/{theirs['id']}")
    missing = await api.call("trainee", "GET", "/sessions/424242")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()

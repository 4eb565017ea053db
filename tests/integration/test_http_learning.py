"""Courses and learning (API.md part two) through a real `tms serve`: authoring, publishing,
enrolment, completion, progress and a trainee's courses, and every bad input of the
learning area answered with its 4xx, never a 500. Completions raced at once keep one
record, on SQLite and on MariaDB."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from test_security_server import ADMIN_PASSWORD, USER_PASSWORD, server_env

from conftest import require_mariadb
from servers import TmsServer
from support import USER_KEYS

COURSE_KEYS = {
    "id",
    "code",
    "title",
    "description",
    "category",
    "difficulty",
    "estimated_minutes",
    "certificate_valid_months",
    "status",
    "owner_id",
    "modules",
    "created_at",
    "updated_at",
    "published_at",
    "skills",
}
LESSON_KEYS = {
    "id",
    "module_id",
    "title",
    "kind",
    "body",
    "body_html",
    "video_url",
    "file",
    "session_id",
    "session_ids",
    "duration_minutes",
    "position",
    "assessment",
}
ENROLMENT_KEYS = {
    "course_id",
    "trainee",
    "batch_id",
    "due_date",
    "assigned_at",
    "status",
    "completed_lessons",
    "total_lessons",
    "progress_percentage",
    "completed_at",
}
PEOPLE = (("tom", "trainer"), ("tina", "trainer"), ("pia", "trainee"), ("paul", "trainee"))


@dataclass
class Api:
    client: httpx.AsyncClient
    tokens: dict[str, str]
    ids: dict[str, int]

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    async def status(self, who: str, method: str, path: str, **kwargs: Any) -> int:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code < 500, response.text
        return response.status_code

    async def course(self, who: str = "tom", lessons: int = 2, **fields: Any) -> dict[str, Any]:
        """A draft course of one module with ``lessons`` text lessons, as GET answers it."""
        course = await self.ok(who, "POST", "/courses/", json={"title": "Fire safety", **fields})
        module = await self.ok(
            who, "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
        )
        for index in range(lessons):
            await self.ok(
                who,
                "POST",
                f"/modules/{module['id']}/lessons",
                json={"title": f"Part {index}", "kind": "text", "body": f"Read **{index}**"},
            )
        got: dict[str, Any] = await self.ok(who, "GET", f"/courses/{course['id']}")
        return got


def _seed(base_url: str) -> tuple[dict[str, str], dict[str, int]]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        login = http.post("/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        tokens = {"admin": login.json()["access_token"]}
        ids = {"admin": login.json()["user"]["id"]}
        for name, role in PEOPLE:
            created = http.post(
                "/users/",
                headers={"Authorization": f"Bearer {tokens['admin']}"},
                json={
                    "username": name,
                    "email": f"{name}@example.org",
                    "first_name": name.title(),
                    "last_name": "Doe",
                    "role": role,
                    "password": USER_PASSWORD,
                    "is_temporary_password": False,
                },
            )
            assert created.status_code == 201, created.text
            ids[name] = created.json()["user"]["id"]
            signed = http.post("/auth/login", json={"username": name, "password": USER_PASSWORD})
            tokens[name] = signed.json()["access_token"]
        # Tina is assigned Paul: she may enrol him in courses she does not own.
        assigned = http.post(
            "/assignments/",
            headers={"Authorization": f"Bearer {tokens['admin']}"},
            json={"student_id": ids["paul"], "teacher_id": ids["tina"]},
        )
        assert assigned.status_code in (200, 201), assigned.text
    return tokens, ids


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("learning")
    server = TmsServer(
        server_env(f"sqlite+aiosqlite:///{directory / 'tms.db'}", directory), directory
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def seeded(sqlite_server: TmsServer) -> tuple[dict[str, str], dict[str, int]]:
    return _seed(sqlite_server.url)


@pytest.fixture
async def api(
    sqlite_server: TmsServer, seeded: tuple[dict[str, str], dict[str, int]]
) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=sqlite_server.url, timeout=30) as client:
        yield Api(client, *seeded)


async def test_author_publish_enrol_complete_and_follow_progress(api: Api) -> None:
    course = await api.ok(
        "tom",
        "POST",
        "/courses",
        json={"title": "Ladders", "category": "Safety", "difficulty": "beginner"},
    )
    assert set(course) == COURSE_KEYS
    assert (course["status"], course["owner_id"], course["modules"]) == (
        "draft",
        api.ids["tom"],
        [],
    )
    assert course["code"] == f"CRS-{course['id']:04d}"
    module = await api.ok("tom", "POST", f"/courses/{course['id']}/modules/", json={"title": "One"})
    assert (module["position"], module["lessons"]) == (1, [])
    text = await api.ok(
        "tom",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "Climb <script>alert(1)</script>"},
    )
    assert set(text) == LESSON_KEYS
    assert text["body"] == "Climb <script>alert(1)</script>"
    assert "<script>" not in text["body_html"]
    assert text["file"] is None
    video = await api.ok(
        "tom",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Watch", "kind": "video", "video_url": "https://video.example.org/l1"},
    )
    session = await api.ok(
        "tom",
        "POST",
        "/sessions/",
        json={
            "title": "Ladder drill",
            "trainer_id": api.ids["tom"],
            "trainees": [api.ids["pia"]],
            "scheduled_date": "2026-06-01T09:00:00+00:00",
            "duration_minutes": 60,
        },
    )
    live = await api.ok(
        "tom",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Drill", "kind": "session", "session_id": session["id"]},
    )
    assert (live["session_id"], live["session_ids"], live["position"]) == (
        session["id"],
        [session["id"]],
        3,
    )
    published = await api.ok("tom", "POST", f"/courses/{course['id']}/publish")
    assert published["status"] == "published"
    assert published["published_at"]
    assert [lesson["id"] for lesson in published["modules"][0]["lessons"]] == [
        text["id"],
        video["id"],
        live["id"],
    ]

    counts = await api.ok(
        "tom",
        "POST",
        f"/courses/{course['id']}/enrolments",
        json={"trainee_ids": [api.ids["pia"]], "due_date": "2026-12-31"},
    )
    assert counts == {"enrolled": 1, "already_enrolled": 0}
    again = await api.ok(
        "tom",
        "POST",
        f"/courses/{course['id']}/enrolments/",
        json={"trainee_ids": [api.ids["pia"]]},
    )
    assert again == {"enrolled": 0, "already_enrolled": 1}

    listed = await api.ok("pia", "GET", "/courses/?status=published")
    assert course["id"] in [c["id"] for c in listed]
    assert all("modules" not in c for c in listed)
    seen = await api.ok("pia", "GET", f"/courses/{course['id']}")
    assert len(seen["modules"][0]["lessons"]) == 3

    done = await api.ok("pia", "POST", f"/lessons/{text['id']}/complete")
    # Beyond API.md: the trainee's own answers name the lessons they completed.
    assert set(done) == ENROLMENT_KEYS | {"completed_lesson_ids"}
    assert done["completed_lesson_ids"] == [text["id"]]
    assert set(done["trainee"]) == USER_KEYS
    assert (done["completed_lessons"], done["total_lessons"], done["status"]) == (
        1,
        3,
        "in_progress",
    )
    assert done["progress_percentage"] == pytest.approx(33.3)
    assert done["due_date"] == "2026-12-31"
    # The session lesson is completed by attendance, not by hand.
    assert await api.status("pia", "POST", f"/lessons/{live['id']}/complete") == 409
    await api.ok(
        "tom",
        "POST",
        "/attendance/",
        json={"session_id": session["id"], "trainee_id": api.ids["pia"], "present": True},
    )
    await api.ok("pia", "POST", f"/lessons/{video['id']}/complete/")
    [row] = await api.ok("tom", "GET", f"/courses/{course['id']}/enrolments?limit=100")
    assert set(row) == ENROLMENT_KEYS
    assert (row["completed_lessons"], row["status"], row["progress_percentage"]) == (
        3,
        "completed",
        100.0,
    )
    assert row["completed_at"]

    mine = await api.ok("pia", "GET", f"/progress/trainee/{api.ids['pia']}/courses")
    [entry] = [c for c in mine["courses"] if c["course_id"] == course["id"]]
    assert set(entry) == ENROLMENT_KEYS | {"course", "completed_lesson_ids"}
    assert entry["completed_lesson_ids"] == sorted([text["id"], video["id"], live["id"]])
    assert entry["course"] == {"id": course["id"], "code": course["code"], "title": "Ladders"}
    assert set(mine["statistics"]) == {
        "total_enrolled",
        "completed",
        "in_progress",
        "not_started",
        "average_progress",
    }
    assert mine["statistics"]["completed"] >= 1
    undone = await api.ok("pia", "DELETE", f"/lessons/{video['id']}/complete")
    assert (undone["completed_lessons"], undone["status"]) == (2, "in_progress")
    assert undone["completed_lesson_ids"] == sorted([text["id"], live["id"]])
    # Progress is for the trainee, their assigned trainers and admins.
    assert await api.status("paul", "GET", f"/progress/trainee/{api.ids['pia']}/courses") == 403
    assert await api.status("admin", "GET", f"/progress/trainee/{api.ids['pia']}/courses") == 200


async def test_editing_modules_lessons_and_order(api: Api) -> None:
    course = await api.course(lessons=3)
    module = course["modules"][0]
    first, second, third = (lesson["id"] for lesson in module["lessons"])
    other = await api.ok(
        "tom", "POST", f"/courses/{course['id']}/modules", json={"title": "Two", "position": 1}
    )
    assert other["position"] == 1
    ordered = await api.ok(
        "tom",
        "PUT",
        f"/courses/{course['id']}/order",
        json={
            "modules": [
                {"id": module["id"], "lessons": [third, first]},
                {"id": other["id"], "lessons": [second]},
            ]
        },
    )
    assert [(m["id"], [x["id"] for x in m["lessons"]]) for m in ordered["modules"]] == [
        (module["id"], [third, first]),
        (other["id"], [second]),
    ]
    renamed = await api.ok("tom", "PUT", f"/modules/{other['id']}", json={"title": "Second"})
    assert renamed["title"] == "Second"
    changed = await api.ok(
        "tom", "PUT", f"/lessons/{first}", json={"title": "First!", "body": "New", "position": 1}
    )
    assert (changed["title"], changed["body_html"], changed["position"]) == (
        "First!",
        "<p>New</p>",
        1,
    )
    moved = await api.ok("tom", "PUT", f"/lessons/{third}", json={"module_id": other["id"]})
    assert (moved["module_id"], moved["position"]) == (other["id"], 2)
    assert (await api.ok("tom", "DELETE", f"/lessons/{third}"))["message"]
    assert (await api.ok("tom", "DELETE", f"/modules/{other['id']}"))["message"]
    after = await api.ok("tom", "GET", f"/courses/{course['id']}")
    assert [[x["id"] for x in m["lessons"]] for m in after["modules"]] == [[first]]
    updated = await api.ok(
        "tom",
        "PUT",
        f"/courses/{course['id']}",
        json={"title": "Fire drills", "status": "published"},
    )
    assert (updated["title"], updated["status"]) == ("Fire drills", "published")
    assert (await api.ok("tom", "PUT", f"/courses/{course['id']}", json={"status": "archived"}))[
        "status"
    ] == "archived"
    assert (
        await api.status("tom", "PUT", f"/courses/{course['id']}", json={"status": "draft"}) == 409
    )
    assert (await api.ok("tom", "DELETE", f"/courses/{course['id']}"))["message"]
    assert await api.status("tom", "GET", f"/courses/{course['id']}") == 404


async def test_bad_input_is_refused_with_its_4xx(api: Api) -> None:
    empty = await api.ok("tom", "POST", "/courses/", json={"title": "Nothing yet"})
    response = await api.call("tom", "POST", f"/courses/{empty['id']}/publish")
    assert response.status_code == 422, response.text
    assert "lesson" in response.json()["detail"].lower() or response.json()["errors"]

    mine, theirs = await api.course(), await api.course(who="tina")
    mine_module = mine["modules"][0]
    mine_lessons = [lesson["id"] for lesson in mine_module["lessons"]]
    foreign = theirs["modules"][0]["lessons"][0]["id"]
    for lessons in ([*mine_lessons, foreign], mine_lessons[:1], [mine_lessons[0], *mine_lessons]):
        response = await api.call(
            "tom",
            "PUT",
            f"/courses/{mine['id']}/order",
            json={"modules": [{"id": mine_module["id"], "lessons": lessons}]},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"]
    response = await api.call(
        "tom",
        "PUT",
        f"/courses/{mine['id']}/order",
        json={"modules": [{"id": theirs["modules"][0]["id"], "lessons": mine_lessons}]},
    )
    assert response.status_code == 422

    for url in ("javascript:alert(1)", "http://video.example.org/a", "JavaScript:x", "https://"):
        response = await api.call(
            "tom",
            "POST",
            f"/modules/{mine_module['id']}/lessons",
            json={"title": "Film", "kind": "video", "video_url": url},
        )
        assert response.status_code == 422, (url, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["video_url"]
        response = await api.call(
            "tom", "PUT", f"/lessons/{mine_lessons[0]}", json={"kind": "video", "video_url": url}
        )
        assert response.status_code == 422, (url, response.text)
    assert await api.status(
        "tom",
        "POST",
        f"/modules/{mine_module['id']}/lessons",
        json={"title": "Quiz", "kind": "assessment"},
    ) in (400, 422)
    assert (
        await api.status(
            "tom",
            "POST",
            f"/modules/{mine_module['id']}/lessons",
            json={"title": "Live", "kind": "session", "session_ids": [987654]},
        )
        == 422
    )
    response = await api.call(
        "tom", "POST", f"/courses/{mine['id']}/enrolments", json={"batch_ids": [1]}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["batch_ids"]
    assert (
        await api.status(
            "tom",
            "POST",
            f"/courses/{mine['id']}/enrolments",
            json={"trainee_ids": [api.ids["tina"]]},
        )
        == 422
    )
    assert (
        await api.status(
            "tom", "POST", f"/courses/{mine['id']}/enrolments", json={"due_date": "soon"}
        )
        == 422
    )
    code = (await api.ok("tom", "POST", "/courses/", json={"title": "Coded", "code": "Lad-1"}))[
        "code"
    ]
    assert (
        await api.status("tom", "POST", "/courses/", json={"title": "Again", "code": code.upper()})
        == 409
    )


async def test_completion_needs_a_published_course_and_an_enrolment(api: Api) -> None:
    course = await api.course()
    lesson = course["modules"][0]["lessons"][0]["id"]
    await api.ok(
        "tom", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [api.ids["pia"]]}
    )
    # Enrolled, but the course is a draft: as if it did not exist.
    assert await api.status("pia", "POST", f"/lessons/{lesson}/complete") == 404
    assert await api.status("pia", "GET", f"/courses/{course['id']}") == 404
    await api.ok("tom", "POST", f"/courses/{course['id']}/publish")
    # Published, but Paul is not enrolled: 404 too.
    assert await api.status("paul", "POST", f"/lessons/{lesson}/complete") == 404
    assert await api.status("paul", "GET", f"/courses/{course['id']}") == 404
    assert await api.status("pia", "POST", "/lessons/987654/complete") == 404
    # Staff do not complete lessons for trainees.
    assert await api.status("tom", "POST", f"/lessons/{lesson}/complete") == 404


async def test_concurrent_completions_keep_one_record(api: Api) -> None:
    await race_completions(api)


async def test_a_course_with_enrolments_is_archived_instead_of_deleted(api: Api) -> None:
    course = await api.course()
    await api.ok("tom", "POST", f"/courses/{course['id']}/publish")
    await api.ok(
        "tom", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [api.ids["pia"]]}
    )
    response = await api.call("tom", "DELETE", f"/courses/{course['id']}")
    assert response.status_code == 409
    assert "archive" in response.json()["detail"]
    archived = await api.ok("tom", "POST", f"/courses/{course['id']}/archive")
    assert archived["status"] == "archived"
    assert await api.status("pia", "GET", f"/courses/{course['id']}") == 404
    assert course["id"] not in [c["id"] for c in await api.ok("pia", "GET", "/courses/")]


async def test_who_may_do_what(api: Api) -> None:
    course = await api.course()
    path = f"/courses/{course['id']}"
    lesson = course["modules"][0]["lessons"][0]["id"]
    # Another trainer reads every course but changes none of Tom's.
    assert await api.status("tina", "GET", path) == 200
    assert await api.status("tina", "PUT", path, json={"title": "Mine"}) == 403
    assert await api.status("tina", "POST", f"{path}/publish") == 403
    assert await api.status("tina", "DELETE", f"/lessons/{lesson}") == 403
    assert (
        await api.status(
            "tina", "POST", "/courses/", json={"title": "x", "owner_id": api.ids["tom"]}
        )
        == 403
    )
    # Trainees neither see drafts nor author.
    assert await api.status("pia", "PUT", path, json={"title": "Mine"}) == 404
    assert await api.status("pia", "POST", "/courses/", json={"title": "Mine"}) == 403
    # Tina enrols her assigned trainee (Paul) but not Pia, and sees only Paul's enrolment.
    enrolments = f"{path}/enrolments"
    assert (
        await api.status("tina", "POST", enrolments, json={"trainee_ids": [api.ids["pia"]]}) == 403
    )
    await api.ok("tina", "POST", enrolments, json={"trainee_ids": [api.ids["paul"]]})
    await api.ok("tom", "POST", enrolments, json={"trainee_ids": [api.ids["pia"]]})
    assert [e["trainee"]["id"] for e in await api.ok("tina", "GET", enrolments)] == [
        api.ids["paul"]
    ]
    assert len(await api.ok("tom", "GET", enrolments)) == 2
    assert await api.status("pia", "GET", enrolments) == 404
    assert await api.status("tina", "DELETE", f"{enrolments}/{api.ids['pia']}") == 403
    await api.ok("tina", "DELETE", f"{enrolments}/{api.ids['paul']}")
    assert await api.status("tom", "DELETE", f"{enrolments}/{api.ids['paul']}") == 404
    assert await api.status("tom", "GET", "/courses/?limit=0") in (400, 422)


async def race_completions(api: Api) -> None:
    course = await api.course(lessons=2)
    await api.ok("tom", "POST", f"/courses/{course['id']}/publish")
    await api.ok(
        "tom", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [api.ids["pia"]]}
    )
    lesson = course["modules"][0]["lessons"][0]["id"]
    answers = await asyncio.gather(
        *(api.call("pia", "POST", f"/lessons/{lesson}/complete") for _ in range(6))
    )
    assert [a.status_code for a in answers] == [200] * 6
    assert {a.json()["completed_lessons"] for a in answers} == {1}
    [row] = await api.ok("tom", "GET", f"/courses/{course['id']}/enrolments")
    assert row["completed_lessons"] == 1
    audit = await api.ok("admin", "GET", f"/audit/?action=lesson.completed&target_id={lesson}")
    assert len(audit) == 1


@pytest.mark.mariadb
async def test_concurrent_completions_keep_one_record_on_mariadb(
    mariadb_url: str, tmp_path: Path
) -> None:
    require_mariadb()
    server = TmsServer(server_env(mariadb_url, tmp_path), tmp_path)
    await server.start_async()
    try:
        tokens, ids = await asyncio.to_thread(_seed, server.url)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            await race_completions(Api(client, tokens, ids))
    finally:
        server.stop()


async def test_the_owner_sees_progress_move_live(api: Api, sqlite_server: TmsServer) -> None:
    course = await api.course(lessons=2)
    await api.ok("tom", "POST", f"/courses/{course['id']}/publish")
    await api.ok(
        "tom", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [api.ids["pia"]]}
    )
    lesson = course["modules"][0]["lessons"][0]["id"]
    url = f"{sqlite_server.ws_url}?token={api.tokens['tom']}"
    async with websockets.connect(url, open_timeout=10) as socket:
        ready = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert ready["type"] == "ready"
        await api.ok("pia", "POST", f"/lessons/{lesson}/complete")
        heard: dict[str, Any] = {}
        while "course_progress" not in heard:
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            heard[message["type"]] = message["data"]
    assert heard["lesson_completed"]["lesson_id"] == lesson
    assert heard["course_progress"] == {
        "course_id": course["id"],
        "trainee_id": api.ids["pia"],
        "completed_lessons": 1,
        "total_lessons": 2,
        "progress_percentage": 50.0,
        "status": "in_progress",
    }
    # The second lesson completes the course: heard once, as course_completed; undoing and
    # redoing a lesson of the completed course completes it again (a new completion).
    second = course["modules"][0]["lessons"][1]["id"]
    async with websockets.connect(url, open_timeout=10) as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "ready"
        await api.ok("pia", "POST", f"/lessons/{second}/complete")
        await api.ok("pia", "POST", f"/lessons/{second}/complete")  # again: nothing new
        await api.ok("pia", "DELETE", f"/lessons/{lesson}/complete")
        await api.ok("pia", "POST", f"/lessons/{lesson}/complete")
        kinds: list[str] = []
        completions: list[dict[str, Any]] = []
        while len(kinds) < 100 and len(completions) < 2:
            message = json.loads(await asyncio.wait_for(socket.recv(), 10))
            kinds.append(message["type"])
            if message["type"] == "course_completed":
                completions.append(message["data"])
    assert [c["trainee_id"] for c in completions] == [api.ids["pia"], api.ids["pia"]]
    assert completions[0]["course_id"] == course["id"]
    assert completions[0]["completed_at"]

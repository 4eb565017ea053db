"""Batches (API.md part two, "Cohorts (batches)") through the real app on SQLite: the
contract's paths, fields and status codes, who may do what, batch_ids on course enrolment
and on sessions, every bad input answered with its 4xx naming the field, and the events
each change pushes to those who may read it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from support import USER_KEYS, Cast, RecordingClient, add_cast, api_client, at, bearer, login
from tms_entrypoints.container import Container

BATCH_KEYS = {
    "id",
    "code",
    "name",
    "description",
    "starts_on",
    "ends_on",
    "trainee_count",
    "trainer_ids",
    "course_ids",
    "created_at",
    "updated_at",
}


@pytest.fixture
def database_kind() -> str:
    return "sqlite"


@dataclass
class Api:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.tokens[who]), **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    def id(self, who: str) -> int:
        return int(getattr(self.cast, who).id)


@pytest.fixture
async def api(sql_container: Container) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "other_trainer", "trainee", "other_trainee")
        }
        yield Api(client, cast, tokens)


async def a_course(api: Api) -> int:
    course = await api.ok("trainer", "POST", "/courses/", json={"title": "Fire safety"})
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    await api.ok(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "Text"},
    )
    await api.ok("trainer", "POST", f"/courses/{course['id']}/publish")
    return int(course["id"])


async def test_the_contract_s_paths_and_fields(api: Api) -> None:
    created = await api.call(
        "admin",
        "POST",
        "/batches/",
        json={
            "code": "SPRING-26",
            "name": "Spring intake",
            "description": "First cohort",
            "starts_on": "2026-03-01",
            "ends_on": "2026-06-30",
            "trainer_ids": [api.id("trainer")],
        },
    )
    assert created.status_code == 201, created.text
    batch = created.json()
    assert set(batch) == BATCH_KEYS
    assert (batch["starts_on"], batch["trainee_count"], batch["trainer_ids"]) == (
        "2026-03-01",
        0,
        [api.id("trainer")],
    )
    path = f"/batches/{batch['id']}"
    added = await api.ok(
        "admin",
        "POST",
        f"{path}/trainees",
        json={"trainee_ids": [api.id("trainee"), api.id("other_trainee")]},
    )
    assert added == {"added": 2, "already_members": 0}
    again = await api.ok(
        "admin", "POST", f"{path}/trainees/", json={"trainee_ids": [api.id("trainee")]}
    )
    assert again == {"added": 0, "already_members": 1}
    members = await api.ok("trainer", "GET", f"{path}/trainees?limit=1")
    assert [set(m) for m in members] == [set(USER_KEYS)]
    assert [m["id"] for m in members] == [api.id("trainee")]
    assert (await api.ok("admin", "GET", path))["trainee_count"] == 2
    assert [b["id"] for b in await api.ok("admin", "GET", "/batches?q=spring")] == [batch["id"]]
    assert await api.ok("admin", "GET", "/batches/?q=autumn") == []
    changed = await api.ok(
        "admin", "PUT", path, json={"name": "Spring", "description": None, "trainer_ids": []}
    )
    assert (changed["name"], changed["description"], changed["trainer_ids"]) == (
        "Spring",
        None,
        [],
    )
    removed = await api.ok("admin", "DELETE", f"{path}/trainees/{api.id('other_trainee')}")
    assert removed == {"message": "Trainee removed from the batch"}
    assert (await api.ok("admin", "GET", path))["trainee_count"] == 1
    assert (await api.ok("admin", "DELETE", path)) == {"message": "Batch deleted"}
    assert (await api.call("admin", "GET", path)).status_code == 404


async def test_who_may_do_what(api: Api) -> None:
    mine = await api.ok(
        "admin",
        "POST",
        "/batches/",
        json={"code": "T-1", "name": "Tom's", "trainer_ids": [api.id("trainer")]},
    )
    await api.ok(
        "admin",
        "POST",
        f"/batches/{mine['id']}/trainees",
        json={"trainee_ids": [api.id("trainee")]},
    )
    path = f"/batches/{mine['id']}"
    assert [b["id"] for b in await api.ok("trainer", "GET", "/batches/")] == [mine["id"]]
    assert await api.ok("other_trainer", "GET", "/batches/") == []
    assert [b["id"] for b in await api.ok("trainee", "GET", "/batches/")] == [mine["id"]]
    assert await api.ok("other_trainee", "GET", "/batches/") == []
    assert (await api.ok("trainee", "GET", path))["id"] == mine["id"]
    statuses = {
        ("other_trainer", "GET", path): 404,
        ("other_trainee", "GET", path): 404,
        ("trainee", "GET", f"{path}/trainees"): 403,
        ("other_trainer", "GET", f"{path}/trainees"): 404,
        ("trainer", "POST", "/batches/"): 403,
        ("trainer", "PUT", path): 403,
        ("trainer", "DELETE", path): 403,
        ("trainer", "DELETE", f"{path}/trainees/{api.id('trainee')}"): 403,
    }
    for (who, method, target), expected in statuses.items():
        body = {"code": "X", "name": "X"} if method in ("POST", "PUT") else None
        response = await api.call(who, method, target, json=body)
        assert response.status_code == expected, (who, method, target, response.text)
    response = await api.call("trainer", "POST", f"{path}/trainees", json={"trainee_ids": [1]})
    assert response.status_code == 403
    assert (await api.client.get("/batches/")).status_code == 401


async def test_bad_input_is_a_4xx_naming_the_field(api: Api) -> None:
    first = await api.ok("admin", "POST", "/batches/", json={"code": "Dup", "name": "One"})
    cases: list[tuple[str, str, Any, int, str | None]] = [
        ("POST", "/batches/", {"code": "dup", "name": "Two"}, 409, None),
        (
            "POST",
            "/batches/",
            {"code": "B", "name": "B", "starts_on": "2026-05-02", "ends_on": "2026-05-01"},
            422,
            "ends_on",
        ),
        (
            "POST",
            "/batches/",
            {"code": "B", "name": "B", "starts_on": "May the fourth"},
            422,
            "starts_on",
        ),
        ("POST", "/batches/", {"code": "", "name": "B"}, 422, "code"),
        ("POST", "/batches/", {"name": "B"}, 400, None),
        (
            "POST",
            "/batches/",
            {"code": "B", "name": "B", "trainer_ids": [api.id("trainee")]},
            422,
            "trainer_ids",
        ),
        (
            "PUT",
            f"/batches/{first['id']}",
            {"ends_on": "2020-01-01", "starts_on": "2021-01-01"},
            422,
            "ends_on",
        ),
        (
            "POST",
            f"/batches/{first['id']}/trainees",
            {"trainee_ids": [api.id("trainer"), 999999]},
            422,
            "trainee_ids",
        ),
        ("POST", f"/batches/{first['id']}/trainees", {"trainee_ids": []}, 422, "trainee_ids"),
        ("POST", f"/batches/{first['id']}/trainees", {"trainee_ids": [0]}, 400, None),
        ("POST", "/batches/999999/trainees", {"trainee_ids": [api.id("trainee")]}, 404, None),
        ("DELETE", f"/batches/{first['id']}/trainees/{api.id('trainee')}", None, 404, None),
        ("GET", "/batches/?limit=0", None, 400, None),
    ]
    for method, path, body, expected, field in cases:
        response = await api.call("admin", method, path, json=body)
        assert response.status_code in ((400, 422) if expected == 400 else (expected,)), (
            method,
            path,
            response.text,
        )
        if field is not None:
            assert field in [e["field"] for e in response.json()["errors"]], response.text
    named = await api.call(
        "admin",
        "POST",
        f"/batches/{first['id']}/trainees",
        json={"trainee_ids": [api.id("trainer"), 999999]},
    )
    assert f"{api.id('trainer')}, 999999" in named.json()["detail"]


async def test_a_batch_enrolled_in_a_course_brings_its_members_and_those_who_join_later(
    api: Api, sql_container: Container
) -> None:
    course_id = await a_course(api)
    batch = await api.ok(
        "admin",
        "POST",
        "/batches/",
        json={"code": "C-1", "name": "C", "trainer_ids": [api.id("trainer")]},
    )
    path = f"/batches/{batch['id']}"
    await api.ok("admin", "POST", f"{path}/trainees", json={"trainee_ids": [api.id("trainee")]})
    async with sql_container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    counts = await api.ok(
        "admin", "POST", f"/courses/{course_id}/enrolments", json={"batch_ids": [batch["id"]]}
    )
    assert counts == {"enrolled": 1, "already_enrolled": 0}
    await api.ok(
        "admin", "POST", f"{path}/trainees", json={"trainee_ids": [api.id("other_trainee")]}
    )
    listed = await api.ok("admin", "GET", f"/courses/{course_id}/enrolments")
    assert {(e["trainee"]["id"], e["batch_id"]) for e in listed} == {
        (api.id("trainee"), batch["id"]),
        (api.id("other_trainee"), batch["id"]),
    }
    assert (await api.ok("admin", "GET", path))["course_ids"] == [course_id]
    await api.ok("admin", "DELETE", f"{path}/trainees/{api.id('trainee')}")
    assert len(await api.ok("admin", "GET", f"/courses/{course_id}/enrolments")) == 2
    # The joiner's own courses list the course: they can start learning.
    mine = await api.ok(
        "other_trainee", "GET", f"/progress/trainee/{api.id('other_trainee')}/courses"
    )
    assert [c["course"]["id"] for c in mine["courses"]] == [course_id]
    async with sql_container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    kinds = [(e.type, sorted(e.audience.user_ids)) for e in events]
    assert (
        "batch_trainees_added",
        sorted({api.id("trainer"), api.id("trainee"), api.id("other_trainee")}),
    ) in kinds
    assert ("course_enrolled", sorted({api.id("trainer"), api.id("other_trainee")})) in kinds
    removed = [e for e in events if e.type == "batch_trainee_removed"]
    assert api.id("trainee") in removed[0].audience.user_ids
    audit = await api.ok("admin", "GET", f"/audit/?target_type=batch&target_id={batch['id']}")
    assert {
        "batch.created",
        "batch.members_added",
        "batch.course_enrolled",
        "batch.member_removed",
    } <= {entry["action"] for entry in audit}


async def test_sessions_take_batch_ids_and_a_clash_names_every_trainee(api: Api) -> None:
    batch = await api.ok(
        "admin",
        "POST",
        "/batches/",
        json={"code": "S-1", "name": "S", "trainer_ids": [api.id("trainer")]},
    )
    members = [api.id("trainee"), api.id("other_trainee"), api.id("third_trainee")]
    await api.ok("admin", "POST", f"/batches/{batch['id']}/trainees", json={"trainee_ids": members})
    body = {"title": "Drill", "trainer_id": api.id("trainer"), "duration_minutes": 60}
    created = await api.ok(
        "trainer",
        "POST",
        "/sessions/",
        json={**body, "scheduled_date": at(0).isoformat(), "batch_ids": [batch["id"]]},
    )
    assert [t["id"] for t in created["trainees"]] == members
    later = await api.ok(
        "admin",
        "POST",
        "/sessions/",
        json={
            **body,
            "trainer_id": api.id("other_trainer"),
            "scheduled_date": at(0, 30).isoformat(),
        },
    )
    clash = await api.call(
        "admin", "PUT", f"/sessions/{later['id']}", json={"batch_ids": [batch["id"]]}
    )
    assert clash.status_code == 409, clash.text
    answer = clash.json()
    assert {p["id"] for c in answer["conflicts"] for p in c["trainees"]} == set(members)
    for trainee_id in members:
        assert f"trainee {trainee_id} (" in answer["detail"]
    unknown = await api.call(
        "trainer",
        "POST",
        "/sessions/",
        json={**body, "scheduled_date": at(5).isoformat(), "batch_ids": [999999]},
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["batch_ids"]
    full = await api.call(
        "admin",
        "POST",
        "/sessions/",
        json={
            **body,
            "scheduled_date": at(9).isoformat(),
            "capacity": 2,
            "batch_ids": [batch["id"]],
        },
    )
    assert full.status_code == 422, full.text

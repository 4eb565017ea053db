"""Skills (API.md part two, "Skills, assessments, certificates") through the real app on
SQLite and MariaDB: the catalogue, users' skills, the skills a course grants and awards on
completion, the skills matrix; who may do what, every bad input answered with its 4xx, and
the events and audit entries each change leaves."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest

from support import USER_KEYS, Cast, RecordingClient, add_cast, api_client, bearer, login
from tms_entrypoints.container import Container

SKILL_KEYS = {"id", "name", "category", "description"}
USER_SKILL_KEYS = {"skill", "level", "source", "awarded_at"}
PEOPLE = ("admin", "trainer", "other_trainer", "trainee", "other_trainee", "third_trainee")


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

    async def status(self, who: str, method: str, path: str, **kwargs: Any) -> int:
        return int((await self.call(who, method, path, **kwargs)).status_code)

    def id(self, who: str) -> int:
        return int(getattr(self.cast, who).id)


@pytest.fixture
async def api(sql_container: Container) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {who: await login(client, getattr(cast, who).user.username) for who in PEOPLE}
        api = Api(client, cast, tokens)
        # Tom trains Pia; nobody trains Paul.
        await api.ok(
            "admin",
            "POST",
            "/assignments/",
            json={"student_id": api.id("trainee"), "teacher_id": api.id("trainer")},
        )
        yield api


async def a_skill(api: Api, name: str, category: str | None = "Data") -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "category": category, "description": f"About {name}"}
    return dict(await api.ok("admin", "POST", "/skills/", json=body))


async def test_admins_keep_the_catalogue_everyone_reads_it(api: Api) -> None:
    sql = await a_skill(api, "SQL")
    assert set(sql) == SKILL_KEYS
    assert sql == {"id": sql["id"], "name": "SQL", "category": "Data", "description": "About SQL"}
    await a_skill(api, "Python", "Programming")
    await a_skill(api, "Listening", None)
    for who in ("trainer", "trainee"):
        names = [s["name"] for s in await api.ok(who, "GET", "/skills/")]
        # By category (none last), then name.
        assert names == ["SQL", "Python", "Listening"]
    assert [s["name"] for s in await api.ok("trainee", "GET", "/skills?q=yth")] == ["Python"]
    assert [s["name"] for s in await api.ok("trainee", "GET", "/skills/?category=data")] == ["SQL"]
    assert [s["name"] for s in await api.ok("trainee", "GET", "/skills/?skip=1&limit=1")] == [
        "Python"
    ]
    changed = await api.ok(
        "admin", "PUT", f"/skills/{sql['id']}", json={"name": "SQL queries", "category": ""}
    )
    assert (changed["name"], changed["category"]) == ("SQL queries", None)
    assert changed["description"] == "About SQL"
    deleted = await api.ok("admin", "DELETE", f"/skills/{sql['id']}")
    assert "deleted" in deleted["message"]
    assert "SQL queries" not in [s["name"] for s in await api.ok("admin", "GET", "/skills/")]
    assert await api.status("admin", "PUT", f"/skills/{sql['id']}", json={"name": "X"}) == 404
    assert await api.status("admin", "DELETE", f"/skills/{sql['id']}") == 404


async def test_only_admins_change_the_catalogue(api: Api) -> None:
    sql = await a_skill(api, "SQL")
    for who in ("trainer", "trainee"):
        assert await api.status(who, "POST", "/skills/", json={"name": "Go"}) == 403
        assert await api.status(who, "PUT", f"/skills/{sql['id']}", json={"name": "Go"}) == 403
        assert await api.status(who, "DELETE", f"/skills/{sql['id']}") == 403
    assert (await api.client.get("/skills/")).status_code == 401


async def test_bad_catalogue_input_is_refused_with_its_reason(api: Api) -> None:
    sql = await a_skill(api, "SQL")
    taken = await api.call("admin", "POST", "/skills/", json={"name": " sql "})
    assert taken.status_code == 409
    assert "already exists" in taken.json()["detail"]
    await a_skill(api, "Python")
    assert await api.status("admin", "PUT", f"/skills/{sql['id']}", json={"name": "PYTHON"}) == 409
    blank = await api.call("admin", "POST", "/skills/", json={"name": "  "})
    assert blank.status_code == 422
    assert [e["field"] for e in blank.json()["errors"]] == ["name"]
    assert await api.status("admin", "POST", "/skills/", json={"name": "x" * 201}) == 422
    assert await api.status("admin", "POST", "/skills/", json={}) in (400, 422)
    assert await api.status("admin", "POST", "/skills/", json={"name": 5}) in (400, 422)
    assert await api.status("admin", "GET", "/skills/?limit=0") in (400, 422)
    assert await api.status("admin", "GET", "/skills/?skip=-1") in (400, 422)
    assert await api.status("admin", "PUT", "/skills/0", json={"name": "X"}) in (400, 404, 422)


async def test_awarding_by_hand_and_who_sees_a_users_skills(api: Api) -> None:
    sql = await a_skill(api, "SQL")
    pia, paul = api.id("trainee"), api.id("other_trainee")
    awarded = await api.ok(
        "trainer", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 3}
    )
    assert set(awarded) == USER_SKILL_KEYS
    assert (awarded["skill"], awarded["level"], awarded["source"]) == (sql, 3, "manual")
    # A manual award sets the level as given, lower too.
    await api.ok("admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 2})
    for who in ("admin", "trainer", "other_trainer", "trainee"):
        held = await api.ok(who, "GET", f"/users/{pia}/skills")
        assert [(s["skill"]["id"], s["level"]) for s in held] == [(sql["id"], 2)]
        assert set(held[0]) == USER_SKILL_KEYS
    assert await api.status("other_trainee", "GET", f"/users/{pia}/skills") == 403
    assert await api.status("admin", "GET", "/users/999999/skills") == 404
    body = {"skill_id": sql["id"], "level": 4}
    # Not Paul's trainer; trainees award nobody, themselves neither.
    assert await api.status("trainer", "POST", f"/users/{paul}/skills", json=body) == 403
    assert await api.status("other_trainer", "POST", f"/users/{pia}/skills", json=body) == 403
    assert await api.status("trainee", "POST", f"/users/{pia}/skills", json=body) == 403
    assert await api.status("trainee", "POST", f"/users/{paul}/skills", json=body) == 403
    assert await api.status("admin", "POST", "/users/999999/skills", json=body) == 404
    # A trainee learns nothing of who exists.
    assert await api.status("trainee", "POST", "/users/999999/skills", json=body) == 403
    for level in (0, 6, -1):
        bad = await api.call(
            "admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": level}
        )
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["level"]
    unknown = await api.call(
        "admin", "POST", f"/users/{pia}/skills", json={"skill_id": 999999, "level": 1}
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["skill_id"]
    trainer = api.id("trainer")
    assert await api.status("admin", "POST", f"/users/{trainer}/skills", json=body) == 422
    assert await api.status("admin", "POST", f"/users/{pia}/skills", json={"level": 1}) in (
        400,
        422,
    )
    # Deleting the skill takes it from those who held it.
    await api.ok("admin", "DELETE", f"/skills/{sql['id']}")
    assert await api.ok("admin", "GET", f"/users/{pia}/skills") == []


async def a_course_granting(api: Api, grants: list[dict[str, int]]) -> dict[str, Any]:
    course = await api.ok(
        "trainer", "POST", "/courses/", json={"title": "Databases", "skills": grants}
    )
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    lesson = await api.ok(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "Text"},
    )
    await api.ok("trainer", "POST", f"/courses/{course['id']}/publish")
    course["lesson_id"] = lesson["id"]
    return dict(course)


async def test_a_completed_course_awards_its_skills_never_lowering_one(
    api: Api, sql_container: Container
) -> None:
    sql, python = await a_skill(api, "SQL"), await a_skill(api, "Python")
    course = await a_course_granting(
        api, [{"skill_id": sql["id"], "level": 2}, {"skill_id": python["id"], "level": 3}]
    )
    assert sorted(course["skills"], key=lambda g: g["skill_id"]) == [
        {"skill_id": sql["id"], "level": 2},
        {"skill_id": python["id"], "level": 3},
    ]
    shown = await api.ok("admin", "GET", f"/courses/{course['id']}")
    assert shown["skills"] == course["skills"]
    pia = api.id("trainee")
    await api.ok("admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 4})
    await api.ok(
        "admin", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [pia]}
    )
    async with sql_container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    await api.ok("trainee", "POST", f"/lessons/{course['lesson_id']}/complete")
    held = {
        s["skill"]["name"]: (s["level"], s["source"])
        for s in await api.ok("trainee", "GET", f"/users/{pia}/skills")
    }
    assert held == {"SQL": (4, "manual"), "Python": (3, "course")}
    async with sql_container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    awarded = [e for e in events if e.type == "skill_awarded"]
    assert [(e.data["skill_id"], e.data["level"], e.data["source"]) for e in awarded] == [
        (python["id"], 3, "course")
    ]
    assert awarded[0].audience.user_ids == frozenset({pia, api.id("trainer")})
    audit = await api.ok("admin", "GET", "/audit/?action=skill.awarded")
    assert [(e["target_id"], e["changes"]["level"]) for e in audit] == [
        (python["id"], [None, 3]),
        (sql["id"], [None, 4]),
    ]
    assert {e["changes"]["user_id"][1] for e in audit} == {pia}
    assert audit[0]["actor_id"] is None


async def test_course_skills_are_checked_and_replaced(api: Api) -> None:
    sql = await a_skill(api, "SQL")
    course = await api.ok("trainer", "POST", "/courses/", json={"title": "Data"})
    assert course["skills"] == []
    path = f"/courses/{course['id']}"
    for grants in (
        [{"skill_id": 999999, "level": 1}],
        [{"skill_id": sql["id"], "level": 6}],
        [{"skill_id": sql["id"], "level": 0}],
    ):
        bad = await api.call("trainer", "PUT", path, json={"skills": grants})
        assert bad.status_code == 422, grants
        assert [e["field"] for e in bad.json()["errors"]] == ["skills"]
        bad = await api.call("trainer", "POST", "/courses/", json={"title": "X", "skills": grants})
        assert bad.status_code == 422
    updated = await api.ok(
        "trainer", "PUT", path, json={"skills": [{"skill_id": sql["id"], "level": 5}]}
    )
    assert updated["skills"] == [{"skill_id": sql["id"], "level": 5}]
    # Left out: unchanged; an empty list: none.
    assert (await api.ok("trainer", "PUT", path, json={"title": "Data 2"}))["skills"] == [
        {"skill_id": sql["id"], "level": 5}
    ]
    assert (await api.ok("trainer", "PUT", path, json={"skills": []}))["skills"] == []
    audit = await api.ok("admin", "GET", f"/audit/?action=course.updated&target_id={course['id']}")
    assert any("skills" in entry["changes"] for entry in audit)


async def test_the_matrix_shows_levels_to_admins_and_trainers_their_trainees(api: Api) -> None:
    sql, python = await a_skill(api, "SQL"), await a_skill(api, "Python")
    pia, paul = api.id("trainee"), api.id("other_trainee")
    await api.ok("admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 3})
    await api.ok(
        "admin", "POST", f"/users/{paul}/skills", json={"skill_id": python["id"], "level": 5}
    )
    matrix = await api.ok("admin", "GET", "/skills/matrix")
    assert set(matrix) == {"skills", "rows"}
    assert [s["id"] for s in matrix["skills"]] == [python["id"], sql["id"]]
    rows = {row["trainee"]["id"]: row for row in matrix["rows"]}
    assert set(rows) == {pia, paul, api.id("third_trainee")}
    assert set(rows[pia]["trainee"]) == USER_KEYS
    assert rows[pia]["levels"] == {str(sql["id"]): 3}
    assert rows[paul]["levels"] == {str(python["id"]): 5}
    assert rows[api.id("third_trainee")]["levels"] == {}
    mine = await api.ok("trainer", "GET", "/skills/matrix")
    assert [row["trainee"]["id"] for row in mine["rows"]] == [pia]
    assert (await api.ok("other_trainer", "GET", "/skills/matrix"))["rows"] == []
    assert await api.status("trainee", "GET", "/skills/matrix") == 403
    one = await api.ok("admin", "GET", f"/skills/matrix?skill_id={python['id']}")
    assert [s["id"] for s in one["skills"]] == [python["id"]]
    assert {r["trainee"]["id"]: r["levels"] for r in one["rows"]}[pia] == {}
    paged = await api.ok("admin", "GET", "/skills/matrix?skip=1&limit=1")
    assert len(paged["rows"]) == 1
    batch = await api.ok(
        "admin", "POST", "/batches/", json={"code": "B-1", "name": "B", "trainer_ids": []}
    )
    await api.ok("admin", "POST", f"/batches/{batch['id']}/trainees", json={"trainee_ids": [paul]})
    in_batch = await api.ok("admin", "GET", f"/skills/matrix?batch_id={batch['id']}")
    assert [r["trainee"]["id"] for r in in_batch["rows"]] == [paul]
    course = await a_course_granting(api, [{"skill_id": python["id"], "level": 1}])
    await api.ok(
        "admin", "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [pia]}
    )
    in_course = await api.ok("admin", "GET", f"/skills/matrix?course_id={course['id']}")
    assert [s["id"] for s in in_course["skills"]] == [python["id"]]
    assert [r["trainee"]["id"] for r in in_course["rows"]] == [pia]
    assert (await api.ok("admin", "GET", "/skills/matrix?batch_id=999999"))["rows"] == []
    for query in ("batch_id=0", "skill_id=x", "limit=0", "limit=1001", "skip=-1"):
        assert await api.status("admin", "GET", f"/skills/matrix?{query}") in (400, 422), query


async def test_catalogue_changes_are_audited_and_told_to_admins(
    api: Api, sql_container: Container
) -> None:
    async with sql_container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    sql = await a_skill(api, "SQL")
    await api.ok("admin", "PUT", f"/skills/{sql['id']}", json={"description": "Queries"})
    pia = api.id("trainee")
    await api.ok("admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 1})
    await api.ok("admin", "DELETE", f"/skills/{sql['id']}")
    audit = await api.ok("admin", "GET", f"/audit/?target_type=skill&target_id={sql['id']}")
    assert [e["action"] for e in audit] == [
        "skill.deleted",
        "skill.awarded",
        "skill.updated",
        "skill.created",
    ]
    assert audit[0]["changes"]["holders"] == [1, None]
    assert audit[1]["changes"] == {
        "user_id": [None, pia],
        "level": [None, 1],
        "source": [None, "manual"],
    }
    assert audit[2]["changes"] == {"description": ["About SQL", "Queries"]}
    async with sql_container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    kinds = [(e.type, sorted(e.audience.user_ids)) for e in events]
    assert kinds == [
        ("skill_created", []),
        ("skill_updated", []),
        ("skill_awarded", sorted({pia, api.id("trainer")})),
        ("skill_deleted", []),
    ]


async def test_the_matrix_downloads_as_a_report_with_the_same_filters(api: Api) -> None:
    sql, python = await a_skill(api, "SQL"), await a_skill(api, "Python")
    pia, paul = api.id("trainee"), api.id("other_trainee")
    await api.ok("admin", "POST", f"/users/{pia}/skills", json={"skill_id": sql["id"], "level": 3})
    await api.ok(
        "admin", "POST", f"/users/{paul}/skills", json={"skill_id": python["id"], "level": 5}
    )
    response = await api.call("admin", "GET", "/reports/skills-matrix?format=csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=skills-matrix-")
    assert response.headers["content-disposition"].endswith(".csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Trainee ID", "Trainee", "Email", "Python", "SQL"]
    by_id = {row[0]: row[3:] for row in rows[1:] if row}
    assert by_id[str(pia)] == ["", "3"]
    assert by_id[str(paul)] == ["5", ""]
    # A trainer's report holds their trainees only, a skill filter its one column.
    mine = await api.call(
        "trainer", "GET", f"/reports/skills-matrix?format=csv&skill_id={sql['id']}"
    )
    mine_rows = [row for row in csv.reader(io.StringIO(mine.text)) if row]
    assert mine_rows[0][3:] == ["SQL"]
    assert [row[0] for row in mine_rows[1:]] == [str(pia)]
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("excel", b"PK")):
        file = await api.call("admin", "GET", f"/reports/skills-matrix?format={fmt}")
        assert file.status_code == 200, fmt
        assert file.content.startswith(magic), fmt
    xlsx = await api.call("admin", "GET", "/reports/skills-matrix?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:5] == [
        "Trainee ID",
        "Trainee",
        "Email",
        "Python",
        "SQL",
    ]
    assert await api.status("trainee", "GET", "/reports/skills-matrix?format=csv") == 403
    assert await api.status("admin", "GET", "/reports/skills-matrix?format=doc") == 400
    assert await api.status("admin", "GET", "/reports/skills-matrix?batch_id=0") in (400, 422)

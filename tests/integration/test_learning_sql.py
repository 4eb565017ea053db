"""The learning adapters in SQL, on SQLite and MariaDB: what a course's enrolments page and
a trainee's courses cost in statements, the same whatever their size."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import insert, select
from test_training_sql import _trainee_ids, _trainee_row, counting_statements

from support import TRAINING_START, add_user, bearer, sign_in
from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Role
from tms_entrypoints.container import Container
from tms_entrypoints.http.app import create_app

LESSONS = 20


def _course_row(i: int, owner_id: int) -> dict[str, Any]:
    return {
        "code": f"C-{i}",
        "code_key": f"c-{i}",
        "title": f"Course {i:03}",
        "status": "published",
        "owner_id": owner_id,
        "created_at": TRAINING_START,
        "updated_at": TRAINING_START,
    }


async def _seed(container: Container, owner_id: int) -> tuple[list[int], list[int]]:
    """50 published courses of 20 lessons; 150 trainees in the first course, each with some
    lessons done; the first trainee in every course."""
    async with container.engine().begin() as conn:
        await conn.execute(insert(t.users), [_trainee_row(i) for i in range(150)])
        trainees = list((await conn.execute(_trainee_ids)).scalars())
        await conn.execute(insert(t.courses), [_course_row(i, owner_id) for i in range(50)])
        courses = list(
            (await conn.execute(select(t.courses.c.id).order_by(t.courses.c.id))).scalars()
        )
        await conn.execute(
            insert(t.course_modules),
            [{"course_id": c, "title": "M", "position": 1} for c in courses],
        )
        modules = dict(
            (await conn.execute(select(t.course_modules.c.course_id, t.course_modules.c.id))).all()
        )
        await conn.execute(
            insert(t.lessons),
            [
                {
                    "module_id": modules[c],
                    "course_id": c,
                    "title": f"L{n}",
                    "kind": "text",
                    "position": n + 1,
                    "created_at": TRAINING_START,
                    "updated_at": TRAINING_START,
                }
                for c in courses
                for n in range(LESSONS)
            ],
        )
        lessons = list(
            (
                await conn.execute(
                    select(t.lessons.c.id)
                    .where(t.lessons.c.course_id == courses[0])
                    .order_by(t.lessons.c.id)
                )
            ).scalars()
        )
        enrolments = [(courses[0], trainee) for trainee in trainees] + [
            (course, trainees[0]) for course in courses[1:]
        ]
        await conn.execute(
            insert(t.course_enrolments),
            [
                {
                    "course_id": c,
                    "trainee_id": trainee,
                    "assigned_at": TRAINING_START,
                    "status": "in_progress",
                }
                for c, trainee in enrolments
            ],
        )
        await conn.execute(
            insert(t.lesson_completions),
            [
                {
                    "lesson_id": lesson,
                    "course_id": courses[0],
                    "trainee_id": trainee,
                    "source": "trainee",
                    "completed_at": TRAINING_START,
                }
                for index, trainee in enumerate(trainees)
                for lesson in lessons[: index % LESSONS]
            ],
        )
    return courses, trainees


async def test_enrolments_and_a_trainees_courses_cost_the_same_statements_at_any_size(
    sql_container: Container, database_kind: str
) -> None:
    # No poll of the event hub nor of job workers during a measured request.
    sql_container.settings.override(
        replace(sql_container.settings(), event_poll_ms=3_600_000, jobs_workers=0)
    )
    admin = await add_user(sql_container, "root", Role.ADMIN)
    courses, trainees = await _seed(sql_container, admin.id)
    lonely = await add_user(sql_container, "lonely", Role.TRAINEE)
    async with sql_container.engine().begin() as conn:
        await conn.execute(
            insert(t.course_enrolments).values(
                course_id=courses[1],
                trainee_id=lonely.id,
                assigned_at=TRAINING_START,
                status="not_started",
            )
        )
    token, _actor = await sign_in(sql_container, admin.username)
    await sql_container.engine().dispose()
    counts: dict[str, int] = {}
    async with AsyncTestClient(create_app(container=sql_container)) as client:
        await client.get(f"/courses/{courses[0]}/enrolments?limit=1", headers=bearer(token))
        for limit in (1, 100):
            with counting_statements(sql_container) as executed:
                response = await client.get(
                    f"/courses/{courses[0]}/enrolments?limit={limit}", headers=bearer(token)
                )
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body) == limit
            assert [row["completed_lessons"] for row in body] == [i % LESSONS for i in range(limit)]
            assert {row["total_lessons"] for row in body} == {LESSONS}
            counts[f"enrolments?limit={limit}"] = len(executed)
        for who, enrolled in ((lonely.id, 1), (trainees[0], 50)):
            with counting_statements(sql_container) as executed:
                response = await client.get(
                    f"/progress/trainee/{who}/courses", headers=bearer(token)
                )
            assert response.status_code == 200, response.text
            assert response.json()["statistics"]["total_enrolled"] == enrolled
            counts[f"courses of a trainee in {enrolled}"] = len(executed)
    print(f"\nstatements on {database_kind}: {counts}")
    assert counts["enrolments?limit=1"] == counts["enrolments?limit=100"] <= 8
    assert counts["courses of a trainee in 1"] == counts["courses of a trainee in 50"] <= 8

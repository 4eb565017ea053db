"""The skill catalogue over every storage adapter (memory, SQLite, MariaDB): names unique
case aside, awarding that only raises (and by hand that sets), a completed course awarding
what it grants, deleting a skill, a user or a course leaving nothing behind, and the
matrix's readers and filters."""

from __future__ import annotations

import asyncio

import pytest

from support import Cast, add_cast
from tms_domain.accounts import Actor
from tms_domain.cohorts.use_cases.batches import NewBatch
from tms_domain.kernel import Conflict, Forbidden, InvalidInput, Page
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.courses import CourseChanges, LessonFields, NewCourse
from tms_domain.skills import SkillFields, SkillSource, award_skills
from tms_domain.skills.use_cases.matrix import MatrixFilters
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    cast = await add_cast(storage)
    await storage.assignments().assign(cast.admin, cast.trainee.id, cast.trainer.id)
    return cast


async def a_skill(storage: Container, cast: Cast, name: str) -> int:
    return (await storage.skills().create_skill(cast.admin, SkillFields(name, "Data"))).id


async def levels(storage: Container, user: Actor) -> dict[str, tuple[int, SkillSource]]:
    held = await storage.skills().user_skills(user, user.id)
    return {h.skill.name: (h.level, h.source) for h in held}


async def test_names_are_unique_case_aside_even_when_two_race(
    storage: Container, cast: Cast
) -> None:
    skills = storage.skills()
    made = await asyncio.gather(
        skills.create_skill(cast.admin, SkillFields("Welding")),
        skills.create_skill(cast.admin, SkillFields("WELDING")),
        return_exceptions=True,
    )
    assert sorted(type(m).__name__ for m in made) == ["Conflict", "Skill"]
    with pytest.raises(Conflict):
        await skills.create_skill(cast.admin, SkillFields(" welding "))
    with pytest.raises(Forbidden):
        await skills.create_skill(cast.trainer, SkillFields("Brazing"))
    with pytest.raises(InvalidInput):
        await skills.create_skill(cast.admin, SkillFields(""))


async def test_awards_raise_levels_by_course_and_set_them_by_hand(
    storage: Container, cast: Cast
) -> None:
    sql = await a_skill(storage, cast, "SQL")
    now = storage.clock().now()
    async with storage.uow()() as uow:
        await award_skills(uow, cast.trainee.id, [(sql, 4)], SkillSource.ASSESSMENT, now)
        lower = await award_skills(uow, cast.trainee.id, [(sql, 2)], SkillSource.COURSE, now)
        assert lower == []
        await uow.commit()
    assert await levels(storage, cast.trainee) == {"SQL": (4, SkillSource.ASSESSMENT)}
    await storage.skills().award(cast.trainer, cast.trainee.id, sql, 1)
    assert await levels(storage, cast.trainee) == {"SQL": (1, SkillSource.MANUAL)}
    with pytest.raises(Forbidden):
        await storage.skills().award(cast.other_trainer, cast.trainee.id, sql, 3)
    with pytest.raises(InvalidInput):
        await storage.skills().award(cast.admin, cast.trainee.id, sql, 6)
    with pytest.raises(InvalidInput):
        await storage.skills().award(cast.admin, cast.trainee.id, sql + 100, 3)


async def test_a_completed_course_awards_what_it_grants(storage: Container, cast: Cast) -> None:
    sql, python = await a_skill(storage, cast, "SQL"), await a_skill(storage, cast, "Python")
    courses = storage.courses()
    course = await courses.create_course(
        cast.trainer, NewCourse(title="Data", skills=((sql, 2), (python, 3)))
    )
    assert course.skills == [(sql, 2), (python, 3)]
    module = await courses.add_module(cast.trainer, course.id, "Basics")
    lesson = await courses.add_lesson(
        cast.trainer, module.id, LessonFields(title="Read", kind=LessonKind.TEXT, body="Text")
    )
    await courses.publish(cast.trainer, course.id)
    with pytest.raises(InvalidInput):
        await courses.update_course(cast.trainer, course.id, CourseChanges(skills=((999, 1),)))
    assert (await courses.get_course(cast.admin, course.id)).skills == [(sql, 2), (python, 3)]
    await storage.skills().award(cast.admin, cast.trainee.id, sql, 5)
    await storage.course_enrolments().enrol(cast.admin, course.id, [cast.trainee.id])
    await storage.course_enrolments().complete(cast.trainee, lesson.id)
    assert await levels(storage, cast.trainee) == {
        "SQL": (5, SkillSource.MANUAL),
        "Python": (3, SkillSource.COURSE),
    }
    # Gone with the skill: the levels held in it and the course's grant of it.
    await storage.skills().delete_skill(cast.admin, python)
    assert await levels(storage, cast.trainee) == {"SQL": (5, SkillSource.MANUAL)}
    assert (await courses.get_course(cast.admin, course.id)).skills == [(sql, 2)]


async def test_the_matrix_shows_whom_the_reader_may_see_filtered(
    storage: Container, cast: Cast
) -> None:
    sql = await a_skill(storage, cast, "SQL")
    for who, level in ((cast.trainee, 3), (cast.other_trainee, 5)):
        await storage.skills().award(cast.admin, who.id, sql, level)
    matrix = storage.skill_matrix()
    everyone = await matrix.matrix(cast.admin, MatrixFilters(), Page())
    by_id = {row.trainee.id: row.levels for row in everyone.rows}
    assert by_id == {
        cast.trainee.id: {sql: 3},
        cast.other_trainee.id: {sql: 5},
        cast.third_trainee.id: {},
    }
    mine = await matrix.matrix(cast.trainer, MatrixFilters(), Page())
    assert [row.trainee.id for row in mine.rows] == [cast.trainee.id]
    with pytest.raises(Forbidden):
        await matrix.matrix(cast.trainee, MatrixFilters(), Page())
    batch = await storage.batches().create_batch(cast.admin, NewBatch(code="B", name="B"))
    await storage.batches().add_trainees(cast.admin, batch.id, [cast.other_trainee.id])
    in_batch = await matrix.matrix(cast.admin, MatrixFilters(batch_id=batch.id), Page())
    assert [row.trainee.id for row in in_batch.rows] == [cast.other_trainee.id]
    page = await matrix.matrix(cast.admin, MatrixFilters(), Page(skip=1, limit=1))
    assert len(page.rows) == 1
    # A deleted user leaves no row and no level behind.
    await storage.users().delete_user(cast.admin, cast.other_trainee.id)
    after = await matrix.matrix(cast.admin, MatrixFilters(), Page())
    assert cast.other_trainee.id not in {row.trainee.id for row in after.rows}

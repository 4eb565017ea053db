"""Taking and grading an assessment through the use cases over the in-memory adapters: the
memory store behaves as SQL does (the same rules; SQL is covered by
tests/integration/test_http_assessments.py)."""

from __future__ import annotations

import pytest

from conftest import FakeClock
from support import add_cast
from tms_domain.kernel import Conflict, Page
from tms_domain.learning import (
    Assessment,
    LessonKind,
    Option,
    Question,
    QuestionKind,
)
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.skills import Answer
from tms_entrypoints.container import Container

QUIZ = Assessment(
    (
        Question(0, QuestionKind.SINGLE, "Pick", 1, (Option(0, "A", True), Option(0, "B", False))),
        Question(0, QuestionKind.TEXT, "Why?", 1),
    ),
    pass_mark=50,
    max_attempts=1,
)


async def test_a_text_answer_graded_by_the_owner_completes_the_course(
    memory_container: Container, clock: FakeClock
) -> None:
    cast = await add_cast(memory_container)
    courses = memory_container.courses()
    course = await courses.create_course(cast.trainer, NewCourse(title="Quiz course"))
    module = await courses.add_module(cast.trainer, course.id, "Only")
    lesson = await courses.add_lesson(
        cast.trainer,
        module.id,
        LessonFields(title="Quiz", kind=LessonKind.ASSESSMENT, assessment=QUIZ),
    )
    await courses.publish(cast.trainer, course.id)
    await memory_container.course_enrolments().enrol(cast.trainer, course.id, [cast.trainee.id])
    assert lesson.assessment is not None
    single, text = lesson.assessment.questions
    seen = await courses.get_course(cast.trainee, course.id)
    assert seen.lessons[0].assessment is not None
    assert {o.correct for o in seen.lessons[0].assessment.questions[0].options} == {None}

    attempts = memory_container.assessments()
    started = await attempts.start(cast.trainee, lesson.id)
    assert sorted(o.id for o in started.assessment.questions[0].options) == sorted(
        o.id for o in single.options
    )
    right = next(o.id for o in single.options if o.correct)
    submitted = await attempts.submit(
        cast.trainee, lesson.id, [Answer(single.id, (right,)), Answer(text.id, (), "Because")]
    )
    assert (submitted.id, submitted.graded, submitted.score) == (started.id, False, 50.0)
    with pytest.raises(Conflict):
        await attempts.start(cast.trainee, lesson.id)
    queue = await attempts.listing(cast.trainer, False, Page(0, 10))
    assert [a.id for a in queue] == [submitted.id]
    assert queue[0].trainee_name == cast.trainee.user.name
    async with memory_container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    graded = await attempts.grade(cast.trainer, submitted.id, {text.id: 1})
    assert (graded.score, graded.passed, graded.graded) == (100.0, True, True)
    assert await attempts.listing(cast.trainer, False, Page(0, 10)) == []
    mine = await memory_container.course_enrolments().trainee_courses(cast.trainee, cast.trainee.id)
    assert mine.courses[0].details.progress.status.value == "completed"
    async with memory_container.uow()(read_only=True) as uow:
        types = {e.type for e in await uow.events.since(before, limit=100)}
    assert {"assessment_graded", "lesson_completed", "course_completed"} <= types

"""Attempts at assessments over every storage adapter (memory, SQLite, MariaDB): an
assessment's questions kept with its lesson, attempts append-only (one number per trainee
and lesson), the open one found, the grading queue by owner, and what a save keeps."""

from __future__ import annotations

from dataclasses import replace

import pytest

from support import Cast, add_cast
from tms_domain.kernel import Conflict
from tms_domain.learning import Assessment, Lesson, LessonKind, Option, Question, QuestionKind
from tms_domain.learning.use_cases.courses import LessonFields, NewCourse
from tms_domain.skills import Answer, Attempt, AttemptQuery
from tms_entrypoints.container import Container

QUIZ = Assessment(
    (
        Question(
            0,
            QuestionKind.MULTIPLE,
            "Pick",
            2,
            (Option(0, "A", True), Option(0, "B", True), Option(0, "C", False)),
        ),
        Question(0, QuestionKind.TEXT, "Why?", 3),
    ),
    pass_mark=60,
    max_attempts=3,
    time_limit_minutes=20,
)


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def a_lesson(storage: Container, cast: Cast) -> Lesson:
    courses = storage.courses()
    course = await courses.create_course(cast.trainer, NewCourse(title="Quiz course"))
    module = await courses.add_module(cast.trainer, course.id, "Only")
    return await courses.add_lesson(
        cast.trainer,
        module.id,
        LessonFields(title="Quiz", kind=LessonKind.ASSESSMENT, assessment=QUIZ),
    )


def started(lesson: Lesson, trainee_id: int, number: int, storage: Container) -> Attempt:
    assert lesson.assessment is not None
    return Attempt(
        id=0,
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        trainee_id=trainee_id,
        number=number,
        assessment=lesson.assessment,
        started_at=storage.clock().now(),
    )


async def test_an_assessment_is_kept_with_its_lesson(storage: Container, cast: Cast) -> None:
    lesson = await a_lesson(storage, cast)
    course = await storage.courses().get_course(cast.trainer, lesson.course_id)
    kept = course.lessons[0].assessment
    assert kept == lesson.assessment
    assert kept is not None
    assert kept.last_id == 5  # three options and two questions
    assert [o.correct for o in kept.questions[0].options] == [True, True, False]


async def test_attempts_are_appended_saved_and_listed(storage: Container, cast: Cast) -> None:
    lesson = await a_lesson(storage, cast)
    async with storage.uow()() as uow:
        first = await uow.assessment_attempts.add(started(lesson, cast.trainee.id, 1, storage))
        await uow.assessment_attempts.add(started(lesson, cast.other_trainee.id, 1, storage))
        await uow.commit()
    async with storage.uow()() as uow:
        with pytest.raises(Conflict):
            await uow.assessment_attempts.add(started(lesson, cast.trainee.id, 1, storage))
    async with storage.uow()() as uow:
        repo = uow.assessment_attempts
        assert (await repo.open_attempt(lesson.id, cast.trainee.id)) == first
        assert await repo.count(lesson.id, cast.trainee.id) == 1
        assert await repo.page(AttemptQuery()) == []  # nothing submitted yet
        attempt = await repo.get(first.id, for_update=True)
        assert attempt is not None
        single, text = attempt.assessment.questions
        attempt.submit(
            [Answer(single.id, (single.options[0].id,)), Answer(text.id, (), "Because")],
            storage.clock().now(),
        )
        await repo.save(attempt)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        repo = uow.assessment_attempts
        assert await repo.open_attempt(lesson.id, cast.trainee.id) is None
        again = await repo.get(first.id)
        assert again == replace(attempt, trainee_name=None)
        assert again is not None
        assert [a.points for a in again.answers] == [1.0, None]
        queue = await repo.page(AttemptQuery(graded=False, owner_id=cast.trainer.id))
        assert [(a.id, a.trainee_name) for a in queue] == [(first.id, cast.trainee.user.name)]
        assert await repo.page(AttemptQuery(graded=False, owner_id=cast.other_trainer.id)) == []
        assert await repo.page(AttemptQuery(graded=True)) == []
        assert await repo.page(AttemptQuery(trainee_id=cast.other_trainee.id)) == []
        assert [a.id for a in await repo.submitted_of_lesson(lesson.id)] == [first.id]

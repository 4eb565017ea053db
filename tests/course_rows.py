"""Courses, course enrolments and lesson completions written straight into the store (the
SQL tables, or the in-memory state), for the tests of what reads them: reports and the
admins' figures. No use case and no event: what these tests read is only the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tms_adapters.persistence.sql import tables as t
from tms_domain.learning.model import (
    CompletionSource,
    Course,
    CourseEnrolment,
    CourseStatus,
    EnrolmentStatus,
    Lesson,
    LessonCompletion,
    LessonKind,
    Module,
    progress_of,
)
from tms_entrypoints.container import Container


@dataclass(frozen=True)
class SeededCourse:
    id: int
    code: str
    lesson_ids: tuple[int, ...]
    """In order, module by module."""


async def add_course(
    container: Container,
    code: str,
    title: str,
    *,
    status: CourseStatus = CourseStatus.PUBLISHED,
    lessons: int = 4,
    modules: int = 2,
    owner_id: int | None = None,
) -> SeededCourse:
    """A course of ``lessons`` text lessons spread over ``modules`` modules."""
    now = container.clock().now()
    per_module = [lessons // modules + (1 if m < lessons % modules else 0) for m in range(modules)]
    store = container.memory_store()
    if store is not None:
        state = store.state
        course = Course(
            id=state.next_id("courses"),
            code=code,
            title=title,
            description=None,
            category=None,
            difficulty=None,
            estimated_minutes=None,
            status=status,
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
            published_at=now if status is not CourseStatus.DRAFT else None,
        )
        for position, count in enumerate(per_module):
            module = Module(
                state.next_id("course_modules"), course.id, f"Module {position}", position
            )
            module.lessons = [
                Lesson(
                    id=state.next_id("lessons"),
                    module_id=module.id,
                    course_id=course.id,
                    title=f"Lesson {position}.{index}",
                    kind=LessonKind.TEXT,
                    position=index,
                    body="Read this.",
                    created_at=now,
                    updated_at=now,
                )
                for index in range(count)
            ]
            course.modules.append(module)
        state.courses[course.id] = course
        return SeededCourse(course.id, code, tuple(lesson.id for lesson in course.lessons))
    lesson_ids: list[int] = []
    async with container.engine().begin() as conn:
        course_id = (
            await conn.execute(
                t.courses.insert().values(
                    code=code,
                    code_key=code.casefold(),
                    title=title,
                    status=status.value,
                    owner_id=owner_id,
                    created_at=now,
                    updated_at=now,
                    published_at=now if status is not CourseStatus.DRAFT else None,
                )
            )
        ).inserted_primary_key[0]
        for position, count in enumerate(per_module):
            module_id = (
                await conn.execute(
                    t.course_modules.insert().values(
                        course_id=course_id, title=f"Module {position}", position=position
                    )
                )
            ).inserted_primary_key[0]
            for index in range(count):
                lesson_ids.append(
                    (
                        await conn.execute(
                            t.lessons.insert().values(
                                module_id=module_id,
                                course_id=course_id,
                                title=f"Lesson {position}.{index}",
                                kind=LessonKind.TEXT.value,
                                body="Read this.",
                                position=index,
                                created_at=now,
                                updated_at=now,
                            )
                        )
                    ).inserted_primary_key[0]
                )
    return SeededCourse(course_id, code, tuple(lesson_ids))


async def enrol(
    container: Container,
    course: SeededCourse,
    trainee_id: int,
    *,
    completed: int = 0,
    at: datetime | None = None,
) -> None:
    """Enrol the trainee and record the course's first ``completed`` lessons as done; the
    enrolment's status is what ``progress_of`` says, as the learning use cases record it."""
    now = at or container.clock().now()
    done = course.lesson_ids[:completed]
    status = progress_of(len(done), len(course.lesson_ids)).status
    completed_at = now if status is EnrolmentStatus.COMPLETED else None
    store = container.memory_store()
    if store is not None:
        state = store.state
        state.course_enrolments[(course.id, trainee_id)] = CourseEnrolment(
            id=state.next_id("course_enrolments"),
            course_id=course.id,
            trainee_id=trainee_id,
            assigned_at=now,
            status=status,
            completed_at=completed_at,
        )
        for lesson_id in done:
            state.lesson_completions[(lesson_id, trainee_id)] = LessonCompletion(
                lesson_id, course.id, trainee_id, CompletionSource.TRAINEE, now
            )
        return
    async with container.engine().begin() as conn:
        await conn.execute(
            t.course_enrolments.insert().values(
                course_id=course.id,
                trainee_id=trainee_id,
                assigned_at=now,
                status=status.value,
                completed_at=completed_at,
            )
        )
        if done:
            await conn.execute(
                t.lesson_completions.insert(),
                [
                    {
                        "lesson_id": lesson_id,
                        "course_id": course.id,
                        "trainee_id": trainee_id,
                        "source": CompletionSource.TRAINEE.value,
                        "completed_at": now,
                    }
                    for lesson_id in done
                ],
            )


async def remove_lesson(container: Container, course: SeededCourse, lesson_id: int) -> None:
    """Delete one lesson, as an author would: its completions no longer count."""
    store = container.memory_store()
    if store is not None:
        for module in store.state.courses[course.id].modules:
            module.lessons = [lesson for lesson in module.lessons if lesson.id != lesson_id]
        return
    async with container.engine().begin() as conn:
        await conn.execute(t.lessons.delete().where(t.lessons.c.id == lesson_id))

"""Demo courses: a small catalogue with modules and lessons of each kind, its trainees
enrolled with due dates, and partial progress (session lessons completed by those marked
present, as attendance would have done)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_adapters.content import MarkdownItRenderer
from tms_domain.learning import (
    CompletionSource,
    Course,
    CourseEnrolment,
    CourseStatus,
    Difficulty,
    Lesson,
    LessonCompletion,
    LessonKind,
    Module,
    progress_of,
)
from tms_domain.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tms_entrypoints.demo.plan import PlannedMark

CATALOGUE: tuple[tuple[str, str, Difficulty, CourseStatus], ...] = (
    ("Workplace safety essentials", "Safety", Difficulty.BEGINNER, CourseStatus.PUBLISHED),
    ("Customer conversations", "Service", Difficulty.INTERMEDIATE, CourseStatus.PUBLISHED),
    ("Data protection in practice", "Compliance", Difficulty.BEGINNER, CourseStatus.PUBLISHED),
    ("Leading a small team", "Leadership", Difficulty.ADVANCED, CourseStatus.PUBLISHED),
    ("Spreadsheet skills", "Tools", Difficulty.INTERMEDIATE, CourseStatus.ARCHIVED),
    ("Presenting with confidence", "Communication", Difficulty.INTERMEDIATE, CourseStatus.DRAFT),
)
MODULES = ("Getting started", "In practice", "Wrapping up")
ENROLLED_PER_COURSE = 40


@dataclass(frozen=True)
class DemoCourses:
    courses: int
    enrolments: int
    completions: int


async def write_courses(
    uow: UnitOfWorkFactory,
    *,
    trainer_ids: Sequence[int],
    trainee_ids: Sequence[int],
    session_ids: Sequence[int],
    marks: Sequence[PlannedMark],
    now: datetime,
    seed: int | None,
) -> DemoCourses:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    renderer = MarkdownItRenderer()
    present: dict[int, set[int]] = {}
    for mark in marks:
        if mark.present:
            present.setdefault(session_ids[mark.session], set()).add(trainee_ids[mark.trainee])
    # Sessions that took place and had someone present: what session lessons are made of.
    attended = sorted(present)
    enrolments = completions = 0
    async with uow() as unit:
        for number, (title, category, difficulty, status) in enumerate(CATALOGUE):
            created = now - timedelta(days=60 - 7 * number)
            course = Course(
                id=0,
                code="",
                title=title,
                description=f"{title}: a short course of reading, video and a live session.",
                category=category,
                difficulty=difficulty,
                estimated_minutes=rng.choice((45, 60, 90, 120)),
                status=status,
                owner_id=trainer_ids[number % len(trainer_ids)],
                created_at=created,
                updated_at=created,
                published_at=created if status is not CourseStatus.DRAFT else None,
            )
            course = await unit.courses.add(course)
            for module_title in MODULES:
                course.add_module(Module(0, course.id, module_title, 0), None)
            await unit.courses.save(course)  # the modules get their ids
            for module_index, lesson in _lessons(course, rng, renderer, attended, created):
                course.add_lesson(course.modules[module_index].id, lesson, None)
            await unit.courses.save(course)
            if status is CourseStatus.DRAFT or not trainee_ids:
                continue
            chosen = rng.sample(list(trainee_ids), min(ENROLLED_PER_COURSE, len(trainee_ids)))
            added, done = await _enrol(unit, course, chosen, present, rng, now)
            enrolments += added
            completions += done
        await unit.commit()
    return DemoCourses(len(CATALOGUE), enrolments, completions)


async def _enrol(
    unit: UnitOfWork,
    course: Course,
    chosen: Sequence[int],
    present: dict[int, set[int]],
    rng: random.Random,
    now: datetime,
) -> tuple[int, int]:
    """Enrol the trainees with some lessons done: (enrolments, completions)."""
    lessons = course.lessons
    done: dict[int, int] = {}
    for trainee_id in chosen:
        # Some have not started, most are part of the way, a few are done.
        share = rng.choice((0.0, 0.0, 0.3, 0.5, 0.7, 0.9, 1.0))
        for lesson in lessons:
            if lesson.kind is LessonKind.SESSION:
                finished = any(trainee_id in present.get(s, ()) for s in lesson.session_ids)
                source = CompletionSource.ATTENDANCE
            else:
                finished = rng.random() < share
                source = CompletionSource.TRAINEE
            if finished:
                await unit.lesson_completions.add(
                    LessonCompletion(lesson.id, course.id, trainee_id, source, now)
                )
                done[trainee_id] = done.get(trainee_id, 0) + 1
    fresh = []
    for trainee_id in chosen:
        enrolment = CourseEnrolment(
            id=0,
            course_id=course.id,
            trainee_id=trainee_id,
            assigned_at=course.created_at + timedelta(days=1),
            due_date=(now + timedelta(days=rng.choice((14, 30, 45)))).date(),
        )
        enrolment.follow(progress_of(done.get(trainee_id, 0), len(lessons)), now)
        fresh.append(enrolment)
    return len(await unit.course_enrolments.add_many(fresh)), sum(done.values())


def _lessons(
    course: Course,
    rng: random.Random,
    renderer: MarkdownItRenderer,
    attended: Sequence[int],
    created: datetime,
) -> list[tuple[int, Lesson]]:
    """(module index, lesson): reading and a video first, a file, a live session last."""

    def lesson(title: str, kind: LessonKind, **fields: object) -> Lesson:
        return Lesson(
            id=0,
            module_id=0,
            course_id=course.id,
            title=title,
            kind=kind,
            position=0,
            duration_minutes=rng.choice((10, 15, 20, 30)),
            created_at=created,
            updated_at=created,
            **fields,  # type: ignore[arg-type]
        )

    def text(title: str) -> Lesson:
        body = f"{title}\n\nWhat {course.title.lower()} asks of you, and why it matters."
        return lesson(title, LessonKind.TEXT, body=body, body_html=renderer.render_markdown(body))

    made = [
        (0, text("Why this course")),
        (0, lesson("A short film", LessonKind.VIDEO, video_url="https://videos.example.org/intro")),
        (1, text("The main ideas")),
        (1, lesson("Checklist to keep", LessonKind.FILE)),
        (2, text("Putting it together")),
    ]
    if attended:
        dates = rng.sample(list(attended), min(2, len(attended)))
        made.append((2, lesson("Live practice", LessonKind.SESSION, session_ids=sorted(dates))))
    return made

"""The learning ports' contract, kept alike by the in-memory, SQLite and MariaDB adapters:
courses stored as aggregates (modules, lessons, their order and sessions), codes unique
case aside, enrolments and completions kept once, listings with their counts; and two
completions of one lesson at once keeping one record."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from support import Cast, add_cast, add_session
from tms_domain.kernel import Conflict, Page
from tms_domain.learning import (
    CompletionSource,
    Course,
    CourseEnrolment,
    CourseQuery,
    CourseStatus,
    EnrolmentStatus,
    LessonCompletion,
    LessonKind,
)
from tms_domain.learning.use_cases.courses import CourseFilters, LessonFields, NewCourse
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def authored(
    storage: Container, cast: Cast, title: str = "Fire safety", lessons: int = 3, **fields: object
) -> Course:
    """A course of two modules: the lessons in the first, none in the second."""
    courses = storage.courses()
    course = await courses.create_course(cast.trainer, NewCourse(title=title, **fields))  # type: ignore[arg-type]
    first = await courses.add_module(cast.trainer, course.id, "Basics")
    await courses.add_module(cast.trainer, course.id, "Advanced")
    for index in range(lessons):
        await courses.add_lesson(
            cast.trainer,
            first.id,
            LessonFields(title=f"Part {index}", kind=LessonKind.TEXT, body=f"Body {index}"),
        )
    return await courses.get_course(cast.trainer, course.id)


async def test_a_course_is_stored_and_read_back_whole(storage: Container, cast: Cast) -> None:
    session = await add_session(storage, cast.trainer)
    course = await authored(storage, cast, category="Safety", estimated_minutes=90)
    courses = storage.courses()
    advanced = course.modules[1]
    live = await courses.add_lesson(
        cast.trainer,
        advanced.id,
        LessonFields(
            title="Drill", kind=LessonKind.SESSION, session_ids=(session.id,), duration_minutes=60
        ),
    )
    video = await courses.add_lesson(
        cast.trainer,
        advanced.id,
        LessonFields(title="Film", kind=LessonKind.VIDEO, video_url="https://v.example.org/1"),
    )
    async with storage.uow()(read_only=True) as uow:
        stored = await uow.courses.get(course.id)
    assert stored is not None
    assert (stored.code, stored.category, stored.estimated_minutes) == (
        course.code,
        "Safety",
        90,
    )
    assert [m.title for m in stored.modules] == ["Basics", "Advanced"]
    assert [lesson.title for lesson in stored.modules[0].lessons] == ["Part 0", "Part 1", "Part 2"]
    assert [(lesson.id, lesson.position) for lesson in stored.modules[1].lessons] == [
        (live.id, 1),
        (video.id, 2),
    ]
    drill = stored.modules[1].lessons[0]
    assert (drill.kind, drill.session_ids, drill.duration_minutes) == (
        LessonKind.SESSION,
        [session.id],
        60,
    )
    assert stored.modules[1].lessons[1].video_url == "https://v.example.org/1"
    assert stored.modules[0].lessons[0].body_html == "<p>Body 0</p>"


async def test_order_moves_lessons_between_modules_and_deletes_go(
    storage: Container, cast: Cast
) -> None:
    course = await authored(storage, cast)
    courses = storage.courses()
    basics, advanced = course.modules
    a, b, c = (lesson.id for lesson in basics.lessons)
    reordered = await courses.reorder(
        cast.trainer, course.id, [(advanced.id, [c, a]), (basics.id, [b])]
    )
    async with storage.uow()(read_only=True) as uow:
        stored = await uow.courses.get(course.id)
        assert await uow.courses.lesson_ref(c) == (course.id, LessonKind.TEXT)
        assert await uow.courses.course_id_of_module(advanced.id) == course.id
    assert stored is not None
    assert [(m.id, m.position, [lesson.id for lesson in m.lessons]) for m in stored.modules] == [
        (advanced.id, 1, [c, a]),
        (basics.id, 2, [b]),
    ]
    assert [(m.id, [lesson.id for lesson in m.lessons]) for m in reordered.modules] == [
        (m.id, [lesson.id for lesson in m.lessons]) for m in stored.modules
    ]
    await courses.delete_module(cast.trainer, advanced.id)
    async with storage.uow()(read_only=True) as uow:
        stored = await uow.courses.get(course.id)
        assert await uow.courses.lesson_ref(c) is None
        assert await uow.courses.lesson_total(course.id) == 1
    assert stored is not None
    assert [(m.id, m.position) for m in stored.modules] == [(basics.id, 1)]


async def test_codes_are_unique_case_aside(storage: Container, cast: Cast) -> None:
    await authored(storage, cast, code="Fire-101", lessons=0)
    with pytest.raises(Conflict):
        await authored(storage, cast, code="FIRE-101", lessons=0)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.courses.code_taken("fire-101")
        assert not await uow.courses.code_taken("fire-102")
    generated = await authored(storage, cast, title="Second", lessons=0)
    assert generated.code == f"CRS-{generated.id:04d}"


async def test_listing_filters_and_trainee_visibility(storage: Container, cast: Cast) -> None:
    water = await authored(storage, cast, title="Water rescue", code="WR-1", category="Rescue")
    fire = await authored(storage, cast, title="Fire safety", code="FS-1", category="Safety")
    await authored(storage, cast, title="Archive me", lessons=0)
    await storage.courses().publish(cast.trainer, water.id)
    await storage.course_enrolments().enrol(cast.trainer, water.id, [cast.trainee.id])
    await storage.course_enrolments().enrol(cast.trainer, fire.id, [cast.trainee.id])

    async def titles(**query: object) -> list[str]:
        async with storage.uow()(read_only=True) as uow:
            return [c.title for c in await uow.course_listing.page(CourseQuery(**query))]  # type: ignore[arg-type]

    assert await titles() == ["Archive me", "Fire safety", "Water rescue"]
    assert await titles(status=CourseStatus.PUBLISHED) == ["Water rescue"]
    assert await titles(q="fire") == ["Fire safety"]
    assert await titles(q="wr-") == ["Water rescue"]
    assert await titles(q="%") == []
    assert await titles(category="rescue") == ["Water rescue"]
    assert await titles(enrolled_trainee_id=cast.trainee.id) == ["Fire safety", "Water rescue"]
    assert await titles(skip=1, limit=1) == ["Fire safety"]
    shown = await storage.courses().list_courses(cast.trainee, CourseFilters(), Page())
    assert [c.title for c in shown] == ["Water rescue"]


async def test_enrolments_and_completions_are_kept_once(storage: Container, cast: Cast) -> None:
    course = await authored(storage, cast)
    lesson = course.modules[0].lessons[0]
    async with storage.uow()() as uow:
        fresh = [
            CourseEnrolment(0, course.id, trainee_id, NOW)
            for trainee_id in (cast.trainee.id, cast.other_trainee.id)
        ]
        assert await uow.course_enrolments.add_many(fresh) == [
            cast.trainee.id,
            cast.other_trainee.id,
        ]
        again = [CourseEnrolment(0, course.id, cast.trainee.id, NOW)]
        assert await uow.course_enrolments.add_many(again) == []
        done = LessonCompletion(
            lesson.id, course.id, cast.trainee.id, CompletionSource.TRAINEE, NOW
        )
        assert await uow.lesson_completions.add(done)
        assert not await uow.lesson_completions.add(done)
        assert await uow.lesson_completions.count(course.id, cast.trainee.id) == 1
        assert await uow.lesson_completions.counts_for_course(course.id) == {cast.trainee.id: 1}
        enrolment = await uow.course_enrolments.get(course.id, cast.trainee.id, for_update=True)
        assert enrolment is not None
        enrolment.status, enrolment.completed_at = EnrolmentStatus.COMPLETED, NOW
        await uow.course_enrolments.update(enrolment)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        stored = await uow.course_enrolments.get(course.id, cast.trainee.id)
        assert stored is not None
        assert (stored.status, stored.completed_at) == (EnrolmentStatus.COMPLETED, NOW)
        assert await uow.course_enrolments.count_for_course(course.id) == 2
        assert await uow.enrolment_listing.trainee_ids(course.id) == sorted(
            [cast.trainee.id, cast.other_trainee.id]
        )
        got = await uow.lesson_completions.get(lesson.id, cast.trainee.id)
        assert got is not None
        assert got.source is CompletionSource.TRAINEE
    # Deleting the lesson takes what was completed of it.
    await storage.courses().delete_lesson(cast.trainer, lesson.id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.lesson_completions.count(course.id, cast.trainee.id) == 0
        assert await uow.course_enrolments.delete(course.id, cast.other_trainee.id)
        assert not await uow.course_enrolments.delete(course.id, cast.third_trainee.id)


async def test_enrolment_listings_carry_their_counts(storage: Container, cast: Cast) -> None:
    first = await authored(storage, cast, title="First", lessons=4)
    second = await authored(storage, cast, title="Second", lessons=2)
    enrolments, courses = storage.course_enrolments(), storage.courses()
    for course in (first, second):
        await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(
        cast.trainer, first.id, [cast.trainee.id, cast.other_trainee.id, cast.third_trainee.id]
    )
    await enrolments.enrol(cast.trainer, second.id, [cast.trainee.id])
    for lesson in first.modules[0].lessons[:3]:
        await enrolments.complete(cast.trainee, lesson.id)
    await enrolments.complete(cast.other_trainee, first.modules[0].lessons[0].id)
    for lesson in second.modules[0].lessons:
        await enrolments.complete(cast.trainee, lesson.id)
    async with storage.uow()(read_only=True) as uow:
        page = await uow.enrolment_listing.page(first.id, skip=0, limit=10)
        assert [(r.enrolment.trainee_id, r.completed_lessons, r.total_lessons) for r in page] == [
            (cast.trainee.id, 3, 4),
            (cast.other_trainee.id, 1, 4),
            (cast.third_trainee.id, 0, 4),
        ]
        narrowed = await uow.enrolment_listing.page(
            first.id, skip=1, limit=5, trainee_ids=[cast.trainee.id, cast.third_trainee.id]
        )
        assert [r.enrolment.trainee_id for r in narrowed] == [cast.third_trainee.id]
        assert await uow.enrolment_listing.page(first.id, skip=0, limit=5, trainee_ids=[]) == []
        mine = await uow.enrolment_listing.of_trainee(cast.trainee.id)
    assert [(b.code, r.completed_lessons, r.total_lessons) for r, b in mine] == [
        (first.code, 3, 4),
        (second.code, 2, 2),
    ]
    assert mine[1][0].enrolment.status is EnrolmentStatus.COMPLETED
    overview = await enrolments.trainee_courses(cast.trainee, cast.trainee.id)
    figures = overview.statistics
    assert (figures.total_enrolled, figures.completed, figures.in_progress) == (2, 1, 1)
    assert figures.average_progress == 87.5


async def test_a_trainee_s_answers_name_the_lessons_they_completed(
    storage: Container, cast: Cast
) -> None:
    first = await authored(storage, cast, title="First", lessons=4)
    second = await authored(storage, cast, title="Second", lessons=2)
    enrolments, courses = storage.course_enrolments(), storage.courses()
    for course in (first, second):
        await courses.publish(cast.trainer, course.id)
        await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    _, two, _, four = (lesson.id for lesson in first.modules[0].lessons)
    # Out of order: the answer names the very lessons, not the first N.
    await enrolments.complete(cast.trainee, four)
    answer = await enrolments.complete(cast.trainee, two)
    assert answer.completed_lesson_ids == (two, four)
    assert answer.progress.completed_lessons == 2
    again = await enrolments.complete(cast.trainee, two)
    assert again.completed_lesson_ids == (two, four)
    back = await enrolments.uncomplete(cast.trainee, four)
    assert back.completed_lesson_ids == (two,)
    await enrolments.complete(cast.trainee, second.modules[0].lessons[1].id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.lesson_completions.lesson_ids(first.id, cast.trainee.id) == [two]
        assert await uow.lesson_completions.lesson_ids(first.id, cast.other_trainee.id) == []
        assert await uow.lesson_completions.lesson_ids_by_course(cast.trainee.id) == {
            first.id: [two],
            second.id: [second.modules[0].lessons[1].id],
        }
        assert await uow.lesson_completions.lesson_ids_by_course(cast.other_trainee.id) == {}
        by_trainee = await uow.lesson_completions.of_trainee_by_source(
            cast.trainee.id, CompletionSource.TRAINEE
        )
        assert [c.lesson_id for c in by_trainee] == sorted([two, second.modules[0].lessons[1].id])
        assert not await uow.lesson_completions.of_trainee_by_source(
            cast.trainee.id, CompletionSource.ATTENDANCE
        )
    mine = await enrolments.trainee_courses(cast.trainee, cast.trainee.id)
    assert [(c.course.id, c.details.completed_lesson_ids) for c in mine.courses] == [
        (first.id, (two,)),
        (second.id, (second.modules[0].lessons[1].id,)),
    ]
    # A lesson deleted takes its completion out of the list, as out of the count.
    await courses.delete_lesson(cast.trainer, two)
    mine = await enrolments.trainee_courses(cast.admin, cast.trainee.id)
    assert mine.courses[0].details.completed_lesson_ids == ()
    assert mine.courses[0].details.progress.completed_lessons == 0
    # The trainer's listing of a course carries counts only.
    [row] = await enrolments.list_enrolments(cast.trainer, second.id, Page())
    assert row.completed_lesson_ids is None


async def test_sessions_deliver_lessons(storage: Container, cast: Cast) -> None:
    one = await add_session(storage, cast.trainer)
    two = await add_session(storage, cast.trainer, start=datetime(2026, 6, 2, 9, tzinfo=UTC))
    course = await authored(storage, cast, lessons=0)
    lesson = await storage.courses().add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Drill", kind=LessonKind.SESSION, session_ids=(two.id, one.id)),
    )
    async with storage.uow()(read_only=True) as uow:
        assert await uow.courses.lessons_delivered_by(one.id) == [(lesson.id, course.id)]
        assert await uow.courses.sessions_of_lesson(lesson.id) == sorted([one.id, two.id])
    await storage.courses().update_lesson(
        cast.trainer, lesson.id, LessonFields(session_ids=(two.id,))
    )
    async with storage.uow()(read_only=True) as uow:
        assert await uow.courses.lessons_delivered_by(one.id) == []
        assert await uow.courses.sessions_of_lesson(lesson.id) == [two.id]


async def test_a_deleted_session_takes_back_what_its_attendance_completed(
    storage: Container, cast: Cast
) -> None:
    one = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,))
    two = await add_session(
        storage,
        cast.trainer,
        trainees=(cast.trainee.id, cast.other_trainee.id),
        start=datetime(2026, 6, 2, 9, tzinfo=UTC),
    )
    course = await authored(storage, cast, lessons=1)
    lesson = await storage.courses().add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Drill", kind=LessonKind.SESSION, session_ids=(one.id, two.id)),
    )
    await storage.courses().publish(cast.trainer, course.id)
    enrolments = storage.course_enrolments()
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id, cast.other_trainee.id])
    attendance = storage.attendance()
    await attendance.mark(cast.trainer, one.id, cast.trainee.id, present=True)
    await attendance.mark(cast.trainer, two.id, cast.trainee.id, present=True)
    await attendance.mark(cast.trainer, two.id, cast.other_trainee.id, present=True)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.lesson_completions.trainee_ids(lesson.id) == sorted(
            [cast.trainee.id, cast.other_trainee.id]
        )
        [kept] = await uow.lesson_completions.of_trainee_by_source(
            cast.other_trainee.id, CompletionSource.ATTENDANCE
        )
        assert (kept.lesson_id, kept.course_id) == (lesson.id, course.id)
        before = await uow.events.last_id()
    await storage.sessions().delete_session(cast.admin, two.id)
    async with storage.uow()(read_only=True) as uow:
        # Still present at the first session: kept; present only at the second: gone.
        assert await uow.lesson_completions.trainee_ids(lesson.id) == [cast.trainee.id]
        assert await uow.courses.sessions_of_lesson(lesson.id) == [one.id]
        stored = await uow.course_enrolments.get(course.id, cast.other_trainee.id)
        events = await uow.events.since(before, limit=100)
    assert stored is not None
    assert stored.status is EnrolmentStatus.NOT_STARTED
    assert [(e.type, e.data["trainee_id"]) for e in events if e.type == "course_progress"] == [
        ("course_progress", cast.other_trainee.id)
    ]
    await storage.sessions().delete_session(cast.admin, one.id)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.lesson_completions.trainee_ids(lesson.id) == []
        assert await uow.lesson_completions.count(course.id, cast.trainee.id) == 0


async def test_two_completions_at_once_keep_one_record(storage: Container, cast: Cast) -> None:
    course = await authored(storage, cast, lessons=2)
    await storage.courses().publish(cast.trainer, course.id)
    enrolments = storage.course_enrolments()
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    lesson = course.modules[0].lessons[0]
    results = await asyncio.gather(
        *(enrolments.complete(cast.trainee, lesson.id) for _ in range(4))
    )
    assert {r.progress.completed_lessons for r in results} == {1}
    async with storage.uow()(read_only=True) as uow:
        assert await uow.lesson_completions.count(course.id, cast.trainee.id) == 1
        events = await uow.events.since(0, limit=200)
    assert [e.type for e in events].count("lesson_completed") == 1


async def test_the_longest_body_is_kept_whole(storage: Container, cast: Cast) -> None:
    course = await authored(storage, cast, lessons=0)
    body = "é" * 100_000
    lesson = await storage.courses().add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Long", kind=LessonKind.TEXT, body=body),
    )
    async with storage.uow()(read_only=True) as uow:
        stored = await uow.courses.get(course.id)
    assert stored is not None
    assert stored.lesson(lesson.id).body == body

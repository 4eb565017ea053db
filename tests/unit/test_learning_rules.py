"""The learning area's rules over the in-memory adapters: the course's status moves and
order, who may author, read, enrol and complete, progress, and session lessons following
attendance. Hypothesis checks the order and progress invariants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import Cast, add_cast, add_session
from tms_domain.audit import AuditQuery
from tms_domain.kernel import Conflict, Forbidden, InvalidInput, NotFound, Page
from tms_domain.learning import (
    Course,
    CourseEnrolment,
    CourseStatus,
    EnrolmentStatus,
    Lesson,
    LessonKind,
    Module,
    progress_of,
)
from tms_domain.learning.use_cases.courses import (
    CourseChanges,
    CourseFilters,
    LessonFields,
    NewCourse,
)
from tms_entrypoints.container import Container

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def a_course(shape: list[int]) -> Course:
    """A course whose modules hold ``shape[i]`` lessons each, ids numbered in order."""
    course = Course(1, "C", "Course", None, None, None, None, CourseStatus.DRAFT, 7, NOW, NOW)
    lesson_id = 100
    for index, count in enumerate(shape, start=1):
        module = Module(index, 1, f"M{index}", 0)
        for _ in range(count):
            lesson_id += 1
            module.lessons.append(Lesson(lesson_id, index, 1, "L", LessonKind.TEXT, 0))
        course.add_module(module, None)
    return course


# Pure rules: status moves, order, progress


def test_status_moves_draft_published_archived_and_back() -> None:
    course = a_course([1])
    with pytest.raises(Conflict):
        course.move_to(CourseStatus.ARCHIVED, NOW)
    course.move_to(CourseStatus.PUBLISHED, NOW)
    assert course.published_at == NOW
    course.move_to(CourseStatus.ARCHIVED, NOW)
    with pytest.raises(Conflict):
        course.move_to(CourseStatus.DRAFT, NOW)
    course.move_to(CourseStatus.PUBLISHED, NOW)
    assert course.status is CourseStatus.PUBLISHED


def test_publishing_needs_a_lesson() -> None:
    course = a_course([0, 0])
    with pytest.raises(InvalidInput) as raised:
        course.move_to(CourseStatus.PUBLISHED, NOW)
    assert raised.value.errors[0].field == "status"
    assert course.status is CourseStatus.DRAFT


shapes = st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=4)


@given(shape=shapes, data=st.data())
def test_any_permutation_is_taken_and_positions_follow_it(
    shape: list[int], data: st.DataObject
) -> None:
    course = a_course(shape)
    modules = data.draw(st.permutations([m.id for m in course.modules]))
    lessons = data.draw(st.permutations([lesson.id for lesson in course.lessons]))
    # Deal the lessons out to the modules in any split.
    cuts = sorted(
        data.draw(
            st.lists(
                st.integers(0, len(lessons)), min_size=len(modules) - 1, max_size=len(modules) - 1
            )
        )
    )
    bounds = [0, *cuts, len(lessons)]
    order = [(m, lessons[bounds[i] : bounds[i + 1]]) for i, m in enumerate(modules)]

    course.reorder(order)

    assert [(m.id, [lesson.id for lesson in m.lessons]) for m in course.modules] == [
        (m, list(ids)) for m, ids in order
    ]
    assert [m.position for m in course.modules] == list(range(1, len(modules) + 1))
    for module in course.modules:
        assert [lesson.position for lesson in module.lessons] == list(
            range(1, len(module.lessons) + 1)
        )
        assert all(lesson.module_id == module.id for lesson in module.lessons)


@given(shape=shapes.filter(lambda s: sum(s) > 0), data=st.data())
def test_an_order_that_leaves_out_or_adds_a_lesson_changes_nothing(
    shape: list[int], data: st.DataObject
) -> None:
    course = a_course(shape)
    before = [(m.id, [lesson.id for lesson in m.lessons]) for m in course.modules]
    order = [(m, list(ids)) for m, ids in before]
    mistake = data.draw(st.sampled_from(["leave_out", "foreign", "twice", "foreign_module"]))
    with_lessons = [entry for entry in order if entry[1]]
    if mistake == "leave_out":
        with_lessons[0][1].pop()
    elif mistake == "foreign":
        order[0][1].append(99_999)
    elif mistake == "twice":
        order[-1][1].append(with_lessons[0][1][0])
    else:
        order.append((99_999, []))
    with pytest.raises(InvalidInput):
        course.reorder(order)
    assert [(m.id, [lesson.id for lesson in m.lessons]) for m in course.modules] == before


@given(completed=st.integers(-3, 300), total=st.integers(0, 250))
def test_progress_is_bounded_and_its_status_follows_the_counts(completed: int, total: int) -> None:
    progress = progress_of(completed, total)
    assert 0 <= progress.completed_lessons <= total
    assert 0.0 <= progress.progress_percentage <= 100.0
    if total == 0 or completed <= 0:
        assert progress.status is EnrolmentStatus.NOT_STARTED
        assert progress.progress_percentage == 0.0
    elif completed >= total:
        assert progress.status is EnrolmentStatus.COMPLETED
        assert progress.progress_percentage == 100.0
    else:
        assert progress.status is EnrolmentStatus.IN_PROGRESS
        assert 0.0 < progress.progress_percentage < 100.0


@given(counts=st.lists(st.integers(0, 10), min_size=1, max_size=12), total=st.integers(1, 10))
def test_an_enrolment_follows_its_progress_and_keeps_its_completion_time(
    counts: list[int], total: int
) -> None:
    enrolment = CourseEnrolment(1, 1, 2, NOW)
    for step, count in enumerate(counts):
        moment = NOW.replace(minute=step)
        was = enrolment.completed_at
        enrolment.follow(progress_of(count, total), moment)
        done = progress_of(count, total).status is EnrolmentStatus.COMPLETED
        assert enrolment.status is progress_of(count, total).status
        assert (enrolment.completed_at is not None) == done
        if done and was is not None:
            assert enrolment.completed_at == was


# Use cases over memory


@pytest.fixture
async def cast(memory_container: Container) -> Cast:
    return await add_cast(memory_container)


async def course_with_lessons(
    container: Container, cast: Cast, *, owner: str = "trainer", lessons: int = 2
) -> tuple[Course, list[Lesson]]:
    actor = getattr(cast, owner)
    courses = container.courses()
    course = await courses.create_course(actor, NewCourse(title="Fire safety"))
    module = await courses.add_module(actor, course.id, "Basics")
    made = [
        await courses.add_lesson(
            actor, module.id, LessonFields(title=f"Part {i}", kind=LessonKind.TEXT, body="Read")
        )
        for i in range(lessons)
    ]
    return await courses.get_course(actor, course.id), made


async def test_codes_are_generated_and_unique_case_aside(
    memory_container: Container, cast: Cast
) -> None:
    courses = memory_container.courses()
    first = await courses.create_course(cast.admin, NewCourse(title="A"))
    assert first.code == f"CRS-{first.id:04d}"
    await courses.create_course(cast.admin, NewCourse(title="B", code="Safe-1"))
    with pytest.raises(Conflict):
        await courses.create_course(cast.admin, NewCourse(title="C", code="safe-1"))
    taken = await courses.create_course(cast.admin, NewCourse(title="D", code="crs-0004"))
    generated = await courses.create_course(cast.admin, NewCourse(title="E"))
    # Course 4's own code was chosen by hand for course 3: the generated one steps aside.
    assert (taken.id, generated.id) == (3, 4)
    assert generated.code == "CRS-0004-2"


async def test_trainers_author_their_own_courses_only(
    memory_container: Container, cast: Cast
) -> None:
    courses = memory_container.courses()
    course, lessons = await course_with_lessons(memory_container, cast)
    assert course.owner_id == cast.trainer.id
    with pytest.raises(Forbidden):
        await courses.update_course(cast.other_trainer, course.id, CourseChanges(title="Mine"))
    with pytest.raises(Forbidden):
        await courses.delete_lesson(cast.other_trainer, lessons[0].id)
    with pytest.raises(Forbidden):
        await courses.create_course(
            cast.trainer, NewCourse(title="For Tina", owner_id=cast.other_trainer.id)
        )
    # Reading is open to staff; an admin changes anyone's course.
    assert (await courses.get_course(cast.other_trainer, course.id)).id == course.id
    changed = await courses.update_course(cast.admin, course.id, CourseChanges(title="Fire"))
    assert changed.title == "Fire"


async def test_trainees_see_only_published_courses_they_are_enrolled_in(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    course, lessons = await course_with_lessons(memory_container, cast)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    # Enrolled in a draft: still hidden, as is completing its lessons.
    with pytest.raises(NotFound):
        await courses.get_course(cast.trainee, course.id)
    with pytest.raises(NotFound):
        await enrolments.complete(cast.trainee, lessons[0].id)
    assert await courses.list_courses(cast.trainee, CourseFilters(), Page()) == []
    await courses.publish(cast.trainer, course.id)
    assert (await courses.get_course(cast.trainee, course.id)).id == course.id
    assert [c.id for c in await courses.list_courses(cast.trainee, CourseFilters(), Page())] == [
        course.id
    ]
    # Another trainee: 404 for reading, completing, and changing alike.
    with pytest.raises(NotFound):
        await courses.get_course(cast.other_trainee, course.id)
    with pytest.raises(NotFound):
        await enrolments.complete(cast.other_trainee, lessons[0].id)
    with pytest.raises(NotFound):
        await courses.update_lesson(cast.other_trainee, lessons[0].id, LessonFields(title="x"))
    # The enrolled trainee reads but does not change.
    with pytest.raises(Forbidden):
        await courses.update_course(cast.trainee, course.id, CourseChanges(title="x"))
    await courses.archive(cast.trainer, course.id)
    with pytest.raises(NotFound):
        await courses.get_course(cast.trainee, course.id)


async def test_completion_moves_progress_and_the_enrolment_status(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    course, lessons = await course_with_lessons(memory_container, cast)
    await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    first = await enrolments.complete(cast.trainee, lessons[0].id)
    assert (first.progress.completed_lessons, first.progress.status) == (
        1,
        EnrolmentStatus.IN_PROGRESS,
    )
    again = await enrolments.complete(cast.trainee, lessons[0].id)
    assert again.progress.completed_lessons == 1
    done = await enrolments.complete(cast.trainee, lessons[1].id)
    assert done.progress.status is EnrolmentStatus.COMPLETED
    assert done.enrolment.completed_at is not None
    # A new lesson makes the course unfinished again, in the stored status too.
    module_id = course.modules[0].id
    await courses.add_lesson(
        cast.trainer, module_id, LessonFields(title="More", kind=LessonKind.TEXT)
    )
    [row] = await enrolments.list_enrolments(cast.trainer, course.id, Page())
    assert (row.progress.completed_lessons, row.progress.total_lessons) == (2, 3)
    assert row.enrolment.status is EnrolmentStatus.IN_PROGRESS
    assert row.enrolment.completed_at is None
    back = await enrolments.uncomplete(cast.trainee, lessons[0].id)
    assert back.progress.completed_lessons == 1


async def test_who_may_enrol_and_see_enrolments(memory_container: Container, cast: Cast) -> None:
    enrolments = memory_container.course_enrolments()
    course, _ = await course_with_lessons(memory_container, cast)
    # Tina does not own the course: only her assigned trainees.
    await memory_container.assignments().assign(
        cast.admin, cast.other_trainee.id, cast.other_trainer.id
    )
    with pytest.raises(Forbidden):
        await enrolments.enrol(cast.other_trainer, course.id, [cast.trainee.id])
    result = await enrolments.enrol(cast.other_trainer, course.id, [cast.other_trainee.id])
    assert (result.enrolled, result.already_enrolled) == (1, 0)
    result = await enrolments.enrol(
        cast.trainer, course.id, [cast.trainee.id, cast.other_trainee.id]
    )
    assert (result.enrolled, result.already_enrolled) == (1, 1)
    seen = await enrolments.list_enrolments(cast.other_trainer, course.id, Page())
    assert [d.trainee.id for d in seen] == [cast.other_trainee.id]
    everyone = await enrolments.list_enrolments(cast.trainer, course.id, Page())
    assert [d.trainee.id for d in everyone] == [cast.other_trainee.id, cast.trainee.id]
    with pytest.raises(InvalidInput) as raised:
        await enrolments.enrol(cast.trainer, course.id, [cast.other_trainer.id])
    assert raised.value.errors[0].field == "trainee_ids"
    with pytest.raises(InvalidInput) as raised:
        await enrolments.enrol(cast.trainer, course.id, [], batch_ids=[1])
    assert raised.value.errors[0].field == "batch_ids"
    with pytest.raises(Forbidden):
        await enrolments.unenrol(cast.other_trainer, course.id, cast.trainee.id)
    await enrolments.unenrol(cast.trainer, course.id, cast.trainee.id)
    with pytest.raises(NotFound):
        await enrolments.unenrol(cast.trainer, course.id, cast.trainee.id)


async def test_a_course_with_enrolments_is_archived_not_deleted(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    course, _ = await course_with_lessons(memory_container, cast)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    with pytest.raises(Conflict) as raised:
        await courses.delete_course(cast.trainer, course.id)
    assert "archive" in raised.value.message
    await enrolments.unenrol(cast.trainer, course.id, cast.trainee.id)
    await courses.delete_course(cast.trainer, course.id)
    with pytest.raises(NotFound):
        await courses.get_course(cast.trainer, course.id)


async def test_lessons_check_what_their_kind_needs(memory_container: Container, cast: Cast) -> None:
    courses = memory_container.courses()
    course, _ = await course_with_lessons(memory_container, cast, lessons=0)
    module_id = course.modules[0].id
    for url in ("javascript:alert(1)", "http://example.org/v.mp4", "https://", "ftp://x/y"):
        with pytest.raises(InvalidInput) as raised:
            await courses.add_lesson(
                cast.trainer,
                module_id,
                LessonFields(title="V", kind=LessonKind.VIDEO, video_url=url),
            )
        assert raised.value.errors[0].field == "video_url"
    with pytest.raises(InvalidInput):
        await courses.add_lesson(
            cast.trainer, module_id, LessonFields(title="S", kind=LessonKind.SESSION)
        )
    with pytest.raises(InvalidInput) as raised:
        await courses.add_lesson(
            cast.trainer,
            module_id,
            LessonFields(title="S", kind=LessonKind.SESSION, session_ids=(404,)),
        )
    assert raised.value.errors[0].field == "session_ids"
    with pytest.raises(InvalidInput):
        await courses.add_lesson(
            cast.trainer, module_id, LessonFields(title="A", kind=LessonKind.ASSESSMENT)
        )
    video = await courses.add_lesson(
        cast.trainer,
        module_id,
        LessonFields(title="V", kind=LessonKind.VIDEO, video_url=" https://video.example.org/a "),
    )
    assert video.video_url == "https://video.example.org/a"
    text = await courses.add_lesson(
        cast.trainer,
        module_id,
        LessonFields(title="T", kind=LessonKind.TEXT, body="<script>x</script>"),
    )
    assert text.body == "<script>x</script>"
    assert "<script>" not in (text.body_html or "")


async def test_a_session_lesson_follows_attendance(memory_container: Container, cast: Cast) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    attendance = memory_container.attendance()
    monday = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    tuesday = await add_session(
        memory_container,
        cast.trainer,
        trainees=(cast.trainee.id,),
        start=datetime(2026, 6, 2, 9, 0, tzinfo=UTC),
    )
    course, lessons = await course_with_lessons(memory_container, cast, lessons=1)
    live = await courses.add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Drill", kind=LessonKind.SESSION, session_ids=(monday.id, tuesday.id)),
    )
    await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    with pytest.raises(Conflict):
        await enrolments.complete(cast.trainee, live.id)

    async def completed() -> int:
        [row] = await enrolments.list_enrolments(cast.trainer, course.id, Page())
        return row.progress.completed_lessons

    mark = await attendance.mark(cast.trainer, monday.id, cast.trainee.id, present=True)
    assert await completed() == 1
    await attendance.mark(cast.trainer, tuesday.id, cast.trainee.id, present=True)
    await attendance.update(cast.trainer, mark.id, present=False)
    assert await completed() == 1  # still present on Tuesday
    tuesday_mark = await attendance.mark(cast.trainer, tuesday.id, cast.trainee.id, present=False)
    assert await completed() == 0
    await attendance.update(cast.trainer, tuesday_mark.id, present=True)
    assert await completed() == 1
    await attendance.delete(cast.admin, tuesday_mark.id)
    assert await completed() == 0
    await enrolments.complete(cast.trainee, lessons[0].id)
    await attendance.update(cast.trainer, mark.id, present=True)
    [row] = await enrolments.list_enrolments(cast.trainer, course.id, Page())
    assert row.progress.status is EnrolmentStatus.COMPLETED


async def test_changes_are_audited_and_told_to_those_who_follow_the_trainee(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    await memory_container.assignments().assign(cast.admin, cast.trainee.id, cast.other_trainer.id)
    course, lessons = await course_with_lessons(memory_container, cast, lessons=1)
    await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(cast.admin, course.id, [cast.trainee.id])
    await enrolments.complete(cast.trainee, lessons[0].id)
    await courses.update_course(cast.trainer, course.id, CourseChanges(title="Fire drills"))
    async with memory_container.uow()(read_only=True) as uow:
        events = await uow.events.since(0, limit=100)
    entries = await memory_container.audit().entries(cast.admin, AuditQuery(), Page())
    actions = {entry.action for entry in entries}
    by_type = {event.type: event for event in events}
    follower_ids = {cast.trainee.id, cast.trainer.id, cast.other_trainer.id}
    for kind in ("course_enrolled", "lesson_completed", "course_progress"):
        assert set(by_type[kind].audience.user_ids) == follower_ids
    assert by_type["course_progress"].data == {
        "course_id": course.id,
        "trainee_id": cast.trainee.id,
        "completed_lessons": 1,
        "total_lessons": 1,
        "progress_percentage": 100.0,
        "status": "completed",
    }
    assert by_type["course_created"].audience.user_ids == {cast.trainer.id}
    assert set(by_type["course_updated"].audience.user_ids) == {cast.trainer.id, cast.trainee.id}
    for action in (
        "course.created",
        "module.created",
        "lesson.created",
        "course.updated",
        "course.enrolled",
        "lesson.completed",
    ):
        assert action in actions


async def test_a_session_lesson_set_after_attendance_counts_it(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    attended = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    missed = await add_session(
        memory_container, cast.trainer, start=datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    )
    await memory_container.attendance().mark(cast.trainer, attended.id, cast.trainee.id, True)
    course, _ = await course_with_lessons(memory_container, cast, lessons=1)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id])
    live = await courses.add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Drill", kind=LessonKind.SESSION, session_ids=(attended.id,)),
    )

    async def completed() -> int:
        [row] = await enrolments.list_enrolments(cast.trainer, course.id, Page())
        return row.progress.completed_lessons

    assert await completed() == 1
    await courses.update_lesson(cast.trainer, live.id, LessonFields(session_ids=(missed.id,)))
    assert await completed() == 0


async def test_a_deleted_session_takes_back_the_lessons_its_attendance_completed(
    memory_container: Container, cast: Cast
) -> None:
    courses, enrolments = memory_container.courses(), memory_container.course_enrolments()
    attendance, sessions = memory_container.attendance(), memory_container.sessions()
    monday = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    tuesday = await add_session(
        memory_container,
        cast.trainer,
        trainees=(cast.trainee.id, cast.other_trainee.id),
        start=datetime(2026, 6, 2, 9, 0, tzinfo=UTC),
    )
    course, lessons = await course_with_lessons(memory_container, cast, lessons=1)
    live = await courses.add_lesson(
        cast.trainer,
        course.modules[0].id,
        LessonFields(title="Drill", kind=LessonKind.SESSION, session_ids=(monday.id, tuesday.id)),
    )
    await courses.publish(cast.trainer, course.id)
    await enrolments.enrol(cast.trainer, course.id, [cast.trainee.id, cast.other_trainee.id])
    await enrolments.complete(cast.trainee, lessons[0].id)
    await attendance.mark(cast.trainer, monday.id, cast.trainee.id, present=True)
    await attendance.mark(cast.trainer, tuesday.id, cast.trainee.id, present=True)
    await attendance.mark(cast.trainer, tuesday.id, cast.other_trainee.id, present=True)

    async def done() -> dict[int, tuple[int, ...]]:
        found = {}
        for trainee in (cast.trainee, cast.other_trainee):
            [entry] = (await enrolments.trainee_courses(cast.admin, trainee.id)).courses
            found[trainee.id] = entry.details.completed_lesson_ids or ()
        return found

    assert await done() == {
        cast.trainee.id: tuple(sorted((lessons[0].id, live.id))),
        cast.other_trainee.id: (live.id,),
    }
    async with memory_container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    # Tuesday goes: the trainee was also present on Monday, which still completes the
    # lesson; the other trainee was present on Tuesday only, and loses it.
    await sessions.delete_session(cast.admin, tuesday.id)
    assert await done() == {
        cast.trainee.id: tuple(sorted((lessons[0].id, live.id))),
        cast.other_trainee.id: (),
    }
    async with memory_container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    [progress] = [e for e in events if e.type == "course_progress"]
    assert progress.data == {
        "course_id": course.id,
        "trainee_id": cast.other_trainee.id,
        "completed_lessons": 0,
        "total_lessons": 2,
        "progress_percentage": 0.0,
        "status": "not_started",
    }
    # Monday goes: nothing else supports the session lesson; the lesson the trainee marked
    # complete themself stays.
    await sessions.delete_session(cast.admin, monday.id)
    assert await done() == {cast.trainee.id: (lessons[0].id,), cast.other_trainee.id: ()}
    [row, _] = await enrolments.list_enrolments(cast.trainer, course.id, Page())
    assert (row.progress.completed_lessons, row.enrolment.status) == (
        1,
        EnrolmentStatus.IN_PROGRESS,
    )
    entries = await memory_container.audit().entries(
        cast.admin, AuditQuery(action="lesson.uncompleted"), Page()
    )
    assert sorted(e.changes["trainee_id"][1] for e in entries) == sorted(
        [cast.trainee.id, cast.other_trainee.id]
    )

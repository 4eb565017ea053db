"""The reporting ports' contract, kept alike by the in-memory, SQLite and MariaDB adapters:
the facts each report section is made of, the summary's counts, the row counts, and the
admins' figures (courses included: their rows are written straight into the store)."""

from __future__ import annotations

from typing import Any

import pytest

from course_rows import SeededCourse, add_course, enrol, remove_lesson
from support import Cast, add_cast, add_session, at
from tms_domain.kernel import Role
from tms_domain.learning import CourseStatus, EnrolmentStatus
from tms_domain.reporting import (
    AttendanceFacts,
    CourseFacts,
    FactBatches,
    ProgressFacts,
    ReportFilter,
    SessionFacts,
    TrainerFacts,
)
from tms_domain.training import SessionStatus
from tms_domain.training.use_cases.sessions import SessionChanges
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def read(batches: FactBatches[Any]) -> list[Any]:
    return [facts async for batch in batches for facts in batch]


async def a_term(storage: Container, cast: Cast) -> tuple[int, int, int]:
    """Two sessions of Tom's (one completed, Pia present and Paul absent), one of Tina's."""
    sessions, attendance = storage.sessions(), storage.attendance()
    done = await add_session(
        storage, cast.trainer, trainees=(cast.trainee.id, cast.other_trainee.id), title="Done"
    )
    await attendance.mark(cast.trainer, done.id, cast.trainee.id, True)
    await attendance.mark(cast.trainer, done.id, cast.other_trainee.id, False)
    await sessions.update_session(
        cast.trainer, done.id, SessionChanges(status=SessionStatus.COMPLETED)
    )
    later = await add_session(
        storage, cast.trainer, start=at(48), minutes=90, trainees=(cast.trainee.id,)
    )
    other = await add_session(storage, cast.other_trainer, start=at(24), title="Tina's")
    return done.id, later.id, other.id


async def test_report_facts_name_people_and_count_what_is_asked(
    storage: Container, cast: Cast
) -> None:
    done, later, other = await a_term(storage, cast)
    queries, everything = storage.report_queries(), ReportFilter()

    users = await read(queries.users(2))
    assert [(u.id, u.username, u.role) for u in users] == [
        (cast.admin.id, "root", "admin"),
        (cast.trainer.id, "tom", "trainer"),
        (cast.other_trainer.id, "tina", "trainer"),
        (cast.trainee.id, "pia", "trainee"),
        (cast.other_trainee.id, "paul", "trainee"),
        (cast.third_trainee.id, "pete", "trainee"),
    ]
    assert await read(queries.sessions(everything, 2)) == [
        SessionFacts(done, "Done", "Tom Doe", ["Pia Doe", "Paul Doe"], at(0), 60, "completed"),
        SessionFacts(other, "Tina's", "Tina Doe", [], at(24), 60, "scheduled"),
        SessionFacts(later, "Session", "Tom Doe", ["Pia Doe"], at(48), 90, "scheduled"),
    ]
    marks = await read(queries.attendance(everything, 1))
    assert [m[:4] for m in marks] == [
        AttendanceFacts(done, "Done", "Pia Doe", True, marks[0].marked_at)[:4],
        AttendanceFacts(done, "Done", "Paul Doe", False, marks[1].marked_at)[:4],
    ]
    assert await read(queries.progress(everything, 2)) == [
        ProgressFacts(cast.trainee.id, "Pia Doe", 2, 1),
        ProgressFacts(cast.other_trainee.id, "Paul Doe", 1, 0),
        ProgressFacts(cast.third_trainee.id, "Pete Doe", 0, 0),
    ]
    summary = await queries.summary(everything)
    assert summary.users_by_role == {"admin": 1, "trainer": 2, "trainee": 3}
    assert summary.sessions_by_status == {"scheduled": 2, "completed": 1, "cancelled": 0}
    assert sorted(summary.trainers, key=lambda t: t.trainer_id) == [
        TrainerFacts(cast.trainer.id, "Tom Doe", 2, 60, 2, 1),
        TrainerFacts(cast.other_trainer.id, "Tina Doe", 1, 0, 0, 0),
    ]
    assert await queries.count(everything) == {
        "users": 6,
        "sessions": 3,
        "attendance": 2,
        "progress": 3,
        "courses": 0,
    }

    toms = ReportFilter(trainer_id=cast.trainer.id, starts_from=at(1))
    assert [s.id for s in await read(queries.sessions(toms, 10))] == [later]
    assert await read(queries.attendance(toms, 10)) == []
    assert (await read(queries.progress(toms, 10)))[0] == ProgressFacts(
        cast.trainee.id, "Pia Doe", 1, 0
    )
    assert await queries.count(toms) == {
        "users": 6,
        "sessions": 1,
        "attendance": 0,
        "progress": 3,
        "courses": 0,
    }


async def test_the_admins_figures(storage: Container, cast: Cast) -> None:
    await a_term(storage, cast)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.analytics.count_by_role() == {
            Role.ADMIN: 1,
            Role.TRAINER: 2,
            Role.TRAINEE: 3,
        }
        assert await uow.analytics.count_by_status() == {
            SessionStatus.SCHEDULED: 2,
            SessionStatus.COMPLETED: 1,
            SessionStatus.CANCELLED: 0,
        }
        assert await uow.analytics.trainer_stats() == {
            cast.trainer.id: (2, 60),
            cast.other_trainer.id: (1, 0),
        }
        assert await uow.analytics.attendance_rates() == (2, 1, {cast.trainer.id: (2, 1)})
        assert await uow.analytics.count_trainees_without_sessions() == 1
        assert await uow.analytics.count_published_courses() == 0
        assert await uow.analytics.count_course_enrolments() == dict.fromkeys(EnrolmentStatus, 0)


async def a_catalogue(storage: Container, cast: Cast) -> tuple[SeededCourse, ...]:
    """Forklift (published, 4 lessons): Pia has done all, Paul 3, Pete none. Welding (a
    draft, 2 lessons): nobody enrolled. Old safety (archived, 3 lessons): Pia has done all."""
    forklift = await add_course(storage, "CRS-0001", "Forklift", lessons=4)
    welding = await add_course(
        storage, "CRS-0002", "Welding", status=CourseStatus.DRAFT, lessons=2, modules=1
    )
    old = await add_course(
        storage, "CRS-0003", "Old safety", status=CourseStatus.ARCHIVED, lessons=3
    )
    await enrol(storage, forklift, cast.trainee.id, completed=4)
    await enrol(storage, forklift, cast.other_trainee.id, completed=3)
    await enrol(storage, forklift, cast.third_trainee.id)
    await enrol(storage, old, cast.trainee.id, completed=3)
    return forklift, welding, old


async def test_course_facts_count_enrolments_by_lessons_completed(
    storage: Container, cast: Cast
) -> None:
    forklift, welding, old = await a_catalogue(storage, cast)
    queries = storage.report_queries()

    assert await read(queries.courses(ReportFilter(), 2)) == [
        CourseFacts(forklift.id, "CRS-0001", "Forklift", "published", 4, {4: 1, 3: 1, 0: 1}),
        CourseFacts(welding.id, "CRS-0002", "Welding", "draft", 2, {}),
        CourseFacts(old.id, "CRS-0003", "Old safety", "archived", 3, {3: 1}),
    ]
    assert (await queries.count(ReportFilter()))["courses"] == 3

    # The course filter chooses one course; the session filters do not reach courses.
    one = ReportFilter(course_id=old.id, trainer_id=cast.trainer.id)
    assert await read(queries.courses(one, 10)) == [
        CourseFacts(old.id, "CRS-0003", "Old safety", "archived", 3, {3: 1})
    ]
    assert (await queries.count(one))["courses"] == 1
    nothing = ReportFilter(course_id=old.id + 100)
    assert await read(queries.courses(nothing, 10)) == []
    assert (await queries.count(nothing))["courses"] == 0

    # Only the lessons a course has now count: Paul's 3 of 4 become 3 of 3.
    await remove_lesson(storage, forklift, forklift.lesson_ids[-1])
    assert (await read(queries.courses(ReportFilter(course_id=forklift.id), 10))) == [
        CourseFacts(forklift.id, "CRS-0001", "Forklift", "published", 3, {3: 2, 0: 1})
    ]


async def test_the_admins_course_figures(storage: Container, cast: Cast) -> None:
    await a_catalogue(storage, cast)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.analytics.count_published_courses() == 1
        assert await uow.analytics.count_course_enrolments() == {
            EnrolmentStatus.NOT_STARTED: 1,
            EnrolmentStatus.IN_PROGRESS: 1,
            EnrolmentStatus.COMPLETED: 2,
        }
    figures = (await storage.analytics().overview(cast.admin)).courses
    assert (figures.published, figures.enrolments, figures.completion_rate) == (1, 4, 50.0)

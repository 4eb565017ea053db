"""Reminders over each storage adapter (in memory, SQLite, MariaDB): the preferences of many
users in one read, and the reminder jobs as stored and claimed there (keyed by session,
start and offset, due at their moment, the start read back equal to the one planned), sent
once, moved with the session, and the course due notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from conftest import FakeClock
from mail_support import run_due_jobs
from support import Cast, add_cast, add_session, at
from tms_domain.kernel.paging import Page
from tms_domain.notifications import NotificationKind, Preferences
from tms_domain.notifications.use_cases.course_due import COURSE_DUE_JOB
from tms_domain.notifications.use_cases.reminders import SESSION_REMINDER_JOB
from tms_domain.training import SessionChanges
from tms_entrypoints.container import Container


@pytest.fixture
async def cast(storage: Container) -> Cast:
    return await add_cast(storage)


async def test_preferences_of_many_users_in_one_read(storage: Container, cast: Cast) -> None:
    await storage.notifications().set_preferences(
        cast.trainee,
        email_session_changes=True,
        email_reminders=False,
        email_course_updates=True,
        reminder_minutes=[30, 120],
    )
    async with storage.uow()(read_only=True) as uow:
        found = await uow.notification_preferences.get_many(
            [cast.trainee.id, cast.other_trainee.id, cast.trainee.id]
        )
        assert await uow.notification_preferences.get_many([]) == {}
    assert found == {
        cast.trainee.id: Preferences(
            cast.trainee.id, email_reminders=False, reminder_minutes=(120, 30)
        ),
        cast.other_trainee.id: Preferences(cast.other_trainee.id),
    }


async def kinds(storage: Container, cast: Cast, kind: NotificationKind) -> list[str]:
    found = await storage.notifications().list(cast.trainee, Page(skip=0, limit=50))
    return sorted(n.message for n in found if n.kind is kind)


async def test_reminders_are_stored_due_at_their_moment_and_sent_once(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    # A start with microseconds: the job's start must match the stored session's exactly.
    start = at(0) + timedelta(microseconds=123456)
    session = await add_session(storage, cast.trainer, trainees=(cast.trainee.id,), start=start)
    async with storage.uow()(read_only=True) as uow:
        jobs = [j for j in await uow.jobs.page(None, skip=0, limit=50)]
    planned = {(j.payload["minutes"], j.run_after) for j in jobs if j.kind == SESSION_REMINDER_JOB}
    assert planned == {(1440, start - timedelta(days=1)), (60, start - timedelta(hours=1))}

    clock.current = start - timedelta(hours=23)
    await run_due_jobs(storage)
    await storage.sessions().update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(3))
    )
    clock.current = at(3, -0.5)
    await run_due_jobs(storage)
    await run_due_jobs(storage)
    assert await kinds(storage, cast, NotificationKind.SESSION_REMINDER) == [
        "Session starts on 2026-05-04 09:00 UTC",
        "Session starts on 2026-05-04 12:00 UTC",
        "Session starts on 2026-05-04 12:00 UTC",
    ]


async def test_a_course_due_notice_is_stored_and_sent_once(
    storage: Container, cast: Cast, clock: FakeClock
) -> None:
    from tms_domain.learning.use_cases.course_inputs import NewCourse

    course = await storage.courses().create_course(cast.admin, NewCourse(title="Due course"))
    due = datetime(2026, 5, 20, tzinfo=UTC).date()
    await storage.course_enrolments().enrol(cast.admin, course.id, [cast.trainee.id], due_date=due)
    async with storage.uow()(read_only=True) as uow:
        [job] = [j for j in await uow.jobs.page(None, skip=0, limit=50) if j.kind == COURSE_DUE_JOB]
    assert job.run_after == datetime(2026, 5, 17, tzinfo=UTC)
    clock.current = datetime(2026, 5, 17, 1, tzinfo=UTC)
    await run_due_jobs(storage)
    await run_due_jobs(storage)
    assert await kinds(storage, cast, NotificationKind.COURSE_DUE) == [
        "Finish Due course by 2026-05-20"
    ]

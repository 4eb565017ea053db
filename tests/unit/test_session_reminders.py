"""Reminders before a session starts and the notice that a course is due, over the in-memory
adapters with the real outbox mailer and a clock the test moves: scheduled with the
enrolment, sent once per (session, start, trainee, offset), moved with the session, never
for a cancelled or deleted session or a trainee no longer enrolled, following each
trainee's choice of offsets."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import FakeClock
from mail_support import bodies, outbox, run_due_jobs
from support import Cast, add_cast, add_session, add_user, at
from tms_adapters.mail import OutboxMailer
from tms_domain.accounts import Actor
from tms_domain.kernel import Page, Role
from tms_domain.kernel.jobs import Job
from tms_domain.learning import LessonKind
from tms_domain.learning.use_cases.course_inputs import LessonFields, NewCourse
from tms_domain.notifications import Notification, NotificationKind
from tms_domain.notifications.use_cases.reminders import SESSION_REMINDER_JOB, SessionReminders
from tms_domain.training import SessionChanges, SessionStatus
from tms_entrypoints.container import Container


@pytest.fixture
def mail_dir(memory_container: Container, tmp_path: Path, clock: FakeClock) -> Path:
    directory = tmp_path / "outbox"
    memory_container.mailer.override(
        OutboxMailer(directory, sender="TMS <no-reply@tms.example>", clock=clock)
    )
    return directory


@pytest.fixture
async def cast(memory_container: Container) -> Cast:
    return await add_cast(memory_container)


async def notifications_of(
    container: Container, actor: Actor, kind: NotificationKind
) -> list[Notification]:
    found = await container.notifications().list(actor, Page(skip=0, limit=100))
    return sorted((n for n in found if n.kind is kind), key=lambda n: n.id)


async def reminders_of(container: Container, actor: Actor) -> list[Notification]:
    return await notifications_of(container, actor, NotificationKind.SESSION_REMINDER)


async def reminder_jobs(container: Container) -> list[Job]:
    async with container.core().uow(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=1000)
    return [j for j in jobs if j.kind == SESSION_REMINDER_JOB]


async def run_at(container: Container, clock: FakeClock, moment: object) -> None:
    """Move the clock to ``moment`` and run every job due by then."""
    clock.current = moment  # type: ignore[assignment]
    await run_due_jobs(container)


def titles(notifications: list[Notification]) -> list[str]:
    return [n.title for n in notifications]


async def test_a_trainee_is_reminded_a_day_and_an_hour_before_once_each_by_mail_too(
    memory_container: Container, cast: Cast, clock: FakeClock, mail_dir: Path
) -> None:
    session = await add_session(
        memory_container, cast.trainer, trainees=(cast.trainee.id,), title="Fire safety"
    )
    await run_due_jobs(memory_container)
    assert await reminders_of(memory_container, cast.trainee) == []

    await run_at(memory_container, clock, at(-24, -1))
    assert await reminders_of(memory_container, cast.trainee) == []
    await run_at(memory_container, clock, at(-24))
    [day] = await reminders_of(memory_container, cast.trainee)
    assert day.title == "A session starts in 1 day"
    assert day.link == f"/sessions/{session.id}"

    await run_at(memory_container, clock, at(-1))
    await run_at(memory_container, clock, at(-0.5))
    assert titles(await reminders_of(memory_container, cast.trainee)) == [
        "A session starts in 1 day",
        "A session starts in 1 hour",
    ]
    # The handler run again (a worker killed after its commit) tells no one twice.
    again = SessionReminders(memory_container.core())
    await again.remind(session.id, session.scheduled_date, 60)
    assert len(await reminders_of(memory_container, cast.trainee)) == 2
    # The other trainees of the cast were never enrolled.
    assert await reminders_of(memory_container, cast.other_trainee) == []

    mails = [m for m in outbox(mail_dir) if m["Subject"].startswith("A session starts")]
    assert [m["Subject"] for m in mails] == [
        "A session starts in 1 day: Fire safety",
        "A session starts in 1 hour: Fire safety",
    ]
    for mail in mails:
        assert mail["To"].addresses[0].addr_spec == "pia@example.org"
        assert mail["List-Unsubscribe"] == "<http://localhost:8002/app/preferences>"
        text, html = bodies(mail)
        assert "2026-05-04 09:00 UTC" in text
        assert f"http://localhost:8002/app/sessions/{session.id}" in html


async def test_one_job_per_offset_fans_out_to_every_trainee_of_a_large_session(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    # More than one batch of 50.
    trainees = [
        Actor(user=await add_user(memory_container, f"t{i}", Role.TRAINEE)) for i in range(60)
    ]
    await add_session(memory_container, cast.trainer, trainees=tuple(t.id for t in trainees))
    jobs = await reminder_jobs(memory_container)
    assert sorted(j.payload["minutes"] for j in jobs) == [60, 1440]
    assert {j.run_after for j in jobs} == {at(-24), at(-1)}
    await run_at(memory_container, clock, at(-1))
    for trainee in trainees:
        assert len(await reminders_of(memory_container, trainee)) == 2


async def test_a_moved_session_is_reminded_at_its_new_time_and_not_its_old(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    await run_at(memory_container, clock, at(-23))
    assert len(await reminders_of(memory_container, cast.trainee)) == 1  # the day before
    # Two hours later: the new day-before moment is still ahead, so the trainee hears of
    # the new time a day before it too; the old time's hour-before reminder never comes.
    await memory_container.sessions().update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(2))
    )
    await run_at(memory_container, clock, at(-1))
    await run_at(memory_container, clock, at(1.5))
    assert titles(await reminders_of(memory_container, cast.trainee)) == [
        "A session starts in 1 day",
        "A session starts in 1 day",
        "A session starts in 1 hour",
    ]
    messages = [n.message for n in await reminders_of(memory_container, cast.trainee)]
    assert messages[1:] == ["Session starts on 2026-05-04 11:00 UTC"] * 2


async def test_moved_closer_than_an_offset_skips_that_offset_and_moved_back_sends_once(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    clock.current = at(-30)
    # Moved to 12 hours from now: the day-before moment has passed, the hour-before has not.
    await memory_container.sessions().update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(-18))
    )
    # And back again before anything ran: the original jobs still stand, once each.
    await memory_container.sessions().update_session(
        cast.trainer, session.id, SessionChanges(scheduled_date=at(0))
    )
    await run_at(memory_container, clock, at(0, -1))
    assert titles(await reminders_of(memory_container, cast.trainee)) == [
        "A session starts in 1 day",
        "A session starts in 1 hour",
    ]


@pytest.mark.parametrize("how", ["cancelled", "deleted", "completed"])
async def test_no_reminder_for_a_session_cancelled_deleted_or_completed(
    memory_container: Container, cast: Cast, clock: FakeClock, how: str
) -> None:
    session = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    if how == "deleted":
        await memory_container.sessions().delete_session(cast.admin, session.id)
    else:
        await memory_container.sessions().update_session(
            cast.trainer, session.id, SessionChanges(status=SessionStatus(how))
        )
    await run_at(memory_container, clock, at(0, -1))
    assert await reminders_of(memory_container, cast.trainee) == []


async def test_a_session_scheduled_again_after_a_cancellation_is_reminded(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    sessions = memory_container.sessions()
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(status=SessionStatus.CANCELLED)
    )
    await run_at(memory_container, clock, at(-24))  # the day-before job finds it cancelled
    await sessions.update_session(
        cast.trainer, session.id, SessionChanges(status=SessionStatus.SCHEDULED)
    )
    await run_at(memory_container, clock, at(0, -1))
    assert titles(await reminders_of(memory_container, cast.trainee)) == [
        "A session starts in 1 hour"
    ]


async def test_a_trainee_removed_hears_no_more_and_one_enrolled_late_only_what_is_ahead(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(
        memory_container, cast.trainer, trainees=(cast.trainee.id, cast.other_trainee.id)
    )
    late = await add_session(memory_container, cast.trainer, start=at(5), title="Late")
    await run_at(memory_container, clock, at(-24))
    await memory_container.sessions().remove_trainee(cast.trainer, session.id, cast.trainee.id)
    await run_at(memory_container, clock, at(0, -1))
    assert len(await reminders_of(memory_container, cast.trainee)) == 1  # before the removal
    assert len(await reminders_of(memory_container, cast.other_trainee)) == 2
    # Enrolled 30 minutes before the start: both moments had passed, nothing is planned.
    clock.current = at(5, -30)
    await memory_container.sessions().add_trainee(cast.trainer, late.id, cast.third_trainee.id)
    await run_at(memory_container, clock, at(5, -1))
    assert await reminders_of(memory_container, cast.third_trainee) == []
    assert {j.payload["session_id"] for j in await reminder_jobs(memory_container)} == {session.id}


async def test_reminders_follow_the_trainees_choice_of_offsets_and_of_mail(
    memory_container: Container, cast: Cast, clock: FakeClock, mail_dir: Path
) -> None:
    await add_session(memory_container, cast.trainer, trainees=(cast.trainee.id,))
    await memory_container.notifications().set_preferences(
        cast.trainee,
        email_session_changes=True,
        email_reminders=False,
        email_course_updates=True,
        reminder_minutes=[90, 15],
    )
    await run_at(memory_container, clock, at(0, -1))
    assert titles(await reminders_of(memory_container, cast.trainee)) == [
        "A session starts in 90 minutes",
        "A session starts in 15 minutes",
    ]
    # Stored and pushed, but not mailed: the trainee turned reminder mail off.
    assert [m for m in outbox(mail_dir) if m["Subject"].startswith("A session starts")] == []


async def test_booking_a_place_and_joining_by_link_schedule_reminders(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    bookable = await add_session(memory_container, cast.trainer, self_booking=True, capacity=5)
    await memory_container.bookings().book(cast.trainee, bookable.id)
    linked = await add_session(memory_container, cast.trainer, start=at(3), title="Linked")
    await memory_container.sessions().join(cast.other_trainee, linked.session_link)
    await run_at(memory_container, clock, at(0, -1))
    assert len(await reminders_of(memory_container, cast.trainee)) == 2
    await run_at(memory_container, clock, at(3, -1))
    assert titles(await reminders_of(memory_container, cast.other_trainee)) == [
        "A session starts in 1 day",
        "A session starts in 1 hour",
    ]


# The course due notice


async def enrol_in_course(container: Container, cast: Cast, due: date | None) -> tuple[int, int]:
    """A published course of one text lesson with the trainee enrolled: (course, lesson)."""
    courses = container.courses()
    course = await courses.create_course(
        cast.admin, NewCourse(title="Safety basics", code=f"SB-{due}")
    )
    module = await courses.add_module(cast.admin, course.id, "Basics")
    lesson = await courses.add_lesson(
        cast.admin, module.id, LessonFields(title="Read this", kind=LessonKind.TEXT, body="Hi")
    )
    await courses.publish(cast.admin, course.id)
    await container.course_enrolments().enrol(
        cast.admin, course.id, [cast.trainee.id], due_date=due
    )
    return course.id, lesson.id


async def course_notices(container: Container, actor: Actor) -> list[Notification]:
    return await notifications_of(container, actor, NotificationKind.COURSE_DUE)


async def test_a_course_due_in_ten_days_is_noticed_three_days_before_once(
    memory_container: Container, cast: Cast, clock: FakeClock, mail_dir: Path
) -> None:
    due = (clock.now() + timedelta(days=10)).date()
    await enrol_in_course(memory_container, cast, due)
    notice_at = clock.now().replace(hour=0) + timedelta(days=7)
    await run_at(memory_container, clock, notice_at - timedelta(seconds=1))
    assert await course_notices(memory_container, cast.trainee) == []
    await run_at(memory_container, clock, notice_at)
    await run_at(memory_container, clock, notice_at + timedelta(days=1))
    [notice] = await course_notices(memory_container, cast.trainee)
    assert notice.title == "A course is due in 3 days"
    [mail] = [m for m in outbox(mail_dir) if m["Subject"].startswith("A course is due")]
    assert mail["Subject"] == "A course is due in 3 days: Safety basics"
    assert mail["List-Unsubscribe"] == "<http://localhost:8002/app/preferences>"
    text, _html = bodies(mail)
    assert due.isoformat() in text


async def test_no_course_notice_when_due_soon_unenrolled_or_completed(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    today = clock.now()
    await enrol_in_course(memory_container, cast, (today + timedelta(days=2)).date())
    gone, _ = await enrol_in_course(memory_container, cast, (today + timedelta(days=5)).date())
    await memory_container.course_enrolments().unenrol(cast.admin, gone, cast.trainee.id)
    _, lesson = await enrol_in_course(memory_container, cast, (today + timedelta(days=6)).date())
    await memory_container.course_enrolments().complete(cast.trainee, lesson)
    await run_at(memory_container, clock, today + timedelta(days=6))
    assert await course_notices(memory_container, cast.trainee) == []
    # Each of the three had its job, and each found nothing to tell when it ran.
    async with memory_container.core().uow(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=1000)
    assert len([j for j in jobs if j.kind == "notifications.course_due"]) == 2


async def test_a_trainee_promoted_from_the_waitlist_is_reminded_the_one_who_left_not(
    memory_container: Container, cast: Cast, clock: FakeClock
) -> None:
    session = await add_session(memory_container, cast.trainer, self_booking=True, capacity=1)
    bookings = memory_container.bookings()
    await bookings.book(cast.trainee, session.id)
    await bookings.book(cast.other_trainee, session.id)  # waitlisted: no reminders yet
    assert len(await reminder_jobs(memory_container)) == 2
    await bookings.cancel(cast.trainee, session.id)  # the waitlisted trainee is promoted
    await run_at(memory_container, clock, at(0, -1))
    assert await reminders_of(memory_container, cast.trainee) == []
    assert len(await reminders_of(memory_container, cast.other_trainee)) == 2

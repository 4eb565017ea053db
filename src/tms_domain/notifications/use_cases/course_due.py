"""The notice that a course is due: ``course_due``, 3 days before an enrolment's due date
(at 00:00 UTC of that day), once per enrolment and due date, not when the course is
already completed.

As with session reminders (``reminders``), a background job is enqueued with the
enrolment, due at the notice's moment, keyed by course, trainee and due date; when it runs
it looks at the enrolment as it is then (still enrolled, the same due date, not completed)
before it notifies. An enrolment whose due date is less than 3 days away gets no notice:
the enrolment's own notification already says when it is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tms_domain.kernel.jobs import JobContext
from tms_domain.learning import EnrolmentStatus, TraineeEnrolledInCourse
from tms_domain.notifications.mail import MailTemplate
from tms_domain.notifications.model import NotificationKind
from tms_domain.notifications.use_cases.course_triggers import course_path
from tms_domain.notifications.use_cases.notify import notify
from tms_domain.unit_of_work import Core, UnitOfWork

COURSE_DUE_JOB = "notifications.course_due"
NOTICE_BEFORE = timedelta(days=3)


def notice_moment(due_date: date) -> datetime:
    """When the notice goes: 3 days before the due date, at 00:00 UTC."""
    return datetime.combine(due_date, time(), tzinfo=UTC) - NOTICE_BEFORE


def course_due_key(course_id: int, trainee_id: int, due_date: date) -> str:
    return f"course_due:{course_id}:{trainee_id}:{due_date.isoformat()}"


async def on_enrolled_in_course(
    uow: UnitOfWork, event: TraineeEnrolledInCourse, now: datetime
) -> None:
    if event.due_date is None:
        return
    moment = notice_moment(event.due_date)
    if moment <= now:
        return
    uow.jobs.enqueue(
        COURSE_DUE_JOB,
        {
            "course_id": event.course_id,
            "trainee_id": event.trainee_id,
            "due_date": event.due_date.isoformat(),
        },
        idempotency_key=course_due_key(event.course_id, event.trainee_id, event.due_date),
        run_after=moment,
    )


class CourseDueNotices:
    """The ``notifications.course_due`` job."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def __call__(self, job: JobContext) -> None:
        await self.notice(
            int(job.payload["course_id"]),
            int(job.payload["trainee_id"]),
            date.fromisoformat(str(job.payload["due_date"])),
        )

    async def notice(self, course_id: int, trainee_id: int, due_date: date) -> bool:
        """Tell the trainee, if still enrolled with that due date and not done; True when
        told now (False when told before, or nothing to tell)."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            enrolment = await uow.course_enrolments.get(course_id, trainee_id)
            course = await uow.courses.header(course_id)
            if (
                enrolment is None
                or course is None
                or enrolment.due_date != due_date
                or enrolment.status is EnrolmentStatus.COMPLETED
            ):
                return False
            day = due_date.isoformat()
            stored = await notify(
                uow,
                trainee_id,
                NotificationKind.COURSE_DUE,
                title="A course is due in 3 days",
                message=f"Finish {course.title} by {day}",
                link=course_path(course.id),
                dedupe_key=course_due_key(course_id, trainee_id, due_date),
                now=now,
                mail=MailTemplate.COURSE_DUE,
                mail_context={"course_title": course.title, "due_date": day},
            )
            await uow.commit()
        return stored is not None

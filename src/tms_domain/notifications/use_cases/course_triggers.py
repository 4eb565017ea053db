"""What trainees are told of their courses: a reaction to learning's facts, run in the unit
of work of the change (``tms_domain.reactions``)."""

from __future__ import annotations

from datetime import datetime

from tms_domain.learning import TraineeEnrolledInCourse
from tms_domain.notifications.mail import MailTemplate
from tms_domain.notifications.model import NotificationKind
from tms_domain.notifications.use_cases.notify import notify
from tms_domain.unit_of_work import UnitOfWork


def course_path(course_id: int) -> str:
    """The trainee's page of the course in the web client."""
    return f"/learning/{course_id}"


async def on_course_enrolled(
    uow: UnitOfWork, event: TraineeEnrolledInCourse, now: datetime
) -> None:
    course = await uow.courses.get(event.course_id)
    if course is None:
        return
    due = f" (due {event.due_date.isoformat()})" if event.due_date else ""
    await notify(
        uow,
        event.trainee_id,
        NotificationKind.COURSE_ENROLLED,
        title="You were enrolled in a course",
        message=f"{course.title}{due}",
        link=course_path(course.id),
        dedupe_key=f"course_enrolled:{course.id}:{event.assigned_at.isoformat()}",
        now=now,
        mail=MailTemplate.COURSE_ENROLLED,
        mail_context={
            "course_title": course.title,
            "due_date": event.due_date.isoformat() if event.due_date else "",
        },
    )

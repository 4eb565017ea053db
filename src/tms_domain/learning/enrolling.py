"""Enrolling trainees in a course inside a unit of work: what the enrolment use case does,
and what joining a batch does for the batch's courses (the cohorts area calls
``enrol_in_courses`` through this area's public module)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from tms_domain.audit import record_audit
from tms_domain.kernel import Principal
from tms_domain.learning.events import TraineeEnrolledInCourse
from tms_domain.learning.model import Course, CourseEnrolment, CourseStatus, progress_of

if TYPE_CHECKING:
    from tms_domain.unit_of_work import UnitOfWork


async def enrol_trainees(
    uow: UnitOfWork,
    actor: Principal | None,
    course: Course,
    trainee_ids: Sequence[int],
    now: datetime,
    *,
    batch_id: int | None = None,
    due_date: date | None = None,
) -> list[int]:
    """Enrol those not enrolled yet (the caller checked who they are and the actor's
    rights); each enrolment starts from what the trainee already completed. Audited and
    told to the trainee, the course's owner and the trainee's trainers. The ids enrolled."""
    if not trainee_ids:
        return []
    counts = await uow.lesson_completions.counts_for_course(course.id)
    total = await uow.courses.lesson_total(course.id)
    fresh = []
    for trainee_id in trainee_ids:
        enrolment = CourseEnrolment(
            id=0,
            course_id=course.id,
            trainee_id=trainee_id,
            assigned_at=now,
            batch_id=batch_id,
            due_date=due_date,
        )
        enrolment.follow(progress_of(counts.get(trainee_id, 0), total), now)
        fresh.append(enrolment)
    enrolled = await uow.course_enrolments.add_many(fresh)
    for trainee_id in enrolled:
        changes: dict[str, list[object]] = {
            "trainee_id": [None, trainee_id],
            "due_date": [None, due_date.isoformat() if due_date else None],
        }
        if batch_id is not None:
            changes["batch_id"] = [None, batch_id]
        await record_audit(uow, actor, "course.enrolled", "course", course.id, now, changes)
        uow.record(
            TraineeEnrolledInCourse(
                course_id=course.id,
                trainee_id=trainee_id,
                owner_id=course.owner_id,
                trainer_ids=frozenset(await uow.assignments.teacher_ids_of(trainee_id)),
                assigned_at=now,
                due_date=due_date,
            )
        )
    return enrolled


async def enrol_in_courses(
    uow: UnitOfWork,
    actor: Principal | None,
    course_ids: Sequence[int],
    trainee_ids: Sequence[int],
    now: datetime,
    *,
    batch_id: int,
) -> int:
    """Trainees who joined a batch are enrolled in the batch's courses that still take
    trainees (an archived or deleted course takes no one); those already enrolled stay as
    they are. The number of enrolments made."""
    made = 0
    for course_id in course_ids:
        course = await uow.courses.header(course_id, for_update=True)
        if course is None or course.status is CourseStatus.ARCHIVED:
            continue
        made += len(await enrol_trainees(uow, actor, course, trainee_ids, now, batch_id=batch_id))
    return made

"""Keeping enrolments' stored status in step with progress (computed by ``progress_of``),
and telling who follows a trainee when it moves."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tms_domain.learning.events import CourseCompleted, CourseProgressChanged
from tms_domain.learning.model import (
    Course,
    CourseEnrolment,
    CourseProgress,
    EnrolmentStatus,
    progress_of,
)

if TYPE_CHECKING:
    from tms_domain.unit_of_work import UnitOfWork


async def refresh_course(uow: UnitOfWork, course: Course, now: datetime) -> None:
    """After lessons came or went: each enrolment's status follows its progress. Counts
    are read grouped (one statement each), so a course of many enrolments costs no more
    statements than one of few, beside the updates of those that change."""
    enrolments = await uow.course_enrolments.of_course(course.id)
    if not enrolments:
        return
    counts = await uow.lesson_completions.counts_for_course(course.id)
    total = await uow.courses.lesson_total(course.id)
    for enrolment in enrolments:
        progress = progress_of(counts.get(enrolment.trainee_id, 0), total)
        if enrolment.follow(progress, now):
            await uow.course_enrolments.update(enrolment)
            if enrolment.status is EnrolmentStatus.COMPLETED:
                trainers = await uow.assignments.teacher_ids_of(enrolment.trainee_id)
                uow.record(_completed(course, enrolment, trainers, now))


async def refresh_trainee(
    uow: UnitOfWork, course: Course, enrolment: CourseEnrolment, now: datetime
) -> CourseProgress:
    """After the trainee completed a lesson or stopped having it completed: the enrolment
    follows, and the trainee, the course's owner and the trainee's trainers hear of it."""
    completed = await uow.lesson_completions.count(course.id, enrolment.trainee_id)
    total = await uow.courses.lesson_total(course.id)
    progress = progress_of(completed, total)
    changed = enrolment.follow(progress, now)
    if changed:
        await uow.course_enrolments.update(enrolment)
    trainers = await uow.assignments.teacher_ids_of(enrolment.trainee_id)
    uow.record(
        CourseProgressChanged(
            course_id=course.id,
            trainee_id=enrolment.trainee_id,
            owner_id=course.owner_id,
            trainer_ids=frozenset(trainers),
            progress=progress,
        )
    )
    if changed and enrolment.status is EnrolmentStatus.COMPLETED:
        uow.record(_completed(course, enrolment, trainers, now))
    return progress


def _completed(
    course: Course, enrolment: CourseEnrolment, trainers: list[int], now: datetime
) -> CourseCompleted:
    return CourseCompleted(
        course_id=course.id,
        trainee_id=enrolment.trainee_id,
        owner_id=course.owner_id,
        trainer_ids=frozenset(trainers),
        completed_at=enrolment.completed_at or now,
    )

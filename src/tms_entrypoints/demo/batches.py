"""Demo batches: a few cohorts with a trainer and members each, every batch enrolled in one
published course, its members enrolled in it as joining would have done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_domain.cohorts import Batch
from tms_domain.learning import CourseEnrolment, CourseQuery, CourseStatus, progress_of
from tms_domain.unit_of_work import UnitOfWorkFactory

# (code, name, starts in days from now, lasts days)
BATCHES: tuple[tuple[str, str, int, int], ...] = (
    ("ONB-SPRING", "Spring onboarding", -45, 90),
    ("ONB-SUMMER", "Summer onboarding", 20, 90),
    ("LEADS-2026", "Team leads programme", -10, 180),
)
MEMBERS_PER_BATCH = 15


@dataclass(frozen=True)
class DemoBatches:
    batches: int
    enrolments: int


async def write_batches(
    uow: UnitOfWorkFactory,
    *,
    trainer_ids: Sequence[int],
    trainee_ids: Sequence[int],
    now: datetime,
) -> DemoBatches:
    enrolments = 0
    async with uow() as unit:
        published = await unit.course_listing.page(CourseQuery(status=CourseStatus.PUBLISHED))
        for number, (code, name, starts_in, days) in enumerate(BATCHES):
            starts_on = (now + timedelta(days=starts_in)).date()
            batch = await unit.batches.add(
                Batch.plan(
                    code=code,
                    name=name,
                    description=f"{name}: learners who start together.",
                    starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=days),
                    trainer_ids=(trainer_ids[number % len(trainer_ids)],) if trainer_ids else (),
                    now=now,
                )
            )
            members = list(
                trainee_ids[number * MEMBERS_PER_BATCH : (number + 1) * MEMBERS_PER_BATCH]
            )
            await unit.batches.add_members(batch.id, members, now)
            if not published or not members:
                continue
            course = published[number % len(published)]
            await unit.batches.add_course(batch.id, course.id, now)
            counts = await unit.lesson_completions.counts_for_course(course.id)
            total = await unit.courses.lesson_total(course.id)
            fresh = []
            for trainee_id in members:
                enrolment = CourseEnrolment(
                    id=0,
                    course_id=course.id,
                    trainee_id=trainee_id,
                    assigned_at=now,
                    batch_id=batch.id,
                )
                enrolment.follow(progress_of(counts.get(trainee_id, 0), total), now)
                fresh.append(enrolment)
            enrolments += len(await unit.course_enrolments.add_many(fresh))
        await unit.commit()
    return DemoBatches(len(BATCHES), enrolments)

"""A lesson completed by something other than the trainee's own mark: what another area
calls (through this area's public module) inside its unit of work, so that a completion is
written one way and course progress, ``course_progress`` and ``CourseCompleted`` follow."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tms_domain.audit import record_audit
from tms_domain.kernel import Principal
from tms_domain.learning.events import LessonCompleted
from tms_domain.learning.model import CompletionSource, LessonCompletion
from tms_domain.learning.progress import refresh_trainee

if TYPE_CHECKING:
    from tms_domain.unit_of_work import UnitOfWork


async def complete_lesson(
    uow: UnitOfWork,
    lesson_id: int,
    course_id: int,
    trainee_id: int,
    source: CompletionSource,
    now: datetime,
    actor: Principal | None = None,
) -> bool:
    """Record that the trainee completed the lesson (once: True when recorded now), audit
    it as ``lesson.completed``, and, for an enrolled trainee, tell who follows them and let
    their enrolment's status follow (``CourseCompleted`` when it becomes completed)."""
    if not await uow.lesson_completions.add(
        LessonCompletion(lesson_id, course_id, trainee_id, source, now)
    ):
        return False
    await record_audit(
        uow,
        actor,
        "lesson.completed",
        "lesson",
        lesson_id,
        now,
        {
            "trainee_id": [None, trainee_id],
            "completed": [False, True],
            "source": [None, source.value],
        },
    )
    course = await uow.courses.header(course_id)
    enrolment = await uow.course_enrolments.get(course_id, trainee_id, for_update=True)
    if course is None or enrolment is None:
        return True
    uow.record(
        LessonCompleted(
            course_id=course_id,
            trainee_id=trainee_id,
            owner_id=course.owner_id,
            trainer_ids=frozenset(await uow.assignments.teacher_ids_of(trainee_id)),
            lesson_id=lesson_id,
            source=source.value,
            completed_at=now,
        )
    )
    await refresh_trainee(uow, course, enrolment, now)
    return True

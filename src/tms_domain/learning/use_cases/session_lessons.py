"""Session lessons follow attendance: a reaction to the training area's attendance facts,
run in the unit of work that recorded them (see ``tms_domain.reactions``), so there is no
second way to write a completion.

A trainee marked present at any session that delivers a lesson has completed it; marked
absent again, their mark deleted, or the session deleted, with no other of its sessions
attended, they have not. Completions are kept whether or not the trainee is enrolled in the
course yet (an enrolment made later finds them); progress moves, and is told, for those
enrolled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tms_domain.audit import record_audit
from tms_domain.learning.events import LessonCompleted
from tms_domain.learning.model import CompletionSource, Lesson, LessonCompletion, LessonKind
from tms_domain.learning.progress import refresh_trainee
from tms_domain.training import (
    AttendanceChanged,
    AttendanceDeleted,
    AttendanceMarked,
    SessionDeleted,
)
from tms_domain.unit_of_work import UnitOfWork


async def follow_attendance(
    uow: UnitOfWork, event: AttendanceMarked | AttendanceChanged | AttendanceDeleted, now: datetime
) -> None:
    mark = event.attendance
    trainee_id = mark.trainee_id
    for lesson_id, course_id in await uow.courses.lessons_delivered_by(mark.session_id):
        attended = await _attended(uow, lesson_id, trainee_id)
        if attended:
            changed = await uow.lesson_completions.add(
                LessonCompletion(lesson_id, course_id, trainee_id, CompletionSource.ATTENDANCE, now)
            )
        else:
            changed = await uow.lesson_completions.delete(lesson_id, trainee_id)
        if not changed:
            continue
        changes: dict[str, list[Any]] = {
            "trainee_id": [None, trainee_id],
            "completed": [not attended, attended],
        }
        if attended:
            await record_audit(uow, None, "lesson.completed", "lesson", lesson_id, now, changes)
        else:
            await record_audit(uow, None, "lesson.uncompleted", "lesson", lesson_id, now, changes)
        course = await uow.courses.header(course_id)
        enrolment = await uow.course_enrolments.get(course_id, trainee_id, for_update=True)
        if course is None or enrolment is None:
            continue
        if attended:
            uow.record(
                LessonCompleted(
                    course_id=course_id,
                    trainee_id=trainee_id,
                    owner_id=course.owner_id,
                    trainer_ids=frozenset(await uow.assignments.teacher_ids_of(trainee_id)),
                    lesson_id=lesson_id,
                    source=CompletionSource.ATTENDANCE.value,
                    completed_at=now,
                )
            )
        await refresh_trainee(uow, course, enrolment, now)


async def follow_session_deleted(uow: UnitOfWork, event: SessionDeleted, now: datetime) -> None:
    """A session deleted takes its attendance with it, and the lessons it delivered no longer
    name it. Each trainee marked present there loses the session lessons that attendance
    completed and no other of their sessions supports with a present mark; their progress in
    each course concerned follows once, and is told (``course_progress``)."""
    present = sorted({mark.trainee_id for mark in event.attendance if mark.present})
    for trainee_id in present:
        courses: list[int] = []
        completions = await uow.lesson_completions.of_trainee_by_source(
            trainee_id, CompletionSource.ATTENDANCE
        )
        for completion in completions:
            ref = await uow.courses.lesson_ref(completion.lesson_id)
            if ref is None or ref[1] is not LessonKind.SESSION:
                continue
            if await _attended(uow, completion.lesson_id, trainee_id):
                continue
            if not await uow.lesson_completions.delete(completion.lesson_id, trainee_id):
                continue
            await record_audit(
                uow,
                None,
                "lesson.uncompleted",
                "lesson",
                completion.lesson_id,
                now,
                {
                    "trainee_id": [None, trainee_id],
                    "completed": [True, False],
                    "session_id": [event.session.id, None],
                },
            )
            if completion.course_id not in courses:
                courses.append(completion.course_id)
        for course_id in courses:
            course = await uow.courses.header(course_id)
            enrolment = await uow.course_enrolments.get(course_id, trainee_id, for_update=True)
            if course is not None and enrolment is not None:
                await refresh_trainee(uow, course, enrolment, now)


async def _attended(uow: UnitOfWork, lesson_id: int, trainee_id: int) -> bool:
    """Whether the trainee is marked present at any session that delivers the lesson."""
    for session_id in await uow.courses.sessions_of_lesson(lesson_id):
        record = await uow.attendance.find(session_id, trainee_id)
        if record is not None and record.present:
            return True
    return False


async def follow_sessions_of(uow: UnitOfWork, lesson: Lesson, now: datetime) -> bool:
    """When a lesson's sessions are set: those marked present at any of them have completed
    it, and no one else has. True when any completion came or went (the enrolments' status
    then follows, see ``refresh_course``)."""
    present: set[int] = set()
    for session_id in lesson.session_ids:
        marks = await uow.attendance_listing.list_for_session(session_id)
        present |= {mark.trainee_id for mark in marks if mark.present}
    completed = set(await uow.lesson_completions.trainee_ids(lesson.id))
    for trainee_id in sorted(present - completed):
        await uow.lesson_completions.add(
            LessonCompletion(
                lesson.id, lesson.course_id, trainee_id, CompletionSource.ATTENDANCE, now
            )
        )
    for trainee_id in sorted(completed - present):
        await uow.lesson_completions.delete(lesson.id, trainee_id)
    return present != completed

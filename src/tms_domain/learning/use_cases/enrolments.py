"""Use cases for course enrolments, lesson completion and a trainee's courses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.cohorts import batch_members, follow_course
from tms_domain.kernel import (
    Conflict,
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    Target,
    authorize,
)
from tms_domain.learning.enrolling import enrol_trainees
from tms_domain.learning.events import LessonCompleted, TraineeLeftCourse
from tms_domain.learning.model import (
    CompletionSource,
    Course,
    CourseEnrolment,
    CourseProgress,
    CourseStatus,
    EnrolmentStatus,
    LessonCompletion,
    LessonKind,
    progress_of,
)
from tms_domain.learning.ports import CourseBrief, EnrolmentRow
from tms_domain.learning.progress import refresh_trainee
from tms_domain.learning.use_cases.access import course_target, visible_course
from tms_domain.unit_of_work import Core, UnitOfWork

LESSON_NOT_FOUND = "Lesson not found"
NOT_ENROLLED = "The trainee is not enrolled in this course"
MAX_TRAINEES_PER_CALL = 1000


@dataclass(frozen=True)
class EnrolmentDetails:
    """An enrolment with its trainee and its progress."""

    enrolment: CourseEnrolment
    trainee: User
    progress: CourseProgress
    completed_lesson_ids: tuple[int, ...] | None = None
    """Which lessons the trainee completed, by id, where the trainee's own answers carry
    it (completing a lesson, a trainee's courses); None in course listings."""


@dataclass(frozen=True)
class TraineeCourse:
    details: EnrolmentDetails
    course: CourseBrief


@dataclass(frozen=True)
class CourseStatistics:
    total_enrolled: int
    completed: int
    in_progress: int
    not_started: int
    average_progress: float


@dataclass(frozen=True)
class TraineeCourses:
    courses: list[TraineeCourse]
    statistics: CourseStatistics


@dataclass(frozen=True)
class EnrolmentResult:
    enrolled: int
    already_enrolled: int


def _details(
    row: EnrolmentRow, trainee: User, completed_lesson_ids: Sequence[int] | None = None
) -> EnrolmentDetails:
    return EnrolmentDetails(
        row.enrolment,
        trainee,
        progress_of(row.completed_lessons, row.total_lessons),
        None if completed_lesson_ids is None else tuple(completed_lesson_ids),
    )


class CourseEnrolmentService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def enrol(
        self,
        actor: Actor,
        course_id: int,
        trainee_ids: Sequence[int],
        *,
        batch_ids: Sequence[int] = (),
        due_date: date | None = None,
    ) -> EnrolmentResult:
        """Admins and the course's owner enrol any trainee; another trainer only their
        assigned trainees. Each id must name a trainee (422). Those already enrolled are
        counted, not enrolled twice. An archived course takes no one (409). ``batch_ids``:
        every member of each batch is enrolled (a trainer uses the batches they follow;
        the ids of others are named in a 422), and the batches follow the course: whoever
        joins them later is enrolled in it too."""
        ids = list(dict.fromkeys(trainee_ids))
        if len(ids) > MAX_TRAINEES_PER_CALL:
            raise InvalidInput.for_field(
                "trainee_ids", f"At most {MAX_TRAINEES_PER_CALL} trainees at once"
            )
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            course = await visible_course(uow, actor, course_id, for_update=True, content=False)
            members = await batch_members(uow, actor, batch_ids) if batch_ids else {}
            # A trainee named directly and in a batch is enrolled directly; one in several
            # batches, by the first.
            by_batch: dict[int, list[int]] = {}
            everyone = set(ids)
            for batch_id, member_ids in members.items():
                by_batch[batch_id] = [i for i in member_ids if i not in everyone]
                everyone.update(member_ids)
            wanted = [*ids, *(i for found in by_batch.values() for i in found)]
            await self._authorize_for(uow, actor, course, wanted)
            if course.status is CourseStatus.ARCHIVED:
                raise Conflict("An archived course takes no new trainees: publish it again first")
            users = await uow.users.get_many(wanted)
            wrong = [i for i in wanted if i not in users or users[i].role is not Role.TRAINEE]
            if wrong:
                raise InvalidInput.for_field(
                    "trainee_ids", f"Not a trainee: {', '.join(map(str, wrong))}"
                )
            enrolled = await enrol_trainees(uow, actor, course, ids, now, due_date=due_date)
            for batch_id, member_ids in by_batch.items():
                enrolled += await enrol_trainees(
                    uow, actor, course, member_ids, now, batch_id=batch_id, due_date=due_date
                )
            for batch_id in await follow_course(uow, list(members), course.id, now):
                await record_audit(
                    uow,
                    actor,
                    "batch.course_enrolled",
                    "batch",
                    batch_id,
                    now,
                    {"course_id": [None, course.id]},
                )
            await uow.commit()
        return EnrolmentResult(len(enrolled), len(wanted) - len(enrolled))

    async def unenrol(self, actor: Actor, course_id: int, trainee_id: int) -> None:
        """As enrol; 404 when not enrolled. What the trainee completed is kept, so enrolling
        them again finds their progress."""
        async with self._core.uow() as uow:
            course = await visible_course(uow, actor, course_id, for_update=True, content=False)
            await self._authorize_for(uow, actor, course, [trainee_id])
            if not await uow.course_enrolments.delete(course.id, trainee_id):
                raise NotFound(NOT_ENROLLED)
            now = self._core.clock.now()
            await record_audit(
                uow,
                actor,
                "course.unenrolled",
                "course",
                course.id,
                now,
                {"trainee_id": [trainee_id, None]},
            )
            uow.record(
                TraineeLeftCourse(
                    course_id=course.id,
                    trainee_id=trainee_id,
                    owner_id=course.owner_id,
                    trainer_ids=frozenset(await uow.assignments.teacher_ids_of(trainee_id)),
                )
            )
            await uow.commit()

    async def list_enrolments(
        self, actor: Actor, course_id: int, page: Page
    ) -> list[EnrolmentDetails]:
        """Admins and the course's owner see every enrolment; another trainer those of their
        assigned trainees. By assignment, oldest first; the same number of statements
        whatever the page size."""
        async with self._core.uow(read_only=True) as uow:
            course = await visible_course(uow, actor, course_id, content=False)
            authorize(actor, Permission.LIST_COURSE_ENROLMENTS)
            only = None
            if actor.role is not Role.ADMIN and course.owner_id != actor.id:
                only = await uow.assignments.student_ids_of(actor.id)
            rows = await uow.enrolment_listing.page(
                course.id, skip=page.skip, limit=page.limit, trainee_ids=only
            )
            users = await uow.users.get_many([r.enrolment.trainee_id for r in rows])
        return [
            _details(row, users[row.enrolment.trainee_id])
            for row in rows
            if row.enrolment.trainee_id in users
        ]

    async def complete(self, actor: Actor, lesson_id: int) -> EnrolmentDetails:
        """The enrolled trainee marks a lesson of a published course complete (404 for
        anyone else, or for a course not published). Completing twice, or twice at once,
        keeps one record. Session lessons are completed by attending one of their sessions
        (409), assessments by passing them. The answer names every lesson of the course the
        trainee has completed."""
        return await self._mark(actor, lesson_id, complete=True)

    async def uncomplete(self, actor: Actor, lesson_id: int) -> EnrolmentDetails:
        """The enrolled trainee takes their mark back (nothing happens when there is none)."""
        return await self._mark(actor, lesson_id, complete=False)

    async def _mark(self, actor: Actor, lesson_id: int, *, complete: bool) -> EnrolmentDetails:
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            ref = await uow.courses.lesson_ref(lesson_id)
            course = await uow.courses.header(ref[0]) if ref else None
            # The enrolment's row is locked: one trainee's marks in a course are serialised.
            enrolment = (
                await uow.course_enrolments.get(course.id, actor.id, for_update=True)
                if course
                else None
            )
            if ref is None or course is None:
                if actor.must_change_password:
                    authorize(actor, Permission.COMPLETE_LESSON)
                raise NotFound(LESSON_NOT_FOUND)
            enrolled = frozenset({actor.id}) if enrolment else frozenset()
            authorize(
                actor, Permission.COMPLETE_LESSON, course_target(course, enrolled_ids=enrolled)
            )
            assert enrolment is not None  # noqa: S101 - authorize asks for the enrolment
            if ref[1] not in (LessonKind.TEXT, LessonKind.VIDEO, LessonKind.FILE):
                raise Conflict(
                    "This lesson is completed by attending one of its sessions"
                    if ref[1] is LessonKind.SESSION
                    else "This lesson is completed by passing its assessment"
                )
            trainers = frozenset(await uow.assignments.teacher_ids_of(actor.id))
            if complete:
                changed = await uow.lesson_completions.add(
                    LessonCompletion(lesson_id, course.id, actor.id, CompletionSource.TRAINEE, now)
                )
                if changed:
                    uow.record(
                        LessonCompleted(
                            course_id=course.id,
                            trainee_id=actor.id,
                            owner_id=course.owner_id,
                            trainer_ids=trainers,
                            lesson_id=lesson_id,
                            source=CompletionSource.TRAINEE.value,
                            completed_at=now,
                        )
                    )
            else:
                changed = await uow.lesson_completions.delete(lesson_id, actor.id)
            if changed and complete:
                await record_audit(
                    uow,
                    actor,
                    "lesson.completed",
                    "lesson",
                    lesson_id,
                    now,
                    {"completed": [False, True]},
                )
            elif changed:
                await record_audit(
                    uow,
                    actor,
                    "lesson.uncompleted",
                    "lesson",
                    lesson_id,
                    now,
                    {"completed": [True, False]},
                )
            if changed:
                progress = await refresh_trainee(uow, course, enrolment, now)
            else:
                progress = progress_of(
                    await uow.lesson_completions.count(course.id, actor.id),
                    await uow.courses.lesson_total(course.id),
                )
            done = await uow.lesson_completions.lesson_ids(course.id, actor.id)
            await uow.commit()
        return EnrolmentDetails(enrolment, actor.user, progress, tuple(done))

    async def trainee_courses(self, actor: Actor, trainee_id: int) -> TraineeCourses:
        """Admins, the trainee's assigned trainers and the trainee themself: each course the
        trainee is enrolled in with their progress and which of its lessons they completed,
        and figures over them all. The trainee sees only published courses. A fixed number
        of statements, whatever the number of courses."""
        async with self._core.uow(read_only=True) as uow:
            teachers = await uow.assignments.teacher_ids_of(trainee_id)
            authorize(
                actor,
                Permission.READ_TRAINEE_PROGRESS,
                Target(user_id=trainee_id, assigned_trainer_ids=frozenset(teachers)),
            )
            trainee = await uow.users.get(trainee_id)
            if trainee is None:
                raise NotFound("User not found")
            found = await uow.enrolment_listing.of_trainee(trainee_id)
            done = await uow.lesson_completions.lesson_ids_by_course(trainee_id)
        if actor.role is Role.TRAINEE:
            found = [(row, brief) for row, brief in found if brief.status is CourseStatus.PUBLISHED]
        courses = [
            TraineeCourse(_details(row, trainee, done.get(brief.id, [])), brief)
            for row, brief in found
        ]
        return TraineeCourses(courses, _statistics([c.details.progress for c in courses]))

    async def _authorize_for(
        self, uow: UnitOfWork, actor: Actor, course: Course, trainee_ids: Sequence[int]
    ) -> None:
        """Enrolment rights over each trainee: admins and the owner over all, a trainer
        over their assigned trainees (one lookup whatever the number of trainees)."""
        assigned: set[int] = set()
        if actor.role is Role.TRAINER and course.owner_id != actor.id:
            assigned = set(await uow.assignments.student_ids_of(actor.id))
        for trainee_id in trainee_ids or [0]:
            authorize(
                actor,
                Permission.ENROL_IN_COURSE,
                Target(
                    owner_id=course.owner_id,
                    user_id=trainee_id,
                    assigned_trainer_ids=frozenset({actor.id})
                    if trainee_id in assigned
                    else frozenset(),
                ),
                denial="Trainers enrol only their assigned trainees in courses they do not own",
            )


def _statistics(progress: list[CourseProgress]) -> CourseStatistics:
    by_status = {status: 0 for status in EnrolmentStatus}
    for item in progress:
        by_status[item.status] += 1
    average = (
        round(sum(p.progress_percentage for p in progress) / len(progress), 2) if progress else 0.0
    )
    return CourseStatistics(
        total_enrolled=len(progress),
        completed=by_status[EnrolmentStatus.COMPLETED],
        in_progress=by_status[EnrolmentStatus.IN_PROGRESS],
        not_started=by_status[EnrolmentStatus.NOT_STARTED],
        average_progress=average,
    )

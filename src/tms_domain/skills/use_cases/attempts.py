"""Use cases for taking, grading and reading attempts at assessment lessons.

Who may do what (no rule of its own: the course's rules decide):
- take an assessment (start, submit): the trainee enrolled in the published course, as for
  completing a lesson (404 for anyone else);
- read attempts: the trainee their own; the course's authors (admins, its owner) every
  one; anyone else is told "not found";
- grade, list everyone's attempts, read statistics: the course's authors (403 for other
  staff who may read the course, 404 for a trainee who may not)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    Conflict,
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    Target,
    authorize,
    is_allowed,
)
from tms_domain.learning import CompletionSource, Course, Lesson, LessonKind, complete_lesson
from tms_domain.skills.assessments import (
    Answer,
    Attempt,
    QuestionStatistics,
    answer_violations,
    shuffled,
    statistics,
)
from tms_domain.skills.events_assess import AttemptGraded, AttemptSubmitted
from tms_domain.skills.ports_assess import AttemptQuery
from tms_domain.unit_of_work import Core, UnitOfWork

LESSON_NOT_FOUND = "Lesson not found"
ATTEMPT_NOT_FOUND = "Attempt not found"
NOT_AN_ASSESSMENT = "This lesson is not an assessment"
ONLY_AUTHORS = "Only the course's owner or an admin can see everyone's attempts or grade them"


def _target(course: Course, enrolled: frozenset[int] = frozenset()) -> Target:
    return Target(owner_id=course.owner_id, published=course.is_published, trainee_ids=enrolled)


def _is_author(actor: Actor, course: Course) -> bool:
    return is_allowed(actor, Permission.EDIT_COURSE, _target(course))


class AttemptService:
    def __init__(self, core: Core, rng: random.Random | None = None) -> None:
        self._core = core
        self._rng = rng or secrets.SystemRandom()

    async def start(self, actor: Actor, lesson_id: int) -> Attempt:
        """The trainee's open attempt, or a new one: its options in an order of its own,
        without the correct flags, and its deadline when the assessment has a time limit
        (the server counts from now). 409 once every attempt allowed is used."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            course, lesson = await self._taking(uow, actor, lesson_id)
            attempt = await uow.assessment_attempts.open_attempt(lesson_id, actor.id)
            closed = attempt is not None and attempt.is_late(now)
            if attempt is not None and closed:
                await self._close(uow, actor, course, attempt, (), now)
                attempt = None
            if attempt is None:
                try:
                    attempt = await self._new(uow, actor, course, lesson)
                except Conflict:
                    if closed:
                        await uow.commit()  # the late attempt stays closed
                    raise
            await uow.commit()
        return attempt.as_read_by(author=False)

    async def submit(self, actor: Actor, lesson_id: int, answers: Sequence[Answer]) -> Attempt:
        """Submit the open attempt (started by ``start``; one is started now when none is
        open). Single and multiple choices are graded at once; text answers wait for a
        trainer (``graded`` false). Answers past the time limit and its grace are not
        counted (``expired``). 422 for answers naming unknown questions or another
        question's options; 409 beyond ``max_attempts``. A passed attempt completes the
        lesson."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            course, lesson = await self._taking(uow, actor, lesson_id)
            attempt = await uow.assessment_attempts.open_attempt(lesson_id, actor.id)
            # None open: one is started and submitted at once, written once.
            fresh = attempt is None
            if attempt is None:
                attempt = await self._new(uow, actor, course, lesson, store=False)
            errors = answer_violations(attempt.assessment, answers)
            if errors:
                raise InvalidInput.many("Invalid answers", errors)
            await self._close(uow, actor, course, attempt, answers, now, fresh=fresh)
            await uow.commit()
        return attempt.as_read_by(author=False)

    async def grade(self, actor: Actor, attempt_id: int, points: Mapping[int, float]) -> Attempt:
        """The course's authors give points to the questions that wait (text answers): each
        0..its points (422 naming each wrong one, or a question that does not wait). Once
        none waits the attempt is graded; passed, it completes the lesson."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            attempt, course = await self._readable(uow, actor, attempt_id, for_update=True)
            authorize(actor, Permission.EDIT_COURSE, _target(course), denial=ONLY_AUTHORS)
            before = attempt.audit_fields()
            attempt.grade(points, actor.id, now)
            await uow.assessment_attempts.save(attempt)
            changes = {k: [v, attempt.audit_fields()[k]] for k, v in before.items()}
            changes["points"] = [None, {str(k): v for k, v in points.items()}]
            # The assessment is its lesson (/lessons/{id}/attempts); the attempt is named
            # in the changes.
            await record_audit(
                uow, actor, "assessment.graded", "assessment", attempt.lesson_id, now, changes
            )
            uow.record(await _fact(uow, AttemptGraded, course, attempt))
            if attempt.passed:
                await complete_lesson(
                    uow,
                    attempt.lesson_id,
                    course.id,
                    attempt.trainee_id,
                    CompletionSource.ASSESSMENT,
                    now,
                    actor,
                )
            await uow.commit()
        return attempt

    async def get(self, actor: Actor, attempt_id: int) -> Attempt:
        """The trainee their own (the correct options and each answer's points once it is
        graded); the course's authors any."""
        async with self._core.uow(read_only=True) as uow:
            attempt, course = await self._readable(uow, actor, attempt_id)
        return attempt.as_read_by(author=_is_author(actor, course))

    async def of_lesson(self, actor: Actor, lesson_id: int, page: Page) -> list[Attempt]:
        """Submitted attempts, newest first: the trainee their own, the course's authors
        everyone's; other staff 403."""
        async with self._core.uow(read_only=True) as uow:
            course = await self._course_of(uow, actor, lesson_id)
            author = _is_author(actor, course)
            if actor.role is not Role.TRAINEE and not author:
                authorize(actor, Permission.EDIT_COURSE, _target(course), denial=ONLY_AUTHORS)
            query = AttemptQuery(
                skip=page.skip,
                limit=page.limit,
                lesson_id=lesson_id,
                trainee_id=None if author else actor.id,
            )
            found = await uow.assessment_attempts.page(query)
        return [attempt.as_read_by(author=author) for attempt in found]

    async def listing(self, actor: Actor, graded: bool | None, page: Page) -> list[Attempt]:
        """Submitted attempts, newest first (``graded=False``: the grading queue): admins
        every one, a trainer those at the courses they own, a trainee their own."""
        query = AttemptQuery(skip=page.skip, limit=page.limit, graded=graded)
        if actor.role is Role.TRAINER:
            query = AttemptQuery(page.skip, page.limit, graded=graded, owner_id=actor.id)
        elif actor.role is not Role.ADMIN:
            query = AttemptQuery(page.skip, page.limit, graded=graded, trainee_id=actor.id)
        authorize(actor, Permission.LIST_COURSES)
        async with self._core.uow(read_only=True) as uow:
            found = await uow.assessment_attempts.page(query)
        return [attempt.as_read_by(author=actor.role is not Role.TRAINEE) for attempt in found]

    async def statistics(self, actor: Actor, lesson_id: int) -> list[QuestionStatistics]:
        """Per question: how many graded answers, and the share that earned full points."""
        async with self._core.uow(read_only=True) as uow:
            course = await self._course_of(uow, actor, lesson_id, content=True)
            authorize(actor, Permission.EDIT_COURSE, _target(course), denial=ONLY_AUTHORS)
            lesson = course.lesson(lesson_id)
            if lesson.assessment is None:
                raise Conflict(NOT_AN_ASSESSMENT)
            attempts = await uow.assessment_attempts.submitted_of_lesson(lesson_id)
        return statistics(lesson.assessment, attempts)

    async def _taking(self, uow: UnitOfWork, actor: Actor, lesson_id: int) -> tuple[Course, Lesson]:
        """The course and lesson, when the actor may take it; their enrolment is locked, so
        one trainee's attempts at a course are serialised."""
        ref = await uow.courses.lesson_ref(lesson_id)
        course = await uow.courses.get(ref[0]) if ref else None
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
        authorize(actor, Permission.COMPLETE_LESSON, _target(course, enrolled))
        lesson = course.lesson(lesson_id)
        if lesson.kind is not LessonKind.ASSESSMENT or lesson.assessment is None:
            raise Conflict(NOT_AN_ASSESSMENT)
        return course, lesson

    async def _new(
        self, uow: UnitOfWork, actor: Actor, course: Course, lesson: Lesson, *, store: bool = True
    ) -> Attempt:
        assert lesson.assessment is not None  # noqa: S101 - _taking checked it
        used = await uow.assessment_attempts.count(lesson.id, actor.id)
        if used >= lesson.assessment.max_attempts:
            raise Conflict(
                f"Every attempt allowed ({lesson.assessment.max_attempts}) has been used"
            )
        now = self._core.clock.now()
        limit = lesson.assessment.time_limit_minutes
        attempt = Attempt(
            id=0,
            lesson_id=lesson.id,
            course_id=course.id,
            trainee_id=actor.id,
            number=used + 1,
            assessment=shuffled(lesson.assessment, self._rng),
            started_at=now,
            deadline=now + timedelta(minutes=limit) if limit else None,
        )
        return await uow.assessment_attempts.add(attempt) if store else attempt

    async def _close(
        self,
        uow: UnitOfWork,
        actor: Actor,
        course: Course,
        attempt: Attempt,
        answers: Sequence[Answer],
        now: datetime,
        *,
        fresh: bool = False,
    ) -> None:
        """Submit, store (``fresh``: not stored yet), audit, tell, and complete the lesson
        when passed."""
        attempt.submit(answers, now)
        if fresh:
            await uow.assessment_attempts.add(attempt)
        else:
            await uow.assessment_attempts.save(attempt)
        await record_audit(
            uow,
            actor,
            "assessment.attempted",
            "assessment",
            attempt.lesson_id,
            now,
            {k: [None, v] for k, v in attempt.audit_fields().items()},
        )
        uow.record(await _fact(uow, AttemptSubmitted, course, attempt))
        if attempt.passed:
            await complete_lesson(
                uow,
                attempt.lesson_id,
                course.id,
                attempt.trainee_id,
                CompletionSource.ASSESSMENT,
                now,
                actor,
            )

    async def _course_of(
        self, uow: UnitOfWork, actor: Actor, lesson_id: int, *, content: bool = False
    ) -> Course:
        """The lesson's course when the actor may read it (404 otherwise)."""
        ref = await uow.courses.lesson_ref(lesson_id)
        course = None
        if ref is not None:
            course = await (uow.courses.get(ref[0]) if content else uow.courses.header(ref[0]))
        if course is None or not await _may_read(uow, actor, course):
            if actor.must_change_password:
                authorize(actor, Permission.READ_COURSE)
            raise NotFound(LESSON_NOT_FOUND)
        return course

    async def _readable(
        self, uow: UnitOfWork, actor: Actor, attempt_id: int, *, for_update: bool = False
    ) -> tuple[Attempt, Course]:
        """The attempt and its course, when it is the actor's own or they author the
        course; "not found" otherwise."""
        attempt = await uow.assessment_attempts.get(attempt_id, for_update=for_update)
        course = await uow.courses.header(attempt.course_id) if attempt else None
        if attempt is None or course is None or not attempt.submitted:
            if actor.must_change_password:
                authorize(actor, Permission.READ_COURSE)
            raise NotFound(ATTEMPT_NOT_FOUND)
        if attempt.trainee_id != actor.id and not _is_author(actor, course):
            if actor.must_change_password:
                authorize(actor, Permission.READ_COURSE)
            raise NotFound(ATTEMPT_NOT_FOUND)
        return attempt, course


async def _may_read(uow: UnitOfWork, actor: Actor, course: Course) -> bool:
    enrolled: frozenset[int] = frozenset()
    if actor.role is Role.TRAINEE and await uow.course_enrolments.get(course.id, actor.id):
        enrolled = frozenset({actor.id})
    return is_allowed(actor, Permission.READ_COURSE, _target(course, enrolled))


async def _fact(
    uow: UnitOfWork,
    kind: type[AttemptSubmitted] | type[AttemptGraded],
    course: Course,
    attempt: Attempt,
) -> AttemptSubmitted | AttemptGraded:
    return kind(
        attempt_id=attempt.id,
        lesson_id=attempt.lesson_id,
        course_id=course.id,
        trainee_id=attempt.trainee_id,
        owner_id=course.owner_id,
        trainer_ids=frozenset(await uow.assignments.teacher_ids_of(attempt.trainee_id)),
        score=attempt.score,
        passed=attempt.passed,
        graded=attempt.graded,
    )

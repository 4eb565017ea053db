"""/lessons/{id}/attempts, /attempts: taking assessments, grading them, their figures."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.skills.use_cases.attempts import AttemptService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.learning.assessment_schemas import (
    AttemptIn,
    AttemptOut,
    GradeIn,
    QuestionStatisticsOut,
)
from tms_entrypoints.http.params import Id, Limit, Skip


class LessonAttemptsController(Controller):
    path = "/lessons/{lesson_id:int}"
    tags = ["assessments"]

    @post(
        "/attempts/start", operation_id="startAttempt", status_code=200, responses=ERROR_RESPONSES
    )
    async def start(
        self,
        lesson_id: Id,
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
    ) -> AttemptOut:
        """The enrolled trainee's open attempt, or a new one (409 once `max_attempts` are
        used): the questions with the options in this attempt's own order and no correct
        flags, and its `deadline` when the assessment has a time limit (counted by the
        server from the start). Beyond API.md."""
        return AttemptOut.of(await assessments.start(actor, lesson_id))

    @post("/attempts", operation_id="submitAttempt", status_code=201, responses=ERROR_RESPONSES)
    async def submit(
        self,
        lesson_id: Id,
        data: JSONBody[AttemptIn],
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
    ) -> AttemptOut:
        """The enrolled trainee submits their open attempt (one is started when none is):
        `{id, score, passed, graded, ...}`. Choices are graded at once, text answers wait
        for a trainer (`graded` false). Answers naming unknown questions or another
        question's options: 422; beyond `max_attempts`: 409; past the time limit and 30 s
        of grace: recorded with nothing counted (`expired`). A pass completes the lesson."""
        return AttemptOut.of(await assessments.submit(actor, lesson_id, data.to_domain()))

    @get("/attempts", operation_id="listLessonAttempts", responses=ERROR_RESPONSES)
    async def list_attempts(
        self,
        lesson_id: Id,
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[AttemptOut]:
        """Submitted attempts, newest first: the trainee their own; admins and the course's
        owner everyone's (other staff 403)."""
        found = await assessments.of_lesson(actor, lesson_id, Page(skip, limit))
        return [AttemptOut.of(attempt) for attempt in found]

    @get("/statistics", operation_id="assessmentStatistics", responses=ERROR_RESPONSES)
    async def statistics(
        self,
        lesson_id: Id,
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
    ) -> list[QuestionStatisticsOut]:
        """Admins and the course's owner: per question, the graded answers to it
        (`attempts`) and the share that earned its full points (`correct_share`, 0..1)."""
        return [QuestionStatisticsOut.of(f) for f in await assessments.statistics(actor, lesson_id)]


class AttemptsController(Controller):
    path = "/attempts"
    tags = ["assessments"]

    @get("/", operation_id="listAttempts", responses=ERROR_RESPONSES)
    async def list_attempts(
        self,
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
        graded: Annotated[bool | None, QueryParameter()] = None,
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[AttemptOut]:
        """Submitted attempts, newest first; `graded=false`: the grading queue. Admins see
        every attempt, a trainer those at the courses they own, a trainee their own.
        Beyond API.md."""
        found = await assessments.listing(actor, graded, Page(skip, limit))
        return [AttemptOut.of(attempt) for attempt in found]

    @get("/{attempt_id:int}", operation_id="getAttempt", responses=ERROR_RESPONSES)
    async def get_attempt(
        self,
        attempt_id: Id,
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
    ) -> AttemptOut:
        """The trainee's own (correct options and points per answer once graded); admins
        and the course's owner any; 404 for anyone else. Beyond API.md."""
        return AttemptOut.of(await assessments.get(actor, attempt_id))

    @post(
        "/{attempt_id:int}/grade",
        operation_id="gradeAttempt",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def grade(
        self,
        attempt_id: Id,
        data: JSONBody[GradeIn],
        actor: NamedDependency[Actor],
        assessments: NamedDependency[AttemptService],
    ) -> AttemptOut:
        """Admins and the course's owner: `{points: {question_id: n}}` for the questions
        that wait (0..their points; 422 otherwise). Graded once none waits (409 after);
        a pass completes the lesson."""
        return AttemptOut.of(await assessments.grade(actor, attempt_id, data.points))

"""Course enrolments, lesson completion, and a trainee's courses."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.learning.use_cases.enrolments import CourseEnrolmentService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.learning.schemas import (
    CourseEnrolmentOut,
    CourseStatisticsOut,
    EnrolmentCountsOut,
    EnrolmentIn,
    TraineeCourseOut,
    TraineeCoursesOut,
    TraineeEnrolmentOut,
    parse_date,
)
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut


class CourseEnrolmentsController(Controller):
    path = "/courses/{course_id:int}/enrolments"
    tags = ["courses"]

    @post("/", operation_id="enrolInCourse", status_code=200, responses=ERROR_RESPONSES)
    async def enrol(
        self,
        course_id: Id,
        data: JSONBody[EnrolmentIn],
        actor: NamedDependency[Actor],
        course_enrolments: NamedDependency[CourseEnrolmentService],
    ) -> EnrolmentCountsOut:
        """Admins and the course's owner enrol any trainee; another trainer their assigned
        trainees. Those already enrolled are counted, not enrolled twice. `batch_ids`: every
        member of each batch is enrolled (a trainer uses the batches they follow; 422
        naming the others), and whoever joins those batches later is enrolled too."""
        result = await course_enrolments.enrol(
            actor,
            course_id,
            data.trainee_ids,
            batch_ids=data.batch_ids,
            due_date=parse_date(data.due_date, "due_date"),
        )
        return EnrolmentCountsOut(result.enrolled, result.already_enrolled)

    @get("/", operation_id="listCourseEnrolments", responses=ERROR_RESPONSES)
    async def list_enrolments(
        self,
        course_id: Id,
        actor: NamedDependency[Actor],
        course_enrolments: NamedDependency[CourseEnrolmentService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[CourseEnrolmentOut]:
        """Admins and the owner: every enrolment; another trainer: their assigned trainees'.
        Oldest first, each with its progress."""
        found = await course_enrolments.list_enrolments(actor, course_id, Page(skip, limit))
        return [CourseEnrolmentOut.of(details) for details in found]

    @delete(
        "/{trainee_id:int}",
        operation_id="unenrolFromCourse",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def unenrol(
        self,
        course_id: Id,
        trainee_id: Id,
        actor: NamedDependency[Actor],
        course_enrolments: NamedDependency[CourseEnrolmentService],
    ) -> MessageOut:
        """As enrolling; 404 when not enrolled. What they completed is kept."""
        await course_enrolments.unenrol(actor, course_id, trainee_id)
        return MessageOut("Trainee removed from the course")


class LessonCompletionController(Controller):
    path = "/lessons/{lesson_id:int}/complete"
    tags = ["courses"]

    @post("/", operation_id="completeLesson", status_code=200, responses=ERROR_RESPONSES)
    async def complete(
        self,
        lesson_id: Id,
        actor: NamedDependency[Actor],
        course_enrolments: NamedDependency[CourseEnrolmentService],
    ) -> TraineeEnrolmentOut:
        """The enrolled trainee, in a published course (404 otherwise). Twice, or twice at
        once, keeps one record. A session lesson is completed by attending one of its
        sessions (409). The answer names the lessons of the course the trainee completed
        (`completed_lesson_ids`)."""
        return TraineeEnrolmentOut.of(await course_enrolments.complete(actor, lesson_id))

    @delete("/", operation_id="uncompleteLesson", status_code=200, responses=ERROR_RESPONSES)
    async def uncomplete(
        self,
        lesson_id: Id,
        actor: NamedDependency[Actor],
        course_enrolments: NamedDependency[CourseEnrolmentService],
    ) -> TraineeEnrolmentOut:
        """The enrolled trainee takes their mark back (`completed_lesson_ids` as above)."""
        return TraineeEnrolmentOut.of(await course_enrolments.uncomplete(actor, lesson_id))


@get(
    "/progress/trainee/{trainee_id:int}/courses",
    operation_id="traineeCourses",
    tags=["progress"],
    responses=ERROR_RESPONSES,
)
async def trainee_courses(
    trainee_id: Id,
    actor: NamedDependency[Actor],
    course_enrolments: NamedDependency[CourseEnrolmentService],
) -> TraineeCoursesOut:
    """As GET /progress/trainee/{id}: admins, an assigned trainer, the trainee themself
    (who sees only published courses). Each course with its progress, and figures over
    them all."""
    found = await course_enrolments.trainee_courses(actor, trainee_id)
    return TraineeCoursesOut(
        courses=[TraineeCourseOut.of(item) for item in found.courses],
        statistics=CourseStatisticsOut.of(found.statistics),
    )

"""/courses, /modules and /lessons: authoring courses."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.learning import CourseStatus, Difficulty, LessonKind
from tms_domain.learning.use_cases.courses import (
    CourseChanges,
    CourseFilters,
    CourseService,
    LessonFields,
    NewCourse,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.learning.schemas import (
    CourseCreateIn,
    CourseOut,
    CourseStatusName,
    CourseSummaryOut,
    CourseUpdateIn,
    LessonIn,
    LessonOut,
    LessonUpdateIn,
    ModuleIn,
    ModuleOut,
    ModuleUpdateIn,
    OrderIn,
)
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut

SearchText = Annotated[str | None, QueryParameter(max_length=200)]


def _session_ids(session_id: int | None, session_ids: list[int] | None) -> tuple[int, ...] | None:
    """``session_ids`` (several dates) or ``session_id`` (one); None when neither is given."""
    if session_ids is not None:
        return tuple(session_ids)
    if session_id is not None:
        return (session_id,)
    return None


class CoursesController(Controller):
    path = "/courses"
    tags = ["courses"]

    @get("/", operation_id="listCourses", responses=ERROR_RESPONSES)
    async def list_courses(
        self,
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
        skip: Skip = 0,
        limit: Limit = 100,
        status: Annotated[CourseStatusName | None, QueryParameter()] = None,
        q: SearchText = None,
        category: SearchText = None,
    ) -> list[CourseSummaryOut]:
        """Courses without their modules, by title: admins and trainers all; a trainee the
        published courses they are enrolled in. `q` matches the title or the code."""
        found = await courses.list_courses(
            actor,
            CourseFilters(status=CourseStatus(status) if status else None, q=q, category=category),
            Page(skip, limit),
        )
        return [CourseSummaryOut.of(course) for course in found]

    @get("/{course_id:int}", operation_id="getCourse", responses=ERROR_RESPONSES)
    async def get_course(
        self, course_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> CourseOut:
        """With its modules and lessons in order. A trainee sees only a published course
        they are enrolled in (404 otherwise)."""
        return CourseOut.of(await courses.get_course(actor, course_id))

    @post("/", operation_id="createCourse", status_code=201, responses=ERROR_RESPONSES)
    async def create_course(
        self,
        data: JSONBody[CourseCreateIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> CourseOut:
        """A draft course. Admins; trainers as its owner. The code is unique (409) and
        generated ("CRS-0007") when not given."""
        course = await courses.create_course(
            actor,
            NewCourse(
                title=data.title,
                code=data.code,
                description=data.description,
                category=data.category,
                difficulty=Difficulty(data.difficulty) if data.difficulty else None,
                estimated_minutes=data.estimated_minutes,
                certificate_valid_months=data.certificate_valid_months,
                owner_id=data.owner_id,
                skills=tuple((g.skill_id, g.level) for g in data.skills),
            ),
        )
        return CourseOut.of(course)

    @put("/{course_id:int}", operation_id="updateCourse", responses=ERROR_RESPONSES)
    async def update_course(
        self,
        course_id: Id,
        data: JSONBody[CourseUpdateIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> CourseOut:
        """Admins and the owner. `status` moves draft → published → archived → published
        (publishing without a lesson: 422; another move: 409)."""
        course = await courses.update_course(
            actor,
            course_id,
            CourseChanges(
                code=data.code,
                title=data.title,
                description=data.description,
                category=data.category,
                difficulty=Difficulty(data.difficulty) if data.difficulty else None,
                estimated_minutes=data.estimated_minutes,
                certificate_valid_months=data.certificate_valid_months,
                status=CourseStatus(data.status) if data.status else None,
                owner_id=data.owner_id,
                skills=None
                if data.skills is None
                else tuple((g.skill_id, g.level) for g in data.skills),
            ),
        )
        return CourseOut.of(course)

    @delete(
        "/{course_id:int}", operation_id="deleteCourse", status_code=200, responses=ERROR_RESPONSES
    )
    async def delete_course(
        self, course_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> MessageOut:
        """Admins and the owner; 409 once anyone is enrolled (archive it instead)."""
        await courses.delete_course(actor, course_id)
        return MessageOut("Course deleted")

    @post(
        "/{course_id:int}/publish",
        operation_id="publishCourse",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def publish(
        self, course_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> CourseOut:
        """Admins and the owner; a course needs at least one lesson (422 otherwise)."""
        return CourseOut.of(await courses.publish(actor, course_id))

    @post(
        "/{course_id:int}/archive",
        operation_id="archiveCourse",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def archive(
        self, course_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> CourseOut:
        """Admins and the owner; a published course (409 otherwise)."""
        return CourseOut.of(await courses.archive(actor, course_id))

    @post(
        "/{course_id:int}/modules",
        operation_id="addModule",
        status_code=201,
        responses=ERROR_RESPONSES,
    )
    async def add_module(
        self,
        course_id: Id,
        data: JSONBody[ModuleIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> ModuleOut:
        """Admins and the owner; at `position` (1-based), at the end by default."""
        return ModuleOut.of(await courses.add_module(actor, course_id, data.title, data.position))

    @put("/{course_id:int}/order", operation_id="reorderCourse", responses=ERROR_RESPONSES)
    async def reorder(
        self,
        course_id: Id,
        data: JSONBody[OrderIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> CourseOut:
        """The whole order: every module of the course once, each with every one of its
        lessons (a lesson may change module). 422 when it names another course's module or
        lesson, or leaves one out."""
        order = [(module.id, list(module.lessons)) for module in data.modules]
        return CourseOut.of(await courses.reorder(actor, course_id, order))


class ModulesController(Controller):
    path = "/modules"
    tags = ["courses"]

    @put("/{module_id:int}", operation_id="updateModule", responses=ERROR_RESPONSES)
    async def update_module(
        self,
        module_id: Id,
        data: JSONBody[ModuleUpdateIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> ModuleOut:
        """Admins and the course's owner: its title, or its position among the modules."""
        return ModuleOut.of(
            await courses.update_module(actor, module_id, data.title, data.position)
        )

    @delete(
        "/{module_id:int}", operation_id="deleteModule", status_code=200, responses=ERROR_RESPONSES
    )
    async def delete_module(
        self, module_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> MessageOut:
        """With its lessons."""
        await courses.delete_module(actor, module_id)
        return MessageOut("Module deleted")

    @post(
        "/{module_id:int}/lessons",
        operation_id="addLesson",
        status_code=201,
        responses=ERROR_RESPONSES,
    )
    async def add_lesson(
        self,
        module_id: Id,
        data: JSONBody[LessonIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> LessonOut:
        """Admins and the course's owner. `text`: a Markdown `body` (rendered to safe HTML
        as `body_html`); `video`: an https `video_url`; `file`: the file is uploaded to
        the lesson afterwards; `session`: `session_ids` (or `session_id`), existing
        sessions, attending any one of which completes it; `assessment`: its `assessment`
        (questions, `pass_mark`, `max_attempts`, `time_limit_minutes`; see
        docs/assessments.md)."""
        lesson = await courses.add_lesson(
            actor,
            module_id,
            LessonFields(
                title=data.title,
                kind=LessonKind(data.kind),
                body=data.body,
                video_url=data.video_url,
                session_ids=_session_ids(data.session_id, data.session_ids),
                duration_minutes=data.duration_minutes,
                position=data.position,
                assessment=data.assessment.to_domain() if data.assessment else None,
            ),
        )
        return LessonOut.of(lesson)


class LessonsController(Controller):
    path = "/lessons"
    tags = ["courses"]

    @put("/{lesson_id:int}", operation_id="updateLesson", responses=ERROR_RESPONSES)
    async def update_lesson(
        self,
        lesson_id: Id,
        data: JSONBody[LessonUpdateIn],
        actor: NamedDependency[Actor],
        courses: NamedDependency[CourseService],
    ) -> LessonOut:
        """Admins and the course's owner; any lesson field, `position` within its module,
        or `module_id` to move it to another module of the course."""
        lesson = await courses.update_lesson(
            actor,
            lesson_id,
            LessonFields(
                title=data.title,
                kind=LessonKind(data.kind) if data.kind else None,
                body=data.body,
                video_url=data.video_url,
                session_ids=_session_ids(data.session_id, data.session_ids),
                duration_minutes=data.duration_minutes,
                position=data.position,
                module_id=data.module_id,
                assessment=data.assessment.to_domain() if data.assessment else None,
            ),
        )
        return LessonOut.of(lesson)

    @delete(
        "/{lesson_id:int}", operation_id="deleteLesson", status_code=200, responses=ERROR_RESPONSES
    )
    async def delete_lesson(
        self, lesson_id: Id, actor: NamedDependency[Actor], courses: NamedDependency[CourseService]
    ) -> MessageOut:
        """What trainees completed of it goes with it; their progress follows."""
        await courses.delete_lesson(actor, lesson_id)
        return MessageOut("Lesson deleted")

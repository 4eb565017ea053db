"""Use cases for authoring courses: their fields and status, modules, lessons and order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tms_domain.accounts import Actor
from tms_domain.audit import diff, record_audit
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
from tms_domain.kernel.content import ContentRenderer, check_video_url
from tms_domain.kernel.files import StoredFile
from tms_domain.learning.events import CourseChanged, CourseCreated, CourseDeleted
from tms_domain.learning.model import (
    AUTHORED_KINDS,
    Course,
    CourseStatus,
    Lesson,
    LessonKind,
    Module,
)
from tms_domain.learning.ports import CourseQuery
from tms_domain.learning.progress import refresh_course
from tms_domain.learning.rules import (
    course_violations,
    ensure_valid,
    lesson_violations,
    module_violations,
)
from tms_domain.learning.use_cases.access import course_target, editable_course, visible_course
from tms_domain.learning.use_cases.assessment_inputs import checked_assessment, hide_answers
from tms_domain.learning.use_cases.course_inputs import (
    CourseChanges,
    CourseFilters,
    LessonFields,
    NewCourse,
    check_kind,
    check_owner,
    existing_sessions,
    set_fields,
    text_or_none,
)
from tms_domain.learning.use_cases.lesson_files import forget_files, with_files
from tms_domain.learning.use_cases.session_lessons import follow_sessions_of
from tms_domain.skills import course_skills, set_course_skills
from tms_domain.unit_of_work import Core, UnitOfWork

__all__ = [
    "CourseChanges",
    "CourseFilters",
    "CourseService",
    "LessonFields",
    "NewCourse",
]

MODULE_NOT_FOUND = "Module not found"
LESSON_NOT_FOUND = "Lesson not found"
FILE_NOT_FOUND = "File not found"
ONLY_FILE_LESSONS = "Only a lesson of kind file takes a file: change its kind first"
STILL_ENROLLED = (
    "Trainees are enrolled in this course, so it cannot be deleted: archive it instead"
    " (POST /courses/{id}/archive)"
)


class CourseService:
    def __init__(self, core: Core, renderer: ContentRenderer) -> None:
        self._core = core
        self._renderer = renderer

    async def list_courses(self, actor: Actor, filters: CourseFilters, page: Page) -> list[Course]:
        """Courses without their modules, by title. Admins and trainers see all; a trainee
        the published courses they are enrolled in. Filters apply before paging: ``q``
        matches part of the title or the code, case aside."""
        authorize(actor, Permission.LIST_COURSES)
        status, trainee_id = filters.status, None
        if actor.role is Role.TRAINEE:
            if status not in (None, CourseStatus.PUBLISHED):
                return []
            status, trainee_id = CourseStatus.PUBLISHED, actor.id
        query = CourseQuery(
            skip=page.skip,
            limit=page.limit,
            status=status,
            q=text_or_none(filters.q),
            category=text_or_none(filters.category),
            enrolled_trainee_id=trainee_id,
        )
        async with self._core.uow(read_only=True) as uow:
            return await uow.course_listing.page(query)

    async def get_course(self, actor: Actor, course_id: int) -> Course:
        """With its modules and lessons in order. Admins and trainers; a trainee only a
        published course they are enrolled in (404 otherwise)."""
        async with self._core.uow(read_only=True) as uow:
            course = await visible_course(uow, actor, course_id)
            course.skills = await course_skills(uow, course.id)
            course = await with_files(uow, course)
        if not is_allowed(actor, Permission.EDIT_COURSE, course_target(course)):
            hide_answers(course)
        return course

    async def create_course(self, actor: Actor, new: NewCourse) -> Course:
        """A draft. Admins (for themselves or another trainer or admin); a trainer for
        themself. The code is unique, case aside (409), and generated ("CRS-0007") when
        not given."""
        owner_id = new.owner_id if new.owner_id is not None else actor.id
        authorize(
            actor,
            Permission.CREATE_COURSE,
            Target(owner_id=owner_id),
            denial="Trainers can create courses only as their own",
        )
        ensure_valid(
            "Invalid course",
            course_violations(
                code=new.code,
                title=new.title,
                description=new.description,
                category=new.category,
                estimated_minutes=new.estimated_minutes,
                certificate_valid_months=new.certificate_valid_months,
            ),
        )
        now = self._core.clock.now()
        course = Course(
            id=0,
            code=(new.code or "").strip(),
            title=new.title.strip(),
            description=new.description,
            category=text_or_none(new.category),
            difficulty=new.difficulty,
            estimated_minutes=new.estimated_minutes,
            certificate_valid_months=new.certificate_valid_months or None,
            status=CourseStatus.DRAFT,
            owner_id=owner_id,
            created_at=now,
            updated_at=now,
        )
        async with self._core.uow() as uow:
            if owner_id != actor.id:
                await check_owner(uow, owner_id)
            if course.code and await uow.courses.code_taken(course.code):
                raise Conflict(f"The code {course.code} is already in use")
            course = await uow.courses.add(course)
            created = {k: [None, v] for k, v in course.audit_fields().items()}
            if new.skills:
                course.skills = await set_course_skills(uow, course.id, new.skills)
                created["skills"] = [None, [list(g) for g in course.skills]]
            await record_audit(uow, actor, "course.created", "course", course.id, now, created)
            uow.record(CourseCreated(_snapshot(course)))
            await uow.commit()
            return course

    async def update_course(self, actor: Actor, course_id: int, changes: CourseChanges) -> Course:
        """Admins and the owner. ``status`` moves draft -> published -> archived ->
        published (publishing needs a lesson: 422; other moves: 409). Only an admin hands
        a course to another owner."""
        ensure_valid(
            "Invalid course",
            course_violations(
                code=changes.code,
                title=changes.title,
                description=changes.description,
                category=changes.category,
                estimated_minutes=changes.estimated_minutes,
                certificate_valid_months=changes.certificate_valid_months,
            ),
        )
        async with self._core.uow() as uow:
            course = await editable_course(uow, actor, course_id)
            before = course.audit_fields()
            if changes.owner_id is not None and changes.owner_id != course.owner_id:
                if actor.role is not Role.ADMIN:
                    raise InvalidInput.for_field(
                        "owner_id", "Only an admin can give a course to another owner"
                    )
                await check_owner(uow, changes.owner_id)
                course.owner_id = changes.owner_id
            if changes.code is not None and changes.code.strip() != course.code:
                code = changes.code.strip()
                if await uow.courses.code_taken(code, except_course_id=course.id):
                    raise Conflict(f"The code {code} is already in use")
                course.code = code
            set_fields(course, changes)
            now = self._core.clock.now()
            if changes.status is not None:
                course.move_to(changes.status, now)
            course.updated_at = now
            await self._store(uow, course)
            changed = diff(before, course.audit_fields())
            if changes.skills is not None:
                granted = await course_skills(uow, course.id)
                course.skills = await set_course_skills(uow, course.id, changes.skills)
                if granted != course.skills:
                    changed["skills"] = [
                        [list(g) for g in granted],
                        [list(g) for g in course.skills],
                    ]
            await record_audit(uow, actor, "course.updated", "course", course.id, now, changed)
            return await self._tell(uow, course)

    async def publish(self, actor: Actor, course_id: int) -> Course:
        """Admins and the owner; at least one lesson (422 otherwise)."""
        return await self.update_course(
            actor, course_id, CourseChanges(status=CourseStatus.PUBLISHED)
        )

    async def archive(self, actor: Actor, course_id: int) -> Course:
        """Admins and the owner; only a published course is archived (409 otherwise)."""
        return await self.update_course(
            actor, course_id, CourseChanges(status=CourseStatus.ARCHIVED)
        )

    async def delete_course(self, actor: Actor, course_id: int) -> None:
        """Admins and the owner; 409 once anyone is enrolled (archive it instead)."""
        async with self._core.uow() as uow:
            course = await editable_course(uow, actor, course_id, content=False)
            if await uow.course_enrolments.count_for_course(course_id):
                raise Conflict(STILL_ENROLLED.replace("{id}", str(course_id)))
            whole = await uow.courses.get(course_id)
            await forget_files(uow, whole.lessons if whole else [])
            await uow.courses.delete(course_id)
            await record_audit(
                uow,
                actor,
                "course.deleted",
                "course",
                course_id,
                self._core.clock.now(),
                {k: [v, None] for k, v in course.audit_fields().items()},
            )
            uow.record(CourseDeleted(_snapshot(course)))
            await uow.commit()

    async def add_module(
        self, actor: Actor, course_id: int, title: str, position: int | None = None
    ) -> Module:
        """Admins and the owner; at ``position`` (1-based), at the end by default."""
        ensure_valid("Invalid module", module_violations(title))
        async with self._core.uow() as uow:
            course = await editable_course(uow, actor, course_id)
            module = course.add_module(Module(0, course.id, title.strip(), 0), position)
            course.updated_at = self._core.clock.now()
            await self._store(uow, course)
            await record_audit(
                uow,
                actor,
                "module.created",
                "module",
                module.id,
                course.updated_at,
                {"title": [None, module.title]},
            )
            await self._tell(uow, course)
            return module

    async def update_module(
        self, actor: Actor, module_id: int, title: str | None = None, position: int | None = None
    ) -> Module:
        ensure_valid("Invalid module", module_violations(title))
        async with self._core.uow() as uow:
            course = await self._course_of_module(uow, actor, module_id)
            module = course.module(module_id)
            before = {"title": module.title, "position": module.position}
            if title is not None:
                module.title = title.strip()
            if position is not None:
                course.move_module(module_id, position)
            course.updated_at = self._core.clock.now()
            after = {"title": module.title, "position": module.position}
            await self._store(uow, course)
            await record_audit(
                uow,
                actor,
                "module.updated",
                "module",
                module.id,
                course.updated_at,
                diff(before, after),
            )
            await self._tell(uow, course)
            return module

    async def delete_module(self, actor: Actor, module_id: int) -> None:
        """The module goes with its lessons (and what trainees completed of them)."""
        async with self._core.uow() as uow:
            course = await self._course_of_module(uow, actor, module_id)
            module = course.remove_module(module_id)
            await forget_files(uow, module.lessons)
            course.updated_at = self._core.clock.now()
            await self._store(uow, course, lessons_changed=bool(module.lessons))
            await record_audit(
                uow,
                actor,
                "module.deleted",
                "module",
                module.id,
                course.updated_at,
                {"title": [module.title, None]},
            )
            await self._tell(uow, course)

    async def add_lesson(self, actor: Actor, module_id: int, fields: LessonFields) -> Lesson:
        """Admins and the owner. Kinds: text (a Markdown body, rendered to safe HTML),
        video (an https URL), file (its file is uploaded afterwards), session (the live
        sessions that deliver it, which must exist), assessment (its questions, pass mark,
        attempts allowed and time limit; see ``checked_assessment``)."""
        if fields.title is None:
            raise InvalidInput.for_field("title", "A lesson needs a title")
        if fields.kind is None:
            raise InvalidInput.for_field("kind", "A lesson needs a kind")
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            course = await self._course_of_module(uow, actor, module_id)
            lesson = Lesson(
                id=0,
                module_id=module_id,
                course_id=course.id,
                title="",
                kind=fields.kind,
                position=0,
                created_at=now,
                updated_at=now,
            )
            await self._apply(uow, lesson, replace(fields, position=None, module_id=None))
            course.add_lesson(module_id, lesson, fields.position)
            course.updated_at = now
            await self._store(uow, course, lessons_changed=True, attended=lesson)
            await record_audit(
                uow,
                actor,
                "lesson.created",
                "lesson",
                lesson.id,
                now,
                {k: [None, v] for k, v in lesson.audit_fields().items()},
            )
            await self._tell(uow, course)
            return lesson

    async def update_lesson(self, actor: Actor, lesson_id: int, fields: LessonFields) -> Lesson:
        async with self._core.uow() as uow:
            course = await self._course_of_lesson(uow, actor, lesson_id)
            lesson = course.lesson(lesson_id)
            before = lesson.audit_fields()
            await self._apply(uow, lesson, fields)
            if fields.module_id is not None and fields.module_id != lesson.module_id:
                target = course.module(fields.module_id)
                course.remove_lesson(lesson_id)
                course.add_lesson(target.id, lesson, fields.position)
            elif fields.position is not None:
                course.move_lesson(lesson_id, fields.position)
            now = self._core.clock.now()
            lesson.updated_at = course.updated_at = now
            sessions_set = fields.session_ids is not None or fields.kind is not None
            await self._store(uow, course, attended=lesson if sessions_set else None)
            changes = diff(before, lesson.audit_fields())
            await record_audit(uow, actor, "lesson.updated", "lesson", lesson.id, now, changes)
            await self._tell(uow, course)
            return lesson

    async def delete_lesson(self, actor: Actor, lesson_id: int) -> None:
        """What trainees completed of it goes with it; their progress follows."""
        async with self._core.uow() as uow:
            course = await self._course_of_lesson(uow, actor, lesson_id)
            lesson = course.remove_lesson(lesson_id)
            await forget_files(uow, [lesson])
            course.updated_at = self._core.clock.now()
            await self._store(uow, course, lessons_changed=True)
            await record_audit(
                uow,
                actor,
                "lesson.deleted",
                "lesson",
                lesson.id,
                course.updated_at,
                {k: [v, None] for k, v in lesson.audit_fields().items()},
            )
            await self._tell(uow, course)

    async def check_may_edit_lesson(self, actor: Actor, lesson_id: int) -> None:
        """Raise as changing the lesson would (404, 403): asked before an upload is
        received, so that nobody who may not change the lesson makes the server store it."""
        async with self._core.uow(read_only=True) as uow:
            await self._course_of_lesson(uow, actor, lesson_id, content=False)
            ref = await uow.courses.lesson_ref(lesson_id)
            if ref is not None and ref[1] is not LessonKind.FILE:
                raise InvalidInput.for_field("kind", ONLY_FILE_LESSONS)

    async def attach_file(self, actor: Actor, lesson_id: int, upload: StoredFile) -> Lesson:
        """Record the uploaded file (its bytes already stored) as the lesson's file; the
        file it had before is forgotten, its bytes deleted after the commit."""
        async with self._core.uow() as uow:
            course = await self._course_of_lesson(uow, actor, lesson_id)
            lesson = course.lesson(lesson_id)
            if lesson.kind is not LessonKind.FILE:
                raise InvalidInput.for_field("kind", ONLY_FILE_LESSONS)
            before = lesson.audit_fields()
            stored = await uow.files.add(upload)
            await forget_files(uow, [lesson])
            lesson.file_id, lesson.file = stored.id, stored
            now = self._core.clock.now()
            lesson.updated_at = course.updated_at = now
            await self._store(uow, course)
            changes = diff(before, lesson.audit_fields())
            await record_audit(uow, actor, "lesson.updated", "lesson", lesson.id, now, changes)
            await self._tell(uow, course)
            return lesson

    async def readable_file(self, actor: Actor, file_id: int) -> StoredFile:
        """A lesson's file, for whoever may read the lesson (its course's staff; a trainee
        enrolled in the published course); "not found" for anyone else."""
        async with self._core.uow(read_only=True) as uow:
            course_id = await uow.courses.course_of_file(file_id)
            file = await uow.files.get(file_id) if course_id is not None else None
            if course_id is None or file is None:
                raise NotFound(FILE_NOT_FOUND)
            try:
                await visible_course(uow, actor, course_id, content=False)
            except NotFound:
                raise NotFound(FILE_NOT_FOUND) from None
            return file

    async def reorder(
        self, actor: Actor, course_id: int, order: Sequence[tuple[int, Sequence[int]]]
    ) -> Course:
        """The whole order: every module of the course once with its lessons, every lesson
        once (422 when it names another course's module or lesson, or leaves one out)."""
        async with self._core.uow() as uow:
            course = await editable_course(uow, actor, course_id)
            course.reorder(order)
            course.updated_at = self._core.clock.now()
            await self._store(uow, course)
            await record_audit(
                uow, actor, "course.reordered", "course", course.id, course.updated_at
            )
            return await self._tell(uow, course)

    async def _apply(self, uow: UnitOfWork, lesson: Lesson, fields: LessonFields) -> None:
        """Set the fields given on the lesson and check what its kind needs."""
        kind = fields.kind or lesson.kind
        if fields.kind is not None and fields.kind not in AUTHORED_KINDS:
            raise InvalidInput.for_field(
                "kind", "Lesson kind must be one of text, video, file, session or assessment"
            )
        ensure_valid(
            "Invalid lesson",
            lesson_violations(
                title=fields.title,
                body=fields.body,
                video_url=fields.video_url,
                duration_minutes=fields.duration_minutes,
                session_count=len(set(fields.session_ids))
                if fields.session_ids is not None
                else None,
            ),
        )
        lesson.kind = kind
        if fields.title is not None:
            lesson.title = fields.title.strip()
        if fields.body is not None:
            lesson.body = fields.body
            lesson.body_html = self._renderer.render_markdown(fields.body) if fields.body else None
        if fields.duration_minutes is not None:
            lesson.duration_minutes = fields.duration_minutes
        if fields.video_url is not None:
            lesson.video_url = (
                check_video_url(fields.video_url) if fields.video_url.strip() else None
            )
        if fields.session_ids is not None:
            lesson.session_ids = await existing_sessions(uow, fields.session_ids)
        if fields.assessment is not None:
            lesson.assessment = checked_assessment(lesson.assessment, fields.assessment)
        check_kind(lesson)

    async def _course_of_module(self, uow: UnitOfWork, actor: Actor, module_id: int) -> Course:
        course_id = await uow.courses.course_id_of_module(module_id)
        if course_id is None:
            raise NotFound(MODULE_NOT_FOUND)
        try:
            return await editable_course(uow, actor, course_id)
        except NotFound:
            raise NotFound(MODULE_NOT_FOUND) from None

    async def _course_of_lesson(
        self, uow: UnitOfWork, actor: Actor, lesson_id: int, *, content: bool = True
    ) -> Course:
        ref = await uow.courses.lesson_ref(lesson_id)
        if ref is None:
            raise NotFound(LESSON_NOT_FOUND)
        try:
            return await editable_course(uow, actor, ref[0], content=content)
        except NotFound:
            raise NotFound(LESSON_NOT_FOUND) from None

    async def _store(
        self,
        uow: UnitOfWork,
        course: Course,
        *,
        lessons_changed: bool = False,
        attended: Lesson | None = None,
    ) -> None:
        """Save the course (new modules and lessons get their ids). When lessons come or
        go, every enrolment's status follows. ``attended``: a lesson whose sessions were
        set: those present at any of them have completed it."""
        await uow.courses.save(course)
        now = course.updated_at
        if attended is not None and attended.kind is LessonKind.SESSION:
            lessons_changed = await follow_sessions_of(uow, attended, now) or lessons_changed
        if lessons_changed:
            await refresh_course(uow, course, now)

    async def _tell(self, uow: UnitOfWork, course: Course) -> Course:
        """Tell who follows the course (its owner; once published, its trainees), commit."""
        enrolled = (
            frozenset(await uow.enrolment_listing.trainee_ids(course.id))
            if course.status is not CourseStatus.DRAFT
            else frozenset()
        )
        uow.record(CourseChanged(_snapshot(course), enrolled))
        course.skills = await course_skills(uow, course.id)
        await with_files(uow, course)
        await uow.commit()
        return course


def _snapshot(course: Course) -> Course:
    """The course's own fields, as an event keeps them."""
    return replace(course, modules=[], events=[])

"""Courses of ordered modules and lessons, enrolments in them, and lesson completions.

The shapes here are the learning area's vocabulary; the rules that move a course between
its statuses and keep its order live on ``Course``. Progress is computed in one place,
``progress_of``, whatever asks for it (the enrolments list, a trainee's courses, the
``course_progress`` event, reports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from tms_domain.kernel import Conflict, DomainEvent, InvalidInput, NotFound
from tms_domain.kernel.files import StoredFile
from tms_domain.learning.assessing import Assessment


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


COURSE_MOVES: dict[CourseStatus, frozenset[CourseStatus]] = {
    CourseStatus.DRAFT: frozenset({CourseStatus.PUBLISHED}),
    CourseStatus.PUBLISHED: frozenset({CourseStatus.ARCHIVED}),
    CourseStatus.ARCHIVED: frozenset({CourseStatus.PUBLISHED}),
}
"""draft -> published -> archived, and an archived course may be published again."""


class Difficulty(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class LessonKind(StrEnum):
    TEXT = "text"
    VIDEO = "video"
    FILE = "file"
    SESSION = "session"
    ASSESSMENT = "assessment"


AUTHORED_KINDS = frozenset(LessonKind)
"""The kinds an author may create: every kind (an assessment with its questions)."""


class EnrolmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class CompletionSource(StrEnum):
    TRAINEE = "trainee"
    """The trainee marked the lesson complete."""
    ATTENDANCE = "attendance"
    """The trainee was marked present at a session that delivers the lesson."""
    ASSESSMENT = "assessment"
    """The trainee passed the lesson's assessment."""


@dataclass
class Lesson:
    id: int
    module_id: int
    course_id: int
    title: str
    kind: LessonKind
    position: int
    body: str | None = None
    body_html: str | None = None
    """The server's sanitised rendering of ``body``: what a page shows."""
    video_url: str | None = None
    file_id: int | None = None
    file: StoredFile | None = field(default=None, compare=False)
    """What is known of the file named by ``file_id``, when the use case looked it up."""
    session_ids: list[int] = field(default_factory=list)
    """The live sessions that deliver a ``session`` lesson; attending any one completes it."""
    duration_minutes: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    assessment: Assessment | None = None
    """An ``assessment`` lesson's questions and rules."""

    @property
    def session_id(self) -> int | None:
        """The live session that delivers the lesson (the first, when it offers several)."""
        return self.session_ids[0] if self.session_ids else None

    def audit_fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind.value,
            "module_id": self.module_id,
            "video_url": self.video_url,
            "file_id": self.file_id,
            "session_ids": list(self.session_ids),
            "duration_minutes": self.duration_minutes,
            "assessment": self.assessment.audit_fields() if self.assessment else None,
        }


@dataclass
class Module:
    id: int
    course_id: int
    title: str
    position: int
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Course:
    """The aggregate: a course's fields, its status moves, and its modules and lessons in
    order."""

    id: int
    code: str
    title: str
    description: str | None
    category: str | None
    difficulty: Difficulty | None
    estimated_minutes: int | None
    status: CourseStatus
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    certificate_valid_months: int | None = None
    """How long its certificates stand (None: for good)."""
    modules: list[Module] = field(default_factory=list)
    skills: list[tuple[int, int]] = field(default_factory=list)
    """(skill id, level) granted on completion, when the use case looked them up."""
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)
    """What the course's changes raised, until the use case takes them."""

    @property
    def lessons(self) -> list[Lesson]:
        """Every lesson, module by module, in order."""
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def lesson_count(self) -> int:
        return sum(len(module.lessons) for module in self.modules)

    @property
    def is_published(self) -> bool:
        return self.status is CourseStatus.PUBLISHED

    def module(self, module_id: int) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise NotFound("Module not found")

    def lesson(self, lesson_id: int) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise NotFound("Lesson not found")

    def audit_fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "difficulty": self.difficulty.value if self.difficulty else None,
            "estimated_minutes": self.estimated_minutes,
            "status": self.status.value,
            "owner_id": self.owner_id,
            "certificate_valid_months": self.certificate_valid_months,
        }

    def move_to(self, status: CourseStatus, now: datetime) -> None:
        """draft -> published -> archived -> published; staying where it is changes
        nothing. Publishing needs at least one lesson (422 otherwise); an illegal move is a
        conflict with the course's state (409)."""
        if status is self.status:
            return
        if status not in COURSE_MOVES[self.status]:
            raise Conflict(f"A {self.status.value} course cannot become {status.value}")
        if status is CourseStatus.PUBLISHED:
            if not self.lesson_count:
                raise InvalidInput.for_field(
                    "status", "A course needs at least one lesson to be published"
                )
            self.published_at = now
        self.status = status
        self.updated_at = now

    def add_module(self, module: Module, position: int | None) -> Module:
        """Insert at ``position`` (1-based; the end when None or past it)."""
        module.course_id = self.id
        self.modules.insert(_index(position, len(self.modules)), module)
        self._renumber()
        return module

    def move_module(self, module_id: int, position: int) -> None:
        module = self.module(module_id)
        self.modules.remove(module)
        self.modules.insert(_index(position, len(self.modules)), module)
        self._renumber()

    def remove_module(self, module_id: int) -> Module:
        """The module goes with its lessons."""
        module = self.module(module_id)
        self.modules.remove(module)
        self._renumber()
        return module

    def add_lesson(self, module_id: int, lesson: Lesson, position: int | None) -> Lesson:
        module = self.module(module_id)
        lesson.module_id, lesson.course_id = module.id, self.id
        module.lessons.insert(_index(position, len(module.lessons)), lesson)
        self._renumber()
        return lesson

    def move_lesson(self, lesson_id: int, position: int) -> None:
        lesson = self.lesson(lesson_id)
        module = self.module(lesson.module_id)
        module.lessons.remove(lesson)
        module.lessons.insert(_index(position, len(module.lessons)), lesson)
        self._renumber()

    def remove_lesson(self, lesson_id: int) -> Lesson:
        lesson = self.lesson(lesson_id)
        self.module(lesson.module_id).lessons.remove(lesson)
        self._renumber()
        return lesson

    def reorder(self, order: Sequence[tuple[int, Sequence[int]]]) -> None:
        """The whole order at once: every module of the course once, each with its lessons,
        every lesson of the course once (a lesson may change module). An order that names
        another course's module or lesson, names one twice or leaves one out is refused
        (422) and changes nothing."""
        modules = {module.id: module for module in self.modules}
        lessons = {lesson.id: lesson for lesson in self.lessons}
        module_ids = [module_id for module_id, _ in order]
        lesson_ids = [lesson_id for _, ids in order for lesson_id in ids]
        errors: list[tuple[str, str]] = []
        if len(set(module_ids)) != len(module_ids) or set(module_ids) != set(modules):
            errors.append(
                ("modules", "The order must name every module of this course once, and no other")
            )
        if len(set(lesson_ids)) != len(lesson_ids) or set(lesson_ids) != set(lessons):
            errors.append(
                (
                    "modules.lessons",
                    "The order must name every lesson of this course once, and no other",
                )
            )
        if errors:
            raise InvalidInput.many("Invalid order", errors)
        self.modules = [modules[module_id] for module_id, _ in order]
        for module_id, ids in order:
            module = modules[module_id]
            module.lessons = [lessons[lesson_id] for lesson_id in ids]
            for lesson in module.lessons:
                lesson.module_id = module.id
        self._renumber()

    def _renumber(self) -> None:
        """Positions follow the order: 1, 2, ... among the modules and within each module."""
        for index, module in enumerate(self.modules, start=1):
            module.position = index
            for lesson_index, lesson in enumerate(module.lessons, start=1):
                lesson.position = lesson_index


def _index(position: int | None, size: int) -> int:
    """A 1-based position as a list index: before the first at most, after the last when
    None or past the end."""
    if position is None or position > size:
        return size
    return max(position, 1) - 1


@dataclass
class CourseEnrolment:
    id: int
    course_id: int
    trainee_id: int
    assigned_at: datetime
    status: EnrolmentStatus = EnrolmentStatus.NOT_STARTED
    batch_id: int | None = None
    due_date: date | None = None
    completed_at: datetime | None = None

    def follow(self, progress: CourseProgress, now: datetime) -> bool:
        """Take the status the progress gives (completed_at set when it becomes completed,
        cleared when it no longer is); True when anything changed."""
        completed_at = (
            (self.completed_at or now) if progress.status is EnrolmentStatus.COMPLETED else None
        )
        if (self.status, self.completed_at) == (progress.status, completed_at):
            return False
        self.status, self.completed_at = progress.status, completed_at
        return True


@dataclass(frozen=True)
class LessonCompletion:
    lesson_id: int
    course_id: int
    trainee_id: int
    source: CompletionSource
    completed_at: datetime


@dataclass(frozen=True)
class CourseProgress:
    completed_lessons: int
    total_lessons: int
    progress_percentage: float
    status: EnrolmentStatus


def progress_of(completed_lessons: int, total_lessons: int) -> CourseProgress:
    """A trainee's progress in a course from how many of its lessons they completed (only
    lessons the course still has count). A course without lessons has nothing to do yet."""
    completed = max(0, min(completed_lessons, total_lessons))
    if total_lessons == 0 or completed == 0:
        status = EnrolmentStatus.NOT_STARTED
    elif completed == total_lessons:
        status = EnrolmentStatus.COMPLETED
    else:
        status = EnrolmentStatus.IN_PROGRESS
    percentage = round(100 * completed / total_lessons, 1) if total_lessons else 0.0
    return CourseProgress(completed, total_lessons, percentage, status)

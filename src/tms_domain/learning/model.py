"""Courses of ordered modules and lessons, enrolments in them, and lesson completions.

The shapes here are the learning area's vocabulary; the rules that move a course between
its statuses and keep its order live on ``Course``. Progress is computed in one place,
``progress_of``, whatever asks for it (the enrolments list, a trainee's courses, the
``course_progress`` event, reports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from tms_domain.kernel import DomainEvent


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
    session_ids: list[int] = field(default_factory=list)
    """The live sessions that deliver a ``session`` lesson; attending any one completes it."""
    duration_minutes: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


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
    modules: list[Module] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)
    """What the course's changes raised, until the use case takes them."""

    @property
    def lessons(self) -> list[Lesson]:
        """Every lesson, module by module, in order."""
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def lesson_count(self) -> int:
        return sum(len(module.lessons) for module in self.modules)


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

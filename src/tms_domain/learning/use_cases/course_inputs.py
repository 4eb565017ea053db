"""What the course use cases take (a new course, changes to one, listing filters, a
lesson's fields) and how changes and kinds are checked and applied."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel import InvalidInput
from tms_domain.learning.model import Course, CourseStatus, Difficulty, Lesson, LessonKind


@dataclass(frozen=True)
class NewCourse:
    title: str
    code: str | None = None
    description: str | None = None
    category: str | None = None
    difficulty: Difficulty | None = None
    estimated_minutes: int | None = None
    owner_id: int | None = None
    """Admins may name another owner (a trainer or an admin); None: the creator."""


@dataclass(frozen=True)
class CourseChanges:
    """Fields to change; None leaves a field as it is."""

    code: str | None = None
    title: str | None = None
    description: str | None = None
    category: str | None = None
    difficulty: Difficulty | None = None
    estimated_minutes: int | None = None
    status: CourseStatus | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class CourseFilters:
    status: CourseStatus | None = None
    q: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class LessonFields:
    """A lesson's fields; None leaves a field as it is (or unset, for a new lesson)."""

    title: str | None = None
    kind: LessonKind | None = None
    body: str | None = None
    video_url: str | None = None
    session_ids: tuple[int, ...] | None = None
    duration_minutes: int | None = None
    position: int | None = None
    module_id: int | None = None
    """Move the lesson to another module of the same course (at its end unless
    ``position`` is given)."""


def text_or_none(value: str | None) -> str | None:
    """Stored stripped; blank means none."""
    if value is None:
        return None
    return value.strip() or None


def set_fields(course: Course, changes: CourseChanges) -> None:
    """The plain fields given (code, owner and status have rules of their own)."""
    if changes.title is not None:
        course.title = changes.title.strip()
    if changes.description is not None:
        course.description = changes.description
    if changes.category is not None:
        course.category = text_or_none(changes.category)
    if changes.difficulty is not None:
        course.difficulty = changes.difficulty
    if changes.estimated_minutes is not None:
        course.estimated_minutes = changes.estimated_minutes


def check_kind(lesson: Lesson) -> None:
    """What the lesson's kind needs, and nothing another kind would carry."""
    if lesson.kind is LessonKind.VIDEO and not lesson.video_url:
        raise InvalidInput.for_field("video_url", "A video lesson needs a video_url")
    if lesson.kind is LessonKind.SESSION and not lesson.session_ids:
        raise InvalidInput.for_field(
            "session_ids", "A session lesson needs the live sessions that deliver it"
        )
    if lesson.kind is not LessonKind.VIDEO:
        lesson.video_url = None
    if lesson.kind is not LessonKind.SESSION:
        lesson.session_ids = []
    if lesson.kind is not LessonKind.FILE:
        lesson.file_id = None

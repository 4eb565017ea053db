"""What the course use cases take (a new course, changes to one, listing filters, a
lesson's fields) and how changes and kinds are checked and applied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tms_domain.kernel import InvalidInput, Role
from tms_domain.learning.assessing import Assessment
from tms_domain.learning.model import Course, CourseStatus, Difficulty, Lesson, LessonKind
from tms_domain.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class NewCourse:
    title: str
    code: str | None = None
    description: str | None = None
    category: str | None = None
    difficulty: Difficulty | None = None
    estimated_minutes: int | None = None
    certificate_valid_months: int | None = None
    owner_id: int | None = None
    """Admins may name another owner (a trainer or an admin); None: the creator."""
    skills: tuple[tuple[int, int], ...] = ()
    """(skill id, level) the course grants on completion."""


@dataclass(frozen=True)
class CourseChanges:
    """Fields to change; None leaves a field as it is."""

    code: str | None = None
    title: str | None = None
    description: str | None = None
    category: str | None = None
    difficulty: Difficulty | None = None
    estimated_minutes: int | None = None
    certificate_valid_months: int | None = None
    """0: certificates stand for good (stored as None)."""
    status: CourseStatus | None = None
    owner_id: int | None = None
    skills: tuple[tuple[int, int], ...] | None = None
    """Replaces the (skill id, level) the course grants on completion."""


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
    assessment: Assessment | None = None
    """An assessment lesson's questions and rules, whole (ids of those kept, 0 for new)."""


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
    if changes.certificate_valid_months is not None:
        course.certificate_valid_months = changes.certificate_valid_months or None


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
    if lesson.kind is LessonKind.ASSESSMENT and lesson.assessment is None:
        raise InvalidInput.for_field(
            "assessment", "An assessment lesson needs its questions, pass mark and attempts"
        )
    if lesson.kind is not LessonKind.FILE:
        lesson.file_id = None
    if lesson.kind is not LessonKind.ASSESSMENT:
        lesson.assessment = None


async def existing_sessions(uow: UnitOfWork, session_ids: Sequence[int]) -> list[int]:
    """The sessions, once each, when they all exist (422 naming those that do not)."""
    ids = list(dict.fromkeys(session_ids))
    missing = [i for i in ids if await uow.sessions.get(i) is None]
    if missing:
        raise InvalidInput.for_field(
            "session_ids", f"No such session: {', '.join(map(str, missing))}"
        )
    return ids


async def check_owner(uow: UnitOfWork, owner_id: int) -> None:
    owner = await uow.users.get(owner_id)
    if owner is None or owner.role is Role.TRAINEE:
        raise InvalidInput.for_field("owner_id", "The owner must be a trainer or an admin")

"""What the course endpoints read and write: courses, modules, lessons, enrolments and a
trainee's courses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from tms_domain.kernel import InvalidInput
from tms_domain.learning import Course, Lesson, Module
from tms_domain.learning.use_cases.enrolments import (
    CourseStatistics,
    EnrolmentDetails,
    TraineeCourse,
)
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.learning.assessment_schemas import AssessmentIn, AssessmentOut
from tms_entrypoints.http.schemas import LongText, PositiveId, ShortText, Timestamp, iso
from tms_entrypoints.http.skills.schemas import SkillGrantIn, SkillGrantOut

CourseStatusName = Literal["draft", "published", "archived"]
DifficultyName = Literal["beginner", "intermediate", "advanced"]
LessonKindName = Literal["text", "video", "file", "session", "assessment"]
AuthoredKindName = LessonKindName
"""The kinds a lesson is created with (an assessment with its `assessment`)."""
EnrolmentStatusName = Literal["not_started", "in_progress", "completed"]
CourseText = Annotated[str, msgspec.Meta(max_length=1000)]
Body = Annotated[str, msgspec.Meta(max_length=100_000)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
ValidMonths = Annotated[
    int, msgspec.Meta(ge=0, le=600, description="How long certificates stand; 0: for good")
]
Position = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Ids = Annotated[list[PositiveId], msgspec.Meta(max_length=1000)]
DateText = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        extra_json_schema={"description": "an ISO 8601 date, e.g. 2026-12-31", "format": "date"},
    ),
]


def parse_date(text: str | None, field: str) -> date | None:
    """An ISO 8601 date (a date and time gives its date); blank or None: none."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidInput.for_field(field, f"{field} must be a date like 2026-12-31") from None


class LessonFileOut(msgspec.Struct):
    id: int
    name: str
    size: int
    content_type: str


class LessonOut(msgspec.Struct):
    id: int
    module_id: int
    title: str
    kind: LessonKindName
    body: str | None
    body_html: str | None
    video_url: str | None
    file: LessonFileOut | None
    session_id: int | None
    session_ids: list[int]
    duration_minutes: int | None
    position: int
    assessment: AssessmentOut | None = None
    """An assessment's questions; `correct` only for the course's authors."""

    @classmethod
    def of(cls, lesson: Lesson) -> LessonOut:
        file = lesson.file
        return cls(
            id=lesson.id,
            module_id=lesson.module_id,
            title=lesson.title,
            kind=lesson.kind.value,
            body=lesson.body,
            body_html=lesson.body_html,
            video_url=lesson.video_url,
            file=(
                LessonFileOut(file.id, file.name, file.size, file.content_type)
                if file is not None
                else None
            ),
            session_id=lesson.session_id,
            session_ids=list(lesson.session_ids),
            duration_minutes=lesson.duration_minutes,
            position=lesson.position,
            assessment=AssessmentOut.of(lesson.assessment) if lesson.assessment else None,
        )


class ModuleOut(msgspec.Struct):
    id: int
    title: str
    position: int
    lessons: list[LessonOut]

    @classmethod
    def of(cls, module: Module) -> ModuleOut:
        return cls(
            id=module.id,
            title=module.title,
            position=module.position,
            lessons=[LessonOut.of(lesson) for lesson in module.lessons],
        )


class CourseSummaryOut(msgspec.Struct):
    """A course without its modules (as listings carry it)."""

    id: int
    code: str
    title: str
    description: str | None
    category: str | None
    difficulty: DifficultyName | None
    estimated_minutes: int | None
    certificate_valid_months: int | None
    status: CourseStatusName
    owner_id: int | None
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Timestamp | None

    @classmethod
    def of(cls, course: Course) -> CourseSummaryOut:
        return cls(**_course_fields(course))


class CourseOut(msgspec.Struct):
    id: int
    code: str
    title: str
    description: str | None
    category: str | None
    difficulty: DifficultyName | None
    estimated_minutes: int | None
    certificate_valid_months: int | None
    status: CourseStatusName
    owner_id: int | None
    modules: list[ModuleOut]
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Timestamp | None
    skills: list[SkillGrantOut] = msgspec.field(default_factory=list)
    """The skills the course grants on completion, at a level each."""

    @classmethod
    def of(cls, course: Course) -> CourseOut:
        return cls(
            modules=[ModuleOut.of(m) for m in course.modules],
            skills=[SkillGrantOut(s, level) for s, level in course.skills],
            **_course_fields(course),
        )


def _course_fields(course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "code": course.code,
        "title": course.title,
        "description": course.description,
        "category": course.category,
        "difficulty": course.difficulty.value if course.difficulty else None,
        "estimated_minutes": course.estimated_minutes,
        "certificate_valid_months": course.certificate_valid_months,
        "status": course.status.value,
        "owner_id": course.owner_id,
        "created_at": iso(course.created_at),
        "updated_at": iso(course.updated_at),
        "published_at": iso(course.published_at) if course.published_at else None,
    }


class CourseCreateIn(msgspec.Struct):
    title: CourseText
    code: ShortText | None = None
    description: LongText | None = None
    category: ShortText | None = None
    difficulty: DifficultyName | None = None
    estimated_minutes: Minutes | None = None
    certificate_valid_months: ValidMonths | None = None
    owner_id: PositiveId | None = None
    skills: list[SkillGrantIn] = msgspec.field(default_factory=list)
    """The skills the course grants on completion, at a level (1..5) each."""


class CourseUpdateIn(msgspec.Struct):
    title: CourseText | None = None
    code: ShortText | None = None
    description: LongText | None = None
    category: ShortText | None = None
    difficulty: DifficultyName | None = None
    estimated_minutes: Minutes | None = None
    certificate_valid_months: ValidMonths | None = None
    status: CourseStatusName | None = None
    owner_id: PositiveId | None = None
    skills: list[SkillGrantIn] | None = None
    """Replaces the skills the course grants; left out: unchanged."""


class ModuleIn(msgspec.Struct):
    title: CourseText
    position: Position | None = None


class ModuleUpdateIn(msgspec.Struct):
    title: CourseText | None = None
    position: Position | None = None


class LessonIn(msgspec.Struct):
    title: CourseText
    kind: AuthoredKindName
    body: Body | None = None
    video_url: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    session_id: PositiveId | None = None
    session_ids: Ids | None = None
    duration_minutes: Minutes | None = None
    position: Position | None = None
    assessment: AssessmentIn | None = None


class LessonUpdateIn(msgspec.Struct):
    title: CourseText | None = None
    kind: AuthoredKindName | None = None
    body: Body | None = None
    video_url: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    session_id: PositiveId | None = None
    session_ids: Ids | None = None
    duration_minutes: Minutes | None = None
    position: Position | None = None
    module_id: PositiveId | None = None
    assessment: AssessmentIn | None = None


class ModuleOrderIn(msgspec.Struct):
    id: PositiveId
    lessons: Ids = msgspec.field(default_factory=list)


class OrderIn(msgspec.Struct):
    modules: Annotated[list[ModuleOrderIn], msgspec.Meta(max_length=1000)]


class EnrolmentIn(msgspec.Struct):
    trainee_ids: Ids = msgspec.field(default_factory=list)
    batch_ids: Ids = msgspec.field(default_factory=list)
    due_date: DateText | None = None


class EnrolmentCountsOut(msgspec.Struct):
    enrolled: int
    already_enrolled: int


class CourseEnrolmentOut(msgspec.Struct):
    course_id: int
    trainee: UserOut
    batch_id: int | None
    due_date: str | None
    assigned_at: Timestamp
    status: EnrolmentStatusName
    completed_lessons: int
    total_lessons: int
    progress_percentage: float
    completed_at: Timestamp | None

    @classmethod
    def of(cls, details: EnrolmentDetails) -> CourseEnrolmentOut:
        return cls(**_enrolment_fields(details))


class TraineeEnrolmentOut(CourseEnrolmentOut):
    """A CourseEnrolment as its trainee reads it after completing a lesson: with
    `completed_lesson_ids`, the lessons of the course they completed (beyond API.md, see
    docs/api.md)."""

    completed_lesson_ids: list[int]

    @classmethod
    def of(cls, details: EnrolmentDetails) -> TraineeEnrolmentOut:
        return cls(
            completed_lesson_ids=list(details.completed_lesson_ids or ()),
            **_enrolment_fields(details),
        )


def _enrolment_fields(details: EnrolmentDetails) -> dict[str, Any]:
    enrolment, progress = details.enrolment, details.progress
    return {
        "course_id": enrolment.course_id,
        "trainee": UserOut.of(details.trainee),
        "batch_id": enrolment.batch_id,
        "due_date": enrolment.due_date.isoformat() if enrolment.due_date else None,
        "assigned_at": iso(enrolment.assigned_at),
        "status": progress.status.value,
        "completed_lessons": progress.completed_lessons,
        "total_lessons": progress.total_lessons,
        "progress_percentage": progress.progress_percentage,
        "completed_at": iso(enrolment.completed_at) if enrolment.completed_at else None,
    }


class CourseBriefOut(msgspec.Struct):
    id: int
    code: str
    title: str


class TraineeCourseOut(msgspec.Struct):
    """A CourseEnrolment with its course, and which of its lessons the trainee completed."""

    course_id: int
    trainee: UserOut
    batch_id: int | None
    due_date: str | None
    assigned_at: Timestamp
    status: EnrolmentStatusName
    completed_lessons: int
    total_lessons: int
    progress_percentage: float
    completed_at: Timestamp | None
    completed_lesson_ids: list[int]
    """The lessons of the course the trainee completed (beyond API.md, see docs/api.md)."""
    course: CourseBriefOut

    @classmethod
    def of(cls, item: TraineeCourse) -> TraineeCourseOut:
        brief = item.course
        return cls(
            course=CourseBriefOut(brief.id, brief.code, brief.title),
            completed_lesson_ids=list(item.details.completed_lesson_ids or ()),
            **_enrolment_fields(item.details),
        )


class CourseStatisticsOut(msgspec.Struct):
    total_enrolled: int
    completed: int
    in_progress: int
    not_started: int
    average_progress: float

    @classmethod
    def of(cls, figures: CourseStatistics) -> CourseStatisticsOut:
        return cls(
            total_enrolled=figures.total_enrolled,
            completed=figures.completed,
            in_progress=figures.in_progress,
            not_started=figures.not_started,
            average_progress=figures.average_progress,
        )


class TraineeCoursesOut(msgspec.Struct):
    courses: list[TraineeCourseOut]
    statistics: CourseStatisticsOut

"""Learning: courses of modules and lessons, course enrolments, lesson completion and
course progress.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.learning.model import (
    Course,
    CourseEnrolment,
    CourseProgress,
    CourseStatus,
    Difficulty,
    EnrolmentStatus,
    Lesson,
    LessonCompletion,
    LessonKind,
    Module,
    progress_of,
)

__all__ = [
    "Course",
    "CourseEnrolment",
    "CourseProgress",
    "CourseStatus",
    "Difficulty",
    "EnrolmentStatus",
    "Lesson",
    "LessonCompletion",
    "LessonKind",
    "Module",
    "progress_of",
]

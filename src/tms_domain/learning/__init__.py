"""Learning: courses of modules and lessons, course enrolments, lesson completion and
course progress.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.learning.events import (
    CourseChanged,
    CourseCreated,
    CourseDeleted,
    CourseProgressChanged,
    LessonCompleted,
    TraineeEnrolledInCourse,
    TraineeLeftCourse,
)
from tms_domain.learning.model import (
    AUTHORED_KINDS,
    COURSE_MOVES,
    CompletionSource,
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
from tms_domain.learning.ports import (
    CourseBrief,
    CourseEnrolmentRepository,
    CourseListing,
    CourseQuery,
    CourseRepository,
    EnrolmentListing,
    EnrolmentRow,
    LessonCompletionRepository,
)
from tms_domain.learning.rules import generated_code

__all__ = [
    "AUTHORED_KINDS",
    "COURSE_MOVES",
    "CompletionSource",
    "Course",
    "CourseBrief",
    "CourseChanged",
    "CourseCreated",
    "CourseDeleted",
    "CourseEnrolment",
    "CourseEnrolmentRepository",
    "CourseListing",
    "CourseProgress",
    "CourseProgressChanged",
    "CourseQuery",
    "CourseRepository",
    "CourseStatus",
    "Difficulty",
    "EnrolmentListing",
    "EnrolmentRow",
    "EnrolmentStatus",
    "Lesson",
    "LessonCompleted",
    "LessonCompletion",
    "LessonCompletionRepository",
    "LessonKind",
    "Module",
    "TraineeEnrolledInCourse",
    "TraineeLeftCourse",
    "generated_code",
    "progress_of",
]

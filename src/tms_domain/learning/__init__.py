"""Learning: courses of modules and lessons, course enrolments, lesson completion and
course progress.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.learning.assessing import Assessment, Option, Question, QuestionKind
from tms_domain.learning.completing import complete_lesson
from tms_domain.learning.enrolling import enrol_in_courses, enrol_trainees
from tms_domain.learning.events import (
    CourseChanged,
    CourseCompleted,
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
    "Assessment",
    "CompletionSource",
    "Course",
    "CourseBrief",
    "CourseChanged",
    "CourseCompleted",
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
    "Option",
    "Question",
    "QuestionKind",
    "TraineeEnrolledInCourse",
    "TraineeLeftCourse",
    "complete_lesson",
    "enrol_in_courses",
    "enrol_trainees",
    "generated_code",
    "progress_of",
]

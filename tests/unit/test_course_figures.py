"""Courses in reports and in the admins' figures: each enrolment's progress is what
``progress_of`` says, the figure its trainee and trainers see."""

from __future__ import annotations

from tms_domain.learning import EnrolmentStatus
from tms_domain.reporting import CourseFacts
from tms_domain.reporting.rows import course_row
from tms_domain.reporting.use_cases.analytics import CourseFigures, course_figures


def test_a_course_row_counts_enrolled_and_completed_and_averages_progress() -> None:
    # Four lessons: one trainee has done all, one 3 (75 %), one none.
    facts = CourseFacts(7, "CRS-0007", "Forklift", "published", 4, {4: 1, 3: 1, 0: 1})
    assert course_row(facts) == [7, "CRS-0007", "Forklift", "published", 3, 1, 58.33]
    # Each enrolment's percentage is progress_of's (one decimal), then averaged.
    thirds = CourseFacts(8, "CRS-0008", "Thirds", "published", 3, {1: 2, 2: 1})
    assert course_row(thirds)[4:] == [3, 0, round((33.3 + 33.3 + 66.7) / 3, 2)]


def test_a_course_nobody_is_enrolled_in_or_without_lessons_averages_zero() -> None:
    assert course_row(CourseFacts(1, "CRS-0001", "Draft", "draft", 5, {}))[4:] == [0, 0, 0.0]
    # A course without lessons has nothing to do yet: not completed, 0 %.
    empty = CourseFacts(2, "CRS-0002", "Empty", "published", 0, {0: 3})
    assert course_row(empty)[4:] == [3, 0, 0.0]


def test_the_completion_rate_is_completed_enrolments_over_all_of_them() -> None:
    enrolments = {
        EnrolmentStatus.NOT_STARTED: 1,
        EnrolmentStatus.IN_PROGRESS: 2,
        EnrolmentStatus.COMPLETED: 3,
    }
    assert course_figures(3, enrolments) == CourseFigures(3, 6, 50.0)
    assert course_figures(0, dict.fromkeys(EnrolmentStatus, 0)) == CourseFigures(0, 0, 0.0)

"""An author's assessment, checked and numbered against what the lesson had; a course read
by whoever may not author it, without the correct answers."""

from __future__ import annotations

from tms_domain.learning.assessing import Assessment, assessment_violations, with_ids
from tms_domain.learning.model import Course
from tms_domain.learning.rules import ensure_valid


def checked_assessment(before: Assessment | None, given: Assessment) -> Assessment:
    """Every rule checked at once (422 naming each field: a single-choice question with
    other than one correct option, points out of 1-1000, an id the lesson does not have,
    ...); new questions and options get ids never used in the lesson."""
    known = frozenset(before.ids()) if before else frozenset()
    ensure_valid("Invalid assessment", assessment_violations(given, known))
    return with_ids(given, before.last_id if before else 0)


def hide_answers(course: Course) -> None:
    """Take the correct flags out of every assessment of the course (a trainee, a trainer
    who does not own it): correct answers reach only those who author the course."""
    for lesson in course.lessons:
        if lesson.assessment is not None:
            lesson.assessment = lesson.assessment.hidden()

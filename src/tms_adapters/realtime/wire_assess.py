"""The wire shapes of attempts' events (docs/api.md): the figures, never the answers.
Registered with the mapper in ``wire``, which imports this module."""

from __future__ import annotations

from tms_adapters.realtime.wire import Shape, shapes
from tms_domain.skills import AttemptGraded, AttemptSubmitted


def _attempt(event: AttemptSubmitted | AttemptGraded) -> dict[str, object]:
    return {
        "attempt_id": event.attempt_id,
        "lesson_id": event.lesson_id,
        "course_id": event.course_id,
        "trainee_id": event.trainee_id,
        "score": event.score,
        "passed": event.passed,
        "graded": event.graded,
    }


@shapes(AttemptSubmitted)
def _attempted(event: AttemptSubmitted) -> Shape:
    return "assessment_attempted", _attempt(event)


@shapes(AttemptGraded)
def _graded(event: AttemptGraded) -> Shape:
    return "assessment_graded", _attempt(event)

"""What assessment lessons and their attempts read and write."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from tms_domain.learning import Assessment, Option, Question, QuestionKind
from tms_domain.skills import Answer, Attempt, QuestionStatistics
from tms_entrypoints.http.schemas import MAX_ID, Timestamp, iso

QuestionKindName = Literal["single", "multiple", "text"]
ItemId = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
"""A question's or an option's id: none (or 0) for a new one."""
Count = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]


class OptionIn(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(max_length=2000)]
    correct: bool = False
    id: ItemId | None = None


class QuestionIn(msgspec.Struct):
    kind: QuestionKindName
    prompt: Annotated[str, msgspec.Meta(max_length=10_000)]
    points: Count
    options: Annotated[list[OptionIn], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )
    id: ItemId | None = None


class AssessmentIn(msgspec.Struct):
    """The whole assessment: questions kept carry their `id`, new ones none."""

    questions: Annotated[list[QuestionIn], msgspec.Meta(max_length=1000)]
    pass_mark: Count
    max_attempts: Count
    time_limit_minutes: Count | None = None

    def to_domain(self) -> Assessment:
        return Assessment(
            questions=tuple(
                Question(
                    id=q.id or 0,
                    kind=QuestionKind(q.kind),
                    prompt=q.prompt,
                    points=q.points,
                    options=tuple(Option(o.id or 0, o.text, o.correct) for o in q.options),
                )
                for q in self.questions
            ),
            pass_mark=self.pass_mark,
            max_attempts=self.max_attempts,
            time_limit_minutes=self.time_limit_minutes,
        )


class OptionOut(msgspec.Struct):
    id: int
    text: str
    correct: bool | None
    """None: hidden (a trainee, until their attempt is graded)."""


class QuestionOut(msgspec.Struct):
    id: int
    kind: QuestionKindName
    prompt: str
    points: int
    options: list[OptionOut]


class AssessmentOut(msgspec.Struct):
    questions: list[QuestionOut]
    pass_mark: int
    max_attempts: int
    time_limit_minutes: int | None
    total_points: int

    @classmethod
    def of(cls, assessment: Assessment) -> AssessmentOut:
        return cls(
            questions=[
                QuestionOut(
                    q.id,
                    q.kind.value,
                    q.prompt,
                    q.points,
                    [OptionOut(o.id, o.text, o.correct) for o in q.options],
                )
                for q in assessment.questions
            ],
            pass_mark=assessment.pass_mark,
            max_attempts=assessment.max_attempts,
            time_limit_minutes=assessment.time_limit_minutes,
            total_points=assessment.total_points,
        )


class AnswerIn(msgspec.Struct):
    question_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    option_ids: (
        Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]], msgspec.Meta(max_length=100)]
        | None
    ) = None
    text: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None


class AttemptIn(msgspec.Struct):
    answers: Annotated[list[AnswerIn], msgspec.Meta(max_length=1000)]

    def to_domain(self) -> list[Answer]:
        return [Answer(a.question_id, tuple(a.option_ids or ()), a.text) for a in self.answers]


class GradeIn(msgspec.Struct):
    points: Annotated[dict[int, float], msgspec.Meta(max_length=1000)]


class AnswerOut(msgspec.Struct):
    question_id: int
    option_ids: list[int]
    text: str | None
    points: float | None
    """Earned; None while it waits for a trainer, or (for the trainee) until graded."""


class AttemptOut(msgspec.Struct):
    id: int
    lesson_id: int
    course_id: int
    trainee_id: int
    trainee_name: str | None
    number: int
    score: float
    """Percent 0..100: of the points graded so far until ``graded``."""
    passed: bool
    graded: bool
    expired: bool
    started_at: Timestamp
    deadline: Timestamp | None
    submitted_at: Timestamp | None
    graded_at: Timestamp | None
    assessment: AssessmentOut
    """The questions as this attempt shows them (its option order)."""
    answers: list[AnswerOut]

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(
            id=attempt.id,
            lesson_id=attempt.lesson_id,
            course_id=attempt.course_id,
            trainee_id=attempt.trainee_id,
            trainee_name=attempt.trainee_name,
            number=attempt.number,
            score=attempt.score,
            passed=attempt.passed,
            graded=attempt.graded,
            expired=attempt.expired,
            started_at=iso(attempt.started_at),
            deadline=iso(attempt.deadline) if attempt.deadline else None,
            submitted_at=iso(attempt.submitted_at) if attempt.submitted_at else None,
            graded_at=iso(attempt.graded_at) if attempt.graded_at else None,
            assessment=AssessmentOut.of(attempt.assessment),
            answers=[
                AnswerOut(a.question_id, list(a.option_ids), a.text, a.points)
                for a in attempt.answers
            ],
        )


class QuestionStatisticsOut(msgspec.Struct):
    question_id: int
    attempts: int
    correct_share: float

    @classmethod
    def of(cls, figures: QuestionStatistics) -> QuestionStatisticsOut:
        return cls(figures.question_id, figures.attempts, figures.correct_share)

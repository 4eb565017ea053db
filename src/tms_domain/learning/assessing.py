"""An assessment lesson's questions and rules, as its authors write them.

The questions live on the lesson (the learning area owns lessons); taking and grading
attempts is the skills area's (``tms_domain.skills``). Question and option ids are given by
the server, unique within the lesson: an author sends the ids of those they keep and none
for new ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

MAX_QUESTIONS = 200
MAX_OPTIONS = 20
MAX_PROMPT_LENGTH = 5000
MAX_OPTION_LENGTH = 1000
MAX_POINTS = 1000
MAX_ATTEMPTS = 100
MAX_TIME_LIMIT_MINUTES = 24 * 60


class QuestionKind(StrEnum):
    SINGLE = "single"
    """One option is right; choosing it earns the question's points."""
    MULTIPLE = "multiple"
    """One or more options are right; partial credit (see ``tms_domain.skills``)."""
    TEXT = "text"
    """A written answer, graded by a trainer."""


@dataclass(frozen=True)
class Option:
    id: int
    text: str
    correct: bool | None
    """None: hidden from whoever reads it (a trainee before their attempt is graded)."""


@dataclass(frozen=True)
class Question:
    id: int
    kind: QuestionKind
    prompt: str
    points: int
    options: tuple[Option, ...] = ()

    def option_ids(self) -> frozenset[int]:
        return frozenset(option.id for option in self.options)

    def correct_ids(self) -> frozenset[int]:
        return frozenset(option.id for option in self.options if option.correct)


@dataclass(frozen=True)
class Assessment:
    """What an assessment lesson asks and how it is passed."""

    questions: tuple[Question, ...]
    pass_mark: int
    """The score (percent) that passes."""
    max_attempts: int
    time_limit_minutes: int | None = None
    last_id: int = 0
    """The highest question or option id given so far: ids are never given twice."""
    answers_hidden: bool = field(default=False, compare=False)
    """True when the correct flags were taken out for the reader."""

    @property
    def total_points(self) -> int:
        return sum(question.points for question in self.questions)

    def question(self, question_id: int) -> Question | None:
        for question in self.questions:
            if question.id == question_id:
                return question
        return None

    def ids(self) -> Iterator[int]:
        for question in self.questions:
            yield question.id
            yield from (option.id for option in question.options)

    def hidden(self) -> Assessment:
        """The same questions without their correct flags."""
        return replace(
            self,
            questions=tuple(
                replace(q, options=tuple(replace(o, correct=None) for o in q.options))
                for q in self.questions
            ),
            answers_hidden=True,
        )

    def audit_fields(self) -> dict[str, Any]:
        return {
            "questions": len(self.questions),
            "total_points": self.total_points,
            "pass_mark": self.pass_mark,
            "max_attempts": self.max_attempts,
            "time_limit_minutes": self.time_limit_minutes,
        }


def assessment_violations(
    assessment: Assessment, known_ids: frozenset[int]
) -> list[tuple[str, str]]:
    """Every rule the author's assessment breaks, by field (``questions[2].options``).
    ``known_ids``: the question and option ids the lesson has; an id given must be one."""
    errors: list[tuple[str, str]] = []
    if not 0 <= assessment.pass_mark <= 100:
        errors.append(("pass_mark", "The pass mark is a percentage: 0-100"))
    if not 1 <= assessment.max_attempts <= MAX_ATTEMPTS:
        errors.append(("max_attempts", f"Attempts allowed must be 1-{MAX_ATTEMPTS}"))
    limit = assessment.time_limit_minutes
    if limit is not None and not 1 <= limit <= MAX_TIME_LIMIT_MINUTES:
        errors.append(
            ("time_limit_minutes", f"A time limit must be 1-{MAX_TIME_LIMIT_MINUTES} minutes")
        )
    if not 1 <= len(assessment.questions) <= MAX_QUESTIONS:
        errors.append(("questions", f"An assessment needs 1-{MAX_QUESTIONS} questions"))
    given = [i for i in assessment.ids() if i]
    if len(given) != len(set(given)):
        errors.append(("questions", "A question or option id is given twice"))
    unknown = sorted(set(given) - known_ids)
    if unknown:
        errors.append(
            (
                "questions",
                f"No such question or option in this lesson: {', '.join(map(str, unknown))}",
            )
        )
    for index, question in enumerate(assessment.questions):
        errors.extend(_question_violations(f"questions[{index}]", question))
    return errors


def _question_violations(where: str, question: Question) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not 1 <= len(question.prompt.strip()) <= MAX_PROMPT_LENGTH:
        errors.append((f"{where}.prompt", f"A prompt must be 1-{MAX_PROMPT_LENGTH} characters"))
    if not 1 <= question.points <= MAX_POINTS:
        errors.append((f"{where}.points", f"Points must be 1-{MAX_POINTS}"))
    options = question.options
    if question.kind is QuestionKind.TEXT:
        if options:
            errors.append((f"{where}.options", "A text question has no options"))
        return errors
    if not 2 <= len(options) <= MAX_OPTIONS:
        errors.append((f"{where}.options", f"A choice question needs 2-{MAX_OPTIONS} options"))
    for number, option in enumerate(options):
        if not 1 <= len(option.text.strip()) <= MAX_OPTION_LENGTH:
            errors.append(
                (
                    f"{where}.options[{number}].text",
                    f"An option must be 1-{MAX_OPTION_LENGTH} characters",
                )
            )
    correct = sum(1 for option in options if option.correct)
    if question.kind is QuestionKind.SINGLE and correct != 1:
        errors.append(
            (f"{where}.options", "A single-choice question needs exactly one correct option")
        )
    if question.kind is QuestionKind.MULTIPLE and correct < 1:
        errors.append(
            (f"{where}.options", "A multiple-choice question needs at least one correct option")
        )
    return errors


def with_ids(assessment: Assessment, last_id: int) -> Assessment:
    """New questions and options (id 0) numbered after every id the lesson has used
    (``last_id``), so an id never names two things over the lesson's life; texts stripped."""
    next_id = max([last_id, *assessment.ids(), 0]) + 1
    questions = []
    for question in assessment.questions:
        options = []
        for option in question.options:
            option_id = option.id
            if not option_id:
                option_id, next_id = next_id, next_id + 1
            options.append(Option(option_id, option.text.strip(), bool(option.correct)))
        question_id = question.id
        if not question_id:
            question_id, next_id = next_id, next_id + 1
        questions.append(
            replace(
                question, id=question_id, prompt=question.prompt.strip(), options=tuple(options)
            )
        )
    return replace(
        assessment, questions=tuple(questions), last_id=next_id - 1, answers_hidden=False
    )

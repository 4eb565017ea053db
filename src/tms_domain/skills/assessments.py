"""Attempts at an assessment lesson: how options are shuffled for each attempt, how an
attempt is graded, and what each reader may see of it.

Grading, decided here and documented in docs/assessments.md:
- single choice: the question's points when the one correct option alone is chosen, else 0;
- multiple choice, partial credit: points x (right chosen - wrong chosen) / correct
  options, never below 0 (all the right ones and no wrong one: full points);
- text: a trainer gives 0..points; a text left blank earns 0 without waiting for one;
- score: the points earned as a percentage of the attempt's total, to one decimal;
  passed when graded and the score reaches the pass mark.

An attempt keeps the questions as it showed them (its own option order), so editing the
assessment later changes neither what it asked nor how it is graded."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from tms_domain.kernel import Conflict, InvalidInput
from tms_domain.learning import Assessment, Question, QuestionKind

GRACE = timedelta(seconds=30)
"""How late after its time limit an attempt's answers still count (a slow network)."""
MAX_TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class Answer:
    question_id: int
    option_ids: tuple[int, ...] = ()
    text: str | None = None
    points: float | None = None
    """Earned; None while the question waits for a trainer."""


@dataclass
class Attempt:
    """One trainee's attempt at one assessment lesson: started, then submitted once, then
    graded (at once when every question grades itself). Never deleted or replaced."""

    id: int
    lesson_id: int
    course_id: int
    trainee_id: int
    number: int
    """1 for the trainee's first attempt at the lesson, 2 for the second, ..."""
    assessment: Assessment
    """The questions as this attempt shows them: options in its own shuffled order."""
    started_at: datetime
    deadline: datetime | None = None
    submitted_at: datetime | None = None
    answers: tuple[Answer, ...] = ()
    score: float = 0.0
    passed: bool = False
    graded: bool = False
    expired: bool = False
    """Submitted after its time limit (and the grace): no answer counted."""
    graded_by: int | None = None
    graded_at: datetime | None = None
    trainee_name: str | None = field(default=None, compare=False)
    """Who took it, when the use case looked it up (staff listings)."""

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    def is_late(self, now: datetime) -> bool:
        return self.deadline is not None and now > self.deadline + GRACE

    def submit(self, answers: Sequence[Answer], now: datetime) -> None:
        """Grade what grades itself; a late attempt is closed with nothing counted. Once."""
        if self.submitted:
            raise Conflict("This attempt was submitted already")
        self.submitted_at = now
        if self.is_late(now):
            self.expired = True
            answers = ()
        by_question = {answer.question_id: answer for answer in answers}
        self.answers = tuple(
            _graded(question, by_question.get(question.id, Answer(question.id)))
            for question in self.assessment.questions
        )
        self._settle()

    def grade(self, points: Mapping[int, float], grader_id: int, now: datetime) -> None:
        """A trainer's points for the questions that wait (each 0..its points; 422 naming
        every wrong one). Graded once none waits (409 once graded)."""
        if not self.submitted:
            raise Conflict("This attempt has not been submitted yet")
        if self.graded:
            raise Conflict("This attempt is graded already")
        errors = grading_violations(self, points)
        if errors:
            raise InvalidInput.many("Invalid grading", errors)
        self.answers = tuple(
            replace(answer, points=float(points[answer.question_id]))
            if answer.question_id in points
            else answer
            for answer in self.answers
        )
        self.graded_by, self.graded_at = grader_id, now
        self._settle()

    def waiting(self) -> list[int]:
        """The questions a trainer has still to grade."""
        return [answer.question_id for answer in self.answers if answer.points is None]

    def _settle(self) -> None:
        earned = sum(answer.points or 0.0 for answer in self.answers)
        total = self.assessment.total_points
        self.score = round(100 * earned / total, 1) if total else 0.0
        self.graded = not self.waiting()
        self.passed = self.graded and self.score >= self.assessment.pass_mark

    def audit_fields(self) -> dict[str, Any]:
        return {
            "attempt_id": self.id,
            "trainee_id": self.trainee_id,
            "number": self.number,
            "score": self.score,
            "passed": self.passed,
            "graded": self.graded,
            "expired": self.expired,
        }

    def as_read_by(self, *, author: bool) -> Attempt:
        """What a reader sees: authors everything; the trainee, until it is graded, neither
        the correct options nor the points each answer earned."""
        if author or self.graded:
            return self
        return replace(
            self,
            assessment=self.assessment.hidden(),
            answers=tuple(replace(answer, points=None) for answer in self.answers),
        )


def shuffled(assessment: Assessment, rng: random.Random) -> Assessment:
    """The questions in their order, each one's options in an order of their own."""
    questions = []
    for question in assessment.questions:
        options = list(question.options)
        rng.shuffle(options)
        questions.append(replace(question, options=tuple(options)))
    return replace(assessment, questions=tuple(questions))


def answer_violations(assessment: Assessment, answers: Sequence[Answer]) -> list[tuple[str, str]]:
    """Answers that name an unknown question, a question twice, another question's options,
    several options for a single choice, options for a text question or a text for a
    choice."""
    errors: list[tuple[str, str]] = []
    seen: set[int] = set()
    for index, answer in enumerate(answers):
        where = f"answers[{index}]"
        question = assessment.question(answer.question_id)
        if question is None:
            errors.append((f"{where}.question_id", f"No question {answer.question_id} here"))
            continue
        if answer.question_id in seen:
            errors.append((f"{where}.question_id", f"Question {answer.question_id} answered twice"))
        seen.add(answer.question_id)
        errors.extend(_answer_violations(where, question, answer))
    return errors


def _answer_violations(where: str, question: Question, answer: Answer) -> list[tuple[str, str]]:
    if question.kind is QuestionKind.TEXT:
        if answer.option_ids:
            return [(f"{where}.option_ids", "A text question takes a text, not options")]
        if answer.text is not None and len(answer.text) > MAX_TEXT_LENGTH:
            return [(f"{where}.text", f"At most {MAX_TEXT_LENGTH} characters")]
        return []
    errors = []
    if answer.text:
        errors.append((f"{where}.text", "A choice question takes option_ids, not a text"))
    foreign = sorted(set(answer.option_ids) - question.option_ids())
    if foreign:
        errors.append(
            (
                f"{where}.option_ids",
                f"Not an option of question {question.id}: {', '.join(map(str, foreign))}",
            )
        )
    if len(set(answer.option_ids)) != len(answer.option_ids):
        errors.append((f"{where}.option_ids", "An option is chosen twice"))
    if question.kind is QuestionKind.SINGLE and len(answer.option_ids) > 1:
        errors.append((f"{where}.option_ids", "A single-choice question takes one option"))
    return errors


def grading_violations(attempt: Attempt, points: Mapping[int, float]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not points:
        errors.append(("points", "Give points for at least one question"))
    waiting = set(attempt.waiting())
    for question_id, given in points.items():
        where = f"points.{question_id}"
        question = attempt.assessment.question(question_id)
        if question is None:
            errors.append((where, f"No question {question_id} in this attempt"))
        elif question_id not in waiting:
            errors.append((where, f"Question {question_id} does not wait for a trainer"))
        elif not 0 <= given <= question.points:
            errors.append((where, f"Points for question {question_id} must be 0-{question.points}"))
    return errors


def _graded(question: Question, answer: Answer) -> Answer:
    chosen = frozenset(answer.option_ids)
    if question.kind is QuestionKind.TEXT:
        text = (answer.text or "").strip() or None
        return Answer(question.id, (), text, None if text else 0.0)
    correct = question.correct_ids()
    if question.kind is QuestionKind.SINGLE:
        points = float(question.points) if chosen == correct else 0.0
    else:
        right, wrong = len(chosen & correct), len(chosen - correct)
        points = round(question.points * max(0, right - wrong) / len(correct), 2)
    return Answer(question.id, tuple(answer.option_ids), None, points)


@dataclass(frozen=True)
class QuestionStatistics:
    question_id: int
    attempts: int
    """Graded answers to the question (submitted attempts whose question is graded)."""
    correct_share: float
    """The share of those that earned the question's full points (0..1)."""


def statistics(assessment: Assessment, attempts: Sequence[Attempt]) -> list[QuestionStatistics]:
    """Per question of the assessment as it now is, over every submitted attempt that
    asked it and whose answer to it is graded."""
    counts = {question.id: [0, 0] for question in assessment.questions}
    for attempt in attempts:
        if not attempt.submitted:
            continue
        for answer in attempt.answers:
            asked = attempt.assessment.question(answer.question_id)
            if answer.question_id not in counts or asked is None or answer.points is None:
                continue
            counts[answer.question_id][0] += 1
            counts[answer.question_id][1] += answer.points >= asked.points
    return [
        QuestionStatistics(question_id, total, round(right / total, 3) if total else 0.0)
        for question_id, (total, right) in counts.items()
    ]

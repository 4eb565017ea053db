"""How attempts are graded and shuffled (tms_domain.skills.assessments), without I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tms_domain.kernel import Conflict, InvalidInput
from tms_domain.learning import Assessment, Option, Question, QuestionKind
from tms_domain.learning.assessing import assessment_violations, with_ids
from tms_domain.skills.assessments import Answer, Attempt, answer_violations, shuffled, statistics

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def choice(question_id: int, kind: QuestionKind, right: set[int], count: int = 4) -> Question:
    base = question_id * 10
    options = tuple(Option(base + n, f"Option {n}", base + n in right) for n in range(count))
    return Question(question_id, kind, f"Question {question_id}", 2, options)


def attempt_of(*questions: Question, pass_mark: int = 50, limit: int | None = None) -> Attempt:
    return Attempt(
        id=1,
        lesson_id=1,
        course_id=1,
        trainee_id=3,
        number=1,
        assessment=Assessment(tuple(questions), pass_mark, 3, limit),
        started_at=NOW,
        deadline=NOW + timedelta(minutes=limit) if limit else None,
    )


@pytest.mark.parametrize(
    ("chosen", "points"),
    [
        ((11, 12), 2.0),  # every right one, no wrong one
        ((11,), 1.0),  # half the right ones
        ((11, 12, 13), 1.0),  # one wrong takes one right back
        ((13, 14), 0.0),  # never below zero
        ((), 0.0),
    ],
)
def test_multiple_choice_earns_partial_credit(chosen: tuple[int, ...], points: float) -> None:
    attempt = attempt_of(choice(1, QuestionKind.MULTIPLE, {11, 12}))
    attempt.submit([Answer(1, chosen)], NOW)
    assert attempt.answers[0].points == points
    assert attempt.score == 50.0 * points


def test_single_choice_is_all_or_nothing_and_text_waits() -> None:
    text = Question(3, QuestionKind.TEXT, "Why?", 4)
    attempt = attempt_of(choice(1, QuestionKind.SINGLE, {11}), text, pass_mark=50)
    attempt.submit([Answer(1, (11,)), Answer(3, (), "Because")], NOW)
    assert (attempt.score, attempt.graded, attempt.passed, attempt.waiting()) == (
        33.3,
        False,
        False,
        [3],
    )
    attempt.grade({3: 1.5}, 2, NOW)
    assert (attempt.score, attempt.graded, attempt.passed) == (58.3, True, True)
    with pytest.raises(Conflict):
        attempt.grade({3: 4}, 2, NOW)


def test_a_blank_text_earns_nothing_without_a_trainer() -> None:
    attempt = attempt_of(Question(3, QuestionKind.TEXT, "Why?", 4))
    attempt.submit([Answer(3, (), "   ")], NOW)
    assert (attempt.score, attempt.graded, attempt.passed) == (0.0, True, False)


def test_grading_refuses_points_out_of_range_and_questions_that_do_not_wait() -> None:
    attempt = attempt_of(
        choice(1, QuestionKind.SINGLE, {11}), Question(3, QuestionKind.TEXT, "?", 4)
    )
    with pytest.raises(Conflict):
        attempt.grade({3: 1}, 2, NOW)  # not submitted yet
    attempt.submit([Answer(3, (), "x")], NOW)
    with pytest.raises(InvalidInput) as refused:
        attempt.grade({3: 4.5, 1: 2, 9: 1}, 2, NOW)
    assert {e.field for e in refused.value.errors} == {"points.3", "points.1", "points.9"}
    assert not attempt.graded


def test_a_late_attempt_counts_nothing_but_the_grace_is_kept() -> None:
    on_time = attempt_of(choice(1, QuestionKind.SINGLE, {11}), limit=10)
    on_time.submit([Answer(1, (11,))], NOW + timedelta(minutes=10, seconds=29))
    assert (on_time.expired, on_time.score) == (False, 100.0)
    late = attempt_of(choice(1, QuestionKind.SINGLE, {11}), limit=10)
    late.submit([Answer(1, (11,))], NOW + timedelta(minutes=10, seconds=31))
    assert (late.expired, late.score, late.graded, late.passed) == (True, 0.0, True, False)
    with pytest.raises(Conflict):
        late.submit([], NOW)


def test_answers_naming_what_the_attempt_does_not_ask_are_refused() -> None:
    assessment = attempt_of(
        choice(1, QuestionKind.SINGLE, {11}), choice(2, QuestionKind.MULTIPLE, {21})
    ).assessment
    errors = answer_violations(
        assessment,
        [Answer(1, (21,)), Answer(9, ()), Answer(2, (21, 21)), Answer(1, (10, 11))],
    )
    assert {field for field, _ in errors} == {
        "answers[0].option_ids",
        "answers[1].question_id",
        "answers[2].option_ids",
        "answers[3].question_id",
        "answers[3].option_ids",
    }


def test_each_attempt_has_its_own_option_order_and_the_same_options() -> None:
    assessment = Assessment((choice(1, QuestionKind.SINGLE, {11}, count=8),), 50, 3)
    rng = random.Random(7)
    orders = {tuple(o.id for o in shuffled(assessment, rng).questions[0].options) for _ in range(5)}
    assert len(orders) > 1
    assert all(sorted(order) == list(range(10, 18)) for order in orders)


def test_hidden_answers_and_what_a_trainee_sees() -> None:
    attempt = attempt_of(
        choice(1, QuestionKind.SINGLE, {11}), Question(3, QuestionKind.TEXT, "?", 1)
    )
    attempt.submit([Answer(1, (11,)), Answer(3, (), "x")], NOW)
    seen = attempt.as_read_by(author=False)
    assert {o.correct for o in seen.assessment.questions[0].options} == {None}
    assert [a.points for a in seen.answers] == [None, None]
    assert attempt.as_read_by(author=True).answers[0].points == 2.0


def test_authoring_rules_and_ids_never_given_twice() -> None:
    broken = Assessment((choice(1, QuestionKind.SINGLE, {10, 11}),), 120, 0)
    fields = {field for field, _ in assessment_violations(broken, frozenset())}
    assert fields == {"pass_mark", "max_attempts", "questions", "questions[0].options"}
    fresh = Assessment(
        (
            Question(
                0, QuestionKind.SINGLE, " Pick ", 1, (Option(0, "A", True), Option(0, "B", False))
            ),
        ),
        50,
        1,
    )
    numbered = with_ids(fresh, last_id=40)
    assert [o.id for o in numbered.questions[0].options] == [41, 42]
    assert (numbered.questions[0].id, numbered.last_id, numbered.questions[0].prompt) == (
        43,
        43,
        "Pick",
    )


def test_statistics_count_graded_answers_and_full_marks() -> None:
    question = choice(1, QuestionKind.MULTIPLE, {11, 12})
    attempts = []
    for chosen in ((11, 12), (11,), ()):
        attempt = attempt_of(question)
        attempt.submit([Answer(1, chosen)], NOW)
        attempts.append(attempt)
    [figures] = statistics(attempts[0].assessment, attempts)
    assert (figures.attempts, figures.correct_share) == (3, 0.333)

"""An assessment's questions and an attempt's answers as the JSON columns keep them."""

from __future__ import annotations

from typing import Any

from tms_domain.learning import Assessment, Option, Question, QuestionKind
from tms_domain.skills import Answer


def assessment_json(assessment: Assessment | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "pass_mark": assessment.pass_mark,
        "max_attempts": assessment.max_attempts,
        "time_limit_minutes": assessment.time_limit_minutes,
        "last_id": assessment.last_id,
        "questions": [
            {
                "id": q.id,
                "kind": q.kind.value,
                "prompt": q.prompt,
                "points": q.points,
                "options": [{"id": o.id, "text": o.text, "correct": o.correct} for o in q.options],
            }
            for q in assessment.questions
        ],
    }


def assessment_of(data: dict[str, Any] | None) -> Assessment | None:
    if data is None:
        return None
    return Assessment(
        questions=tuple(
            Question(
                id=q["id"],
                kind=QuestionKind(q["kind"]),
                prompt=q["prompt"],
                points=q["points"],
                options=tuple(Option(o["id"], o["text"], o["correct"]) for o in q["options"]),
            )
            for q in data["questions"]
        ),
        pass_mark=data["pass_mark"],
        max_attempts=data["max_attempts"],
        time_limit_minutes=data["time_limit_minutes"],
        last_id=data.get("last_id", 0),
    )


def answers_json(answers: tuple[Answer, ...]) -> list[dict[str, Any]]:
    return [
        {"q": a.question_id, "o": list(a.option_ids), "t": a.text, "p": a.points} for a in answers
    ]


def answers_of(data: list[dict[str, Any]]) -> tuple[Answer, ...]:
    return tuple(Answer(a["q"], tuple(a["o"]), a["t"], a["p"]) for a in data)

"""Assessments (API.md part two, "Skills, assessments, certificates": Assessment) through
the real app on SQLite and MariaDB: authoring through the lesson endpoints, taking and
grading attempts, who sees what (never the correct answers before grading), the time limit
kept by the server, every bad input answered with its 4xx, and what a pass completes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import FakeClock
from support import Cast, RecordingClient, add_cast, api_client, bearer, login
from tms_entrypoints.container import Container

ATTEMPT_KEYS = {
    "id",
    "lesson_id",
    "course_id",
    "trainee_id",
    "trainee_name",
    "number",
    "score",
    "passed",
    "graded",
    "expired",
    "started_at",
    "deadline",
    "submitted_at",
    "graded_at",
    "assessment",
    "answers",
}


@dataclass
class Api:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]
    clock: FakeClock
    container: Container

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.tokens[who]), **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    async def status(self, who: str, method: str, path: str, **kwargs: Any) -> int:
        return int((await self.call(who, method, path, **kwargs)).status_code)

    def id(self, who: str) -> int:
        return int(getattr(self.cast, who).id)


@pytest.fixture
async def api(sql_container: Container, clock: FakeClock) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "other_trainer", "trainee", "other_trainee")
        }
        yield Api(client, cast, tokens, clock, sql_container)


def quiz(**rules: Any) -> dict[str, Any]:
    """Three questions: single (2 points), multiple (2 points: b and c right), text (4)."""
    return {
        "questions": [
            {
                "kind": "single",
                "prompt": "Which extinguisher for an electrical fire?",
                "points": 2,
                "options": [
                    {"text": "Water"},
                    {"text": "CO2", "correct": True},
                    {"text": "Foam"},
                ],
            },
            {
                "kind": "multiple",
                "prompt": "Which are exits?",
                "points": 2,
                "options": [
                    {"text": "Lift"},
                    {"text": "Stairs", "correct": True},
                    {"text": "Door B", "correct": True},
                    {"text": "Window"},
                ],
            },
            {"kind": "text", "prompt": "Describe the assembly point.", "points": 4},
        ],
        "pass_mark": rules.get("pass_mark", 60),
        "max_attempts": rules.get("max_attempts", 3),
        "time_limit_minutes": rules.get("time_limit_minutes"),
    }


def choices_only(**rules: Any) -> dict[str, Any]:
    whole = quiz(**rules)
    whole["questions"] = whole["questions"][:2]
    return whole


async def an_assessment(
    api: Api, assessment: dict[str, Any], *, enrol: bool = True
) -> dict[str, Any]:
    """A published course of the trainer's with one assessment lesson (and the trainee
    enrolled): the lesson as its author reads it."""
    course = await api.ok("trainer", "POST", "/courses/", json={"title": "Fire safety"})
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    lesson = await api.ok(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Quiz", "kind": "assessment", "assessment": assessment},
    )
    await api.ok("trainer", "POST", f"/courses/{course['id']}/publish")
    if enrol:
        await api.ok(
            "trainer",
            "POST",
            f"/courses/{course['id']}/enrolments",
            json={"trainee_ids": [api.id("trainee"), api.id("other_trainee")]},
        )
    lesson["course_id"] = course["id"]
    return dict(lesson)


def option_ids(question: dict[str, Any], *texts: str) -> list[int]:
    return [o["id"] for o in question["options"] if o["text"] in texts]


def right_answers(lesson: dict[str, Any], text: str = "By the gate") -> list[dict[str, Any]]:
    single, multiple, *rest = lesson["assessment"]["questions"]
    answers = [
        {"question_id": single["id"], "option_ids": option_ids(single, "CO2")},
        {"question_id": multiple["id"], "option_ids": option_ids(multiple, "Stairs", "Door B")},
    ]
    if rest:
        answers.append({"question_id": rest[0]["id"], "text": text})
    return answers


async def test_authors_build_an_assessment_and_only_they_see_its_answers(api: Api) -> None:
    lesson = await an_assessment(api, quiz(time_limit_minutes=15))
    assessment = lesson["assessment"]
    assert lesson["kind"] == "assessment"
    assert (assessment["pass_mark"], assessment["max_attempts"]) == (60, 3)
    assert (assessment["time_limit_minutes"], assessment["total_points"]) == (15, 8)
    ids = [q["id"] for q in assessment["questions"]] + [
        o["id"] for q in assessment["questions"] for o in q["options"]
    ]
    assert len(set(ids)) == len(ids) == 10
    assert [o["correct"] for o in assessment["questions"][0]["options"]] == [False, True, False]
    course_path = f"/courses/{lesson['course_id']}"
    for author in ("trainer", "admin"):
        read = (await api.ok(author, "GET", course_path))["modules"][0]["lessons"][0]
        assert read["assessment"]["questions"][0]["options"][1]["correct"] is True
    for reader in ("trainee", "other_trainer"):
        read = (await api.ok(reader, "GET", course_path))["modules"][0]["lessons"][0]
        flags = {o["correct"] for q in read["assessment"]["questions"] for o in q["options"]}
        assert flags == {None}, reader
    # An edit keeps the questions named by id, and new ones get ids never used.
    edited = quiz(pass_mark=50)
    edited["questions"] = edited["questions"][:1]
    edited["questions"][0]["id"] = assessment["questions"][0]["id"]
    kept = assessment["questions"][0]["options"]
    edited["questions"][0]["options"] = [
        {"id": kept[0]["id"], "text": "Water", "correct": False},
        {"id": kept[1]["id"], "text": "CO2", "correct": True},
        {"text": "Sand"},
    ]
    changed = await api.ok(
        "trainer", "PUT", f"/lessons/{lesson['id']}", json={"assessment": edited}
    )
    question = changed["assessment"]["questions"][0]
    assert question["id"] == assessment["questions"][0]["id"]
    assert question["options"][2]["id"] > max(ids)
    assert changed["assessment"]["pass_mark"] == 50
    assert (
        await api.status(
            "other_trainer", "PUT", f"/lessons/{lesson['id']}", json={"assessment": edited}
        )
        == 403
    )
    assert (
        await api.status("trainee", "PUT", f"/lessons/{lesson['id']}", json={"assessment": edited})
        == 403
    )
    # Another kind drops the questions.
    text = await api.ok(
        "trainer", "PUT", f"/lessons/{lesson['id']}", json={"kind": "text", "body": "Read"}
    )
    assert text["assessment"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a: a["questions"][0]["options"][0].update(correct=True), "questions[0].options"),
        (lambda a: a["questions"][0]["options"][1].update(correct=False), "questions[0].options"),
        (
            lambda a: [o.update(correct=False) for o in a["questions"][1]["options"]],
            "questions[1].options",
        ),
        (lambda a: a["questions"][0].update(points=0), "questions[0].points"),
        (lambda a: a["questions"][2].update(points=-3), "questions[2].points"),
        (lambda a: a["questions"][0].update(prompt="  "), "questions[0].prompt"),
        (lambda a: a["questions"][0]["options"][2].update(text=""), "questions[0].options[2].text"),
        (
            lambda a: a["questions"][0].update(options=[{"text": "Only", "correct": True}]),
            "questions[0].options",
        ),
        (lambda a: a["questions"][2].update(options=[{"text": "No"}]), "questions[2].options"),
        (lambda a: a["questions"][0].update(id=999_999), "questions"),
        (lambda a: a.update(questions=[]), "questions"),
        (lambda a: a.update(pass_mark=101), "pass_mark"),
        (lambda a: a.update(pass_mark=-1), "pass_mark"),
        (lambda a: a.update(max_attempts=0), "max_attempts"),
        (lambda a: a.update(time_limit_minutes=0), "time_limit_minutes"),
    ],
)
async def test_a_broken_assessment_is_refused_naming_the_field(
    api: Api, change: Any, field: str
) -> None:
    course = await api.ok("trainer", "POST", "/courses/", json={"title": "Fire safety"})
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    assessment = quiz()
    change(assessment)
    response = await api.call(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Quiz", "kind": "assessment", "assessment": assessment},
    )
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}, response.text
    assert (await api.ok("trainer", "GET", f"/courses/{course['id']}"))["modules"][0][
        "lessons"
    ] == []


async def test_an_assessment_lesson_needs_its_questions(api: Api) -> None:
    course = await api.ok("trainer", "POST", "/courses/", json={"title": "Fire safety"})
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    response = await api.call(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Quiz", "kind": "assessment"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assessment"


async def test_a_trainee_passes_at_once_when_every_question_grades_itself(api: Api) -> None:
    lesson = await an_assessment(api, choices_only(pass_mark=100))
    path = f"/lessons/{lesson['id']}/attempts"
    started = await api.ok("trainee", "POST", f"{path}/start")
    assert set(started) == ATTEMPT_KEYS
    assert (started["number"], started["deadline"], started["submitted_at"]) == (1, None, None)
    flags = {o["correct"] for q in started["assessment"]["questions"] for o in q["options"]}
    assert flags == {None}
    # Starting again gives the same open attempt, in the same order.
    assert await api.ok("trainee", "POST", f"{path}/start") == started
    submitted = await api.call("trainee", "POST", path, json={"answers": right_answers(lesson)})
    assert submitted.status_code == 201, submitted.text
    result = submitted.json()
    assert result["id"] == started["id"]
    assert (result["score"], result["passed"], result["graded"]) == (100.0, True, True)
    assert [a["points"] for a in result["answers"]] == [2.0, 2.0]
    # Graded: the trainee now sees the correct options.
    assert {o["correct"] for o in result["assessment"]["questions"][0]["options"]} == {True, False}
    mine = await api.ok("trainee", "GET", f"/progress/trainee/{api.id('trainee')}/courses")
    course = mine["courses"][0]
    assert course["completed_lesson_ids"] == [lesson["id"]]
    assert course["status"] == "completed"
    # The lesson is completed by passing, not by a mark.
    assert await api.status("trainee", "POST", f"/lessons/{lesson['id']}/complete") == 409


async def test_multiple_choice_earns_partial_credit(api: Api) -> None:
    lesson = await an_assessment(api, choices_only(pass_mark=50))
    single, multiple = lesson["assessment"]["questions"]
    answers = [
        {"question_id": single["id"], "option_ids": option_ids(single, "Water")},
        {"question_id": multiple["id"], "option_ids": option_ids(multiple, "Stairs")},
    ]
    result = await api.ok(
        "trainee", "POST", f"/lessons/{lesson['id']}/attempts", json={"answers": answers}
    )
    # Single wrong: 0 of 2; multiple one of two right, none wrong: 1 of 2. 1/4 = 25 %.
    assert (result["score"], result["passed"], result["graded"]) == (25.0, False, True)
    answers[1]["option_ids"] = option_ids(multiple, "Stairs", "Door B", "Lift")
    again = await api.ok(
        "trainee", "POST", f"/lessons/{lesson['id']}/attempts", json={"answers": answers}
    )
    assert again["score"] == 25.0
    assert again["number"] == 2


async def test_text_answers_wait_for_a_trainer_who_grades_them(api: Api) -> None:
    await api.ok(
        "admin",
        "POST",
        "/assignments/",
        json={"student_id": api.id("trainee"), "teacher_id": api.id("other_trainer")},
    )
    lesson = await an_assessment(api, quiz(pass_mark=75))
    async with api.container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    result = await api.ok(
        "trainee",
        "POST",
        f"/lessons/{lesson['id']}/attempts",
        json={"answers": right_answers(lesson)},
    )
    # 4 of 8 graded so far: the score counts what is graded, passed waits.
    assert (result["score"], result["passed"], result["graded"]) == (50.0, False, False)
    assert [a["points"] for a in result["answers"]] == [None, None, None]
    assert {o["correct"] for q in result["assessment"]["questions"] for o in q["options"]} == {None}
    attempt = f"/attempts/{result['id']}"
    queue = await api.ok("trainer", "GET", "/attempts/?graded=false")
    assert [a["id"] for a in queue] == [result["id"]]
    assert queue[0]["trainee_name"] == "Pia Doe"
    assert queue[0]["answers"][2]["text"] == "By the gate"
    assert await api.ok("other_trainer", "GET", "/attempts/?graded=false") == []
    assert [a["id"] for a in await api.ok("admin", "GET", "/attempts/?graded=false")] == [
        result["id"]
    ]
    assert await api.ok("admin", "GET", "/attempts/?graded=true") == []
    text_id = lesson["assessment"]["questions"][2]["id"]
    single_id = lesson["assessment"]["questions"][0]["id"]
    for points, field in [
        ({text_id: 5}, f"points.{text_id}"),
        ({text_id: -1}, f"points.{text_id}"),
        ({single_id: 1}, f"points.{single_id}"),
        ({999_999: 1}, "points.999999"),
        ({}, "points"),
    ]:
        response = await api.call("trainer", "POST", f"{attempt}/grade", json={"points": points})
        assert response.status_code == 422, (points, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}
    assert (
        await api.status("trainee", "POST", f"{attempt}/grade", json={"points": {text_id: 4}})
        == 403
    )
    assert (
        await api.status("other_trainer", "POST", f"{attempt}/grade", json={"points": {text_id: 4}})
        == 404
    )
    assert (
        await api.status("other_trainee", "POST", f"{attempt}/grade", json={"points": {text_id: 4}})
        == 404
    )
    graded = await api.ok("trainer", "POST", f"{attempt}/grade", json={"points": {text_id: 3}})
    assert (graded["score"], graded["passed"], graded["graded"]) == (87.5, True, True)
    assert (
        await api.status("trainer", "POST", f"{attempt}/grade", json={"points": {text_id: 4}})
        == 409
    )
    # The trainee now sees their results and the correct answers; the lesson is completed.
    seen = await api.ok("trainee", "GET", attempt)
    assert [a["points"] for a in seen["answers"]] == [2.0, 2.0, 3.0]
    assert seen["assessment"]["questions"][0]["options"][1]["correct"] in (True, False)
    assert {o["correct"] for o in seen["assessment"]["questions"][0]["options"]} == {True, False}
    mine = await api.ok("trainee", "GET", f"/progress/trainee/{api.id('trainee')}/courses")
    assert mine["courses"][0]["status"] == "completed"
    assert await api.ok("trainer", "GET", "/attempts/?graded=false") == []
    async with api.container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    heard = {(e.type, frozenset(e.audience.user_ids)) for e in events}
    everyone = frozenset({api.id("trainee"), api.id("trainer"), api.id("other_trainer")})
    assert ("assessment_attempted", everyone) in heard
    assert ("assessment_graded", everyone) in heard
    assert "course_completed" in {e.type for e in events}
    for event in events:
        assert "By the gate" not in str(event.data)
    audit = await api.ok("admin", "GET", f"/audit/?target_type=assessment&target_id={lesson['id']}")
    assert {"assessment.attempted", "assessment.graded"} <= {e["action"] for e in audit}


async def test_attempts_are_counted_and_answers_checked(api: Api) -> None:
    lesson = await an_assessment(api, choices_only(max_attempts=2))
    path = f"/lessons/{lesson['id']}/attempts"
    single, multiple = lesson["assessment"]["questions"]
    bad = [
        ([{"question_id": 999_999, "option_ids": []}], "answers[0].question_id"),
        (
            [{"question_id": single["id"], "option_ids": [multiple["options"][0]["id"]]}],
            "answers[0].option_ids",
        ),
        (
            [{"question_id": single["id"], "option_ids": [o["id"] for o in single["options"][:2]]}],
            "answers[0].option_ids",
        ),
        ([{"question_id": single["id"], "text": "CO2"}], "answers[0].text"),
        (
            [
                {"question_id": single["id"], "option_ids": []},
                {"question_id": single["id"], "option_ids": []},
            ],
            "answers[1].question_id",
        ),
    ]
    for answers, field in bad:
        response = await api.call("trainee", "POST", path, json={"answers": answers})
        assert response.status_code == 422, (answers, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, response.text
    assert (await api.call("trainee", "POST", path, json={"answers": "none"})).status_code in (
        400,
        422,
    )
    # Nothing was recorded by the refused ones: two attempts, then 409.
    assert (await api.ok("trainee", "POST", path, json={"answers": []}))["number"] == 1
    assert (await api.ok("trainee", "POST", path, json={"answers": []}))["number"] == 2
    assert await api.status("trainee", "POST", path, json={"answers": []}) == 409
    assert await api.status("trainee", "POST", f"{path}/start") == 409
    # Only the enrolled trainee takes it.
    for who, status in (("admin", 404), ("trainer", 404), ("other_trainee", 201)):
        assert await api.status(who, "POST", path, json={"answers": []}) == status, who
    text_lesson = await api.ok(
        "trainer",
        "POST",
        f"/modules/{lesson['module_id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "x"},
    )
    assert (
        await api.status(
            "trainee", "POST", f"/lessons/{text_lesson['id']}/attempts", json={"answers": []}
        )
        == 409
    )
    assert (
        await api.status("trainee", "POST", "/lessons/999999/attempts", json={"answers": []}) == 404
    )


async def test_who_sees_which_attempts(api: Api) -> None:
    lesson = await an_assessment(api, choices_only())
    unenrolled = await an_assessment(api, choices_only(), enrol=False)
    path = f"/lessons/{lesson['id']}/attempts"
    mine = await api.ok("trainee", "POST", path, json={"answers": right_answers(lesson)})
    theirs = await api.ok("other_trainee", "POST", path, json={"answers": []})
    assert [a["id"] for a in await api.ok("trainee", "GET", path)] == [mine["id"]]
    assert [a["id"] for a in await api.ok("other_trainee", "GET", path)] == [theirs["id"]]
    assert [a["id"] for a in await api.ok("admin", "GET", path)] == [theirs["id"], mine["id"]]
    assert [a["id"] for a in await api.ok("trainer", "GET", f"{path}?limit=1&skip=1")] == [
        mine["id"]
    ]
    assert await api.status("other_trainer", "GET", path) == 403
    assert await api.status("trainee", "GET", f"/lessons/{unenrolled['id']}/attempts") == 404
    assert await api.status("trainee", "GET", f"/attempts/{theirs['id']}") == 404
    assert await api.status("other_trainer", "GET", f"/attempts/{theirs['id']}") == 404
    assert await api.status("trainee", "GET", "/attempts/999999") == 404
    assert (await api.ok("trainer", "GET", f"/attempts/{theirs['id']}"))["trainee_id"] == api.id(
        "other_trainee"
    )
    assert [a["id"] for a in await api.ok("trainee", "GET", "/attempts/")] == [mine["id"]]


async def test_the_server_keeps_the_time_limit(api: Api) -> None:
    lesson = await an_assessment(api, choices_only(time_limit_minutes=10))
    path = f"/lessons/{lesson['id']}/attempts"
    started = await api.ok("trainee", "POST", f"{path}/start")
    assert started["deadline"] is not None
    api.clock.advance(minutes=10, seconds=20)  # within the grace
    in_time = await api.ok("trainee", "POST", path, json={"answers": right_answers(lesson)})
    assert (in_time["expired"], in_time["score"]) == (False, 100.0)
    await api.ok("trainee", "POST", f"{path}/start")
    api.clock.advance(minutes=11)
    late = await api.ok("trainee", "POST", path, json={"answers": right_answers(lesson)})
    assert (late["expired"], late["score"], late["passed"], late["graded"]) == (
        True,
        0.0,
        False,
        True,
    )
    # An attempt left open past its time is closed when the next one is asked for, even
    # when none is left to start.
    await api.ok("trainee", "POST", f"{path}/start")
    api.clock.advance(minutes=30)
    assert await api.status("trainee", "POST", f"{path}/start") == 409
    listed = await api.ok("trainee", "GET", path)
    assert [(a["number"], a["expired"]) for a in listed] == [(3, True), (2, True), (1, False)]


async def test_statistics_per_question(api: Api) -> None:
    lesson = await an_assessment(api, choices_only())
    path = f"/lessons/{lesson['id']}"
    single, multiple = lesson["assessment"]["questions"]
    await api.ok("trainee", "POST", f"{path}/attempts", json={"answers": right_answers(lesson)})
    await api.ok(
        "other_trainee",
        "POST",
        f"{path}/attempts",
        json={"answers": [{"question_id": single["id"], "option_ids": option_ids(single, "CO2")}]},
    )
    figures = await api.ok("trainer", "GET", f"{path}/statistics")
    assert figures == [
        {"question_id": single["id"], "attempts": 2, "correct_share": 1.0},
        {"question_id": multiple["id"], "attempts": 2, "correct_share": 0.5},
    ]
    assert await api.ok("admin", "GET", f"{path}/statistics") == figures
    assert await api.status("trainee", "GET", f"{path}/statistics") == 403
    assert await api.status("other_trainer", "GET", f"{path}/statistics") == 403
    assert await api.status("trainer", "GET", "/lessons/999999/statistics") == 404


async def test_two_submissions_at_once_keep_to_the_attempts_allowed(api: Api) -> None:
    lesson = await an_assessment(api, choices_only(max_attempts=1))
    path = f"/lessons/{lesson['id']}/attempts"
    answers = {"answers": right_answers(lesson)}
    first, second = await asyncio.gather(
        api.call("trainee", "POST", path, json=answers),
        api.call("trainee", "POST", path, json=answers),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert len(await api.ok("trainee", "GET", path)) == 1

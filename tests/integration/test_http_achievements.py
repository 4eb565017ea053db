"""Achievements and activity (API.md part two, "Skills, assessments, certificates": the
Activity and Achievements bullets) through the real app, on SQLite and MariaDB: each
milestone awarded once, even when the marks that reach it race; who reads what; the
timeline's order, paging and bad input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from support import (
    TRAINING_START,
    Cast,
    RecordingClient,
    add_cast,
    add_session,
    api_client,
    bearer,
    login,
)
from tms_entrypoints.container import Container

FIRST_COURSE = "first_course_completed"
TEN_SESSIONS = "ten_sessions_attended"
PERFECT_MONTH = "perfect_attendance_month"


@dataclass
class Api:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]
    container: Container

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.tokens[who]), **kwargs)

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    def id(self, who: str) -> int:
        return int(getattr(self.cast, who).id)

    async def sessions(self, starts: list[datetime], *trainees: str) -> list[int]:
        """Sessions the trainer delivers, with these trainees enrolled."""
        ids = tuple(self.id(who) for who in trainees)
        made = [
            await add_session(
                self.container, self.cast.trainer, trainees=ids, start=start, title=f"S{n}"
            )
            for n, start in enumerate(starts)
        ]
        return [session.id for session in made]

    async def mark(self, session_id: int, who: str = "trainee", present: bool = True) -> Any:
        return await self.ok(
            "trainer",
            "POST",
            "/attendance/",
            json={"session_id": session_id, "trainee_id": self.id(who), "present": present},
        )

    async def kinds(self, who: str = "trainee") -> list[str]:
        held = await self.ok("admin", "GET", f"/users/{self.id(who)}/achievements")
        return [item["kind"] for item in held]

    async def awards(self, who: str = "trainee") -> list[dict[str, Any]]:
        entries = await self.ok(
            "admin", "GET", "/audit/", params={"action": "achievement.awarded", "limit": 1000}
        )
        return [e for e in entries if e["changes"]["user_id"][1] == self.id(who)]


@pytest.fixture
async def api(sql_container: Container) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "other_trainer", "trainee", "other_trainee")
        }
        yield Api(client, cast, tokens, sql_container)


def weekly(first: datetime, count: int) -> list[datetime]:
    return [first + timedelta(weeks=n) for n in range(count)]


def spread(count: int) -> list[datetime]:
    """One session in each of ``count`` months: no month ever holds enough for a perfect one."""
    return [TRAINING_START + timedelta(days=31 * n) for n in range(count)]


async def a_course(api: Api, title: str) -> int:
    course = await api.ok("trainer", "POST", "/courses/", json={"title": title})
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    await api.ok(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "Text"},
    )
    await api.ok("trainer", "POST", f"/courses/{course['id']}/publish")
    await api.ok(
        "trainer",
        "POST",
        f"/courses/{course['id']}/enrolments",
        json={"trainee_ids": [api.id("trainee")]},
    )
    full = await api.ok("trainer", "GET", f"/courses/{course['id']}")
    return int(full["modules"][0]["lessons"][0]["id"])


async def test_the_first_completed_course_earns_one_achievement_told_audited_and_notified(
    api: Api,
) -> None:
    first, second = await a_course(api, "Fire safety"), await a_course(api, "First aid")
    assert await api.ok("trainee", "GET", f"/users/{api.id('trainee')}/achievements") == []

    await api.ok("trainee", "POST", f"/lessons/{first}/complete")
    [held] = await api.ok("trainee", "GET", f"/users/{api.id('trainee')}/achievements")
    assert set(held) == {"kind", "title", "awarded_at"}
    assert (held["kind"], held["title"]) == (FIRST_COURSE, "First course completed")
    assert held["awarded_at"].endswith("+00:00")

    # Undoing and redoing the completion, and completing another course, award nothing more.
    await api.ok("trainee", "DELETE", f"/lessons/{first}/complete")
    await api.ok("trainee", "POST", f"/lessons/{first}/complete")
    await api.ok("trainee", "POST", f"/lessons/{second}/complete")
    assert await api.kinds() == [FIRST_COURSE]
    [award] = await api.awards()
    assert (award["target_type"], award["changes"]["kind"]) == ("achievement", [None, FIRST_COURSE])

    # Pushed to the holder as achievement_awarded, and left in their notifications.
    async with api.container.uow()(read_only=True) as uow:
        events = await uow.events.since(0, limit=10_000)
    told = [e for e in events if e.type == "achievement_awarded"]
    assert [(e.data["user_id"], e.data["kind"], e.data["title"]) for e in told] == [
        (api.id("trainee"), FIRST_COURSE, "First course completed")
    ]
    assert api.id("trainee") in told[0].audience.user_ids
    assert api.id("other_trainee") not in told[0].audience.user_ids
    inbox = await api.ok("trainee", "GET", "/notifications/")
    mine = [(n["message"], n["link"]) for n in inbox if n["kind"] == "achievement_awarded"]
    assert mine == [("First course completed", "/profile")]


async def test_a_perfect_month_then_ten_sessions_each_awarded_once(api: Api) -> None:
    # May 2026 holds four of the trainee's sessions (4, 11, 18, 25), June five, July one.
    sessions = await api.sessions(weekly(TRAINING_START, 10), "trainee")
    for session_id in sessions[:3]:
        await api.mark(session_id)
    assert await api.kinds() == []
    await api.mark(sessions[3])
    assert await api.kinds() == [PERFECT_MONTH]
    for session_id in sessions[4:9]:
        await api.mark(session_id)
    assert await api.kinds() == [PERFECT_MONTH]  # a second perfect month earns it no more
    await api.mark(sessions[9])
    assert await api.kinds() == [PERFECT_MONTH, TEN_SESSIONS]
    # Marked again, absent then present: still once each.
    await api.mark(sessions[9], present=False)
    await api.mark(sessions[9])
    assert await api.kinds() == [PERFECT_MONTH, TEN_SESSIONS]
    assert [a["changes"]["kind"][1] for a in reversed(await api.awards())] == [
        PERFECT_MONTH,
        TEN_SESSIONS,
    ]
    held = await api.ok("trainee", "GET", f"/users/{api.id('trainee')}/achievements")
    assert [h["title"] for h in held] == ["Perfect attendance for a month", "Ten sessions attended"]


async def test_no_perfect_month_with_an_absence_or_too_few_sessions(api: Api) -> None:
    # Five sessions in June: one absence spoils the month, whatever else is present.
    may = await api.sessions(weekly(TRAINING_START + timedelta(days=28), 5), "trainee")
    await api.mark(may[0], present=False)
    for session_id in may[1:]:
        await api.mark(session_id)
    # Three sessions in July, all present: too few for a month to count.
    july = await api.sessions(weekly(TRAINING_START + timedelta(days=60), 3), "other_trainee")
    for session_id in july:
        await api.mark(session_id, "other_trainee")
    assert await api.kinds("trainee") == []
    assert await api.kinds("other_trainee") == []
    # The absence corrected: the month is perfect now.
    await api.mark(may[0])
    assert await api.kinds("trainee") == [PERFECT_MONTH]


async def test_marks_that_race_to_the_tenth_session_award_it_once(api: Api) -> None:
    sessions = await api.sessions(spread(12), "trainee")
    for session_id in sessions[:8]:
        await api.mark(session_id)
    # Two marks at once (the ninth and tenth), then two more at once (past ten): the award is
    # neither missed nor made twice.
    answers = await asyncio.gather(
        *(
            api.call(
                "trainer",
                "POST",
                "/attendance/",
                json={"session_id": sid, "trainee_id": api.id("trainee"), "present": True},
            )
            for sid in sessions[8:10]
        )
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert await api.kinds() == [TEN_SESSIONS]
    await asyncio.gather(*(api.mark(sid) for sid in sessions[10:12]))
    assert await api.kinds() == [TEN_SESSIONS]
    assert len(await api.awards()) == 1


async def test_achievements_are_read_as_the_user_is(api: Api) -> None:
    trainee = api.id("trainee")
    for who in ("admin", "trainer", "other_trainer", "trainee"):
        assert (await api.call(who, "GET", f"/users/{trainee}/achievements")).status_code == 200
    refused = await api.call("other_trainee", "GET", f"/users/{trainee}/achievements")
    assert refused.status_code == 403
    assert (await api.call("admin", "GET", "/users/999999/achievements")).status_code == 404
    assert (await api.call("admin", "GET", "/users/0/achievements")).status_code in (400, 422)
    assert (await api.client.get(f"/users/{trainee}/achievements")).status_code == 401
    assert (await api.call("admin", "GET", f"/users/{trainee}/achievements/")).status_code == 200


async def test_activity_newest_first_paged_and_only_for_the_user_and_admins(api: Api) -> None:
    trainee = api.id("trainee")
    lesson = await a_course(api, "Fire safety")
    [session] = await api.sessions([TRAINING_START], "trainee", "other_trainee")
    await api.mark(session)
    await api.mark(session, "other_trainee")
    await api.ok("trainee", "POST", f"/lessons/{lesson}/complete")

    timeline = await api.ok("trainee", "GET", f"/users/{trainee}/activity")
    assert all(
        set(item) == {"at", "kind", "summary", "target_type", "target_id"} for item in timeline
    )
    assert [(i["kind"], i["summary"]) for i in timeline] == [
        ("achievement", "Earned the achievement “First course completed”"),
        ("certificate", "Certificate issued"),
        ("lesson_completed", "Completed a lesson"),
        ("attendance", "Marked present at a session"),
        ("sign_in", "Signed in"),
    ]
    assert [i["at"] for i in timeline] == sorted((i["at"] for i in timeline), reverse=True)
    assert (timeline[2]["target_type"], timeline[2]["target_id"]) == ("lesson", lesson)
    # Nobody else's name or doings, and no secret.
    text = str(timeline)
    for other in ("tom", "paul", "Tom", "Paul", "token", "password"):
        assert other not in text
    assert await api.ok("admin", "GET", f"/users/{trainee}/activity") == timeline

    page = await api.ok(
        "trainee", "GET", f"/users/{trainee}/activity", params={"skip": 1, "limit": 2}
    )
    assert page == timeline[1:3]
    # Changing the mark shows as such; a sign-in more comes first.
    await api.mark(session, present=False)
    await login(api.client, api.cast.trainee.user.username)
    latest = await api.ok("admin", "GET", f"/users/{trainee}/activity", params={"limit": 2})
    assert [i["summary"] for i in latest] == ["Signed in", "Marked absent at a session"]

    for who in ("trainer", "other_trainer", "other_trainee"):
        denied = await api.call(who, "GET", f"/users/{trainee}/activity")
        assert denied.status_code == 404, who
        assert denied.json()["detail"] == "User not found"
    assert (await api.call("admin", "GET", "/users/999999/activity")).status_code == 404
    assert (await api.client.get(f"/users/{trainee}/activity")).status_code == 401
    own = await api.ok("trainer", "GET", f"/users/{api.id('trainer')}/activity")
    assert [i["kind"] for i in own] == ["sign_in"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1001}, {"skip": -1}, {"limit": "many"}, {"skip": "x"}],
)
async def test_activity_refuses_bad_paging_with_a_clear_422(
    api: Api, params: dict[str, Any]
) -> None:
    answer = await api.call("admin", "GET", f"/users/{api.id('trainee')}/activity", params=params)
    assert answer.status_code in (400, 422), answer.text
    assert "detail" in answer.json()

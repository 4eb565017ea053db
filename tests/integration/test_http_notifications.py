"""Notifications through a real `tms serve` on SQLite with a real SMTP server on loopback:
each trigger stores a notification, pushes it live to its user alone and mails it with the
session's .ics (METHOD and SEQUENCE as the change left them); the caller's own list, read
marks, unread count and preferences, with 404 for another's notification and 422 naming
the field. (The ports are held alike on MariaDB by tests/contract/test_notifications_*.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import websockets
from icalendar import Calendar

import servers
from mail_support import bodies
from servers import TmsServer, running
from smtp_server import Received, RecordingHandler, smtp_server

SECRET_KEY = "notification-tests-secret-" + "n" * 32
ADMIN_PASSWORD = "Sturdy-Garden-93"
PASSWORD = "Velvet-Harbor-4821"
PUBLIC_URL = "https://tms.example.org"
START = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=30)


@dataclass
class Mailbox:
    handler: RecordingHandler

    async def wait(self, to: str, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in self.handler.received if to in r.recipients]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"{count} mail(s) for {to} did not come: {self.of(to)}")

    async def titled(self, to: str, words: str, timeout: float = 30) -> Received:
        """The mail to `to` whose subject holds `words`: mails made by separate jobs may
        arrive in either order."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.handler.received:
                if to in r.recipients and words in str(r.message["Subject"]):
                    return r
            await asyncio.sleep(0.1)
        raise AssertionError(f"no mail titled {words!r} for {to}: {self.of(to)}")

    def of(self, to: str) -> list[str]:
        return [str(r.message["Subject"]) for r in self.handler.received if to in r.recipients]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        yield Mailbox(handler), port


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]
) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("notifications")
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_PUBLIC_URL=PUBLIC_URL,
        TMS_ORGANISATION_NAME="Acme Training",
        TMS_MAIL_FROM="Acme Training <training@acme.example>",
        TMS_SMTP_HOST="127.0.0.1",
        TMS_SMTP_PORT=str(mailbox[1]),
        TMS_SMTP_SECURITY="none",
        TMS_JOBS_POLL_MS="100",
        TMS_EVENT_POLL_MS="100",
        TMS_LOG_LEVEL="WARNING",
    )
    with running(TmsServer(env, directory)) as started:
        yield started


@dataclass
class User:
    id: int
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client: httpx.AsyncClient, admin: User) -> None:
        self.client = client
        self.admin = admin

    async def raw(
        self, method: str, path: str, who: User | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.request(method, path, headers=(who or self.admin).headers, **kw)

    async def call(self, method: str, path: str, who: User | None = None, **kw: Any) -> Any:
        response = await self.raw(method, path, who, **kw)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def user(self, role: str) -> User:
        username = f"{role}-{secrets.token_hex(3)}"
        email = f"{username}@example.org"
        created = await self.call(
            "POST",
            "/users/",
            json={
                "username": username,
                "email": email,
                "first_name": role.title(),
                "last_name": "Doe",
                "role": role,
                "password": PASSWORD,
                "is_temporary_password": False,
            },
        )
        response = await self.client.post(
            "/auth/login", json={"username": username, "password": PASSWORD}
        )
        return User(int(created["user"]["id"]), response.json()["access_token"], email)

    async def session(self, trainer: User, hours: int, trainees: tuple[User, ...] = ()) -> int:
        made = await self.call(
            "POST",
            "/sessions/",
            trainer,
            json={
                "title": "Forklift safety",
                "trainer_id": trainer.id,
                "scheduled_date": (START + timedelta(hours=hours)).isoformat(),
                "duration_minutes": 60,
                "trainees": [t.id for t in trainees],
            },
        )
        return int(made["id"])

    async def told(self, who: User, **params: Any) -> list[dict[str, Any]]:
        return list(await self.call("GET", "/notifications/", who, params=params))


@contextlib.asynccontextmanager
async def api_of(server: TmsServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        response = await client.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        signed_in = response.json()
        admin = User(int(signed_in["user"]["id"]), signed_in["access_token"], "")
        yield Api(client, admin)


class Live:
    """A WebSocket listener keeping the events it hears."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, server: TmsServer, who: User) -> Live:
        socket = await websockets.connect(f"{server.ws_url}?token={who.token}", open_timeout=5)
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready["type"] == "ready", ready
        return cls(socket)

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.socket:
                frame = json.loads(message)
                if "id" in frame:
                    self.events.append(frame)

    def notifications(self) -> list[dict[str, Any]]:
        return [e["data"] for e in self.events if e["type"] == "notification"]

    async def wait_notifications(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.notifications()) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.notifications()

    async def close(self) -> None:
        await self.socket.close()
        self._reader.cancel()


def invitation(received: Received) -> tuple[str, Any]:
    """(the attachment's method parameter, its one VEVENT)."""
    (part,) = [
        p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    calendar = Calendar.from_ical(part.get_content())
    assert calendar["METHOD"] == part.get_param("method")
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


async def test_enrolment_is_stored_pushed_to_its_user_alone_and_mailed_with_an_invitation(
    server: TmsServer, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    async with api_of(server) as api:
        trainer, trainee, other = (
            await api.user("trainer"),
            await api.user("trainee"),
            await api.user("trainee"),
        )
        listeners = {
            "trainee": await Live.open(server, trainee),
            "other": await Live.open(server, other),
            "admin": await Live.open(server, api.admin),
            "trainer": await Live.open(server, trainer),
        }
        try:
            session_id = await api.session(trainer, 1)
            await api.call("POST", f"/sessions/{session_id}/trainees/{trainee.id}", trainer)
            (pushed,) = await listeners["trainee"].wait_notifications(1)
            await asyncio.sleep(0.5)
            for name in ("other", "admin", "trainer"):
                assert listeners[name].notifications() == [], name
        finally:
            for listener in listeners.values():
                await listener.close()
        assert pushed["type"] == "session_assigned"
        assert pushed["link"] == f"/sessions/{session_id}"
        assert pushed["read_at"] is None
        (listed,) = await api.told(trainee)
        assert {k: listed[k] for k in ("id", "kind", "title", "message", "link")} == {
            k: pushed[k] for k in ("id", "kind", "title", "message", "link")
        }
        assert listed["created_at"] == pushed["created_at"]
        assert await api.call("GET", "/notifications/unread-count", trainee) == {"count": 1}
        assert await api.told(other) == []
        assert await api.told(api.admin) == []

        (mail,) = await box.wait(trainee.email, 1)
        assert mail.message["Subject"] == "You were enrolled in a session: Forklift safety"
        assert mail.message["List-Unsubscribe"] == f"<{PUBLIC_URL}/app/preferences>"
        assert mail.message["Organization"] == "Acme Training"
        text, html = bodies(mail.message)
        assert f"{PUBLIC_URL}/app/sessions/{session_id}" in text
        assert "Acme Training" in html
        method, event = invitation(mail)
        assert method == "REQUEST"
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert str(event["UID"]) == f"session-{session_id}@tms.example.org"
        assert event.decoded("DTSTART") == START + timedelta(hours=1)


async def test_a_move_and_a_cancellation_reach_trainees_and_trainer_with_the_sequence(
    server: TmsServer, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    async with api_of(server) as api:
        trainer, trainee = await api.user("trainer"), await api.user("trainee")
        session_id = await api.session(trainer, 3, (trainee,))
        await box.wait(trainee.email, 1)
        await api.call("PUT", f"/sessions/{session_id}", trainer, json={"title": "Renamed"})
        moved_to = START + timedelta(hours=5)
        await api.call(
            "PUT",
            f"/sessions/{session_id}",
            trainer,
            json={"scheduled_date": moved_to.isoformat()},
        )
        _, updated = await box.wait(trainee.email, 2)
        (trainer_updated,) = await box.wait(trainer.email, 1)
        for mail in (updated, trainer_updated):
            method, event = invitation(mail)
            assert (method, event["SEQUENCE"]) == ("REQUEST", 1)
            assert event.decoded("DTSTART") == moved_to
        assert "A session changed" in str(updated.message["Subject"])

        refused = await api.raw(
            "PUT",
            f"/sessions/{session_id}",
            trainer,
            json={"title": "Again", "cancellation_reason": "Why not"},
        )
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["cancellation_reason"]
        await api.call(
            "PUT",
            f"/sessions/{session_id}",
            trainer,
            json={"status": "cancelled", "cancellation_reason": "The trainer is ill"},
        )
        _, _, cancelled = await box.wait(trainee.email, 3)
        method, event = invitation(cancelled)
        assert (method, event["SEQUENCE"], event["STATUS"]) == ("CANCEL", 2, "CANCELLED")
        assert "Reason: The trainer is ill" in bodies(cancelled.message)[0]
        await box.wait(trainer.email, 2)
        kinds = [n["kind"] for n in await api.told(trainee)]
        assert kinds == ["session_cancelled", "session_updated", "session_assigned"]
        assert [n["kind"] for n in await api.told(trainer)] == [
            "session_cancelled",
            "session_updated",
        ]
        assert (await api.told(trainee))[0]["message"].endswith(": The trainer is ill")


async def test_removal_and_course_enrolment_are_told(
    server: TmsServer, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    async with api_of(server) as api:
        trainer, trainee = await api.user("trainer"), await api.user("trainee")
        session_id = await api.session(trainer, 7, (trainee,))
        await api.call("DELETE", f"/sessions/{session_id}/trainees/{trainee.id}", trainer)
        await box.wait(trainee.email, 2)
        removed = await box.titled(trainee.email, "removed")
        assert list(removed.message.iter_attachments()) == []
        code = f"HZ-{secrets.token_hex(2)}"
        course = await api.call("POST", "/courses/", json={"title": "Hazmat basics", "code": code})
        await api.call(
            "POST", f"/courses/{course['id']}/enrolments", json={"trainee_ids": [trainee.id]}
        )
        enrolled = await box.titled(trainee.email, "enrolled in a course")
        assert enrolled.message["Subject"] == "You were enrolled in a course: Hazmat basics"
        assert len(await box.wait(trainee.email, 3)) == 3
        assert [n["kind"] for n in await api.told(trainee)] == [
            "course_enrolled",
            "session_removed",
            "session_assigned",
        ]


async def test_read_marks_are_the_callers_own(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer, trainee, other = (
            await api.user("trainer"),
            await api.user("trainee"),
            await api.user("trainee"),
        )
        for hours in (9, 11, 13):
            await api.session(trainer, hours, (trainee, other))
        mine = await api.told(trainee)
        assert len(mine) == 3
        assert [n["id"] for n in mine] == sorted((n["id"] for n in mine), reverse=True)
        page = await api.told(trainee, skip=1, limit=1)
        assert [n["id"] for n in page] == [mine[1]["id"]]
        theirs = (await api.told(other))[0]

        for who in (trainee, api.admin, trainer):
            response = await api.raw("POST", f"/notifications/{theirs['id']}/read", who)
            assert response.status_code == 404, response.text
        assert (await api.told(other))[0]["read_at"] is None
        missing = await api.raw("POST", "/notifications/999999999/read", trainee)
        assert missing.status_code == 404

        read = await api.call("POST", f"/notifications/{mine[2]['id']}/read", trainee)
        assert "message" in read
        unread = await api.told(trainee, unread="true")
        assert [n["id"] for n in unread] == [mine[0]["id"], mine[1]["id"]]
        assert await api.call("GET", "/notifications/unread-count", trainee) == {"count": 2}
        assert "message" in await api.call("POST", "/notifications/read-all", trainee)
        assert await api.told(trainee, unread="true") == []
        assert all(n["read_at"] for n in await api.told(trainee))
        assert await api.call("GET", "/notifications/unread-count", other) == {"count": 3}
        bad = await api.raw("GET", "/notifications/", trainee, params={"limit": 0})
        assert bad.status_code == 422
        assert (await api.raw("GET", "/notifications/")).status_code == 200
        anonymous = await api.client.get("/notifications/")
        assert anonymous.status_code == 401


async def test_preferences_round_trip_are_audited_and_decide_the_mail(
    server: TmsServer, mailbox: tuple[Mailbox, int]
) -> None:
    box = mailbox[0]
    async with api_of(server) as api:
        trainer, trainee = await api.user("trainer"), await api.user("trainee")
        assert await api.call("GET", "/me/preferences", trainee) == {
            "email": {"session_changes": True, "reminders": True, "course_updates": True},
            "reminder_minutes": [1440, 60],
        }
        for body, field in [
            ({"reminder_minutes": [0]}, "reminder_minutes"),
            ({"reminder_minutes": [10081]}, "reminder_minutes"),
            ({"reminder_minutes": [1, 2, 3, 4, 5, 6]}, "reminder_minutes"),
            ({"reminder_minutes": ["soon"]}, "reminder_minutes"),
            ({"email": {"session_changes": "yes"}}, "email.session_changes"),
        ]:
            response = await api.raw("PUT", "/me/preferences", trainee, json=body)
            assert response.status_code == 422, (body, response.text)
            fields = [e["field"] for e in response.json()["errors"]]
            assert any(f.startswith(field) or field in f for f in fields), (body, fields)
        saved = await api.call(
            "PUT",
            "/me/preferences",
            trainee,
            json={"email": {"session_changes": False}, "reminder_minutes": [30, 2880]},
        )
        assert saved == {
            "email": {"session_changes": False, "reminders": True, "course_updates": True},
            "reminder_minutes": [2880, 30],
        }
        assert await api.call("GET", "/me/preferences", trainee) == saved
        audit = await api.call("GET", "/audit", params={"action": "preferences.updated"})
        (entry,) = [e for e in audit if e["target_id"] == trainee.id]
        assert entry["changes"]["reminder_minutes"] == [[1440, 60], [2880, 30]]

        quiet = await api.session(trainer, 15, (trainee,))
        await api.call("PUT", "/me/preferences", trainee, json={"email": {"session_changes": True}})
        loud = await api.session(trainer, 17, (trainee,))
        (mail,) = await box.wait(trainee.email, 1)
        _, event = invitation(mail)
        assert str(event["UID"]).startswith(f"session-{loud}@")
        await asyncio.sleep(1)
        assert len(box.of(trainee.email)) == 1
        told = [n["link"] for n in await api.told(trainee)]
        assert told == [f"/sessions/{loud}", f"/sessions/{quiet}"]

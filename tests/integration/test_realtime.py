"""Live events through real `tms serve` processes and real WebSocket clients, on loopback.

Who receives each event type (and nobody else), cross-instance delivery through Redis,
resuming with `since` after a lost connection or a restart, the poll that catches changes
nobody published, sign-ins that end while connected, and the client protocol (ping, errors,
limits, no echo). One SQLite server serves most tests of this module; the multi-instance
tests start their own pair on MariaDB and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

import servers
from conftest import REDIS_URL, make_settings, require_redis
from servers import TmsServer, running
from support import USER_KEYS
from tms_domain.accounts import SignIn, UserChanges
from tms_entrypoints.container import build_container
from tms_entrypoints.container import running as resources_running

SECRET_KEY = "realtime-tests-shared-secret-" + "s" * 32
ADMIN_PASSWORD = "Sturdy-Garden-93"
PASSWORD = "Velvet-Harbor-4821"
NEW_PASSWORD = "Copper-Lantern-5093"
RESET_PASSWORD = "Amber-Meadow-7716"
POLL_MS = 200
SETTLE_SECONDS = 0.4
"""How long to wait for frames that must not come once the ones that must have come."""

EVENT_KEYS: dict[str, set[str]] = {
    "user_created": {"user_id", "action", "user"},
    "user_updated": {"user_id", "action", "user"},
    "user_deleted": {"user_id", "action"},
    "password_changed": {"user_id", "action", "message"},
    "password_reset": {"user_id", "reset_by", "message"},
    "session_created": {
        "id",
        "title",
        "description",
        "trainer",
        "trainees",
        "startTime",
        "scheduled_date",
        "duration_minutes",
        "status",
        "class_link",
        "created_at",
        "updated_at",
    },
    "session_updated": {
        "session_id",
        "status",
        "updated_at",
        "trainees",
        "trainer",
        "startTime",
        "scheduled_date",
    },
    "session_deleted": {"session_id"},
    "trainee_added_to_session": {"session_id", "trainee_id", "updated_at"},
    "trainee_removed_from_session": {"session_id", "trainee_id", "updated_at"},
    "trainee_joined_via_link": {"session_id", "trainee_id", "message"},
    "student_assigned": {"assignment_id", "student_id", "teacher_id", "assigned_date"},
    "student_unassigned": {"student_id", "teacher_id"},
    "attendance_marked": {"session_id", "trainee_id", "present", "marked_at"},
    "attendance_updated": {"attendance_id", "present", "marked_at"},
    "attendance_deleted": {"attendance_id"},
    "notification": {"type", "id", "title", "message", "link", "user_id", "timestamp"},
}
SECRET_MARKERS = ("$argon2", "password_hash", "access_token", "session_link")
TOLD = {
    # Enrolled, joined the second session by link, removed, the second session deleted.
    "pia": ["session_assigned", "session_assigned", "session_removed", "session_cancelled"],
    # The trainer of the deleted session.
    "tom": ["session_cancelled"],
}
"""The notifications the walk through every event type gives each user, in order."""


# Servers


def server_env(database_url: str, var_dir: Path, **settings: str) -> dict[str, str]:
    return servers.server_env(
        database_url,
        var_dir,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        **{"TMS_EVENT_POLL_MS": str(POLL_MS), "TMS_LOG_LEVEL": "WARNING", **settings},
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    """One server on a SQLite file, in-memory channels, polling every 200 ms."""
    directory = tmp_path_factory.mktemp("realtime")
    env = server_env(f"sqlite+aiosqlite:///{directory / 'tms.db'}", directory)
    with running(TmsServer(env, directory)) as started:
        yield started


# HTTP


class Api:
    """The HTTP API of one server, with the admin signed in."""

    def __init__(self, client: httpx.AsyncClient, admin_token: str) -> None:
        self.client = client
        self.admin_token = admin_token

    async def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        """Call as the admin unless a token is given; the answer must be a success."""
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        response = await self.client.request(method, path, headers=headers, **kw)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def login(self, username: str, password: str = PASSWORD) -> str:
        response = await self.client.post(
            "/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def add_user(self, role: str, name: str | None = None) -> User:
        username = f"{name or role}-{secrets.token_hex(3)}"
        body = {
            "username": username,
            "email": f"{username}@example.org",
            "first_name": (name or role).title(),
            "last_name": "Doe",
            "role": role,
            "password": PASSWORD,
            "is_temporary_password": False,
        }
        created = await self.call("POST", "/users/", json=body)
        return User(int(created["user"]["id"]), username, await self.login(username))

    async def touch(self, count: int = 1) -> None:
        """Changes only admins hear of: new users."""
        for _ in range(count):
            await self.add_user("trainee", "extra")


@dataclass
class User:
    id: int
    username: str
    token: str


@contextlib.asynccontextmanager
async def api_of(server: TmsServer) -> AsyncIterator[Api]:
    # Idle connections are dropped well before the server's keep-alive timeout (5 s), so
    # a request never races the server closing the connection it reuses.
    limits = httpx.Limits(keepalive_expiry=1)
    async with httpx.AsyncClient(base_url=server.url, timeout=10, limits=limits) as client:
        response = await client.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield Api(client, response.json()["access_token"])


# WebSocket clients


class LiveClient:
    """A WebSocket client that keeps every frame it receives, with the time it came."""

    def __init__(self, socket: ClientConnection, name: str, ready: dict[str, Any]) -> None:
        self.socket = socket
        self.name = name
        self.ready = ready
        self.frames: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self.arrived: list[float] = []
        self.closed_at: float | None = None
        self._news = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls,
        server: TmsServer,
        token: str | None,
        name: str = "client",
        *,
        since: int | None = None,
        **options: Any,
    ) -> LiveClient:
        query = {} if token is None else {"token": token}
        if since is not None:
            query["since"] = str(since)
        url = server.ws_url + ("?" + str(httpx.QueryParams(query)) if query else "")
        socket = await websockets.connect(url, open_timeout=5, **options)
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready["type"] == "ready", ready
        return cls(socket, name, ready)

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.socket:
                assert isinstance(message, str)
                self.raw.append(message)
                self.frames.append(json.loads(message))
                self.arrived.append(time.monotonic())
                self._news.set()
        self.closed_at = time.monotonic()
        self._news.set()

    @property
    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if "id" in f]

    @property
    def ids(self) -> list[int]:
        return [int(f["id"]) for f in self.events]

    @property
    def last_id(self) -> int:
        return self.ids[-1] if self.ids else int(self.ready["data"]["last_id"])

    async def wait_for(
        self, found: Callable[[dict[str, Any]], bool], timeout: float = 3, *, start: int = 0
    ) -> dict[str, Any]:
        """The first frame from index ``start`` on that ``found`` accepts."""
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            for frame in self.frames[seen:]:
                if found(frame):
                    return frame
            seen = len(self.frames)
            if self.closed_at is not None:
                pytest.fail(f"{self.name} was closed ({self.socket.close_code}) while waiting")
            self._news.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"{self.name} waited {timeout}s in vain; it got {self.frames}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), remaining)

    async def wait_for_id(self, event_id: int, timeout: float = 3) -> dict[str, Any]:
        return await self.wait_for(lambda f: f.get("id", 0) >= event_id, timeout)

    async def ask(self, message: str | bytes, timeout: float = 3) -> dict[str, Any]:
        """Send a message; the next frame that comes."""
        start = len(self.frames)
        await self.socket.send(message)
        return await self.wait_for(lambda _: True, timeout, start=start)

    async def wait_closed(self, timeout: float = 3) -> int | None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        assert self.closed_at is not None, f"{self.name} is still open after {timeout}s"
        return self.socket.close_code

    async def send(self, message: str | bytes) -> None:
        await self.socket.send(message)

    def kill(self) -> None:
        """Drop the connection without a closing handshake, as a crashed client does."""
        self.socket.transport.abort()

    async def close(self) -> None:
        await self.socket.close()
        with contextlib.suppress(Exception):
            await self._reader


@contextlib.asynccontextmanager
async def all_closed_after(*opened: LiveClient) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for listener in opened:
            await listener.close()


def secrets_in(frames: list[str], *secret_values: str) -> list[str]:
    return [
        frame
        for frame in frames
        if any(marker in frame for marker in (*SECRET_MARKERS, *secret_values))
    ]


# Who receives what


async def test_every_event_type_reaches_its_audience_and_nobody_else(server: TmsServer) -> None:
    async with api_of(server) as api:
        tom = await api.add_user("trainer", "tom")
        tina = await api.add_user("trainer", "tina")
        pia = await api.add_user("trainee", "pia")
        paul = await api.add_user("trainee", "paul")
        cast = {
            "admin": await LiveClient.open(server, api.admin_token, "admin"),
            "tom": await LiveClient.open(server, tom.token, "tom"),
            "tina": await LiveClient.open(server, tina.token, "tina"),
            "pia": await LiveClient.open(server, pia.token, "pia"),
            "paul": await LiveClient.open(server, paul.token, "paul"),
        }
        expected: list[tuple[str, set[str]]] = []

        def expect(kind: str, *names: str) -> None:
            expected.append((kind, {"admin", *names}))

        async with all_closed_after(*cast.values()):
            quinn = await api.call(
                "POST",
                "/users/",
                json={
                    "username": "quinn-" + secrets.token_hex(3),
                    "email": f"quinn-{secrets.token_hex(3)}@example.org",
                    "first_name": "Quinn",
                    "last_name": "Doe",
                    "role": "trainee",
                },
            )
            quinn_id = quinn["user"]["id"]
            expect("user_created")
            await api.call(
                "POST", "/assignments/", json={"student_id": pia.id, "teacher_id": tom.id}
            )
            expect("student_assigned", "tom", "pia")
            await api.call("PUT", f"/users/{pia.id}", json={"first_name": "Pia-Marie"})
            expect("user_updated", "pia", "tom")
            session = await api.call(
                "POST",
                "/sessions/",
                tom.token,
                json={
                    "title": "Knots",
                    "trainer_id": tom.id,
                    "scheduled_date": "2030-03-04T09:00:00+00:00",
                    "duration_minutes": 60,
                },
            )
            expect("session_created", "tom")
            await api.call("POST", f"/sessions/{session['id']}/trainees/{pia.id}", tom.token)
            expect("trainee_added_to_session", "tom", "pia")
            await api.call(
                "PUT", f"/sessions/{session['id']}", tom.token, json={"title": "Better knots"}
            )
            expect("session_updated", "tom", "pia")
            mark = await api.call(
                "POST",
                "/attendance/",
                tom.token,
                json={"session_id": session["id"], "trainee_id": pia.id, "present": True},
            )
            expect("attendance_marked", "tom", "pia")
            await api.call("PUT", f"/attendance/{mark['id']}?present=false", tom.token)
            expect("attendance_updated", "tom", "pia")
            await api.call("DELETE", f"/attendance/{mark['id']}")
            expect("attendance_deleted", "tom", "pia")
            second = await api.call(
                "POST",
                "/sessions/",
                tom.token,
                json={
                    "title": "Splices",
                    "trainer_id": tom.id,
                    "scheduled_date": "2030-03-05T09:00:00+00:00",
                    "duration_minutes": 60,
                },
            )
            expect("session_created", "tom")
            await api.call("GET", f"/join/{second['session_link']}", pia.token)
            expect("trainee_joined_via_link", "tom", "pia")
            await api.call("DELETE", f"/sessions/{session['id']}/trainees/{pia.id}", tom.token)
            expect("trainee_removed_from_session", "tom", "pia")
            await api.call("DELETE", f"/sessions/{second['id']}")
            expect("session_deleted", "tom", "pia")
            await api.call("DELETE", f"/assignments/{pia.id}/{tom.id}")
            expect("student_unassigned", "tom", "pia")
            await api.call(
                "POST", "/assignments/", json={"student_id": quinn_id, "teacher_id": tom.id}
            )
            expect("student_assigned", "tom")
            await api.call("DELETE", f"/users/{quinn_id}")
            expect("user_deleted", "tom")
            await api.call(
                "POST",
                "/auth/change-password",
                pia.token,
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            )
            expect("password_changed", "pia")
            reset_at = time.monotonic()
            await api.call(
                "POST", f"/auth/reset-password/{pia.id}", json={"new_password": RESET_PASSWORD}
            )
            expect("password_reset", "pia")

            await cast["admin"].wait_for(lambda f: f["type"] == "password_reset")
            assert await cast["pia"].wait_closed(1) == 4401
            assert cast["pia"].closed_at is not None
            assert cast["pia"].closed_at - reset_at < 1
            await asyncio.sleep(SETTLE_SECONDS)

        admin_events = cast["admin"].events
        assert [e["type"] for e in admin_events] == [kind for kind, _ in expected]
        for (kind, audience), event in zip(expected, admin_events, strict=True):
            heard_by = {name for name, c in cast.items() if event["id"] in c.ids}
            assert heard_by == audience, f"{kind} reached {heard_by}, not {audience}"
            assert EVENT_KEYS[kind] <= event["data"].keys(), f"{kind} lacks keys: {event}"
            if "user" in event["data"]:
                assert event["data"]["user"].keys() == USER_KEYS
            if "startTime" in event["data"]:
                # The earlier client shows sessions by scheduled_date ("Invalid date" without).
                assert event["data"]["scheduled_date"] == event["data"]["startTime"]
        # A user's own notifications reach them alone, admins included (docs/notifications.md).
        ids = {"pia": pia.id, "tom": tom.id}
        for name, client in cast.items():
            told = [f["data"] for f in client.events if f["type"] == "notification"]
            assert [data["type"] for data in told] == TOLD.get(name, []), name
            for data in told:
                assert EVENT_KEYS["notification"] <= data.keys()
                assert data["user_id"] == ids[name]
        for name, client in cast.items():
            assert client.ids == sorted(set(client.ids)), f"{name} got events out of order"
            tokens = [api.admin_token, tom.token, tina.token, pia.token, paul.token]
            leaks = secrets_in(
                client.raw, ADMIN_PASSWORD, PASSWORD, NEW_PASSWORD, RESET_PASSWORD, *tokens
            )
            assert leaks == [], f"{name} received secrets"
        assert cast["paul"].events == []
        assert cast["tina"].events == []
        assert all(f["type"] != "user_created" for f in cast["pia"].frames)


async def test_trainers_hear_of_their_assigned_trainees_only(server: TmsServer) -> None:
    async with api_of(server) as api:
        tom = await api.add_user("trainer", "tom")
        tina = await api.add_user("trainer", "tina")
        pia = await api.add_user("trainee", "pia")
        await api.call("POST", "/assignments/", json={"student_id": pia.id, "teacher_id": tom.id})
        admin = await LiveClient.open(server, api.admin_token, "admin")
        tom_socket = await LiveClient.open(server, tom.token, "tom")
        tina_socket = await LiveClient.open(server, tina.token, "tina")
        async with all_closed_after(admin, tom_socket, tina_socket):
            await api.call("PUT", f"/users/{pia.id}", pia.token, json={"last_name": "Mills"})
            event = await tom_socket.wait_for(lambda f: f["type"] == "user_updated")
            assert event["data"]["user"]["last_name"] == "Mills"
            await admin.wait_for_id(event["id"])
            await asyncio.sleep(SETTLE_SECONDS)
            assert tina_socket.events == []


# Resuming


async def test_a_killed_client_resumes_with_exactly_the_missed_events(server: TmsServer) -> None:
    async with api_of(server) as api:
        reference = await LiveClient.open(server, api.admin_token, "reference")
        client = await LiveClient.open(server, api.admin_token, "client")
        async with all_closed_after(reference):
            await api.touch(3)
            await client.wait_for(lambda _: len(client.events) == 3)
            client.kill()
            await api.touch(4)
            await reference.wait_for(lambda _: len(reference.events) == 7)
            since = client.last_id

            producer = asyncio.create_task(api.touch(6))
            resumed = await LiveClient.open(server, api.admin_token, "resumed", since=since)
            async with all_closed_after(resumed):
                await producer
                await reference.wait_for(lambda _: len(reference.events) == 13)
                await resumed.wait_for_id(reference.last_id)
                await api.touch()
                await reference.wait_for(lambda _: len(reference.events) == 14)
                await resumed.wait_for_id(reference.last_id)
                await asyncio.sleep(SETTLE_SECONDS)
                assert client.ids == reference.ids[:3]
                assert resumed.ids == reference.ids[3:]
                assert [f["type"] for f in resumed.frames] == ["user_created"] * 11


async def test_a_resume_message_replays_in_order_before_live_events(server: TmsServer) -> None:
    async with api_of(server) as api:
        reference = await LiveClient.open(server, api.admin_token, "reference")
        async with all_closed_after(reference):
            await api.touch()
            since = (await reference.wait_for(lambda f: "id" in f))["id"]
            await api.touch(3)
            await reference.wait_for(lambda _: len(reference.events) == 4)
            client = await LiveClient.open(server, api.admin_token, "client")
            async with all_closed_after(client):
                await client.send(json.dumps({"type": "resume", "since": since}))
                await client.wait_for_id(reference.last_id)
                await api.touch()
                await reference.wait_for(lambda _: len(reference.events) == 5)
                await client.wait_for_id(reference.last_id)
                await client.send(json.dumps({"type": "resume", "since": reference.last_id}))
                await client.send(json.dumps({"type": "ping"}))
                await client.wait_for(lambda f: f["type"] == "pong")
                await asyncio.sleep(SETTLE_SECONDS)
                assert client.ids == reference.ids[1:]


async def test_a_client_with_an_unknown_since_gets_an_error_and_live_events(
    server: TmsServer,
) -> None:
    async with api_of(server) as api:
        client = await LiveClient.open(server, api.admin_token, "client", since=-5)
        async with all_closed_after(client):
            error = await client.wait_for(lambda f: f["type"] == "error")
            assert "since" in error["data"]["message"]
            await api.touch()
            await client.wait_for(lambda f: f["type"] == "user_created")


async def test_a_resume_past_what_is_kept_gets_resync_instead(server: TmsServer) -> None:
    """Events older than the retention are pruned; a client resuming from before them is told
    to reload (``resync``) rather than silently missing them, and then gets live events."""
    database = server.env["TMS_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    async with api_of(server) as api:
        reference = await LiveClient.open(server, api.admin_token, "reference")
        async with all_closed_after(reference):
            await api.touch(3)
            await reference.wait_for(lambda _: len(reference.events) == 3)
            first, second, third = reference.ids
            with contextlib.closing(sqlite3.connect(database)) as db, db:
                db.execute("DELETE FROM events WHERE id IN (?, ?)", (first, second))

            client = await LiveClient.open(server, api.admin_token, "client", since=first - 1)
            async with all_closed_after(client):
                resync = await client.wait_for(lambda f: f["type"] == "resync")
                assert resync["data"]["last_id"] >= third
                await api.touch()
                live = await client.wait_for(lambda f: "id" in f)
                assert client.frames == [resync, live]
                assert live["id"] > third

            unknown = await LiveClient.open(server, api.admin_token, "unknown", since=third + 1000)
            async with all_closed_after(unknown):
                resync = await unknown.wait_for(lambda f: f["type"] == "resync")
                assert "reload" in resync["data"]["message"]

            whole = await LiveClient.open(server, api.admin_token, "whole", since=second)
            async with all_closed_after(whole):
                await whole.wait_for_id(live["id"])
                await asyncio.sleep(SETTLE_SECONDS)
                assert whole.ids == [third, live["id"]]
                assert [f["type"] for f in whole.frames] == ["user_created"] * 2


async def test_a_change_nobody_published_arrives_through_the_poll(server: TmsServer) -> None:
    """A second process writing to the same SQLite file, with no channel to this server."""
    database_url = server.env["TMS_DATABASE_URL"]
    async with api_of(server) as api:
        client = await LiveClient.open(server, api.admin_token, "client")
        async with all_closed_after(client):
            container = build_container(
                make_settings(database_url=database_url, secret_key=SECRET_KEY)
            )
            async with resources_running(container):
                signed_in = await container.auth().sign_in("admin", ADMIN_PASSWORD)
                admin = await container.auth().authenticate(signed_in.access_token)
                await container.users().update_user(
                    admin, admin.id, UserChanges(last_name="Offline")
                )
                written = time.monotonic()
            event = await client.wait_for(lambda f: f["type"] == "user_updated", timeout=3)
            assert event["data"]["user"]["last_name"] == "Offline"
            assert client.arrived[-1] - written < POLL_MS / 1000 + 0.5


# Sign-ins that end


async def test_logout_closes_that_sign_in_only(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer = await api.add_user("trainer")
        other_token = await api.login(trainer.username)
        ending = await LiveClient.open(server, trainer.token, "ending")
        staying = await LiveClient.open(server, other_token, "staying")
        async with all_closed_after(staying):
            started = time.monotonic()
            await api.call("POST", "/auth/logout", trainer.token)
            assert await ending.wait_closed(1) == 4401
            assert ending.closed_at is not None
            assert ending.closed_at - started < 1
            await staying.send(json.dumps({"type": "ping"}))
            await staying.wait_for(lambda f: f["type"] == "pong")

            await api.call("POST", "/auth/logout-all", other_token)
            assert await staying.wait_closed(1) == 4401


async def test_a_role_change_closes_the_connection_after_telling_the_user(
    server: TmsServer,
) -> None:
    async with api_of(server) as api:
        trainer = await api.add_user("trainer")
        client = await LiveClient.open(server, trainer.token, "trainer")
        started = time.monotonic()
        await api.call("PUT", f"/users/{trainer.id}", json={"role": "admin"})
        assert await client.wait_closed(1) == 4401
        assert client.closed_at is not None
        assert client.closed_at - started < 1
        assert [f["type"] for f in client.frames] == ["user_updated"]


async def test_deleting_a_user_closes_their_connection(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainee = await api.add_user("trainee")
        client = await LiveClient.open(server, trainee.token, "trainee")
        await api.call("DELETE", f"/users/{trainee.id}")
        assert await client.wait_closed(1) == 4401
        assert [f["type"] for f in client.frames] == ["user_deleted"]


async def test_deleting_a_trainer_hands_on_their_sessions_and_closes_all_their_connections(
    server: TmsServer,
) -> None:
    async with api_of(server) as api:
        tom = await api.add_user("trainer", "tom")
        tina = await api.add_user("trainer", "tina")
        session = await api.call(
            "POST",
            "/sessions/",
            json={
                "title": "Handover",
                "trainer_id": tom.id,
                "scheduled_date": "2031-06-02T09:00:00+00:00",
                "duration_minutes": 60,
            },
        )
        on_laptop = await LiveClient.open(server, tom.token, "tom on a laptop")
        on_phone = await LiveClient.open(server, await api.login(tom.username), "tom on a phone")
        successor = await LiveClient.open(server, tina.token, "tina")
        async with all_closed_after(successor):
            await api.call("DELETE", f"/users/{tom.id}?reassign_to={tina.id}")
            assert await on_laptop.wait_closed(1) == 4401
            assert await on_phone.wait_closed(1) == 4401
            handed_on = await successor.wait_for(lambda f: f["type"] == "session_updated")
            assert handed_on["data"]["session_id"] == session["id"]
            assert handed_on["data"]["trainer"] == tina.id
            assert handed_on["data"]["scheduled_date"] == handed_on["data"]["startTime"]
            assert handed_on["data"]["startTime"].startswith("2031-06-02T09:00:00")


async def test_a_sign_in_that_expires_while_connected_closes_the_connection(
    server: TmsServer,
) -> None:
    database_url = server.env["TMS_DATABASE_URL"]
    async with api_of(server) as api:
        trainee = await api.add_user("trainee")
        container = build_container(make_settings(database_url=database_url, secret_key=SECRET_KEY))
        async with resources_running(container):
            expires_at = datetime.now(UTC) + timedelta(seconds=2)
            sign_in = SignIn(
                id=secrets.token_urlsafe(24),
                user_id=trainee.id,
                created_at=datetime.now(UTC),
                expires_at=expires_at,
            )
            async with container.uow()() as uow:
                await uow.sign_ins.add(sign_in)
                await uow.commit()
            token = container.tokens().issue(
                user_id=trainee.id, sign_in_id=sign_in.id, expires_at=expires_at
            )
        client = await LiveClient.open(server, token, "short-lived")
        assert await client.wait_closed(3) == 4401
        assert client.closed_at is not None
        assert abs(time.time() - expires_at.timestamp()) < 1


@pytest.mark.parametrize(
    ("query", "first_message"),
    [
        pytest.param("?token=not-a-token", None, id="garbage"),
        pytest.param("?token=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", None, id="alg-none"),
        pytest.param("?token=", None, id="empty"),
        pytest.param("", {"type": "ping"}, id="missing"),
        pytest.param("", {"type": "auth", "token": "x.y.z"}, id="bad-first-message"),
    ],
)
async def test_a_bad_or_missing_token_is_refused_with_4401(
    server: TmsServer, query: str, first_message: dict[str, str] | None
) -> None:
    socket = await websockets.connect(server.ws_url + query, open_timeout=5)
    if first_message is not None:
        await socket.send(json.dumps(first_message))
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(socket.recv(), 3)
    assert socket.close_code == 4401


async def test_an_expired_or_revoked_token_is_refused_with_4401(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainee = await api.add_user("trainee")
        await api.call("POST", "/auth/logout", trainee.token)
        socket = await websockets.connect(f"{server.ws_url}?token={trainee.token}")
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 3)
        assert socket.close_code == 4401
        assert trainee.token not in (socket.close_reason or "")


async def test_a_token_in_the_subprotocol_or_first_message_is_accepted(server: TmsServer) -> None:
    async with api_of(server) as api:
        socket = await websockets.connect(
            server.ws_url, subprotocols=["bearer", api.admin_token], open_timeout=5
        )
        assert socket.subprotocol == "bearer"
        assert json.loads(await socket.recv())["type"] == "ready"
        await socket.close()

        socket = await websockets.connect(server.ws_url, open_timeout=5)
        await socket.send(json.dumps({"type": "auth", "token": api.admin_token}))
        assert json.loads(await socket.recv())["type"] == "ready"
        await socket.close()


# The client protocol


async def test_ping_garbage_and_oversized_messages(server: TmsServer) -> None:
    async with api_of(server) as api:
        client = await LiveClient.open(server, api.admin_token, "client")
        async with all_closed_after(client):
            for message in (
                json.dumps({"type": "ping"}),
                "not json at all",
                b"\x00\x01binary",
                json.dumps([1, 2]),
                json.dumps({"type": 5}),
                json.dumps({"type": "resume", "since": "yesterday"}),
                json.dumps({"type": "ping", "padding": "x" * 4200}),
                json.dumps({"type": "shout", "data": "hello everyone"}),
            ):
                reply = await client.ask(message)
                expected = "pong" if message == json.dumps({"type": "ping"}) else "error"
                assert reply["type"] == expected, (message[:40], reply)
                if expected == "error":
                    assert reply["data"]["message"]
            assert "4096" in client.frames[-2]["data"]["message"]
            assert await client.ask(json.dumps({"type": "ping"})) == {"type": "pong", "data": {}}


async def test_client_messages_are_not_echoed_to_anyone(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainee = await api.add_user("trainee")
        sender = await LiveClient.open(server, trainee.token, "sender")
        admin = await LiveClient.open(server, api.admin_token, "admin")
        other = await LiveClient.open(server, trainee.token, "same user elsewhere")
        async with all_closed_after(sender, admin, other):
            for message in (
                {"type": "user_created", "data": {"user_id": 1}},
                {"type": "notification", "data": {"message": "hello"}, "id": 999},
                {"type": "broadcast", "message": "hello"},
            ):
                await sender.send(json.dumps(message))
            await sender.send(json.dumps({"type": "ping"}))
            await sender.wait_for(lambda f: f["type"] == "pong")
            await asyncio.sleep(SETTLE_SECONDS)
            assert admin.frames == []
            assert other.frames == []
            assert all(f["type"] in ("error", "pong") for f in sender.frames)


# Limits


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    """A server with small limits: resumes of 5 events, 60 resumes a minute a user, 2
    connections a user, 4 an address, 5 messages a second."""
    directory = tmp_path_factory.mktemp("realtime-limits")
    env = server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        TMS_WS_REPLAY_LIMIT="5",
        TMS_WS_REPLAYS_PER_MINUTE="60",
        TMS_WS_MAX_SOCKETS_PER_USER="2",
        TMS_WS_MAX_SOCKETS_PER_ADDRESS="4",
        TMS_WS_MESSAGES_PER_SECOND="5",
    )
    with running(TmsServer(env, directory)) as started:
        yield started


async def refused_with(server: TmsServer, token: str, **options: Any) -> int | None:
    """Open a connection that the server must close before ``ready``: its close code."""
    socket = await websockets.connect(f"{server.ws_url}?token={token}", open_timeout=5, **options)
    try:
        frame = await asyncio.wait_for(socket.recv(), 3)
    except websockets.ConnectionClosed:
        return socket.close_code
    pytest.fail(f"the connection was not refused: it got {frame}")


async def test_a_resume_replays_the_callers_own_events_up_to_the_limit(
    limited_server: TmsServer,
) -> None:
    """Nine events are missed: the trainee hears three of them and gets them; the admin
    hears all nine, more than the limit of five, and is told to reload instead."""
    server = limited_server
    async with api_of(server) as api:
        pia = await api.add_user("trainee", "pia")
        reference = await LiveClient.open(server, api.admin_token, "reference")
        async with all_closed_after(reference):
            since = reference.last_id
            await api.touch(3)
            for name in ("Pia-Anne", "Pia-Marie", "Pia Maria"):
                await api.call("PUT", f"/users/{pia.id}", json={"first_name": name})
                await api.touch()
            await reference.wait_for(lambda _: len(reference.events) == 9)

            trainee = await LiveClient.open(server, pia.token, "trainee", since=since)
            async with all_closed_after(trainee):
                await trainee.wait_for(lambda _: len(trainee.events) == 3)
                assert [f["type"] for f in trainee.frames] == ["user_updated"] * 3
                assert trainee.ids == [
                    e["id"] for e in reference.events if e["type"] == "user_updated"
                ]

            admin = await LiveClient.open(server, api.admin_token, "admin", since=since)
            async with all_closed_after(admin):
                resync = await admin.wait_for(lambda f: f["type"] == "resync")
                assert resync["data"]["last_id"] == reference.last_id
                await api.touch()
                live = await admin.wait_for(lambda f: "id" in f)
                assert admin.frames == [resync, live]
                await reference.wait_for_id(live["id"])

            stream = reference.ids
            recent = await LiveClient.open(server, api.admin_token, "recent", since=stream[-6])
            async with all_closed_after(recent):
                await recent.wait_for_id(stream[-1])
                await asyncio.sleep(SETTLE_SECONDS)
                assert recent.ids == stream[-5:]
                assert all(f["type"] != "resync" for f in recent.frames)


async def test_a_resume_from_before_the_retention_gets_resync(limited_server: TmsServer) -> None:
    """Events older than the window are not replayed even while they are still stored."""
    database = limited_server.env["TMS_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    async with api_of(limited_server) as api:
        reference = await LiveClient.open(limited_server, api.admin_token, "reference")
        async with all_closed_after(reference):
            await api.touch(2)
            await reference.wait_for(lambda _: len(reference.events) == 2)
            first, second = reference.ids
            with contextlib.closing(sqlite3.connect(database)) as db, db:
                db.execute(
                    "UPDATE events SET at = datetime(at, '-25 hours') WHERE id = ?", (first,)
                )

            old = await LiveClient.open(limited_server, api.admin_token, "old", since=first - 1)
            async with all_closed_after(old):
                await old.wait_for(lambda f: f["type"] == "resync")
                await asyncio.sleep(SETTLE_SECONDS)
                assert [f["type"] for f in old.frames] == ["resync"]

            recent = await LiveClient.open(limited_server, api.admin_token, "recent", since=first)
            async with all_closed_after(recent):
                await recent.wait_for_id(second)
                assert [f["type"] for f in recent.frames] == ["user_created"]


async def test_a_users_resumes_past_five_at_once_wait_their_turn(
    limited_server: TmsServer,
) -> None:
    """60 a minute, 5 at once: a client reconnecting in a loop gets its first five replays
    at once, then one a second; another user's replay does not wait."""
    async with api_of(limited_server) as api:
        trainee = await api.add_user("trainee")
        started = time.monotonic()
        ended: list[float] = []
        for _ in range(7):
            client = await LiveClient.open(limited_server, trainee.token, "looping", since=0)
            # The pong comes once the replay has been sent.
            await client.send(json.dumps({"type": "ping"}))
            await client.wait_for(lambda f: f["type"] == "pong", timeout=5)
            ended.append(time.monotonic() - started)
            await client.close()
        assert ended[4] < 1
        assert ended[6] > 1.9

        asked = time.monotonic()
        admin = await LiveClient.open(limited_server, api.admin_token, "admin", since=0)
        async with all_closed_after(admin):
            await admin.send(json.dumps({"type": "ping"}))
            await admin.wait_for(lambda f: f["type"] == "pong")
            assert time.monotonic() - asked < 0.9


async def test_a_connection_over_the_users_cap_is_closed_with_1013(
    limited_server: TmsServer,
) -> None:
    async with api_of(limited_server) as api:
        trainee = await api.add_user("trainee")
        first = await LiveClient.open(limited_server, trainee.token, "first")
        second = await LiveClient.open(limited_server, await api.login(trainee.username), "2nd")
        async with all_closed_after(second):
            assert await refused_with(limited_server, trainee.token) == 1013
            await first.close()
            await asyncio.sleep(SETTLE_SECONDS)
            again = await LiveClient.open(limited_server, trainee.token, "again")
            await again.close()


async def test_a_connection_over_the_addresss_cap_is_closed_with_1013(
    limited_server: TmsServer,
) -> None:
    """Four users on one address (one the other tests do not use) fill its cap."""
    address = {"local_addr": ("127.0.0.2", 0)}
    async with api_of(limited_server) as api:
        users = [await api.add_user("trainee") for _ in range(5)]
        held = [
            await LiveClient.open(limited_server, user.token, user.username, **address)
            for user in users[:4]
        ]
        async with all_closed_after(*held[1:]):
            assert await refused_with(limited_server, users[4].token, **address) == 1013
            other = await LiveClient.open(limited_server, users[4].token, "elsewhere")
            await other.close()
            await held[0].close()
            await asyncio.sleep(SETTLE_SECONDS)
            now_in = await LiveClient.open(limited_server, users[4].token, "now in", **address)
            await now_in.close()


async def test_a_connection_that_sends_too_fast_is_closed_with_4429(
    limited_server: TmsServer,
) -> None:
    async with api_of(limited_server) as api:
        flooder = await LiveClient.open(limited_server, api.admin_token, "flooder")
        for _ in range(12):
            await flooder.send(json.dumps({"type": "ping"}))
        assert await flooder.wait_closed(3) == 4429
        assert "messages a second" in (flooder.socket.close_reason or "")
        assert 5 <= len([f for f in flooder.frames if f["type"] == "pong"]) <= 6

        steady = await LiveClient.open(limited_server, api.admin_token, "steady")
        async with all_closed_after(steady):
            for _ in range(8):
                assert (await steady.ask(json.dumps({"type": "ping"})))["type"] == "pong"
                await asyncio.sleep(0.25)


# Several instances


def redis_url() -> str:
    """A database number of its own: channels are scoped to it, so other runs stay apart."""
    require_redis()
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    return f"{base}/{secrets.randbelow(14) + 2}"


async def test_two_instances_share_events_through_redis_and_survive_a_restart(
    mariadb_url: str, tmp_path: Path
) -> None:
    # The poll is slow on purpose: only Redis can carry an event this fast.
    env = server_env(mariadb_url, tmp_path, TMS_REDIS_URL=redis_url(), TMS_EVENT_POLL_MS="5000")
    first, second = TmsServer(env, tmp_path), TmsServer(env, tmp_path)
    with running(first), running(second):
        async with api_of(first) as api_first, api_of(second) as api_second:
            trainee = await api_first.add_user("trainee")
            on_first = await LiveClient.open(first, api_first.admin_token, "on first")
            on_second = await LiveClient.open(second, api_second.admin_token, "on second")
            trainee_on_second = await LiveClient.open(second, trainee.token, "trainee")
            async with all_closed_after(on_first):
                for api, listener in ((api_first, on_second), (api_second, on_first)):
                    before = len(listener.frames)
                    await api.touch()
                    responded = time.monotonic()
                    await listener.wait_for(lambda _: True, timeout=1, start=before)
                    assert listener.arrived[-1] - responded < 0.5

                # Changes go on through the first instance while the second restarts.
                producer = asyncio.create_task(api_first.touch(8))
                await on_first.wait_for(lambda _: len(on_first.events) >= 4)
                second.terminate()
                assert await on_second.wait_closed(5) == 1001
                assert await trainee_on_second.wait_closed(5) == 1001
                second.wait()
                await api_first.call(
                    "PUT", f"/users/{trainee.id}", json={"first_name": "Restarted"}
                )
                await producer
                second.start()

                resumed = await LiveClient.open(
                    second, api_second.admin_token, "resumed", since=on_second.last_id
                )
                trainee_resumed = await LiveClient.open(
                    second, trainee.token, "trainee resumed", since=trainee_on_second.last_id
                )
                async with all_closed_after(resumed, trainee_resumed), api_of(second) as api_again:
                    await resumed.wait_for_id(on_first.last_id, timeout=3)
                    await trainee_resumed.wait_for(lambda f: f["type"] == "user_updated")
                    await api_again.touch()
                    await on_first.wait_for(lambda _: len(on_first.events) == 12)
                    await resumed.wait_for_id(on_first.last_id)
                    await asyncio.sleep(SETTLE_SECONDS)
                    assert on_second.ids + resumed.ids == on_first.ids
                    assert len(set(on_first.ids)) == 12
                    assert [e["type"] for e in trainee_resumed.events] == ["user_updated"]
                    assert trainee_on_second.events == []

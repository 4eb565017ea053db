"""Secrets and shutdown through a real `tms serve` process on loopback.

No password, hash or token reaches a log line (the log of a server that served sign-ins,
password changes and resets, and a WebSocket connection with ``?token=``), nor a WebSocket
event. On SIGTERM the server closes open WebSockets with 1001, lets an in-flight request
finish, refuses new connections and exits within its graceful-shutdown timeout.

"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

import servers
from servers import GRACEFUL_SHUTDOWN_SECONDS, TmsServer, running

SECRET_KEY = "security-tests-secret-key-" + "k" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
USER_PASSWORD = "Willow-Canyon-3847"
CHANGED_PASSWORD = "Harbor-Lilac-9261"
RESET_PASSWORD = "Ember-Quartz-5572"


def server_env(database_url: str, var_dir: Path, **settings: str) -> dict[str, str]:
    return servers.server_env(
        database_url, var_dir, secret_key=SECRET_KEY, admin_password=ADMIN_PASSWORD, **settings
    )


def sqlite_server(directory: Path, **settings: str) -> TmsServer:
    env = server_env(f"sqlite+aiosqlite:///{directory / 'tms.db'}", directory, **settings)
    return TmsServer(env, directory)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create_user(
    client: httpx.AsyncClient, admin_token: str, username: str, role: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": username.title(),
        "last_name": "Doe",
        "role": role,
        "password": USER_PASSWORD,
        "is_temporary_password": False,
        **fields,
    }
    response = await client.post("/users/", json=body, headers=bearer(admin_token))
    assert response.status_code == 201, response.text
    return dict(response.json())


class Frames:
    """A WebSocket client that keeps every text frame it receives."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket
        self.raw: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str) -> AsyncIterator[Frames]:
        socket = await websockets.connect(url, open_timeout=5)
        frames = cls(socket)
        try:
            yield frames
        finally:
            await socket.close()
            with contextlib.suppress(Exception):
                await frames._reader

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.socket:
                self.raw.append(message if isinstance(message, str) else message.decode())

    @property
    def types(self) -> list[str]:
        return [json.loads(frame)["type"] for frame in self.raw]

    async def wait_for(self, kind: str, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while kind not in self.types:
            assert time.monotonic() < deadline, f"no {kind} frame within {timeout}s: {self.raw}"
            await asyncio.sleep(0.02)

    async def closed(self, timeout: float) -> int | None:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.socket.close_code


# Secrets never logged, never sent


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TmsServer]:
    with running(sqlite_server(tmp_path)) as started:
        yield started


async def test_no_secret_reaches_a_log_line_or_a_websocket_event(tmp_path: Path) -> None:
    # At DEBUG the server logs the most: WebSocket handshakes and frames among the rest.
    with running(sqlite_server(tmp_path, TMS_LOG_LEVEL="DEBUG")) as server:
        await secrets_stay_out_of_logs_and_events(server)


async def secrets_stay_out_of_logs_and_events(server: TmsServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        admin_token = await sign_in(client, "admin", ADMIN_PASSWORD)
        async with Frames.open(f"{server.ws_url}?token={admin_token}") as admin_frames:
            await admin_frames.wait_for("ready")
            created = await create_user(client, admin_token, "leaky", "trainee")
            user_id = created["user"]["id"]
            generated = await client.post(
                "/users/",
                json={
                    "username": "temporary",
                    "email": "temporary@example.org",
                    "first_name": "Tem",
                    "last_name": "Porary",
                    "role": "trainee",
                },
                headers=bearer(admin_token),
            )
            assert generated.status_code == 201, generated.text
            temporary_password = generated.json()["temporary_password"]
            user_token = await sign_in(client, "leaky", USER_PASSWORD)
            async with Frames.open(f"{server.ws_url}?token={user_token}") as user_frames:
                await user_frames.wait_for("ready")
                changed = await client.post(
                    "/auth/change-password",
                    json={"current_password": USER_PASSWORD, "new_password": CHANGED_PASSWORD},
                    headers=bearer(user_token),
                )
                assert changed.status_code == 200, changed.text
                await user_frames.wait_for("password_changed")
                reset = await client.post(
                    f"/auth/reset-password/{user_id}",
                    json={"new_password": RESET_PASSWORD},
                    headers=bearer(admin_token),
                )
                assert reset.status_code == 200, reset.text
                await user_frames.wait_for("password_reset")
            wrong = await client.post(
                "/auth/login", json={"username": "leaky", "password": "Wrong-Guess-0000"}
            )
            assert wrong.status_code == 401
            await admin_frames.wait_for("password_reset")
        frames = admin_frames.raw + user_frames.raw
        assert {"user_created", "password_changed", "password_reset"} <= set(admin_frames.types), (
            admin_frames.types
        )

    server.stop()
    secrets = {
        "admin token": admin_token,
        "user token": user_token,
        "admin password": ADMIN_PASSWORD,
        "user password": USER_PASSWORD,
        "changed password": CHANGED_PASSWORD,
        "reset password": RESET_PASSWORD,
        "generated password": temporary_password,
        "wrong password": "Wrong-Guess-0000",
        "a hash": "$argon2",
        "the signing key": SECRET_KEY,
    }
    log = server.log()
    assert "WebSocket /ws" in log or "connection open" in log, log  # the connections were logged
    assert [name for name, value in secrets.items() if value in log] == [], log
    in_frames = [name for name, value in secrets.items() if any(value in f for f in frames)]
    assert in_frames == [], frames
    assert not any("password_hash" in f for f in frames)


# Graceful shutdown


async def refused(url: str, within: float) -> bool:
    """Whether new connections to ``url`` are refused within ``within`` seconds."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=1) as client:
        while time.monotonic() < deadline:
            try:
                await client.get(url)
            except httpx.ConnectError:
                return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    return False


async def test_sigterm_closes_websockets_with_1001_finishes_in_flight_work_and_exits(
    server: TmsServer,
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        admin_token = await sign_in(client, "admin", ADMIN_PASSWORD)
    body = json.dumps(
        {
            "username": "latecomer",
            "email": "latecomer@example.org",
            "first_name": "Late",
            "last_name": "Comer",
            "role": "trainee",
        }
    ).encode()
    head = (
        "POST /users/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {admin_token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    async with Frames.open(f"{server.ws_url}?token={admin_token}") as frames:
        await frames.wait_for("ready")
        # A slow in-flight request: its body is still arriving when the signal comes.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(head + body[:10])
        await writer.drain()
        await asyncio.sleep(0.2)
        began = time.monotonic()
        server.terminate()

        assert await frames.closed(timeout=5) == 1001
        assert frames.socket.close_reason.startswith("Server shutting down")
        assert await refused(f"{server.url}/health", within=3)
        assert server.process is not None
        assert server.process.poll() is None, "the server left before its in-flight request"

        writer.write(body[10:])
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), GRACEFUL_SHUTDOWN_SECONDS)
        writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 201 Created", response
    assert b"latecomer" in rest
    exit_status = await asyncio.to_thread(server.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
    took = time.monotonic() - began
    # uvicorn re-raises the signal it handled once it has shut down.
    assert exit_status in (0, -signal.SIGTERM), server.log()
    assert took < GRACEFUL_SHUTDOWN_SECONDS, took
    assert "Application shutdown complete" in server.log()

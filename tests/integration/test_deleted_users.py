"""What a deleted user leaves behind, through a real server on SQLite (which used to give the
highest deleted id to the next new row): nothing that a new user could inherit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import websockets

import servers
from servers import TmsServer, running
from support import PASSWORD, bearer

SECRET_KEY = "deleted-users-test-secret-" + "x" * 32
ADMIN_PASSWORD = "admin passphrase for the deletion tests"
Frame = dict[str, Any]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("deleted-users")
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_LOG_LEVEL="WARNING",
    )
    with running(TmsServer(env, directory)) as started:
        yield started


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def create_trainee(client: httpx.AsyncClient, admin: str, username: str) -> int:
    response = await client.post(
        "/users/",
        headers=bearer(admin),
        json={
            "username": username,
            "email": f"{username}@example.org",
            "first_name": username.title(),
            "last_name": "Doe",
            "role": "trainee",
            "password": PASSWORD,
            "is_temporary_password": False,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["user"]["id"])


async def last_event_id(server: TmsServer, token: str) -> int:
    async with websockets.connect(f"{server.ws_url}?token={token}", open_timeout=5) as socket:
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
    assert ready["type"] == "ready", ready
    return int(ready["data"]["last_id"])


async def frames_until(
    server: TmsServer, token: str, done: Callable[[Frame], bool], *, since: int
) -> list[Frame]:
    """Connect, resuming after ``since``: every frame after ready up to the one ``done``
    accepts."""
    url = f"{server.ws_url}?token={token}&since={since}"
    async with websockets.connect(url, open_timeout=5) as socket:
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready["type"] == "ready", ready
        frames: list[Frame] = []
        while not frames or not done(frames[-1]):
            frames.append(json.loads(await asyncio.wait_for(socket.recv(), 5)))
    return frames


async def test_a_new_user_never_hears_what_a_deleted_user_was_told(server: TmsServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        admin = await sign_in(client, "admin", ADMIN_PASSWORD)
        before_leaver = await last_event_id(server, admin)
        leaver = await create_trainee(client, admin, "leaver")
        deleted = await client.delete(f"/users/{leaver}", headers=bearer(admin))
        assert deleted.status_code == 200, deleted.text
        newcomer = await create_trainee(client, admin, "newcomer")

        heard = await frames_until(
            server,
            await sign_in(client, "newcomer"),
            lambda f: f["type"] == "user_created" and f["data"]["user_id"] == newcomer,
            since=before_leaver,
        )

    assert [f for f in heard if "leaver" in json.dumps(f) or leaver in _user_ids(f)] == []
    assert newcomer > leaver


def _user_ids(frame: Frame) -> set[int]:
    data = frame.get("data", {})
    return {data[key] for key in ("user_id", "trainee_id", "student_id") if key in data}

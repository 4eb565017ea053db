"""The database goes away while a real `tms serve` process runs, and comes back.

The server reaches MariaDB through a TCP proxy of this test's own on loopback; cutting the
proxy (refusing new connections and dropping the open ones) is the database going away,
without touching the machine's MariaDB server. While it is away every request that needs
the database answers 503 with Retry-After and a generic message, quickly, never a 500 and
never a hang, also when the database stops answering without closing its connections
(stalling the proxy). A write attempted during the fault is not reported as a success and
is not in the database afterwards, nor is one that was in flight when the database went.
Once the proxy is back, requests succeed again without restarting the server, and live
events flow again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_security_server import ADMIN_PASSWORD, bearer, server_env, sign_in

from conftest import free_port
from servers import TmsServer
from tms_adapters.persistence.sql import create_engine

pytestmark = pytest.mark.mariadb

DB_TIMEOUT_SECONDS = 2
"""The server's TMS_DB_TIMEOUT_SECONDS: how long it waits for a database that says nothing."""
REQUEST_SECONDS = 15
"""No request may take longer than this, fault or not."""
FAULT_ANSWER_SECONDS = 3 * DB_TIMEOUT_SECONDS
"""A request during a fault must be answered (503) within this: a dead pooled connection
and a new one that cannot be made may each cost the database timeout."""
GENERIC_MESSAGE = "The database is unavailable right now: try again shortly"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; can cut, stall and restore the line."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """The database goes away: new connections are refused, open ones are dropped."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        self._flowing.set()

    def stall(self) -> None:
        """Bytes stop flowing (a hung database or network); connections stay open."""
        self._flowing.clear()

    async def restore(self) -> None:
        self._flowing.set()
        if self._server is None:
            await self.start()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._open.update((writer, upstream_writer))
        await asyncio.gather(
            self._pump(reader, upstream_writer),
            self._pump(upstream_reader, writer),
            return_exceptions=True,
        )
        for end in (writer, upstream_writer):
            self._open.discard(end)
            end.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self._flowing.wait()
            if writer.transport.is_closing():
                return
            writer.write(data)
            await writer.drain()
        writer.transport.abort()


@pytest.fixture
def database(mariadb_url: str) -> str:
    return mariadb_url


@pytest.fixture
async def proxy(database: str) -> AsyncIterator[TcpProxy]:
    url = make_url(database)
    line = TcpProxy(url.host or "127.0.0.1", url.port or 3306)
    await line.start()
    try:
        yield line
    finally:
        await line.cut()


@pytest.fixture
async def server(database: str, proxy: TcpProxy, tmp_path: Path) -> AsyncIterator[TmsServer]:
    through_proxy = make_url(database).set(port=proxy.port).render_as_string(hide_password=False)
    env = server_env(through_proxy, tmp_path, TMS_DB_TIMEOUT_SECONDS=str(DB_TIMEOUT_SECONDS))
    started = TmsServer(env, tmp_path)
    await started.start_async()
    try:
        yield started
    finally:
        await asyncio.to_thread(started.stop)


async def timed(
    client: httpx.AsyncClient, method: str, path: str, **kwargs: Any
) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    response = await asyncio.wait_for(client.request(method, path, **kwargs), REQUEST_SECONDS)
    return response, time.monotonic() - began


async def users_named(database: str, username: str) -> int:
    """Straight from MariaDB, not through the proxy or the app."""
    engine = create_engine(database, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT COUNT(*) FROM users WHERE username = :u"), {"u": username}
            )
            return int(found.scalar_one())
    finally:
        await engine.dispose()


def new_user(username: str) -> dict[str, Any]:
    return {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "Fault",
        "last_name": "Line",
        "role": "trainee",
    }


async def test_the_database_going_away_answers_503_and_its_return_needs_no_restart(
    server: TmsServer, proxy: TcpProxy, database: str
) -> None:
    assert server.process is not None
    pid = server.process.pid
    async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_SECONDS) as client:
        admin_token = await sign_in(client, "admin", ADMIN_PASSWORD)
        admin = bearer(admin_token)
        created = await client.post("/users/", json=new_user("before"), headers=admin)
        assert created.status_code == 201, created.text
        before_id = created.json()["user"]["id"]
        socket = await websockets.connect(f"{server.ws_url}?token={admin_token}", open_timeout=5)
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "ready"

        await proxy.cut()
        during: list[tuple[str, httpx.Response, float]] = []
        for _ in range(2):  # the pool's connections are dead, then no new one can be made
            for method, path, kwargs in (
                ("GET", "/users/", {"headers": admin}),
                ("GET", f"/users/{before_id}", {"headers": admin}),
                ("POST", "/users/", {"headers": admin, "json": new_user("during")}),
                ("PUT", f"/users/{before_id}", {"headers": admin, "json": {"last_name": "X"}}),
                ("GET", "/sessions/", {"headers": admin}),
                ("POST", "/auth/login", {"json": {"username": "admin", "password": "x" * 12}}),
                ("GET", "/analytics/overview", {"headers": admin}),
                ("GET", "/reports/generate", {"headers": admin, "params": {"format": "csv"}}),
            ):
                response, took = await timed(client, method, path, **kwargs)
                during.append((f"{method} {path}", response, took))
        health, health_took = await timed(client, "GET", "/health")

        for where, response, took in during:
            assert response.status_code == 503, (where, response.status_code, response.text)
            assert response.headers["retry-after"] == "5", where
            assert response.json() == {"detail": GENERIC_MESSAGE}, where
            assert took < FAULT_ANSWER_SECONDS, (where, took)
        assert health.status_code == 503
        assert health.json() == {"status": "unhealthy", "database": "unavailable"}
        assert health.headers["retry-after"] == "5"
        assert health_took < FAULT_ANSWER_SECONDS
        assert server.process.poll() is None

        await proxy.restore()
        deadline = time.monotonic() + 10
        while (await timed(client, "GET", "/health"))[0].status_code != 200:
            assert time.monotonic() < deadline, "the server never reached the database again"
            await asyncio.sleep(0.2)
        # Every kind of request works again, with the sign-in made before the fault.
        listed, _ = await timed(client, "GET", "/users/", headers=admin)
        assert listed.status_code == 200, listed.text
        after, _ = await timed(client, "POST", "/users/", headers=admin, json=new_user("after"))
        assert after.status_code == 201, after.text
        again = await sign_in(client, "admin", ADMIN_PASSWORD)
        assert again
        # Live events flow again on the connection opened before the fault.
        frames = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while not any(f["type"] == "user_created" for f in frames):
                    frames.append(json.loads(await socket.recv()))
        assert any(
            f["type"] == "user_created" and f["data"]["user"]["username"] == "after" for f in frames
        ), frames
        await socket.close()
        names = {user["username"] for user in listed.json()}

    assert server.process.poll() is None
    assert server.process.pid == pid
    assert "before" in names
    assert "during" not in names
    assert await users_named(database, "during") == 0
    assert await users_named(database, "after") == 1
    assert "unhandled error" not in server.log()  # what the app logs for a 500


async def test_a_write_in_flight_when_the_database_goes_is_not_reported_nor_kept(
    server: TmsServer, proxy: TcpProxy, database: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_SECONDS) as client:
        admin = bearer(await sign_in(client, "admin", ADMIN_PASSWORD))
        proxy.stall()
        write = asyncio.create_task(
            timed(client, "POST", "/users/", headers=admin, json=new_user("inflight"))
        )
        await asyncio.sleep(0.5)
        assert not write.done()
        await proxy.cut()
        response, took = await write

        assert response.status_code == 503, response.text
        assert response.json() == {"detail": GENERIC_MESSAGE}
        assert took < FAULT_ANSWER_SECONDS + 0.5

        await proxy.restore()
        deadline = time.monotonic() + 10
        while (await timed(client, "GET", "/health"))[0].status_code != 200:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
        listed, _ = await timed(client, "GET", "/users/", headers=admin)
    assert "inflight" not in {user["username"] for user in listed.json()}
    assert await users_named(database, "inflight") == 0


async def test_a_database_that_stops_answering_fails_requests_in_bounded_time(
    server: TmsServer, proxy: TcpProxy
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_SECONDS) as client:
        admin = bearer(await sign_in(client, "admin", ADMIN_PASSWORD))
        proxy.stall()
        answers = [
            await timed(client, "GET", "/users/", headers=admin),
            await timed(client, "POST", "/users/", headers=admin, json=new_user("stalled")),
            await timed(client, "GET", "/health"),
        ]
        for response, took in answers:
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "5"
            assert took < FAULT_ANSWER_SECONDS, took

        await proxy.restore()
        deadline = time.monotonic() + 10
        while (await timed(client, "GET", "/users/", headers=admin))[0].status_code != 200:
            assert time.monotonic() < deadline, "the server never reached the database again"
            await asyncio.sleep(0.2)

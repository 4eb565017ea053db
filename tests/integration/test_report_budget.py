"""Report downloads and the database pool, through a real `tms serve` process.

The server runs with a pool of two database connections. Report downloads whose clients
stop reading hold neither a connection nor a report worker: the listings and another
admin's report keep answering while they wait. Reports in progress are capped, per user
and overall (429 with Retry-After beyond), and a download that ends gives its place back.
A request that finds no connection free within the pool timeout answers 503 with
Retry-After, never a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_reports import bulk_sessions

from conftest import FakeClock, container_on
from servers import TmsServer, server_env
from support import PASSWORD, add_user, bearer
from tms_adapters.persistence.sql import PoolTimeout, create_engine
from tms_domain.kernel import Role
from tms_entrypoints.http.errors import EXCEPTION_HANDLERS

SECRET_KEY = "report-budget-tests-secret-" + "k" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
POOL = {"TMS_DB_POOL_SIZE": "1", "TMS_DB_POOL_TIMEOUT_SECONDS": "1"}
"""One connection kept and one more under load: two in all."""
CAPS = {"TMS_REPORTS_MAX_CONCURRENT": "4", "TMS_REPORTS_MAX_PER_USER": "2"}
SESSIONS = 8000
"""Sessions in the report: its CSV (several megabytes) outgrows what the sockets and the
server's queue can hold for a client that does not read."""
STALL_SECONDS = 2.0
"""Long enough for a download whose client does not read to come to a stop."""
STORAGE_DOWN = "The database is unavailable right now: try again shortly"


@contextlib.asynccontextmanager
async def tms_serve(database_url: str, directory: Path, **settings: str) -> AsyncIterator[str]:
    server = TmsServer(
        server_env(
            database_url,
            directory,
            secret_key=SECRET_KEY,
            admin_password=ADMIN_PASSWORD,
            **settings,
        ),
        directory,
    )
    await server.start_async()
    try:
        yield server.url
    finally:
        server.stop()


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class StalledDownload:
    """A report download whose client reads the answer's head, then nothing more (a small
    receive window, so that the server soon has to wait for it)."""

    def __init__(self, base_url: str, token: str, query: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.socket.settimeout(30)
        self.socket.connect((host, int(port)))
        self.socket.sendall(
            f"GET /reports/generate?{query} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            piece = self.socket.recv(256)
            assert piece, "the server closed the connection"
            head += piece
        self.head = head.partition(b"\r\n\r\n")[0].decode()
        self.status = int(self.head.split()[1])

    def close(self) -> None:
        self.socket.close()


async def open_stalled(base_url: str, token: str, query: str) -> StalledDownload:
    return await asyncio.to_thread(StalledDownload, base_url, token, query)


@pytest.fixture
async def populated(database_url: str, tmp_path: Path) -> str:
    """Two admins (root and ada) and a trainer with many sessions."""
    async with container_on(database_url, FakeClock()) as container:
        await add_user(container, "root", Role.ADMIN)
        await add_user(container, "ada", Role.ADMIN)
        await add_user(container, "eve", Role.ADMIN)
        await bulk_sessions(container, SESSIONS, name_length=60)
    return database_url


async def test_stalled_downloads_hold_no_connection_nor_worker_and_are_capped(
    populated: str, tmp_path: Path
) -> None:
    csv = "format=csv&sections=sessions"
    async with (
        tms_serve(populated, tmp_path, **POOL, **CAPS) as url,
        httpx.AsyncClient(base_url=url, timeout=15) as client,
    ):
        root = await sign_in(client, "root")
        ada = await sign_in(client, "ada")
        eve = await sign_in(client, "eve")
        stalled = [
            await open_stalled(url, root, csv),
            await open_stalled(url, root, csv),
            await open_stalled(url, ada, csv),
        ]
        try:
            assert [download.status for download in stalled] == [200, 200, 200]
            await asyncio.sleep(STALL_SECONDS)

            # The listings still find a connection (two in the pool, three reports open).
            for _ in range(10):
                for path in ("/sessions/?limit=100", "/users/?limit=100"):
                    listed = await client.get(path, headers=bearer(root))
                    assert listed.status_code == 200, listed.text

            # Another admin's report is made and downloaded in full: the stalled ones hold
            # no report worker.
            small = await client.get(
                "/reports/generate",
                params={"format": "csv", "sections": "users"},
                headers=bearer(eve),
            )
            assert small.status_code == 200, small.text
            assert small.text.startswith("ID,Username,")
            whole = await client.get(
                "/reports/generate", params={"format": "xlsx"}, headers=bearer(eve)
            )
            assert whole.status_code == 200, whole.text
            assert whole.content.startswith(b"PK")

            # Root has two in progress: a third is refused, and says when to come back.
            third = await client.get(
                "/reports/generate", params={"format": "csv"}, headers=bearer(root)
            )
            assert third.status_code == 429, third.text
            assert int(third.headers["retry-after"]) > 0
            assert "2 reports in progress" in third.json()["detail"]

            # Four in progress in all: the fifth is refused whoever asks.
            stalled.append(await open_stalled(url, ada, csv))
            assert stalled[-1].status == 200
            refused = await client.get(
                "/reports/generate", params={"format": "pdf"}, headers=bearer(eve)
            )
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["retry-after"]) > 0
        finally:
            for download in stalled:
                download.close()

        # Downloads that end give their places back.
        deadline = time.monotonic() + 10
        while True:
            again = await client.get(
                "/reports/generate",
                params={"format": "csv", "sections": "users"},
                headers=bearer(root),
            )
            if again.status_code == 200 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert again.status_code == 200, again.text
        assert (await client.get("/users/", headers=bearer(root))).status_code == 200


@contextlib.contextmanager
def sqlite_write_lock(database_url: str) -> Iterator[None]:
    """Another program holds the SQLite file's write lock."""
    path = make_url(database_url).database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.asynccontextmanager
async def mariadb_row_lock(database_url: str, user_id: int) -> AsyncIterator[None]:
    """Another client holds a lock on one user's row."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            await conn.execute(
                text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_id}
            )
            yield
            await conn.rollback()
    finally:
        await engine.dispose()


async def test_no_connection_free_in_time_answers_503_with_retry_after(
    database_url: str, database_kind: str, tmp_path: Path
) -> None:
    async with container_on(database_url, FakeClock()) as container:
        await add_user(container, "root", Role.ADMIN)
        pia = await add_user(container, "pia", Role.TRAINEE)
    async with (
        tms_serve(database_url, tmp_path, **POOL, TMS_DB_TIMEOUT_SECONDS="20") as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        token = await sign_in(client, "root")

        async def rename(name: str) -> httpx.Response:
            return await client.put(
                f"/users/{pia.id}", json={"first_name": name}, headers=bearer(token)
            )

        async with contextlib.AsyncExitStack() as stack:
            if database_kind == "sqlite":
                stack.enter_context(sqlite_write_lock(database_url))
            else:
                await stack.enter_async_context(mariadb_row_lock(database_url, pia.id))
            # Two writes wait for the lock, each on one of the pool's two connections.
            waiting = [asyncio.create_task(rename(name)) for name in ("Pia", "Paula")]
            await asyncio.sleep(1)
            assert not any(task.done() for task in waiting)

            started = time.monotonic()
            busy = await client.get("/users/", headers=bearer(token))
            assert busy.status_code == 503, busy.text
            assert busy.json() == {"detail": STORAGE_DOWN}
            assert int(busy.headers["retry-after"]) > 0
            assert time.monotonic() - started < 10
        # The lock is gone: the writes go through and the pool serves everyone again.
        for task in waiting:
            assert (await task).status_code == 200
        assert (await client.get("/users/", headers=bearer(token))).status_code == 200


async def test_a_pool_timeout_met_outside_a_unit_of_work_is_a_503_too() -> None:
    @get("/busy", sync_to_thread=False)
    def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 1 overflow 1 reached")

    app = Litestar([busy], exception_handlers=EXCEPTION_HANDLERS)
    async with AsyncTestClient(app) as client:
        response = await client.get("/busy")
    assert response.status_code == 503
    assert response.json() == {"detail": STORAGE_DOWN}
    assert int(response.headers["retry-after"]) > 0

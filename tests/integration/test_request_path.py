"""What one request costs the database, and that the savings keep sign-outs immediate.

- A request checks its token and does its reads on one pooled connection, in one
  transaction (it used to take two, each with its BEGIN and ROLLBACK round trips, and a
  ping before each checkout).
- Inside one request, a read after a write sees the write, and reads that overlap in
  time each get a connection.
- A revoked token fails on its very next request, on every instance (two `tms serve`
  processes on one database): the token check reads the sign-in on every request.
- Without a ping per checkout, a pooled connection the database dropped does not fail
  the next request: the token check runs again on a fresh connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncmy
import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from test_security_server import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    bearer,
    create_user,
    server_env,
    sign_in,
)

from servers import TmsServer, running
from support import add_user
from support import sign_in as sign_in_directly
from tms_adapters.persistence.sql.request_scope import shared_reads
from tms_domain.accounts import UserChanges
from tms_domain.kernel import Role
from tms_entrypoints.container import Container
from tms_entrypoints.http.app import create_app


@contextmanager
def counting_checkouts(container: Container) -> Iterator[list[str]]:
    """Every connection taken from the pool, and every statement sent."""
    seen: list[str] = []

    def checkout(*_args: Any) -> None:
        seen.append("checkout")

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        seen.append(text.split()[0].upper())

    pool = container.engine().pool
    engine = container.engine().sync_engine
    event.listen(pool, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)


async def test_a_request_checks_its_token_and_reads_on_one_connection(
    sql_container: Container, database_kind: str
) -> None:
    # No event-hub poll nor job worker may take a connection while a request is counted.
    sql_container.settings.override(
        replace(sql_container.settings(), event_poll_ms=3_600_000, jobs_workers=0)
    )
    admin = await add_user(sql_container, "root", Role.ADMIN)
    for n in range(5):
        await add_user(sql_container, f"user{n}", password_hash="x")
    token, _actor = await sign_in_directly(sql_container, admin.username)
    # The test client runs the app on an event loop of its own.
    await sql_container.engine().dispose()
    async with AsyncTestClient(create_app(container=sql_container)) as client:
        await client.get("/users/?limit=1", headers=bearer(token))  # warm caches
        for path in ("/users/?limit=5", "/sessions/?limit=5", f"/users/{admin.id}"):
            with counting_checkouts(sql_container) as seen:
                response = await client.get(path, headers=bearer(token))
            assert response.status_code == 200, (path, response.text)
            assert seen.count("checkout") == 1, (path, seen)
            selects = seen.count("SELECT")
            assert selects >= 1, (path, seen)
            # SQLite's BEGIN is a statement; MariaDB's transaction begins with the first.
            assert seen.count("BEGIN") == (1 if database_kind == "sqlite" else 0), (path, seen)
        # A refused token costs one connection too, and answers as before.
        with counting_checkouts(sql_container) as seen:
            refused = await client.get("/users/", headers=bearer(token + "x"))
        assert refused.status_code == 401
        assert seen.count("checkout") <= 1


async def test_in_one_request_a_read_after_a_write_sees_it(sql_container: Container) -> None:
    admin = await add_user(sql_container, "root", Role.ADMIN)
    user = await add_user(sql_container, "reader")
    _token, actor = await sign_in_directly(sql_container, admin.username)
    users = sql_container.users()
    async with shared_reads():
        before = await users.get_user(actor, user.id)
        await users.update_user(actor, user.id, UserChanges(first_name="Changed"))
        after = await users.get_user(actor, user.id)
    assert (before.first_name, after.first_name) == ("Test", "Changed")


async def test_a_write_opened_inside_a_read_leaves_that_read_whole(
    sql_container: Container,
) -> None:
    user = await add_user(sql_container, "nested")
    uow = sql_container.uow()
    async with shared_reads():
        async with uow(read_only=True) as outer:
            before = await outer.users.get(user.id)
            async with uow() as write:
                changed = await write.users.get(user.id, for_update=True)
                assert changed is not None
                changed.first_name = "Nested"
                await write.users.update(changed)
                await write.commit()
            # The outer read goes on, on its own connection and transaction.
            assert await outer.users.get(user.id) is not None
        async with uow(read_only=True) as after:
            seen = await after.users.get(user.id)
    assert before is not None
    assert seen is not None
    assert (before.first_name, seen.first_name) == ("Test", "Nested")


async def test_reads_that_overlap_in_one_request_each_get_a_connection(
    sql_container: Container,
) -> None:
    admin = await add_user(sql_container, "root", Role.ADMIN)
    users = [await add_user(sql_container, f"user{n}") for n in range(4)]
    _token, actor = await sign_in_directly(sql_container, admin.username)
    service = sql_container.users()
    async with shared_reads():
        found = await asyncio.gather(*(service.get_user(actor, u.id) for u in users))
        again = await service.get_user(actor, users[0].id)
    assert [u.username for u in found] == [u.username for u in users]
    assert again.id == users[0].id


@pytest.fixture(params=["sqlite", "mariadb"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    else:
        yield request.getfixturevalue("mariadb_url")


async def test_a_revoked_token_fails_at_once_on_every_instance(
    shared_database: str, tmp_path: Path
) -> None:
    env = server_env(shared_database, tmp_path)
    first, second = TmsServer(env, tmp_path), TmsServer(env, tmp_path)
    with running(first), running(second):
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=30) as one,
            httpx.AsyncClient(base_url=second.url, timeout=30) as two,
        ):
            admin = await sign_in(one, "admin", ADMIN_PASSWORD)
            created = await create_user(one, admin, "walker", "trainee")
            me = f"/users/{created['user']['id']}"
            password = USER_PASSWORD

            # Signed out on one instance: refused on the other at its very next request,
            # after having been used (and accepted) there many times.
            token = await sign_in(one, "walker", password)
            for _ in range(20):
                assert (await two.get(me, headers=bearer(token))).status_code == 200
            signed_out = await one.post("/auth/logout", headers=bearer(token))
            assert signed_out.status_code in (200, 204), signed_out.text
            assert (await two.get(me, headers=bearer(token))).status_code == 401
            assert (await one.get(me, headers=bearer(token))).status_code == 401

            # An admin's password reset on the second ends the sign-ins made on the first.
            token = await sign_in(one, "walker", password)
            assert (await one.get(me, headers=bearer(token))).status_code == 200
            assert (await two.get(me, headers=bearer(token))).status_code == 200
            reset = await two.post(
                f"/auth/reset-password/{created['user']['id']}",
                json={"new_password": "Quiet-Meadow-4821"},
                headers=bearer(admin),
            )
            assert reset.status_code in (200, 204), reset.text
            assert (await one.get(me, headers=bearer(token))).status_code == 401

            # A deleted user's token stops at once too.
            token = await sign_in(one, "walker", "Quiet-Meadow-4821")
            assert (await one.get(me, headers=bearer(token))).status_code == 200
            deleted = await two.delete(me, headers=bearer(admin))
            assert deleted.status_code in (200, 204), deleted.text
            assert (await one.get(me, headers=bearer(token))).status_code == 401


async def _kill_connections_to(database_url: str) -> int:
    url = make_url(database_url)
    conn = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> "
                "CONNECTION_ID()",
                (url.database,),
            )
            ids = [row[0] for row in await cursor.fetchall()]
            for connection_id in ids:
                await cursor.execute(f"KILL CONNECTION {int(connection_id)}")
    finally:
        conn.close()
    return len(ids)


@pytest.mark.mariadb
async def test_a_connection_the_database_dropped_does_not_fail_the_next_request(
    mariadb_url: str, tmp_path: Path
) -> None:
    env = server_env(mariadb_url, tmp_path, TMS_EVENT_POLL_MS="3600000", TMS_JOBS_WORKERS="0")
    with running(TmsServer(env, tmp_path)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            admin = await sign_in(client, "admin", ADMIN_PASSWORD)
            assert (await client.get("/users/", headers=bearer(admin))).status_code == 200
            assert await _kill_connections_to(mariadb_url) >= 1
            # The pooled connection is dead: the token check finds out and runs again.
            after = await client.get("/users/", headers=bearer(admin))
            assert after.status_code == 200, after.text
            assert (await client.get("/sessions/", headers=bearer(admin))).status_code == 200

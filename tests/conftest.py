"""Shared fixtures: clocks, containers over memory or SQL, databases on SQLite and MariaDB.

MariaDB and Redis tests need the servers named by TMS_TEST_MARIADB_URL and
TMS_TEST_REDIS_URL (defaults: root@127.0.0.1:3306 and 127.0.0.1:6379). On a machine
without them those tests skip with the reason; with TMS_REQUIRE_SERVICES=1 (CI) they fail.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from tms_adapters.persistence.sql import migrations as schema
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.settings import Settings

MARIADB_URL = os.environ.get("TMS_TEST_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("TMS_REQUIRE_SERVICES", "") not in ("", "0", "false")

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1}
TEST_SECRET = "test-secret-key-" + "x" * 32


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    if _reachable(url, default_port):
        return
    message = f"{name} is not reachable at {urlsplit(url).netloc}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (TMS_REQUIRE_SERVICES is set: these tests must run)")
    pytest.skip(f"{message}: set TMS_TEST_{name.upper()}_URL or start {name} to run these tests")


def require_mariadb() -> None:
    require_service("MariaDB", MARIADB_URL, 3306)


def require_redis() -> None:
    require_service("Redis", REDIS_URL, 6379)


def make_settings(**overrides: object) -> Settings:
    base = Settings(
        env="test",
        secret_key=TEST_SECRET,
        # One per process: parallel test workers never share what a test leaves there.
        var_dir=str(Path(tempfile.gettempdir()) / f"tms-test-var-{os.getpid()}"),
        **FAST_HASHING,  # type: ignore[arg-type]
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


async def _create_mariadb_database() -> str:
    """A fresh database of its own, so tests never touch data they did not make."""
    import asyncmy

    url = make_url(MARIADB_URL)
    name = f"tms_t_{secrets.token_hex(4)}"
    conn = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    async with conn.cursor() as cursor:
        await cursor.execute(
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_mariadb_database(database_url: str) -> None:
    import asyncmy

    url = make_url(database_url)
    conn = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    async with conn.cursor() as cursor:
        await cursor.execute(f"DROP DATABASE IF EXISTS `{url.database}`")
    conn.close()


@pytest.fixture(params=["sqlite", "mariadb"])
def database_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "mariadb":
        require_mariadb()
    return str(request.param)


@contextlib.asynccontextmanager
async def fresh_mariadb_database() -> AsyncIterator[str]:
    url = await _create_mariadb_database()
    try:
        yield url
    finally:
        await _drop_mariadb_database(url)


@pytest.fixture
async def empty_database_url(database_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables yet, on SQLite or MariaDB."""
    if database_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
        return
    async with fresh_mariadb_database() as url:
        yield url


@pytest.fixture
async def mariadb_url() -> AsyncIterator[str]:
    """An empty MariaDB database of the test's own (skipped, or failed in CI, without one)."""
    require_mariadb()
    async with fresh_mariadb_database() as url:
        yield url


@pytest.fixture
async def database_url(empty_database_url: str) -> str:
    """A migrated database, on SQLite or MariaDB."""
    await schema.upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def memory_container(clock: FakeClock) -> AsyncIterator[Container]:
    """Every use case over the in-memory adapters, with a clock the test controls."""
    container = build_container(make_settings(storage="memory"))
    container.clock.override(clock)
    async with running(container):
        yield container


@contextlib.asynccontextmanager
async def container_on(database_url: str, clock: FakeClock) -> AsyncIterator[Container]:
    """Every use case over a migrated SQL database, with a clock the test controls."""
    container = build_container(make_settings(database_url=database_url))
    container.clock.override(clock)
    async with running(container):
        yield container


@pytest.fixture
async def sql_container(database_url: str, clock: FakeClock) -> AsyncIterator[Container]:
    """Every use case over SQL (SQLite and MariaDB), with a clock the test controls."""
    async with container_on(database_url, clock) as container:
        yield container


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(params=["memory", "sqlite", "mariadb"])
async def storage(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Container]:
    """Every use case and port over one storage adapter (in memory, SQLite, MariaDB), with a
    clock the test controls: the contract suite (tests/contract) runs each test over all
    three, so an adapter that passes behaves as the others do."""
    if request.param == "memory":
        container = build_container(make_settings(storage="memory"))
        container.clock.override(clock)
        try:
            yield container
        finally:
            container.hasher().shutdown()
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
        await schema.upgrade(url)
        async with container_on(url, clock) as container:
            yield container
        return
    require_mariadb()
    async with fresh_mariadb_database() as url:
        await schema.upgrade(url)
        async with container_on(url, clock) as container:
            yield container

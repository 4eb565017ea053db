"""Engines for SQLite (aiosqlite) and MySQL/MariaDB (asyncmy), set up alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tms_adapters.persistence.sql import sqlite_driver

WRITE_OPTION = "tms_write"
DRIVERS = {"sqlite": "aiosqlite", "mysql": "asyncmy", "mariadb": "asyncmy"}
"""The database kinds served, each with the asyncio driver installed for it."""


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def safe_url(url: str | URL) -> str:
    """The URL as it may be shown: never with its password."""
    return make_url(url).render_as_string(hide_password=True)


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a database URL here, said without its password; None
    when it will do."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "is not a database URL"
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    wanted = DRIVERS.get(backend)
    if wanted is None:
        return f"names a database this system does not use ({backend})"
    if driver != wanted:
        return f"needs the {wanted} driver for {backend} ({backend}+{wanted}://...), not {driver}"
    if backend == "sqlite" and not parsed.database:
        return "names no SQLite file"
    return None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    pool_timeout: float = 10,
    timeout: float | None = None,
) -> AsyncEngine:
    """``pool_size`` connections are kept and as many more opened under load; a request that
    finds none free for ``pool_timeout`` seconds fails (503) rather than queueing without
    end. ``timeout`` (MySQL/MariaDB): the longest wait, in seconds, to connect or to read one
    answer; a database that stops answering then fails the request (503) instead of hanging
    it. None (migrations, the CLI): no limit."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo, pool_size=pool_size, pool_timeout=pool_timeout)
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        return create_async_engine(
            parsed,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            # No ping before each checkout (a round trip per unit of work): connections are
            # replaced after 30 minutes, well within the server's wait_timeout (8 h by
            # default), and one found dead on use invalidates the pool's others (a 503 for
            # that request, or one retry of the token check: http/deps.py).
            pool_pre_ping=False,
            pool_recycle=1800,
            pool_timeout=pool_timeout,
            # Each statement sees what others have committed, so a rule checked after
            # taking a row lock sees the booking that the lock's previous holder made.
            isolation_level="READ COMMITTED",
            connect_args={"connect_timeout": timeout, "read_timeout": timeout} if timeout else {},
        )
    raise ValueError(f"Unsupported database URL: {safe_url(parsed)}")


def _sqlite_engine(url: URL, *, echo: bool, pool_size: int, pool_timeout: float) -> AsyncEngine:
    database = url.database or ""
    pooled: dict[str, Any] = {}
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        pooled = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": pool_timeout}
    if url.get_driver_name() == "aiosqlite":
        # One trip to the connection's thread per statement, not four (sqlite_driver.py).
        pooled["module"] = sqlite_driver.dbapi()
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **pooled)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writing unit of work takes SQLite's write lock at its start, so two of them
        # cannot both read, decide and then fail to upgrade: the second waits its turn.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine

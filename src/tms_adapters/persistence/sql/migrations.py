"""Schema migrations (Alembic), callable from code: the CLI and the server use these."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql.engine import create_engine, sqlite_file

MIGRATIONS = Path(__file__).with_name("migrations")
VERSIONS = "alembic_version"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    # Alembic's env.py runs its own event loop, so it runs in a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def pending(url: str) -> list[str]:
    """Revisions not yet applied, oldest first. Asking changes nothing: a SQLite file is read
    without being created, or set up as the app sets up its connections."""
    script = ScriptDirectory.from_config(alembic_config(url))
    path = sqlite_file(url)
    if path is not None:
        current = await asyncio.to_thread(_sqlite_heads, path)
    else:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                current = await connection.run_sync(_current_heads)
        finally:
            await engine.dispose()
    upgrades = script.iterate_revisions("heads", current or "base")
    return [revision.revision for revision in reversed(list(upgrades))]


def head_revisions() -> frozenset[str]:
    """The revisions a database must have applied to be up to date with this code."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def applied_revisions(connection: AsyncConnection) -> frozenset[str]:
    """The revisions the database has applied (none when it was never migrated): read from
    Alembic's table directly, which logs nothing (a readiness probe asks often)."""
    if not await connection.run_sync(lambda sync: sqlalchemy.inspect(sync).has_table(VERSIONS)):
        return frozenset()
    rows = await connection.execute(sqlalchemy.text(f"SELECT version_num FROM {VERSIONS}"))  # noqa: S608
    return frozenset(str(version) for version in rows.scalars())


def _sqlite_heads(path: Path) -> tuple[str, ...]:
    if not path.exists():
        return ()
    engine = sqlalchemy.create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True),
    )
    try:
        with engine.connect() as connection:
            return _current_heads(connection)
    finally:
        engine.dispose()


def _current_heads(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection).get_current_heads()

"""The earlier system's database in MariaDB for the legacy import's tests: a database of
the test's own (legacy_<random>), loaded with ../shared/legacy's schema and sample, dropped
afterwards."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import make_url

from conftest import MARIADB_URL, require_mariadb

LEGACY_FILES = Path(__file__).resolve().parents[1] / "tests" / "data" / "legacy"
SCHEMA = LEGACY_FILES / "schema.sql"
SAMPLE = LEGACY_FILES / "sample.sql"


def statements(script: str) -> list[str]:
    """The script's statements: each ends with ``;`` at the end of a line (none of the
    fixtures' values holds one), comment lines left out."""
    found = []
    for chunk in script.split(";\n"):
        lines = [line for line in chunk.splitlines() if not line.lstrip().startswith("--")]
        statement = "\n".join(lines).strip().rstrip(";")
        if statement:
            found.append(statement)
    return found


async def _server_connection():  # type: ignore[no-untyped-def]
    import asyncmy

    url = make_url(MARIADB_URL)
    return await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        charset="utf8mb4",
    )


async def run_sql(database: str, *scripts: str) -> None:
    conn = await _server_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(f"USE `{database}`")
            for script in scripts:
                for statement in statements(script):
                    await cursor.execute(statement)
        await conn.commit()
    finally:
        conn.close()


@contextlib.asynccontextmanager
async def legacy_database(*extra: str) -> AsyncIterator[str]:
    """The sample loaded (then ``extra`` scripts run); yields its mysql+asyncmy URL."""
    require_mariadb()
    name = f"legacy_{secrets.token_hex(4)}"
    conn = await _server_connection()
    try:
        async with conn.cursor() as cursor:
            await cursor.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    finally:
        conn.close()
    try:
        await run_sql(name, SCHEMA.read_text("utf-8"), SAMPLE.read_text("utf-8"), *extra)
        yield make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await _server_connection()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()

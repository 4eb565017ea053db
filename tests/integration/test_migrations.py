"""The migrations build exactly the schema of tables.py, tear it down, and build it again,
on SQLite and on MariaDB."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from tms_adapters.persistence.sql import create_engine
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql.tables import metadata

SCHEMA_TABLES = set(metadata.tables)


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


async def tables_in(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_table_names)
    finally:
        await engine.dispose()


async def differences_from_models(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences)
    finally:
        await engine.dispose()


def test_the_schema_has_the_tables_the_adapters_use() -> None:
    assert {"users", "sign_ins", "training_sessions", "enrolments", "events"} <= SCHEMA_TABLES


async def test_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    assert await tables_in(empty_database_url) == set()
    assert await schema.pending(empty_database_url) != []

    await schema.upgrade(empty_database_url)
    assert await tables_in(empty_database_url) == SCHEMA_TABLES
    assert await schema.pending(empty_database_url) == []

    await schema.downgrade(empty_database_url, "base")
    assert await tables_in(empty_database_url) == set()
    missing = await differences_from_models(empty_database_url)
    assert {diff[1].name for diff in missing if diff[0] == "add_table"} == SCHEMA_TABLES

    await schema.upgrade(empty_database_url)
    assert await tables_in(empty_database_url) == SCHEMA_TABLES


async def test_the_models_match_the_migrations(database_url: str) -> None:
    assert await differences_from_models(database_url) == []

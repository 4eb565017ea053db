"""The migrations build exactly the schema of tables.py, tear it down, and build it again,
on SQLite and on MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, Integer, column, insert, inspect, table, update
from sqlalchemy.engine import Connection

from conftest import FakeClock, container_on
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


async def test_the_audience_index_is_filled_for_the_events_already_stored(
    empty_database_url: str,
) -> None:
    """Events stored before revision 0002 are replayed to their audience after it."""
    url = empty_database_url
    await schema.upgrade(url, "0001")
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    events = table(
        "events",
        column("id", Integer),
        column("type"),
        column("data", JSON),
        column("audience", JSON),
        column("at"),
    )
    stored = [
        ("user_created", []),
        ("session_updated", [1, 2]),
        ("notification", [2]),
        ("attendance_marked", [1, 3]),
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(events),
                [
                    {"id": n, "type": kind, "data": {}, "audience": {"users": users}, "at": at}
                    for n, (kind, users) in enumerate(stored, start=1)
                ],
            )
            sequence = table("event_sequence", column("id", Integer), column("last_id", Integer))
            await connection.execute(update(sequence).values(last_id=len(stored)))
    finally:
        await engine.dispose()

    await schema.upgrade(url)

    clock = FakeClock()
    not_before = clock.now() - timedelta(days=1)
    async with container_on(url, clock) as container, container.uow()(read_only=True) as uow:
        heard = {
            user: await uow.events.replay(user, 0, 4, limit=10, not_before=not_before)
            for user in (1, 2, 3, None)
        }
    assert {user: [e.type for e in events or []] for user, events in heard.items()} == {
        1: ["session_updated", "attendance_marked"],
        2: ["session_updated", "notification"],
        3: ["attendance_marked"],
        None: [kind for kind, _ in stored],
    }

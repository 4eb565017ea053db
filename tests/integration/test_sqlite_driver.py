"""SQLite's statements make one trip to aiosqlite's thread each, and answer as the driver
does (persistence/sql/sqlite_driver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from tms_adapters.persistence.sql.engine import create_engine

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


class Trips:
    """Counts the calls made in aiosqlite's connection threads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = aiosqlite.Connection._execute

        async def counted(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await real(connection, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_a_statement_is_one_trip_to_the_connection_s_thread(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.connect() as conn:
        await conn.execute(insert(things), [{"name": "a"}, {"name": "b"}])
        trips = Trips(monkeypatch)
        rows = (await conn.execute(select(things.c.name).order_by(things.c.id))).all()
        assert [row.name for row in rows] == ["a", "b"]
        assert trips.count == 1
        await conn.execute(update(things).where(things.c.name == "a").values(name="c"))
        assert trips.count == 2


async def test_rows_counts_keys_and_errors_are_the_driver_s(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(insert(things).values(name="first"))
        assert inserted.inserted_primary_key == (1,)
        many = await conn.execute(insert(things), [{"name": f"n{i}"} for i in range(5)])
        assert many.rowcount == 5
        changed = await conn.execute(
            update(things).where(things.c.name.like("n%")).values(name=things.c.name + "!")
        )
        assert changed.rowcount == 5
        nothing = await conn.execute(update(things).where(things.c.id == 99).values(name="x"))
        assert nothing.rowcount == 0
        first = (await conn.execute(select(things).where(things.c.id == 1))).one()
        assert tuple(first) == (1, "first")
        assert (await conn.execute(text("SELECT count(*) FROM things"))).scalar_one() == 6
        with pytest.raises(IntegrityError):
            await conn.execute(insert(things).values(name="first"))
    async with engine.connect() as conn:
        with pytest.raises(OperationalError):
            await conn.execute(text("SELECT nope FROM things"))


async def test_a_rolled_back_transaction_leaves_nothing(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        await conn.execute(insert(things).values(name="gone"))
        await conn.rollback()
    async with engine.connect() as conn:
        assert (await conn.execute(select(things))).all() == []


async def test_streamed_results_still_arrive_in_batches(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(things), [{"name": f"s{i:03}"} for i in range(250)])
    async with engine.connect() as conn:
        result = await conn.stream(select(things.c.name).order_by(things.c.name))
        names = [row.name async for row in result]
    assert names == [f"s{i:03}" for i in range(250)]

"""``insert_many`` (the SQL adapters' bulk writer, which binds values itself instead of
through SQLAlchemy's per-row processing) stores what SQLAlchemy's own executemany stores,
on SQLite and MariaDB: timestamps in UTC to the microsecond (whatever the offset given),
JSON with any text, NULLs and booleans; a naive timestamp is refused; a taken unique key is
skipped by an ignoring insert and fails a plain one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.bulk import can_return, insert_many, insert_returning
from tms_adapters.persistence.sql.engine import create_engine
from tms_adapters.persistence.sql.learning_rows import insert_ignoring_duplicates

MOMENT = datetime(2026, 12, 7, 5, 4, 3, 21, tzinfo=UTC)
ELSEWHERE = timezone(timedelta(hours=5, minutes=30))


def job(key: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "bench.bulk",
        "idempotency_key": key,
        "payload": {"text": 'Grüße, 日本語 "quoted" \\ </script>', "n": [1, 2.5, None, True]},
        "status": "queued",
        "attempts": 0,
        "run_after": MOMENT,
        "lease_until": None,
        "created_at": MOMENT,
        "updated_at": MOMENT.astimezone(ELSEWHERE) + timedelta(microseconds=1),
        **changes,
    }


async def stored(conn: Any, key: str) -> Any:
    j = t.jobs
    query = select(j).where(j.c.kind == "bench.bulk", j.c.idempotency_key == key)
    return (await conn.execute(query)).one()


async def test_rows_read_back_as_sqlalchemy_writes_them(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            written = await insert_many(conn, insert(t.jobs), [job("a"), job("b", attempts=3)])
            await conn.execute(insert(t.jobs), [job("c"), job("d", attempts=3)])
            assert written == 2
            for mine, theirs in (("a", "c"), ("b", "d")):
                ours, reference = await stored(conn, mine), await stored(conn, theirs)
                for column in ("payload", "status", "attempts", "run_after", "lease_until"):
                    assert getattr(ours, column) == getattr(reference, column), column
                assert ours.created_at == MOMENT
                assert ours.updated_at == MOMENT + timedelta(microseconds=1)
                assert ours.updated_at.tzinfo is UTC
            # Compared in SQL too: the text stored orders and matches as SQLAlchemy's does.
            j = t.jobs
            same_moment = select(j.c.idempotency_key).where(
                j.c.kind == "bench.bulk", j.c.created_at == MOMENT, j.c.run_after <= MOMENT
            )
            assert sorted((await conn.execute(same_moment)).scalars()) == ["a", "b", "c", "d"]
    finally:
        await engine.dispose()


async def test_duplicates_and_naive_moments(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await insert_many(conn, insert(t.jobs), [job("x")])
            again = insert_ignoring_duplicates(conn, t.jobs)
            assert await insert_many(conn, again, [job("x", attempts=9), job("y")]) == 1
            assert (await stored(conn, "x")).attempts == 0
            assert (await stored(conn, "y")).attempts == 0
            naive = MOMENT.replace(tzinfo=None)
            with pytest.raises(ValueError, match="naive"):
                await insert_many(conn, insert(t.jobs), [job("z", run_after=naive)])
        async with engine.connect() as conn:
            with pytest.raises(IntegrityError):
                await insert_many(conn, insert(t.jobs), [job("x")])
    finally:
        await engine.dispose()


async def test_nothing_to_write(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            assert await insert_many(conn, insert(t.jobs), []) == 0
    finally:
        await engine.dispose()


async def test_returning_answers_the_rows_written_only(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            if not can_return(conn):
                pytest.skip("this database does not answer an INSERT with its rows")
            await insert_many(conn, insert(t.jobs), [job("k0007"), job("k1100")])
            rows = [job(f"k{n:04d}") for n in range(1201)]  # three statements of 500
            written = await insert_returning(
                conn, insert_ignoring_duplicates(conn, t.jobs), rows, ["id", "idempotency_key"]
            )
            keys = [key for _, key in written]
            assert sorted(keys) == sorted(f"k{n:04d}" for n in range(1201) if n not in (7, 1100))
            for row_id, key in written:
                assert (await stored(conn, key)).id == row_id
                assert (await stored(conn, key)).created_at == MOMENT
    finally:
        await engine.dispose()

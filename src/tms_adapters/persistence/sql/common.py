"""What every SQL adapter shares: bounded IN lists, conflicts read from the database's
unique keys, and many rows inserted per statement with their new ids."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_domain.kernel import Conflict

CHUNK = 2000
"""Bound on the ids sent in one IN list (SQLite limits bound parameters)."""
T = TypeVar("T")


def chunks(ids: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def conflict_for(error: IntegrityError, messages: dict[str, str], default: str) -> Conflict:
    text = str(error.orig)
    for marker, message in messages.items():
        if marker in text:
            return Conflict(message)
    return Conflict(default)


async def insert_returning_ids(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    key_of: Callable[[Sequence[Any]], Hashable] = tuple,
) -> list[int]:
    """Many rows per statement; their new ids come back with a unique key of each row
    (``keys``, the columns ``key_of`` reads), by which they are put in the rows' order.
    (Asking for them in parameter order would cost SQLAlchemy a statement per row.) A
    statement that fails inserts none of its rows."""
    if not rows:
        return []
    result = await conn.execute(
        insert(table).returning(table.c.id, *(table.c[k] for k in keys)), list(rows)
    )
    ids = {key_of(found[1:]): int(found[0]) for found in result.all()}
    return [ids[key_of([row[k] for k in keys])] for row in rows]

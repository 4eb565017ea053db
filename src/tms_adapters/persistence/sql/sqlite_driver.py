"""SQLite through aiosqlite with one trip to its thread per statement.

aiosqlite runs each connection's sqlite3 calls in a thread of its own, and SQLAlchemy's
adapter makes four calls per statement: open a cursor, execute, fetch the rows, close the
cursor. Each is a trip to that thread and back (a queue, a wake-up, a callback on the
event loop), and on a listing of four statements those trips cost more of the event loop
than the statements themselves. ``OneTripCursor`` does the four in one call in the thread
and keeps what the sqlite3 cursor said (description, row count, last row id, the rows);
everything else is SQLAlchemy's adapter as it is: the same statements, parameters,
transactions, errors (raised in the thread, adapted on the loop) and per-connection lock.

``dbapi()`` is passed to ``create_async_engine`` as its DBAPI module (engine.py). Server-
side cursors (``stream_results``) keep SQLAlchemy's own cursor.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

_Outcome = tuple[Any, list[Any] | None, int, int | None]


class _Finished:
    """What SQLAlchemy reads of a DBAPI cursor once its statement has run."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def close(self) -> None:
        """Nothing to close: the sqlite3 cursor was closed in the thread."""


def _execute(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any] | None
) -> _Outcome:
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _execute_many(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Sequence[Any]]
) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, None, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Finished()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            return self._keep(await self._run(_execute, operation, parameters))

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            return self._keep(await self._run(_execute_many, operation, seq_of_parameters))

    async def _run(self, step: Any, operation: Any, parameters: Any) -> _Outcome:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        run: Any = connection._execute  # aiosqlite's: a call in the connection's thread
        outcome: _Outcome = await run(step, connection._conn, operation, parameters)
        return outcome

    def _keep(self, outcome: _Outcome) -> None:
        description, rows, rowcount, lastrowid = outcome
        finished: Any = self._cursor
        finished.description = description
        finished.rowcount = rowcount
        finished.lastrowid = lastrowid
        if rows is not None:
            self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)

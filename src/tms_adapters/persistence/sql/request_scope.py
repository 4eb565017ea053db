"""One database connection for the reads of one request.

A request used to open a unit of work to check its token and another for the handler's
work: two pool checkouts, two BEGINs and two ROLLBACKs, each a round trip to the database,
which cost a small listing more than its query. Inside ``shared_reads()`` (an HTTP
request, see ``tms_entrypoints.http.scope``), the read-only units of work of the request
share one connection and one transaction, opened by the first of them and closed when
the scope ends.

Rules:
- only read-only units of work share; a writing one gets a connection of its own, as
  ever, and ends the shared read transaction first: a read after a write in the same
  request must see that write (SQLite holds a read transaction to the snapshot it began
  with), and the connection goes back to the pool while the write runs;
- reads that overlap in time (``asyncio.gather`` within a request) cannot share a
  connection: the second gets one of its own;
- a read that fails on a storage error closes the shared connection: the next read of the
  request opens a fresh one (after a disconnection the pool hands out no stale one);
- outside a scope (CLI, jobs, WebSockets, tests), every unit of work has its own
  connection, exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class SharedReads:
    """The request's shared read connection, opened on first use."""

    __slots__ = ("_busy", "_conn", "_engine", "_outdated", "closed")

    def __init__(self) -> None:
        self._conn: AsyncConnection | None = None
        self._engine: AsyncEngine | None = None
        self._busy = False
        self._outdated = False
        self.closed = False

    def available(self, engine: AsyncEngine) -> bool:
        """Whether a read-only unit of work on ``engine`` may use the shared connection now."""
        return not self.closed and not self._busy and self._engine in (None, engine)

    async def acquire(self, engine: AsyncEngine) -> AsyncConnection:
        """The shared connection, in its transaction (opened now if need be)."""
        self._busy = True
        if self._conn is None:
            try:
                conn = await engine.connect()
                await conn.begin()
            except BaseException:
                self._busy = False
                raise
            self._conn, self._engine = conn, engine
        return self._conn

    async def release(self, *, failed: bool) -> None:
        """Done with the connection for now; after a storage error it is closed."""
        self._busy = False
        if failed or self.closed or self._outdated:
            await self.end()

    async def end(self) -> None:
        """Close the shared transaction and return its connection to the pool (a later
        read in the same scope opens another). While a unit of work is using it (a write
        opened inside a read), it is closed when that one is done with it."""
        if self._busy:
            self._outdated = True
            return
        self._outdated = False
        conn, self._conn, self._engine = self._conn, None, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:
                log.warning("closing a shared read connection failed", exc_info=True)

    async def close(self) -> None:
        """The scope is over: later units of work get their own connections."""
        self.closed = True
        await self.end()


_current: ContextVar[SharedReads | None] = ContextVar("tms_shared_reads", default=None)


def current_shared_reads() -> SharedReads | None:
    return _current.get()


@asynccontextmanager
async def shared_reads() -> AsyncIterator[SharedReads]:
    """A scope whose read-only units of work share one connection; closed on leaving."""
    scope = SharedReads()
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
        await scope.close()


def lost_connection(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is a pooled connection found dead as it was
    used. Pools take connections as they are, without a ping per checkout: a database
    restarted, or a connection dropped by the network, shows as this error on the first
    statement, after which the pool has invalidated the connections it held. Only a
    statement that changed nothing may then be retried."""
    while error is not None:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__  # type: ignore[assignment]
    return False

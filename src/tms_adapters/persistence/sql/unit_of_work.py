"""The SQL unit of work: one connection, one transaction, events stored before commit."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_adapters.persistence.sql.engine import WRITE_OPTION
from tms_adapters.persistence.sql.event_store import SqlaEventStore
from tms_adapters.persistence.sql.jobs import SqlaJobs
from tms_adapters.persistence.sql.repositories import (
    SqlaAssignmentRepository,
    SqlaAttendanceRepository,
    SqlaAuditLog,
    SqlaSessionRepository,
    SqlaSignInRepository,
    SqlaUserRepository,
)
from tms_domain.kernel import Clock, DomainEvent, EventPublisher, StorageUnavailable

log = logging.getLogger(__name__)

STORAGE_DOWN = "The database is unavailable right now: try again shortly"


def storage_error(error: BaseException) -> bool:
    """Faults of the store itself (unreachable, restarting, timed out, no connection free in
    the pool), not of the request: a bad statement or value is a bug to see as such, not a
    503."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(
        error, PoolTimeout | DisconnectionError | TimeoutError | OSError | ConnectionError
    )


class SqlaUnitOfWork:
    users: SqlaUserRepository
    sign_ins: SqlaSignInRepository
    sessions: SqlaSessionRepository
    assignments: SqlaAssignmentRepository
    attendance: SqlaAttendanceRepository
    audit: SqlaAuditLog
    events: SqlaEventStore
    jobs: SqlaJobs

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        publisher: EventPublisher,
        *,
        read_only: bool,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._publisher = publisher
        self._read_only = read_only
        self._conn: AsyncConnection | None = None
        self._pending: list[DomainEvent] = []

    async def __aenter__(self) -> Self:
        try:
            conn = await self._engine.connect()
            if not self._read_only:
                conn = await conn.execution_options(**{WRITE_OPTION: True})
            await conn.begin()
        except Exception as error:
            if storage_error(error):
                log.warning("database unavailable: %s", error)
                raise StorageUnavailable(STORAGE_DOWN) from error
            raise
        self._conn = conn
        self.users = SqlaUserRepository(conn)
        self.sign_ins = SqlaSignInRepository(conn)
        self.sessions = SqlaSessionRepository(conn)
        self.assignments = SqlaAssignmentRepository(conn)
        self.attendance = SqlaAttendanceRepository(conn)
        self.audit = SqlaAuditLog(conn)
        self.events = SqlaEventStore(conn, self._clock)
        self.jobs = SqlaJobs(conn, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # Closing rolls back whatever was not committed, in one round trip: an explicit
            # rollback first would be followed by the pool's own on return.
            try:
                await conn.close()
            except Exception:
                log.warning("closing a connection failed", exc_info=True)
        if exc is not None and storage_error(exc):
            log.warning("database unavailable: %s", exc)
            raise StorageUnavailable(STORAGE_DOWN) from exc

    def record(self, event: DomainEvent) -> None:
        self._pending.append(event)

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside the unit of work"  # noqa: S101
        events, self._pending = self._pending, []
        await self.events.append(events)
        await self.jobs.flush()
        await self._conn.commit()
        if events:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        if self._conn is not None:
            await self._conn.rollback()
            self.jobs = SqlaJobs(self._conn, self._clock)
        self._pending.clear()


class SqlaUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, clock: Clock, publisher: EventPublisher) -> None:
        self._engine = engine
        self._clock = clock
        self._publisher = publisher

    def __call__(self, *, read_only: bool = False) -> SqlaUnitOfWork:
        return SqlaUnitOfWork(self._engine, self._clock, self._publisher, read_only=read_only)

"""Cheap round trips to the database, for health checks: can it be reached, and is its
schema the one this code expects."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tms_adapters.persistence.sql.migrations import applied_revisions, head_revisions

log = logging.getLogger(__name__)


class StorageProbe:
    def __init__(self, engine: AsyncEngine | None, timeout: float = 3.0) -> None:
        self._engine = engine
        self._timeout = timeout

    async def reachable(self) -> bool:
        if self._engine is None:
            return True
        try:
            async with asyncio.timeout(self._timeout), self._engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("database health check failed: %s", error)
            return False
        return True


class SchemaProbe:
    """Whether migrations are pending: the revisions the database has applied (one read of
    alembic_version) against this code's heads (read once)."""

    def __init__(self, engine: AsyncEngine | None, timeout: float = 3.0) -> None:
        self._engine = engine
        self._timeout = timeout
        self._heads: frozenset[str] | None = None

    async def pending(self) -> bool | None:
        """True when migrations are pending, False when the schema is current, None when the
        database cannot be asked."""
        if self._engine is None:
            return False
        if self._heads is None:
            self._heads = await asyncio.to_thread(head_revisions)
        try:
            async with asyncio.timeout(self._timeout), self._engine.connect() as conn:
                applied = await applied_revisions(conn)
        except Exception as error:
            log.warning("reading the schema's revision failed: %s", error)
            return None
        return applied != self._heads

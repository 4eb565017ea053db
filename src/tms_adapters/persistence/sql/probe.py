"""A cheap round trip to the database, for health checks."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

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

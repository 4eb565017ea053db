"""A cheap round trip to Redis, for readiness checks (when Redis is configured)."""

from __future__ import annotations

import logging

from redis.asyncio import Redis

log = logging.getLogger(__name__)


class RedisProbe:
    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._client: Redis | None = (
            Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            if url
            else None
        )

    @property
    def configured(self) -> bool:
        return self._client is not None

    async def reachable(self) -> bool:
        if self._client is None:
            return True
        try:
            await self._client.ping()
        except Exception as error:
            log.warning("Redis health check failed: %s", error)
            return False
        return True

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

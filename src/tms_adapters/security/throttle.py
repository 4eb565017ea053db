"""Failed sign-in counters: in memory for one process, in Redis for several."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from redis.asyncio import Redis

KEEP_SECONDS = 24 * 3600
"""A run of failures is forgotten a day after its last failure."""


class MemoryAttemptStore:
    def __init__(self) -> None:
        self._runs: dict[str, tuple[int, datetime]] = {}
        self._windows: dict[str, tuple[int, int]] = {}

    async def failures(self, key: str) -> tuple[int, datetime | None]:
        count, last = self._runs.get(key, (0, None))
        return count, last

    async def add_failure(self, key: str, at: datetime) -> int:
        count = self._runs.get(key, (0, at))[0] + 1
        self._runs[key] = (count, at)
        return count

    async def clear(self, key: str) -> None:
        self._runs.pop(key, None)

    def _window(self, window_seconds: int) -> int:
        return int(time.monotonic() // window_seconds)

    async def recent(self, key: str, window_seconds: int) -> int:
        window, count = self._windows.get(key, (-1, 0))
        return count if window == self._window(window_seconds) else 0

    async def add_recent(self, key: str, window_seconds: int) -> int:
        current = self._window(window_seconds)
        window, count = self._windows.get(key, (current, 0))
        count = count + 1 if window == current else 1
        self._windows[key] = (current, count)
        return count

    async def close(self) -> None:
        """Nothing to release (the Redis store closes its connections)."""


class RedisAttemptStore:
    """One hash per account key (count, last failure) and one counter per address and
    minute; every update is a single atomic Redis transaction."""

    def __init__(self, url: str, prefix: str = "tms:signin:") -> None:
        self._redis: Redis = Redis.from_url(url)
        self._prefix = prefix

    async def failures(self, key: str) -> tuple[int, datetime | None]:
        values = await self._redis.hmget(self._prefix + key, ["count", "last"])
        if values[0] is None:
            return 0, None
        last = datetime.fromtimestamp(float(values[1]), UTC) if values[1] else None
        return int(values[0]), last

    async def add_failure(self, key: str, at: datetime) -> int:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", str(at.timestamp()))
            pipe.expire(name, KEEP_SECONDS)
            count, *_ = await pipe.execute()
        return int(count)

    async def clear(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    def _window_key(self, key: str, window_seconds: int) -> str:
        return f"{self._prefix}window:{key}:{int(time.time() // window_seconds)}"

    async def recent(self, key: str, window_seconds: int) -> int:
        value = await self._redis.get(self._window_key(key, window_seconds))
        return int(value or 0)

    async def add_recent(self, key: str, window_seconds: int) -> int:
        name = self._window_key(key, window_seconds)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds * 2)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()

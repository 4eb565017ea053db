"""Carrying committed events between app processes with Litestar Channels: the in-memory
backend for one process, Redis pub/sub for several."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend

from tms_adapters.realtime.hub import EventHub
from tms_adapters.realtime.wire import audience_from_json, audience_json
from tms_domain.kernel import StoredEvent

log = logging.getLogger(__name__)

CHANNEL = "tms.events"


class EventChannels(ChannelsPlugin):
    """The channels plugin and the one channel committed events travel on."""

    def __init__(self, backend: Any, channel: str) -> None:
        super().__init__(backend=backend, channels=[channel])
        self.channel = channel


def channel_name(redis_url: str) -> str:
    """Redis pub/sub channels ignore database numbers (and the backend's key prefix), so
    the name carries the number: deployments given different databases of one Redis never
    hear each other's events."""
    if not redis_url:
        return CHANNEL
    parts = urlsplit(redis_url)
    database = parse_qs(parts.query).get("db", [parts.path.strip("/") or "0"])[0]
    return f"{CHANNEL}.db{database}"


def build_channels(redis_url: str) -> EventChannels:
    if redis_url:
        from redis.asyncio import Redis

        backend: Any = RedisChannelsPubSubBackend(redis=Redis.from_url(redis_url))
    else:
        backend = MemoryChannelsBackend()
    return EventChannels(backend, channel_name(redis_url))


def _encode(events: Sequence[StoredEvent]) -> bytes:
    return msgspec.json.encode(
        [
            {
                "id": e.id,
                "type": e.type,
                "data": e.data,
                "audience": audience_json(e.audience),
                "at": e.at.isoformat() if e.at else None,
            }
            for e in events
        ]
    )


def _decode(payload: bytes) -> list[StoredEvent]:
    return [
        StoredEvent(
            type=item["type"],
            data=item["data"],
            audience=audience_from_json(item["audience"]),
            id=item["id"],
            at=datetime.fromisoformat(item["at"]) if item.get("at") else None,
        )
        for item in msgspec.json.decode(payload)
    ]


class ChannelsEventPublisher:
    """Publishes committed events to every app process. Best effort: an event that does not
    get through is read from the event store by each process's poll."""

    def __init__(self, channels: EventChannels) -> None:
        self._channels = channels

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        try:
            self._channels.publish(_encode(events), self._channels.channel)
        except RuntimeError:
            # Channels run only inside the server; elsewhere (CLI, embedding) the events wait
            # in the store for a server's poll.
            log.debug("channels not running: %d event(s) left to the poll", len(events))
        except Exception:
            log.warning("could not publish %d event(s); the poll will deliver them", len(events))


class ChannelsRelay:
    """Feeds what the channels backend receives into this process's hub."""

    def __init__(self, channels: EventChannels, hub: EventHub) -> None:
        self._channels = channels
        self._hub = hub
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        subscriber = await self._channels.subscribe(self._channels.channel)
        self._task = asyncio.create_task(self._run(subscriber), name="channels-relay")

    async def _run(self, subscriber: Any) -> None:
        try:
            async for payload in subscriber.iter_events():
                try:
                    await self._hub.ingest(_decode(payload))
                except Exception:
                    log.warning("could not deliver published events", exc_info=True)
        finally:
            with contextlib.suppress(Exception):
                await self._channels.unsubscribe(subscriber)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

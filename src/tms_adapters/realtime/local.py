"""An in-process publisher: listeners in this process receive every committed event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from tms_domain.model import DomainEvent

log = logging.getLogger(__name__)

Listener = Callable[[Sequence[DomainEvent]], Awaitable[None]]


class LocalEventPublisher:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for listener in list(self._listeners):
            try:
                await listener(events)
            except Exception:
                log.exception("an event listener failed")

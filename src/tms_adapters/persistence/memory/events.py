"""The event store in memory: ids in order, an index by recipient."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Sequence
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.kernel import Clock, StoredEvent


def _event_id(event: StoredEvent) -> int:
    return event.id or 0


class MemoryEventStore:
    def __init__(self, state: State, clock: Clock) -> None:
        self._s = state
        self._clock = clock

    async def append(self, events: Sequence[StoredEvent]) -> None:
        now = self._clock.now()
        for event in events:
            self._s.last_event_id += 1
            event.id = self._s.last_event_id
            event.at = now
            stored = copy.deepcopy(event)
            self._s.events.append(stored)
            for user_id in event.audience.user_ids:
                self._s.events_for.setdefault(user_id, []).append(stored)

    async def since(self, last_id: int, *, limit: int) -> list[StoredEvent]:
        events = self._s.events
        start = bisect.bisect_right(events, last_id, key=_event_id)
        return copy.deepcopy(events[start : start + limit])

    async def replay(
        self, user_id: int | None, after: int, until: int, *, limit: int, not_before: datetime
    ) -> list[StoredEvent] | None:
        if after >= until:
            return []
        events = self._s.events
        found = bisect.bisect_right(events, after, key=_event_id)
        first = events[found] if found < len(events) else None
        if first is None or first.id != after + 1 or first.at is None or first.at < not_before:
            return None
        listed = events if user_id is None else self._s.events_for.get(user_id, [])
        start = bisect.bisect_right(listed, after, key=_event_id)
        end = bisect.bisect_right(listed, until, key=_event_id)
        if end - start > limit:
            return None
        return copy.deepcopy(listed[start:end])

    async def last_id(self) -> int:
        return self._s.last_event_id

    async def prune(self, before: datetime) -> int:
        def kept(events: list[StoredEvent]) -> list[StoredEvent]:
            return [e for e in events if e.at is not None and e.at >= before]

        pruned = len(self._s.events)
        self._s.events = kept(self._s.events)
        pruned -= len(self._s.events)
        self._s.events_for = {
            user_id: left
            for user_id, events in self._s.events_for.items()
            if (left := kept(events))
        }
        return pruned

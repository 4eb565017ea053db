"""The outbox: events stored in the transaction that caused them, numbered in commit order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.bulk import insert_many
from tms_adapters.realtime.wire import audience_from_json, audience_json
from tms_domain.kernel import Clock, StoredEvent

REPLAY_BATCH = 100
"""Replayed rows made into events at a time."""


def _event(row: Any) -> StoredEvent:
    return StoredEvent(
        type=row.type,
        data=row.data,
        audience=audience_from_json(row.audience),
        id=row.id,
        at=row.at,
    )


class SqlaEventStore:
    """Ids come from one counter row that each writing transaction updates just before it
    commits: the row lock orders the transactions, so ids grow in commit order and a reader
    who has seen id N has seen every event below it."""

    def __init__(self, conn: AsyncConnection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    async def append(self, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        seq = t.event_sequence
        await self._conn.execute(
            update(seq).where(seq.c.id == 1).values(last_id=seq.c.last_id + len(events))
        )
        last = int(
            (await self._conn.execute(select(seq.c.last_id).where(seq.c.id == 1))).scalar_one()
        )
        now = self._clock.now()
        first = last - len(events) + 1
        for offset, event in enumerate(events):
            event.id = first + offset
            event.at = now
        await insert_many(
            self._conn,
            insert(t.events),
            [
                {
                    "id": event.id,
                    "type": event.type,
                    "data": event.data,
                    "audience": audience_json(event.audience),
                    "at": event.at,
                }
                for event in events
            ],
        )
        listed = [
            {"event_id": event.id, "user_id": user_id}
            for event in events
            for user_id in event.audience.user_ids
        ]
        if listed:
            await insert_many(self._conn, insert(t.event_audience), listed)

    async def since(self, last_id: int, *, limit: int) -> list[StoredEvent]:
        e = t.events
        rows = await self._conn.execute(
            select(e).where(e.c.id > last_id).order_by(e.c.id).limit(limit)
        )
        return [_event(row) for row in rows]

    async def replay(
        self, user_id: int | None, after: int, until: int, *, limit: int, not_before: datetime
    ) -> list[StoredEvent] | None:
        """Counts at most ``limit + 1`` entries of one index range (the user's in
        event_audience, or the events' own ids) before it reads any event, so a resume
        from far back costs what one from near does."""
        if after >= until:
            return []
        e, a = t.events, t.event_audience
        first = await self._conn.execute(select(e.c.at).where(e.c.id == after + 1))
        first_at = first.scalar()
        if first_at is None or first_at < not_before:
            return None
        if user_id is None:
            key = e.c.id
            ids = select(key).where(key > after, key <= until)
            query = select(e)
        else:
            key = a.c.event_id
            ids = select(key).where(a.c.user_id == user_id, key > after, key <= until)
            query = select(e).join(a, key == e.c.id).where(a.c.user_id == user_id)
        missed = select(func.count()).select_from(ids.limit(limit + 1).subquery())
        if int((await self._conn.execute(missed)).scalar_one()) > limit:
            return None
        result = await self._conn.stream(query.where(key > after, key <= until).order_by(key))
        # Rows are turned into events a batch at a time, letting the process's other work
        # run in between.
        return [_event(row) async for batch in result.partitions(REPLAY_BATCH) for row in batch]

    async def last_id(self) -> int:
        seq = t.event_sequence
        value = (await self._conn.execute(select(seq.c.last_id).where(seq.c.id == 1))).scalar()
        return int(value or 0)

    async def prune(self, before: datetime) -> int:
        result = await self._conn.execute(delete(t.events).where(t.events.c.at < before))
        return int(result.rowcount)

    async def count(self) -> int:
        return int(
            (await self._conn.execute(select(func.count()).select_from(t.events))).scalar_one()
        )

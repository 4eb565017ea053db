"""The event store's replay, in memory and on SQLite and MariaDB alike: a user's own events
after an id, every event for those who hear everything, and None whenever the events asked
for cannot all be given (too many, pruned, or older than the window)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conftest import FakeClock
from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Audience, StoredEvent
from tms_entrypoints.container import Container

FAR_BACK = timedelta(days=365)


async def record(container: Container, *events: tuple[str, set[int]]) -> list[int]:
    """Store the events (type, audience) in one transaction: their ids."""
    made = [
        StoredEvent(kind, {"n": n}, Audience(frozenset(users)))
        for n, (kind, users) in enumerate(events)
    ]
    async with container.uow()() as uow:
        await uow.events.append(made)
        await uow.commit()
    return [event.id or 0 for event in made]


async def replay(
    container: Container,
    user_id: int | None,
    after: int,
    until: int,
    *,
    limit: int = 100,
    window: timedelta = FAR_BACK,
) -> list[int] | None:
    async with container.uow()(read_only=True) as uow:
        events = await uow.events.replay(
            user_id,
            after,
            until,
            limit=limit,
            not_before=container.clock().now() - window,
        )
    return None if events is None else [event.id or 0 for event in events]


async def check_the_replay_contract(container: Container, clock: FakeClock) -> None:
    ids = await record(
        container,
        ("user_created", set()),
        ("session_updated", {1, 2}),
        ("notification", {2}),
        ("internal.sign_ins_ended", set()),
        ("attendance_marked", {1, 3}),
    )
    last = ids[-1]

    # A user's own events, in order, from any point; everything for None.
    assert await replay(container, 1, 0, last) == [ids[1], ids[4]]
    assert await replay(container, 2, 0, last) == [ids[1], ids[2]]
    assert await replay(container, 2, ids[1], last) == [ids[2]]
    assert await replay(container, 3, 0, ids[3]) == []
    assert await replay(container, 4, 0, last) == []
    assert await replay(container, None, ids[0], last) == ids[1:]
    assert await replay(container, None, last, last) == []

    # The limit counts the caller's events only; over it: None.
    assert await replay(container, 2, 0, last, limit=2) == [ids[1], ids[2]]
    assert await replay(container, 2, 0, last, limit=1) is None
    assert await replay(container, None, ids[0], last, limit=3) is None
    assert await replay(container, None, ids[1], last, limit=3) == ids[2:]

    # Events written a day later; the earlier ones fall out of a 12-hour window.
    clock.advance(days=1)
    later = await record(container, ("session_updated", {1}), ("notification", {1}))
    day = timedelta(hours=12)
    assert await replay(container, 1, ids[0], later[-1], window=day) is None
    assert await replay(container, 1, ids[-1], later[-1], window=day) == later
    assert await replay(container, 1, later[0], later[-1], window=day) == [later[1]]

    # Pruned events cannot be replayed; what follows them can.
    async with container.uow()() as uow:
        assert await uow.events.prune(clock.now() - day) == len(ids)
        await uow.commit()
    assert await replay(container, 1, 0, later[-1]) is None
    assert await replay(container, None, ids[-2], later[-1]) is None
    assert await replay(container, 1, ids[-1], later[-1]) == later
    assert await replay(container, None, ids[-1], later[-1]) == later


async def test_the_sql_event_store_replays_by_audience(
    sql_container: Container, clock: FakeClock
) -> None:
    await check_the_replay_contract(sql_container, clock)

    # Pruning took the audience rows of the pruned events along.
    async with sql_container.engine().connect() as connection:
        listed = await connection.execute(select(t.event_audience.c.user_id))
        assert sorted(listed.scalars()) == [1, 1]


async def test_the_memory_event_store_replays_by_audience(
    memory_container: Container, clock: FakeClock
) -> None:
    await check_the_replay_contract(memory_container, clock)

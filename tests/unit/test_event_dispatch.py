"""The in-transaction dispatch of events (tms_domain.kernel.events.EventHandlers), through
the in-memory unit of work: reactions run at commit, see and change what the use case
changed, may record facts that are dispatched in turn, and a reaction that fails undoes
the whole commit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conftest import FakeClock
from tms_adapters.persistence.memory import MemoryStore, MemoryUnitOfWorkFactory
from tms_domain.accounts import UserDeleted
from tms_domain.kernel import EventHandlers
from tms_domain.training import TraineeUnassigned


class Nobody:
    async def publish(self, events: Any) -> None:
        return None


async def test_reactions_run_at_commit_and_their_facts_are_dispatched_in_turn() -> None:
    seen: list[tuple[str, datetime]] = []

    async def first(uow: Any, event: TraineeUnassigned, now: datetime) -> None:
        seen.append(("unassigned", now))
        uow.record(UserDeleted(event.student_id, frozenset()))

    async def second(uow: Any, event: UserDeleted, now: datetime) -> None:
        seen.append(("deleted", now))

    clock = FakeClock()
    store = MemoryStore()
    factory = MemoryUnitOfWorkFactory(
        store,
        clock,
        Nobody(),
        EventHandlers({TraineeUnassigned: [first], UserDeleted: [second]}),
    )
    async with factory() as uow:
        uow.record(TraineeUnassigned(3, 5))
        assert seen == []
        await uow.commit()
    assert seen == [("unassigned", clock.now()), ("deleted", clock.now())]
    async with factory(read_only=True) as uow:
        stored = await uow.events.since(0, limit=10)
    assert [e.type for e in stored] == ["student_unassigned", "user_deleted"]


async def test_a_failing_reaction_undoes_the_commit() -> None:
    async def fails(uow: Any, event: TraineeUnassigned, now: datetime) -> None:
        uow.record(UserDeleted(event.student_id, frozenset()))
        raise RuntimeError("cannot follow")

    store = MemoryStore()
    factory = MemoryUnitOfWorkFactory(
        store,
        FakeClock(datetime(2026, 5, 1, tzinfo=UTC)),
        Nobody(),
        EventHandlers({TraineeUnassigned: [fails]}),
    )
    async with factory() as uow:
        uow.record(TraineeUnassigned(3, 5))
        with pytest.raises(RuntimeError):
            await uow.commit()
    async with factory(read_only=True) as uow:
        assert await uow.events.since(0, limit=10) == []

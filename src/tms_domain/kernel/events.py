"""Domain events: what happened, and who may hear of it (decided when it happens).

Each area names its facts as small frozen dataclasses (``tms_domain.<area>.events``) holding
domain values; the edge turns them into what clients read. The outbox keeps and carries
them in that wire form, as ``StoredEvent``s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Audience:
    """Admins always hear; beyond them, the listed users. A ``private`` event (a user's own
    notification) is heard by the listed users alone, admins or not."""

    user_ids: frozenset[int] = frozenset()
    private: bool = False

    def includes(self, user_id: int, *, is_admin: bool) -> bool:
        return (is_admin and not self.private) or user_id in self.user_ids


@dataclass(frozen=True)
class DomainEvent:
    """A fact, named in the past tense. Who may hear of it follows from the fact itself."""

    @property
    def audience(self) -> Audience:
        """Admins only, unless the fact names others."""
        return Audience()


@dataclass
class StoredEvent:
    """An event as the outbox keeps and carries it: its type and JSON data as the edge's
    wire mapper wrote them (the domain neither builds nor reads these), who may hear of it,
    and, once stored, its stream id and time."""

    type: str
    data: dict[str, Any]
    audience: Audience = field(default_factory=Audience)
    id: int | None = None
    at: datetime | None = None


class EventStore(Protocol):
    """The outbox: events written in the same transaction as the change that caused them."""

    async def append(self, events: Sequence[StoredEvent]) -> None:
        """Give each event its stream id and time, and store it."""
        ...

    async def since(self, last_id: int, *, limit: int) -> list[StoredEvent]: ...

    async def replay(
        self, user_id: int | None, after: int, until: int, *, limit: int, not_before: datetime
    ) -> list[StoredEvent] | None:
        """The events with ids in (``after``, ``until``] whose audience lists ``user_id``
        (every event when None), in order; or None when they cannot all be given: the event
        right after ``after`` is no longer kept or happened before ``not_before``, or there
        are more than ``limit`` of them. Ids have no gaps, so that first event tells."""
        ...

    async def last_id(self) -> int: ...

    async def prune(self, before: datetime) -> int: ...


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[StoredEvent]) -> None:
        """Hand committed events to live listeners; best effort, never raises."""
        ...


Handler = Callable[[Any, Any, datetime], Awaitable[None]]
"""A reaction to an event: called with the unit of work that recorded it, the event, and
the time of the commit."""


class EventHandlers:
    """Reactions of one area to another's facts, run in the same transaction.

    A unit of work hands what its use case recorded to ``dispatch`` when it commits, before
    the events are stored: each handler may change more (through the same unit of work) and
    record further events, which are dispatched in turn. A handler that raises fails the
    commit, so a fact and the changes that follow from it are kept together or not at all.
    The kernel holds only the mechanism; the areas' handlers are listed in
    ``tms_domain.reactions``."""

    def __init__(self, handlers: Mapping[type[DomainEvent], Sequence[Handler]] | None = None):
        self._handlers = {kind: tuple(found) for kind, found in (handlers or {}).items()}

    async def dispatch(self, uow: Any, recorded: list[DomainEvent], now: datetime) -> None:
        """Run the handlers of every event of ``recorded``, including those they record
        (appended to the same list) as they go."""
        index = 0
        while index < len(recorded):
            event = recorded[index]
            for handler in self._handlers.get(type(event), ()):
                await handler(uow, event, now)
            index += 1

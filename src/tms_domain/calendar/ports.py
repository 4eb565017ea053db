"""What the calendar needs from outside: the feed tokens and one read-side query."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tms_domain.calendar.model import CalendarEntry, FeedOwner


class CalendarTokens(Protocol):
    """One feed token per user, kept as its digest."""

    async def replace(self, user_id: int, token_hash: str, at: datetime) -> None:
        """Keep this digest as the user's only token (any earlier one stops working)."""
        ...

    async def revoke(self, user_id: int) -> bool:
        """Forget the user's token; False when they had none."""
        ...

    async def owner(self, token_hash: str) -> FeedOwner | None:
        """Whose token has this digest, if anyone's."""
        ...


class CalendarQueries(Protocol):
    async def entries(
        self,
        *,
        trainer_id: int | None = None,
        trainee_id: int | None = None,
        session_id: int | None = None,
    ) -> list[CalendarEntry]:
        """Sessions (any status) delivered by the trainer, or with the trainee enrolled, or
        the one session, by start then id; one query, only the fields an event shows."""
        ...

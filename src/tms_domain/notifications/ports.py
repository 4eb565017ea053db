"""What notifications need from outside: where notifications and preferences are kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.notifications.model import Notification, Preferences


class NotificationRepository(Protocol):
    async def add(self, notification: Notification) -> Notification | None:
        """Store it (its id given by the store); None, storing nothing, when the user
        already has one with the same ``dedupe_key``."""
        ...

    async def add_many(self, notifications: Sequence[Notification]) -> list[Notification]:
        """Store those whose ``dedupe_key`` is not stored yet (nor earlier in the list), in
        a few statements whatever their number; the stored ones, with their ids, in the
        order given."""
        ...

    async def get(self, notification_id: int) -> Notification | None: ...

    async def list(
        self, user_id: int, *, unread_only: bool = False, skip: int = 0, limit: int = 50
    ) -> list[Notification]:
        """The user's notifications, newest first (by id)."""
        ...

    async def count_unread(self, user_id: int) -> int: ...

    async def mark_read(self, user_id: int, notification_id: int, at: datetime) -> bool:
        """Mark the user's notification read (kept as first read); False when the user has
        no notification with that id."""
        ...

    async def mark_all_read(self, user_id: int, at: datetime) -> int:
        """Mark every unread notification of the user read; how many were."""
        ...


class PreferencesRepository(Protocol):
    async def get(self, user_id: int) -> Preferences:
        """The user's preferences; the defaults when they never chose."""
        ...

    async def get_many(self, user_ids: Sequence[int]) -> dict[int, Preferences]:
        """Each user's preferences (the defaults for those who never chose), in one go."""
        ...

    async def save(self, preferences: Preferences) -> None: ...

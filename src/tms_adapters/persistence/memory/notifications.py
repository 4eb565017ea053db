"""Notifications and preferences in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.notifications import Notification, Preferences


class MemoryNotificationRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, notification: Notification) -> Notification | None:
        key = notification.dedupe_key
        if key is not None and any(n.dedupe_key == key for n in self._s.notifications.values()):
            return None
        stored = replace(notification, id=self._s.next_id("notifications"))
        self._s.notifications[stored.id] = stored
        return stored

    async def add_many(self, notifications: Sequence[Notification]) -> list[Notification]:
        stored = []
        for notification in notifications:
            added = await self.add(notification)
            if added is not None:
                stored.append(added)
        return stored

    async def get(self, notification_id: int) -> Notification | None:
        return self._s.notifications.get(notification_id)

    async def list(
        self, user_id: int, *, unread_only: bool = False, skip: int = 0, limit: int = 50
    ) -> list[Notification]:
        found = [
            n
            for n in self._s.notifications.values()
            if n.user_id == user_id and not (unread_only and n.is_read)
        ]
        found.sort(key=lambda n: n.id, reverse=True)
        return found[skip : skip + limit]

    async def count_unread(self, user_id: int) -> int:
        return sum(
            1 for n in self._s.notifications.values() if n.user_id == user_id and not n.is_read
        )

    async def mark_read(self, user_id: int, notification_id: int, at: datetime) -> bool:
        found = self._s.notifications.get(notification_id)
        if found is None or found.user_id != user_id:
            return False
        if not found.is_read:
            self._s.notifications[notification_id] = replace(found, read_at=at)
        return True

    async def mark_all_read(self, user_id: int, at: datetime) -> int:
        unread = [
            n for n in self._s.notifications.values() if n.user_id == user_id and not n.is_read
        ]
        for n in unread:
            self._s.notifications[n.id] = replace(n, read_at=at)
        return len(unread)


class MemoryPreferencesRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def get(self, user_id: int) -> Preferences:
        return self._s.notification_preferences.get(user_id) or Preferences.default(user_id)

    async def get_many(self, user_ids: Sequence[int]) -> dict[int, Preferences]:
        return {user_id: await self.get(user_id) for user_id in user_ids}

    async def save(self, preferences: Preferences) -> None:
        self._s.notification_preferences[preferences.user_id] = preferences

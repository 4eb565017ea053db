"""Notifications and preferences in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import notification_tables as nt
from tms_adapters.persistence.sql.bulk import can_return, insert_many, insert_returning
from tms_adapters.persistence.sql.common import chunks
from tms_adapters.persistence.sql.learning_rows import insert_ignoring_duplicates
from tms_domain.notifications import Notification, NotificationKind, Preferences


def _values(notification: Notification) -> dict[str, Any]:
    return {
        "user_id": notification.user_id,
        "kind": notification.kind.value,
        "title": notification.title,
        "message": notification.message,
        "link": notification.link,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
        "dedupe_key": notification.dedupe_key,
    }


def _notification(row: Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        user_id=row.user_id,
        kind=NotificationKind(row.kind),
        title=row.title,
        message=row.message,
        link=row.link,
        created_at=row.created_at,
        read_at=row.read_at,
        dedupe_key=row.dedupe_key,
    )


class SqlaNotificationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, notification: Notification) -> Notification | None:
        # A taken dedupe key skips the row (the database settles two writers at once).
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, nt.notifications).values(**_values(notification))
        )
        if not result.rowcount:
            return None
        return replace(notification, id=int(result.inserted_primary_key[0]))  # type: ignore[index]

    async def add_many(self, notifications: Sequence[Notification]) -> list[Notification]:
        """Where the database answers an INSERT with what it wrote, one statement per 500:
        the insert (a taken key is skipped by the database) answering the new rows' ids.
        Elsewhere (MySQL), three statements a chunk: the keys stored already, the insert of
        the others, and the new rows' ids."""
        n = nt.notifications
        wanted: dict[str, Notification] = {}
        for notification in notifications:
            if notification.dedupe_key is None:
                raise ValueError("add_many needs a dedupe key on each notification")
            wanted.setdefault(notification.dedupe_key, notification)
        keys = list(wanted)
        if can_return(self._conn):
            written = await insert_returning(
                self._conn,
                insert_ignoring_duplicates(self._conn, n),
                [_values(wanted[key]) for key in keys],
                ["id", "dedupe_key"],
            )
            new_ids = {str(key): int(row_id) for row_id, key in written}
            return [replace(wanted[key], id=new_ids[key]) for key in keys if key in new_ids]
        taken: set[str] = set()
        for part in chunks(keys):
            rows = await self._conn.execute(select(n.c.dedupe_key).where(n.c.dedupe_key.in_(part)))
            taken.update(row[0] for row in rows)
        fresh = [key for key in keys if key not in taken]
        if not fresh:
            return []
        await insert_many(
            self._conn,
            insert_ignoring_duplicates(self._conn, n),
            [_values(wanted[key]) for key in fresh],
        )
        ids: dict[str, int] = {}
        for part in chunks(fresh):
            rows = await self._conn.execute(
                select(n.c.id, n.c.dedupe_key, n.c.created_at).where(n.c.dedupe_key.in_(part))
            )
            ids.update(
                (row.dedupe_key, row.id)
                for row in rows
                if row.created_at == wanted[row.dedupe_key].created_at
            )
        return [replace(wanted[key], id=ids[key]) for key in fresh if key in ids]

    async def get(self, notification_id: int) -> Notification | None:
        n = nt.notifications
        row = (await self._conn.execute(select(n).where(n.c.id == notification_id))).first()
        return _notification(row) if row is not None else None

    async def list(
        self, user_id: int, *, unread_only: bool = False, skip: int = 0, limit: int = 50
    ) -> list[Notification]:
        n = nt.notifications
        query = select(n).where(n.c.user_id == user_id)
        if unread_only:
            query = query.where(n.c.read_at.is_(None))
        query = query.order_by(n.c.id.desc()).offset(skip).limit(limit)
        return [_notification(row) for row in await self._conn.execute(query)]

    async def count_unread(self, user_id: int) -> int:
        n = nt.notifications
        query = select(func.count()).where(n.c.user_id == user_id, n.c.read_at.is_(None))
        return int((await self._conn.execute(query)).scalar_one())

    async def mark_read(self, user_id: int, notification_id: int, at: datetime) -> bool:
        n = nt.notifications
        owned = (
            await self._conn.execute(
                select(n.c.read_at).where(n.c.id == notification_id, n.c.user_id == user_id)
            )
        ).first()
        if owned is None:
            return False
        if owned.read_at is None:
            await self._conn.execute(
                update(n).where(n.c.id == notification_id, n.c.read_at.is_(None)).values(read_at=at)
            )
        return True

    async def mark_all_read(self, user_id: int, at: datetime) -> int:
        n = nt.notifications
        result = await self._conn.execute(
            update(n).where(n.c.user_id == user_id, n.c.read_at.is_(None)).values(read_at=at)
        )
        return int(result.rowcount)


def _preferences(row: Row[Any]) -> Preferences:
    return Preferences(
        row.user_id,
        email_session_changes=bool(row.email_session_changes),
        email_reminders=bool(row.email_reminders),
        email_course_updates=bool(row.email_course_updates),
        reminder_minutes=tuple(int(m) for m in row.reminder_minutes),
    )


class SqlaPreferencesRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> Preferences:
        p = nt.notification_preferences
        row = (await self._conn.execute(select(p).where(p.c.user_id == user_id))).first()
        if row is None:
            return Preferences.default(user_id)
        return _preferences(row)

    async def get_many(self, user_ids: Sequence[int]) -> dict[int, Preferences]:
        p = nt.notification_preferences
        found = {user_id: Preferences.default(user_id) for user_id in user_ids}
        for part in chunks(list(found)):
            for row in await self._conn.execute(select(p).where(p.c.user_id.in_(part))):
                found[row.user_id] = _preferences(row)
        return found

    async def save(self, preferences: Preferences) -> None:
        # Delete then insert in one transaction: the same on SQLite and MariaDB.
        p = nt.notification_preferences
        await self._conn.execute(delete(p).where(p.c.user_id == preferences.user_id))
        await self._conn.execute(
            insert(p).values(
                user_id=preferences.user_id,
                email_session_changes=preferences.email_session_changes,
                email_reminders=preferences.email_reminders,
                email_course_updates=preferences.email_course_updates,
                reminder_minutes=list(preferences.reminder_minutes),
            )
        )

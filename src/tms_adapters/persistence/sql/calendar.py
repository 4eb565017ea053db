"""The calendar in SQL: feed tokens (as digests) and the feed's one query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import notification_tables as nt
from tms_adapters.persistence.sql import tables as t
from tms_domain.accounts import display_name
from tms_domain.calendar import CalendarEntry, FeedOwner
from tms_domain.kernel import Role
from tms_domain.training import SessionStatus

_STATUSES = {status.value: status for status in SessionStatus}
_ROLES = {role.value: role for role in Role}


class SqlaCalendarTokens:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def replace(self, user_id: int, token_hash: str, at: datetime) -> None:
        # Delete then insert in one transaction: the same on SQLite and MariaDB, and the
        # user's row lock (taken by the delete) serialises two requests of the same user.
        c = nt.calendar_tokens
        await self._conn.execute(delete(c).where(c.c.user_id == user_id))
        await self._conn.execute(
            insert(c).values(user_id=user_id, token_hash=token_hash, created_at=at)
        )

    async def revoke(self, user_id: int) -> bool:
        c = nt.calendar_tokens
        result = await self._conn.execute(delete(c).where(c.c.user_id == user_id))
        return bool(result.rowcount)

    async def owner(self, token_hash: str) -> FeedOwner | None:
        c, u = nt.calendar_tokens, t.users
        row = (
            await self._conn.execute(
                select(u.c.id, u.c.role, u.c.first_name, u.c.last_name)
                .join(c, c.c.user_id == u.c.id)
                .where(c.c.token_hash == token_hash)
            )
        ).first()
        if row is None:
            return None
        return FeedOwner(row.id, _ROLES[row.role], display_name(row.first_name, row.last_name))


class SqlaCalendarQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def entries(
        self,
        *,
        trainer_id: int | None = None,
        trainee_id: int | None = None,
        session_id: int | None = None,
    ) -> list[CalendarEntry]:
        s, u, e = t.training_sessions, t.users, t.enrolments
        statement = select(
            s.c.id,
            s.c.title,
            s.c.description,
            u.c.first_name,
            u.c.last_name,
            s.c.scheduled_date,
            s.c.duration_minutes,
            s.c.status,
            s.c.class_link,
            s.c.session_link,
            s.c.sequence,
            s.c.updated_at,
        ).join(u, u.c.id == s.c.trainer_id)
        if trainer_id is not None:
            statement = statement.where(s.c.trainer_id == trainer_id)
        if trainee_id is not None:
            statement = statement.join(e, e.c.session_id == s.c.id).where(
                e.c.trainee_id == trainee_id
            )
        if session_id is not None:
            statement = statement.where(s.c.id == session_id)
        statement = statement.order_by(s.c.scheduled_date, s.c.id)
        return [
            CalendarEntry(
                session_id=row[0],
                title=row[1],
                description=row[2],
                trainer_name=display_name(row[3], row[4]),
                starts_at=row[5],
                duration_minutes=row[6],
                status=_STATUSES[row[7]],
                class_link=row[8],
                session_link=row[9],
                sequence=row[10],
                updated_at=row[11],
            )
            for row in (await self._conn.execute(statement)).all()
        ]

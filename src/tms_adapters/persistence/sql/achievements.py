"""Achievements in SQL, the attendance counts that award them, and the activity timeline
read from the audit trail."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.audit import entry_of_row
from tms_adapters.persistence.sql.learning_rows import insert_ignoring_duplicates
from tms_adapters.persistence.sql.tables_achieve import achievement_holds, achievements
from tms_domain.audit import AuditEntry
from tms_domain.skills import Achievement, AchievementKind

KNOWN = frozenset(AchievementKind)


class SqlaAchievementRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, achievement: Achievement) -> int | None:
        result = await self._conn.execute(
            insert_ignoring_duplicates(self._conn, achievements).values(
                user_id=achievement.user_id,
                kind=achievement.kind.value,
                awarded_at=achievement.awarded_at,
            )
        )
        return int(result.lastrowid) if result.rowcount else None

    async def hold(self, user_id: int) -> None:
        """The user's hold row, made if need be and locked in one statement: on MariaDB an
        upsert takes the row's exclusive lock straight away (an INSERT IGNORE would take a
        shared one first, and two holders upgrading it would deadlock); SQLite lets one
        writer in at a time anyway."""
        if self._conn.dialect.name in ("mysql", "mariadb"):
            await self._conn.execute(
                mysql_insert(achievement_holds)
                .values(user_id=user_id)
                .on_duplicate_key_update(user_id=user_id)
            )
        else:
            await self._conn.execute(
                insert_ignoring_duplicates(self._conn, achievement_holds).values(user_id=user_id)
            )

    async def of_user(self, user_id: int) -> list[Achievement]:
        rows = await self._conn.execute(
            select(achievements.c.kind, achievements.c.awarded_at)
            .where(achievements.c.user_id == user_id)
            .order_by(achievements.c.awarded_at, achievements.c.id)
        )
        return [
            Achievement(user_id, AchievementKind(kind), awarded_at)
            for kind, awarded_at in rows
            if kind in KNOWN
        ]


class SqlaAttendanceFacts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def sessions_attended(self, trainee_id: int) -> int:
        a = t.attendance
        count = await self._conn.scalar(
            select(func.count()).where(a.c.trainee_id == trainee_id, a.c.present.is_(True))
        )
        return int(count or 0)

    async def month_attendance(
        self, trainee_id: int, start: datetime, end: datetime
    ) -> tuple[int, int]:
        s, e, a = t.training_sessions, t.enrolments, t.attendance
        present = func.count(a.c.id)
        row = (
            await self._conn.execute(
                select(func.count(s.c.id), present)
                .select_from(
                    e.join(s, s.c.id == e.c.session_id).outerjoin(
                        a,
                        and_(
                            a.c.session_id == e.c.session_id,
                            a.c.trainee_id == e.c.trainee_id,
                            a.c.present.is_(True),
                        ),
                    )
                )
                .where(
                    e.c.trainee_id == trainee_id,
                    s.c.status != "cancelled",
                    s.c.scheduled_date >= start,
                    s.c.scheduled_date < end,
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)


class SqlaActivityTimeline:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(
        self, user_id: int, actions: Collection[str], *, skip: int, limit: int
    ) -> list[AuditEntry]:
        log = t.audit_log
        statement = (
            select(log)
            .where(log.c.subject_id == user_id, log.c.action.in_(sorted(actions)))
            .order_by(log.c.id.desc())
            .offset(skip)
            .limit(limit)
        )
        return [entry_of_row(row) for row in await self._conn.execute(statement)]

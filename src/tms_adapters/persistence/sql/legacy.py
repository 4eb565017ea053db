"""The legacy import's store in SQL: many rows per statement, their new ids read back in
the order given, and the map of legacy ids (``legacy_ids``); never commits."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import import_tables
from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.accounts import USER_DUPLICATES, SqlaUserRepository
from tms_adapters.persistence.sql.common import chunks, insert_returning_ids
from tms_adapters.persistence.sql.training import SqlaSessionRepository
from tms_adapters.security.confusables import username_skeleton
from tms_domain.accounts import User, login_key
from tms_domain.audit import AuditEntry
from tms_domain.legacy import Kind
from tms_domain.training import Assignment, Attendance, TrainingSession

_KEYS = ("username_key", "username_skeleton", "email_key")


class SqlaLegacyImportStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _insert(
        self,
        table: Table,
        rows: Sequence[dict[str, Any]],
        keys: Sequence[str],
        key_of: Callable[[Sequence[Any]], Hashable] = tuple,
    ) -> list[int]:
        return await insert_returning_ids(self._conn, table, rows, keys, key_of)

    async def mapped(self, kind: Kind) -> dict[int, int]:
        m = import_tables.legacy_ids
        rows = await self._conn.execute(
            select(m.c.legacy_id, m.c.new_id).where(m.c.kind == kind.value)
        )
        return {int(legacy_id): int(new_id) for legacy_id, new_id in rows.all()}

    async def refusals(self, users: Sequence[User]) -> list[str | None]:
        keys = [
            {
                "username_key": login_key(user.username),
                "username_skeleton": username_skeleton(user.username),
                "email_key": login_key(user.email),
            }
            for user in users
        ]
        taken: dict[str, set[str]] = {name: set() for name in _KEYS}
        u = t.users
        for name in _KEYS:
            wanted = sorted({k[name] for k in keys})
            for chunk in chunks(wanted):
                column = u.c[name]
                rows = await self._conn.execute(select(column).where(or_(column.in_(chunk))))
                taken[name].update(rows.scalars().all())
        found: list[str | None] = []
        for key in keys:
            clash = next((name for name in _KEYS if key[name] in taken[name]), None)
            found.append(USER_DUPLICATES[clash] if clash else None)
            if clash is None:
                for name in _KEYS:
                    taken[name].add(key[name])
        return found

    async def taken_join_links(self, links: Sequence[str]) -> set[str]:
        s = t.training_sessions
        used: set[str] = set()
        for chunk in chunks(sorted(set(links))):
            rows = await self._conn.execute(
                select(s.c.session_link).where(s.c.session_link.in_(chunk))
            )
            used.update(rows.scalars().all())
        return used

    async def add_users(self, users: Sequence[User]) -> list[int]:
        values = SqlaUserRepository(self._conn).values
        return await self._insert(t.users, [values(user) for user in users], ["email_key"])

    async def add_sessions(self, sessions: Sequence[TrainingSession]) -> list[int]:
        values = SqlaSessionRepository(self._conn).values
        return await self._insert(
            t.training_sessions, [values(s) for s in sessions], ["session_link"]
        )

    async def add_enrolments(self, enrolments: Sequence[tuple[int, int, datetime]]) -> list[int]:
        return await self._insert(
            t.enrolments,
            [
                {"session_id": session_id, "trainee_id": trainee_id, "enrolled_at": at}
                for session_id, trainee_id, at in enrolments
            ],
            ["session_id", "trainee_id"],
        )

    async def add_assignments(self, assignments: Sequence[Assignment]) -> list[int]:
        return await self._insert(
            t.assignments,
            [
                {
                    "student_id": a.student_id,
                    "teacher_id": a.teacher_id,
                    "assigned_date": a.assigned_date,
                }
                for a in assignments
            ],
            ["student_id", "teacher_id"],
        )

    async def add_attendance(self, marks: Sequence[Attendance]) -> list[int]:
        return await self._insert(
            t.attendance,
            [
                {
                    "session_id": m.session_id,
                    "trainee_id": m.trainee_id,
                    "present": m.present,
                    "marked_at": m.marked_at,
                }
                for m in marks
            ],
            ["session_id", "trainee_id"],
        )

    async def add_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        return await self._insert(
            t.audit_log,
            [
                {
                    "at": e.at,
                    "actor_id": e.actor_id,
                    "actor": e.actor,
                    "action": e.action,
                    "target_type": e.target_type,
                    "target_id": e.target_id,
                    "client_address": e.client_address,
                    "changes": e.changes,
                }
                for e in entries
            ],
            ["changes"],
            lambda found: json.dumps(found[0], sort_keys=True),
        )

    async def remember(self, kind: Kind, pairs: Sequence[tuple[int, int]]) -> None:
        if pairs:
            await self._conn.execute(
                insert(import_tables.legacy_ids),
                [
                    {"kind": kind.value, "legacy_id": legacy_id, "new_id": new_id}
                    for legacy_id, new_id in pairs
                ],
            )

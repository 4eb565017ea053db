"""The audit trail in SQL: append-only entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Row,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_domain.audit import AuditEntry, AuditQuery


def entry_of_row(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        client_address=row.client_address,
        changes=row.changes or {},
        subject_id=row.subject_id,
    )


def _values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "client_address": entry.client_address,
        "changes": entry.changes,
        "subject_id": entry.subject_id,
    }


_INSERT_ENTRY = insert(t.audit_log)
"""Built once: every audited change runs it."""


class SqlaAuditLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, entry: AuditEntry) -> None:
        await self._conn.execute(_INSERT_ENTRY, _values(entry))

    async def record_many(self, entries: Sequence[AuditEntry]) -> None:
        """One statement with many parameter sets (sqlite3 runs them in one call, the
        MySQL driver folds them into multi-row INSERTs), in the order given."""
        if entries:
            await self._conn.execute(_INSERT_ENTRY, [_values(e) for e in entries])


class SqlaAuditHistory:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        log = t.audit_log
        statement = select(log)
        if query.actor_id is not None:
            statement = statement.where(log.c.actor_id == query.actor_id)
        if query.action is not None:
            statement = statement.where(log.c.action == query.action)
        if query.target_type is not None:
            statement = statement.where(log.c.target_type == query.target_type)
        if query.target_id is not None:
            statement = statement.where(log.c.target_id == query.target_id)
        if query.at_from is not None:
            statement = statement.where(log.c.at >= query.at_from)
        if query.at_before is not None:
            statement = statement.where(log.c.at < query.at_before)
        statement = statement.order_by(log.c.id.desc()).offset(query.skip).limit(query.limit)
        return [entry_of_row(row) for row in await self._conn.execute(statement)]

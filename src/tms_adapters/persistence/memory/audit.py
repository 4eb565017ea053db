"""The audit trail in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tms_adapters.persistence.memory.state import State
from tms_domain.audit import AuditEntry, AuditQuery


class MemoryAuditLog:
    def __init__(self, state: State) -> None:
        self._s = state

    async def record(self, entry: AuditEntry) -> None:
        self._s.audit.append(replace(entry, id=self._s.next_id("audit")))

    async def record_many(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            await self.record(entry)


class MemoryAuditHistory:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        found = [
            replace(e)
            for e in reversed(self._s.audit)
            if (query.actor_id is None or e.actor_id == query.actor_id)
            and (query.action is None or e.action == query.action)
            and (query.target_type is None or e.target_type == query.target_type)
            and (query.target_id is None or e.target_id == query.target_id)
            and (query.at_from is None or e.at >= query.at_from)
            and (query.at_before is None or e.at < query.at_before)
        ]
        return found[query.skip : query.skip + query.limit]

"""Where audit entries are kept."""

from __future__ import annotations

from typing import Protocol

from tms_domain.audit.model import AuditEntry, AuditQuery


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def page(self, query: AuditQuery) -> list[AuditEntry]: ...

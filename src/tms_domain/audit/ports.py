"""Where audit entries are kept, and how they are read back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tms_domain.audit.model import AuditEntry, AuditQuery


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def record_many(self, entries: Sequence[AuditEntry]) -> None:
        """Several at once, kept in the order given."""
        ...


class AuditHistory(Protocol):
    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        """Newest first, filtered before paging."""
        ...

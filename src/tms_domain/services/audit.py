"""Reading the audit trail. Nothing edits or deletes it."""

from __future__ import annotations

from dataclasses import replace

from tms_domain.model import Actor, AuditEntry, AuditQuery
from tms_domain.policy.access import Permission, authorize
from tms_domain.services.common import Core, Page
from tms_domain.services.sessions import as_utc


class AuditService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def entries(self, actor: Actor, query: AuditQuery, page: Page) -> list[AuditEntry]:
        """Admins: newest first, filtered, then paged; ``at_before`` is exclusive."""
        authorize(actor, Permission.READ_AUDIT)
        query = replace(
            query,
            at_from=as_utc(query.at_from) if query.at_from else None,
            at_before=as_utc(query.at_before) if query.at_before else None,
            skip=page.skip,
            limit=page.limit,
        )
        async with self._core.uow(read_only=True) as uow:
            return await uow.audit.page(query)

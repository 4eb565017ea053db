"""Reading the audit trail. Nothing edits or deletes it."""

from __future__ import annotations

from dataclasses import replace

from tms_domain.accounts import Actor
from tms_domain.audit.model import AuditEntry, AuditQuery
from tms_domain.kernel import Page, Permission, authorize, utc_period
from tms_domain.unit_of_work import Core


class AuditService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def entries(self, actor: Actor, query: AuditQuery, page: Page) -> list[AuditEntry]:
        """Admins: newest first, filtered, then paged; ``at_before`` is exclusive and cannot
        come before ``at_from``."""
        authorize(actor, Permission.READ_AUDIT)
        at_from, at_before = utc_period(query.at_from, query.at_before)
        query = replace(
            query,
            at_from=at_from,
            at_before=at_before,
            skip=page.skip,
            limit=page.limit,
        )
        async with self._core.uow(read_only=True) as uow:
            return await uow.audit_history.page(query)

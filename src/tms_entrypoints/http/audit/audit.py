"""/audit: the append-only trail of changes (read only)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from tms_domain.accounts import Actor
from tms_domain.audit import AuditQuery
from tms_domain.audit.use_cases.audit_log import AuditService
from tms_domain.kernel import Page
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import From, Limit, Skip, To, moment
from tms_entrypoints.http.schemas import MAX_ID, Timestamp, iso


class AuditEntryOut(msgspec.Struct):
    id: int
    at: Timestamp
    actor_id: int | None
    actor: str | None
    action: str
    target_type: str
    target_id: int | None
    client_address: str | None
    changes: dict[str, list[Any]]


@get("/audit", operation_id="listAudit", tags=["audit"], responses=ERROR_RESPONSES)
async def list_audit(
    actor: NamedDependency[Actor],
    audit: NamedDependency[AuditService],
    skip: Skip = 0,
    limit: Limit = 100,
    actor_id: Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)] = None,
    action: Annotated[str | None, QueryParameter(max_length=40)] = None,
    target_type: Annotated[str | None, QueryParameter(max_length=20)] = None,
    target_id: Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)] = None,
    at_from: From = None,
    at_before: To = None,
) -> list[AuditEntryOut]:
    """Admins: who changed what and when, newest first (`from` after `to`: 422)."""
    entries = await audit.entries(
        actor,
        AuditQuery(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            at_from=moment(at_from, "from"),
            at_before=moment(at_before, "to"),
        ),
        Page(skip, limit),
    )
    return [
        AuditEntryOut(
            id=e.id or 0,
            at=iso(e.at),
            actor_id=e.actor_id,
            actor=e.actor,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            client_address=e.client_address,
            changes=e.changes,
        )
        for e in entries
    ]

"""Recording what was done, by whom, from where: every use case that changes something."""

from __future__ import annotations

from typing import Any, Protocol

from tms_domain.audit.model import AuditEntry
from tms_domain.audit.ports import AuditLog
from tms_domain.kernel.access import Principal


class HasAuditLog(Protocol):
    """A unit of work, as far as recording is concerned."""

    @property
    def audit(self) -> AuditLog: ...


async def record_audit(
    uow: HasAuditLog,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: int | None,
    at: Any,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    await uow.audit.record(
        AuditEntry(
            action=action,
            target_type=target_type,
            target_id=target_id,
            actor_id=actor.id if actor else None,
            actor=actor.username if actor else None,
            at=at,
            client_address=actor.client_address if actor else None,
            changes=changes or {},
        )
    )

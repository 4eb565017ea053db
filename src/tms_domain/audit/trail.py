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


def audit_entry(
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: int | None,
    at: Any,
    changes: dict[str, list[Any]] | None = None,
    *,
    subject_id: int | None = None,
) -> AuditEntry:
    """What ``record_audit`` records, for a use case that records many at once."""
    return AuditEntry(
        action=action,
        target_type=target_type,
        target_id=target_id,
        # A partner's API client is no user: it is named, not numbered.
        actor_id=actor.id if actor and actor.scopes is None else None,
        actor=actor.username if actor else None,
        at=at,
        client_address=actor.client_address if actor else None,
        changes=changes or {},
        subject_id=subject_id,
    )


async def record_audit(
    uow: HasAuditLog,
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: int | None,
    at: Any,
    changes: dict[str, list[Any]] | None = None,
    *,
    subject_id: int | None = None,
) -> None:
    """``subject_id``: the user the entry is about, when its changes do not name them (see
    ``AuditEntry.subject_id``)."""
    await uow.audit.record(
        audit_entry(actor, action, target_type, target_id, at, changes, subject_id=subject_id)
    )

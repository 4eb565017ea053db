"""The append-only audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class AuditEntry:
    action: str
    target_type: str
    target_id: int | None
    actor_id: int | None
    actor: str | None
    at: datetime
    client_address: str | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class AuditQuery:
    actor_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    at_from: datetime | None = None
    at_before: datetime | None = None
    skip: int = 0
    limit: int = 100


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }

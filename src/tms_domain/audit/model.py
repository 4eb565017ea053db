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
    subject_id: int | None = None
    """The user the entry is about (whose activity timeline shows it): given, or else the
    trainee or user its changes name, the user it targets, or its actor (``about_whom``)."""

    def __post_init__(self) -> None:
        if self.subject_id is None:
            self.subject_id = about_whom(self)


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


SUBJECT_FIELDS = ("trainee_id", "user_id", "holder_id")
"""Fields of the changes that name the person an entry is about, in order of preference."""


def about_whom(entry: AuditEntry) -> int | None:
    """The user an entry is about: the trainee (or user) its changes name, after the change
    or else before it; else the user it targets; else whoever acted."""
    for name in SUBJECT_FIELDS:
        values = entry.changes.get(name)
        if isinstance(values, list | tuple):
            for value in reversed(values):
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
    if entry.target_type == "user" and entry.target_id is not None:
        return entry.target_id
    return entry.actor_id


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }

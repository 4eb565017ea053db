"""Rooms that sessions are held in: one session at a time, no more trainees than it seats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tms_domain.audit import diff
from tms_domain.kernel import InvalidInput
from tms_domain.training.rules import room_violations


@dataclass(frozen=True)
class RoomChanges:
    """Fields to change; None leaves a field as it is (an empty location clears it)."""

    name: str | None = None
    location: str | None = None
    capacity: int | None = None


@dataclass
class Room:
    """A place sessions are held in: one session at a time, and no more trainees than it
    seats."""

    id: int
    name: str
    location: str | None
    capacity: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def plan(cls, *, name: str, location: str | None, capacity: int, now: datetime) -> Room:
        _ensure_valid_room(RoomChanges(name=name, location=location, capacity=capacity))
        return cls(
            id=0,
            name=name.strip(),
            location=location.strip() or None if location is not None else None,
            capacity=capacity,
            created_at=now,
            updated_at=now,
        )

    def audit_fields(self) -> dict[str, Any]:
        return {"name": self.name, "location": self.location, "capacity": self.capacity}

    def apply(self, changes: RoomChanges, now: datetime) -> dict[str, list[Any]]:
        """Make the changes; answer what changed as [before, after]."""
        _ensure_valid_room(changes)
        before = self.audit_fields()
        if changes.name is not None:
            self.name = changes.name.strip()
        if changes.location is not None:
            self.location = changes.location.strip() or None
        if changes.capacity is not None:
            self.capacity = changes.capacity
        changed = diff(before, self.audit_fields())
        if changed:
            self.updated_at = now
        return changed


def _ensure_valid_room(changes: RoomChanges) -> None:
    errors = room_violations(
        name=changes.name, location=changes.location, capacity=changes.capacity
    )
    if errors:
        raise InvalidInput.many("Invalid room", errors)

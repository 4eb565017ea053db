"""Domain events: what happened, and who may hear of it (decided when it happens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Audience:
    """Admins always hear; beyond them, the listed users."""

    user_ids: frozenset[int] = frozenset()

    def includes(self, user_id: int, *, is_admin: bool) -> bool:
        return is_admin or user_id in self.user_ids


@dataclass
class DomainEvent:
    type: str
    data: dict[str, Any]
    audience: Audience = field(default_factory=Audience)
    id: int | None = None
    at: datetime | None = None

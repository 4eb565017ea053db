"""The achievements' facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tms_domain.kernel import Audience, DomainEvent


@dataclass(frozen=True)
class AchievementAwarded(DomainEvent):
    """A user reached a milestone: told to them (and admins)."""

    user_id: int
    kind: str
    title: str
    awarded_at: datetime

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id}))

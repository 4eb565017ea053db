"""What happens to skills. Catalogue changes reach admins; an award reaches its holder and
the holder's assigned trainers (admins hear everything)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tms_domain.kernel.events import Audience, DomainEvent
from tms_domain.skills.catalogue import Skill, SkillSource


@dataclass(frozen=True)
class SkillCreated(DomainEvent):
    skill: Skill


@dataclass(frozen=True)
class SkillChanged(DomainEvent):
    skill: Skill


@dataclass(frozen=True)
class SkillDeleted(DomainEvent):
    skill: Skill


@dataclass(frozen=True)
class SkillAwarded(DomainEvent):
    user_id: int
    skill: Skill
    level: int
    previous_level: int | None
    source: SkillSource
    awarded_at: datetime
    trainer_ids: frozenset[int]

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id}) | self.trainer_ids)

"""The wire shapes of the skill catalogue's events (docs/api.md). Registered with the
mapper in ``wire``, which imports this module."""

from __future__ import annotations

from typing import Any

from tms_adapters.realtime.wire import Shape, shapes
from tms_domain.skills import Skill, SkillAwarded, SkillChanged, SkillCreated, SkillDeleted


def skill_json(skill: Skill) -> dict[str, Any]:
    return {
        "id": skill.id,
        "name": skill.name,
        "category": skill.category,
        "description": skill.description,
    }


@shapes(SkillCreated)
def _skill_created(event: SkillCreated) -> Shape:
    return "skill_created", {"skill_id": event.skill.id, "skill": skill_json(event.skill)}


@shapes(SkillChanged)
def _skill_updated(event: SkillChanged) -> Shape:
    return "skill_updated", {"skill_id": event.skill.id, "skill": skill_json(event.skill)}


@shapes(SkillDeleted)
def _skill_deleted(event: SkillDeleted) -> Shape:
    return "skill_deleted", {"skill_id": event.skill.id}


@shapes(SkillAwarded)
def _skill_awarded(event: SkillAwarded) -> Shape:
    return "skill_awarded", {
        "user_id": event.user_id,
        "skill_id": event.skill.id,
        "skill": skill_json(event.skill),
        "level": event.level,
        "previous_level": event.previous_level,
        "source": event.source.value,
        "awarded_at": event.awarded_at.isoformat(),
    }

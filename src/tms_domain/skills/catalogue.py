"""The skill catalogue and each user's levels in it.

A skill is named once (case aside); a user holds a skill at a level from 1 to 5, with where
the level came from: a completed course, a passed assessment, or a person's hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tms_domain.kernel import InvalidInput

MIN_LEVEL = 1
MAX_LEVEL = 5
MAX_NAME_LENGTH = 200
MAX_CATEGORY_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000


class SkillSource(StrEnum):
    COURSE = "course"
    ASSESSMENT = "assessment"
    MANUAL = "manual"


@dataclass
class Skill:
    id: int
    name: str
    category: str | None
    description: str | None
    created_at: datetime
    updated_at: datetime

    def audit_fields(self) -> dict[str, Any]:
        return {"name": self.name, "category": self.category, "description": self.description}


@dataclass(frozen=True)
class SkillFields:
    """A skill's fields; None leaves a field as it is (a blank category or description
    clears it)."""

    name: str | None = None
    category: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class UserSkill:
    user_id: int
    skill: Skill
    level: int
    source: SkillSource
    awarded_at: datetime


@dataclass(frozen=True)
class SkillQuery:
    skip: int = 0
    limit: int = 100
    q: str | None = None
    """Part of the name, case aside."""
    category: str | None = None
    """The category exactly, case aside."""


@dataclass(frozen=True)
class MatrixQuery:
    """Whose levels a skills matrix shows: trainees, filtered before paging."""

    skip: int = 0
    limit: int = 100
    trainer_id: int | None = None
    """Only the trainees assigned to this trainer."""
    batch_id: int | None = None
    """Only the members of this batch."""
    course_id: int | None = None
    """Only the trainees enrolled in this course."""


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def apply_fields(skill: Skill, fields: SkillFields, now: datetime) -> dict[str, list[Any]]:
    """Make the changes (all or none: every bad field named in one 422); answer what
    changed as [before, after]."""
    before = skill.audit_fields()
    name = skill.name if fields.name is None else fields.name.strip()
    category = skill.category if fields.category is None else _blank_to_none(fields.category)
    description = (
        skill.description if fields.description is None else _blank_to_none(fields.description)
    )
    errors: list[tuple[str, str]] = []
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        errors.append(("name", f"The name must be 1 to {MAX_NAME_LENGTH} characters"))
    if category is not None and len(category) > MAX_CATEGORY_LENGTH:
        errors.append(
            ("category", f"The category must be at most {MAX_CATEGORY_LENGTH} characters")
        )
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors.append(
            ("description", f"The description must be at most {MAX_DESCRIPTION_LENGTH} characters")
        )
    if errors:
        raise InvalidInput.many("Invalid skill", errors)
    skill.name, skill.category, skill.description = name, category, description
    changed = {
        key: [before[key], after]
        for key, after in skill.audit_fields().items()
        if before[key] != after
    }
    if changed:
        skill.updated_at = now
    return changed


def check_level(level: int, field: str = "level") -> None:
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise InvalidInput.for_field(
            field, f"A level is from {MIN_LEVEL} to {MAX_LEVEL}, not {level}"
        )

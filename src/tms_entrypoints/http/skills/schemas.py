"""What the skill endpoints read and write."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from tms_domain.skills import Skill, UserSkill
from tms_domain.skills.use_cases.matrix import SkillMatrix
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.schemas import MAX_ID, Timestamp, iso

SkillText = Annotated[str, msgspec.Meta(max_length=1000)]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]
SkillId = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]
Level = Annotated[int, msgspec.Meta(ge=-1000, le=1000)]
"""Checked 1..5 by the domain, so the error names the rule; bounded here only as JSON."""
SourceName = Literal["course", "assessment", "manual"]


class SkillOut(msgspec.Struct):
    id: int
    name: str
    category: str | None
    description: str | None

    @classmethod
    def of(cls, skill: Skill) -> SkillOut:
        return cls(skill.id, skill.name, skill.category, skill.description)


class SkillCreateIn(msgspec.Struct):
    name: SkillText
    category: SkillText | None = None
    description: Description | None = None


class SkillUpdateIn(msgspec.Struct):
    name: SkillText | None = None
    category: SkillText | None = None
    """Blank: none; left out or null: unchanged (so is the description)."""
    description: Description | None = None


class UserSkillOut(msgspec.Struct):
    skill: SkillOut
    level: int
    source: SourceName
    awarded_at: Timestamp

    @classmethod
    def of(cls, held: UserSkill) -> UserSkillOut:
        return cls(SkillOut.of(held.skill), held.level, held.source.value, iso(held.awarded_at))


class AwardIn(msgspec.Struct):
    skill_id: SkillId
    level: Level


class SkillGrantIn(msgspec.Struct):
    """A skill a course grants on completion, at a level (1..5)."""

    skill_id: SkillId
    level: Level


class SkillGrantOut(msgspec.Struct):
    skill_id: int
    level: int


class MatrixRowOut(msgspec.Struct):
    trainee: UserOut
    levels: dict[int, int]
    """skill id -> level, for the skills held among the matrix's."""


class SkillMatrixOut(msgspec.Struct):
    skills: list[SkillOut]
    rows: list[MatrixRowOut]

    @classmethod
    def of(cls, matrix: SkillMatrix) -> SkillMatrixOut:
        return cls(
            [SkillOut.of(s) for s in matrix.skills],
            [MatrixRowOut(UserOut.of(row.trainee), row.levels) for row in matrix.rows],
        )

"""What the skills catalogue needs from outside: the skills, the levels users hold, the
skills courses grant, and the matrix's read side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.accounts import User
from tms_domain.skills.catalogue import MatrixQuery, Skill, SkillQuery, SkillSource, UserSkill


class SkillRepository(Protocol):
    async def add(self, skill: Skill) -> Skill:
        """Insert it and give it its id; Conflict when the name is taken (case aside)."""
        ...

    async def get(self, skill_id: int) -> Skill | None: ...

    async def get_many(self, skill_ids: Sequence[int]) -> dict[int, Skill]: ...

    async def save(self, skill: Skill) -> None:
        """Conflict when the name is taken (case aside)."""
        ...

    async def delete(self, skill_id: int) -> None:
        """The skill, the levels users hold in it and the courses' grants of it."""
        ...

    async def page(self, query: SkillQuery) -> list[Skill]:
        """By category (none last), then name."""
        ...


class UserSkillRepository(Protocol):
    async def of_user(self, user_id: int) -> list[UserSkill]:
        """The user's skills, by category then name."""
        ...

    async def levels(self, user_id: int, skill_ids: Sequence[int]) -> dict[int, int]:
        """The levels the user holds among these skills, by skill id."""
        ...

    async def put(
        self, user_id: int, skill_id: int, level: int, source: SkillSource, at: datetime
    ) -> None:
        """Hold the skill at this level (replacing what the user held)."""
        ...

    async def holder_ids(self, skill_id: int) -> list[int]: ...


class CourseSkillRepository(Protocol):
    async def of_course(self, course_id: int) -> list[tuple[int, int]]:
        """(skill id, level) the course grants on completion, by skill id."""
        ...

    async def replace(self, course_id: int, grants: Mapping[int, int]) -> None:
        """The course grants exactly these skills (by id) at these levels."""
        ...


class SkillMatrixQueries(Protocol):
    async def trainees(self, query: MatrixQuery) -> list[User]:
        """A page of trainees, by last name, first name and id; a fixed number of
        statements."""
        ...

    async def levels(
        self, trainee_ids: Sequence[int], skill_ids: Sequence[int]
    ) -> dict[int, dict[int, int]]:
        """trainee id -> skill id -> level, for the skills named; set-based."""
        ...

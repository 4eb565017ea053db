"""The skill catalogue in memory, with the SQL adapters' behaviour: levels of deleted users
and grants of deleted courses are left out as the SQL foreign keys cascade them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.accounts import User
from tms_domain.kernel import Conflict, Role
from tms_domain.skills import MatrixQuery, Skill, SkillQuery, SkillSource, UserSkill


def _order(skill: Skill) -> tuple[bool, str, str, int]:
    return (skill.category is None, skill.category or "", skill.name.casefold(), skill.id)


class MemorySkillRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _check_name(self, skill: Skill) -> None:
        key = skill.name.casefold()
        if any(s.name.casefold() == key and s.id != skill.id for s in self._s.skills.values()):
            raise Conflict(f"A skill named {skill.name} already exists")

    async def add(self, skill: Skill) -> Skill:
        self._check_name(skill)
        skill.id = self._s.next_id("skills")
        self._s.skills[skill.id] = replace(skill)
        return skill

    async def get(self, skill_id: int) -> Skill | None:
        found = self._s.skills.get(skill_id)
        return replace(found) if found else None

    async def get_many(self, skill_ids: Sequence[int]) -> dict[int, Skill]:
        return {i: replace(self._s.skills[i]) for i in skill_ids if i in self._s.skills}

    async def save(self, skill: Skill) -> None:
        self._check_name(skill)
        self._s.skills[skill.id] = replace(skill)

    async def delete(self, skill_id: int) -> None:
        self._s.skills.pop(skill_id, None)
        for key in [k for k in self._s.user_skills if k[1] == skill_id]:
            del self._s.user_skills[key]
        for grants in self._s.course_skills.values():
            grants.pop(skill_id, None)

    async def page(self, query: SkillQuery) -> list[Skill]:
        found = sorted(self._s.skills.values(), key=_order)
        if query.q:
            found = [s for s in found if query.q.casefold() in s.name.casefold()]
        if query.category:
            key = query.category.casefold()
            found = [s for s in found if (s.category or "").casefold() == key]
        return [replace(s) for s in found[query.skip : query.skip + query.limit]]


class MemoryUserSkillRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def of_user(self, user_id: int) -> list[UserSkill]:
        if user_id not in self._s.users:
            return []
        held = [
            UserSkill(user_id, replace(self._s.skills[skill_id]), level, source, at)
            for (holder, skill_id), (level, source, at) in self._s.user_skills.items()
            if holder == user_id and skill_id in self._s.skills
        ]
        return sorted(held, key=lambda s: _order(s.skill))

    async def levels(self, user_id: int, skill_ids: Sequence[int]) -> dict[int, int]:
        if user_id not in self._s.users:
            return {}
        return {
            i: self._s.user_skills[(user_id, i)][0]
            for i in skill_ids
            if (user_id, i) in self._s.user_skills
        }

    async def put(
        self, user_id: int, skill_id: int, level: int, source: SkillSource, at: datetime
    ) -> None:
        self._s.user_skills[(user_id, skill_id)] = (level, source, at)

    async def holder_ids(self, skill_id: int) -> list[int]:
        return sorted(u for u, s in self._s.user_skills if s == skill_id and u in self._s.users)


class MemoryCourseSkillRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def of_course(self, course_id: int) -> list[tuple[int, int]]:
        if course_id not in self._s.courses:
            return []
        grants = self._s.course_skills.get(course_id, {})
        return sorted((s, lv) for s, lv in grants.items() if s in self._s.skills)

    async def replace(self, course_id: int, grants: Mapping[int, int]) -> None:
        self._s.course_skills[course_id] = dict(grants)


class MemorySkillMatrixQueries:
    def __init__(self, state: State) -> None:
        self._s = state

    async def trainees(self, query: MatrixQuery) -> list[User]:
        found = [u for u in self._s.users.values() if u.role is Role.TRAINEE]
        if query.trainer_id is not None:
            mine = {
                a.student_id
                for a in self._s.assignments.values()
                if a.teacher_id == query.trainer_id
            }
            found = [u for u in found if u.id in mine]
        if query.batch_id is not None:
            members = self._s.batch_members.get(query.batch_id, {})
            found = [u for u in found if u.id in members]
        if query.course_id is not None:
            enrolled = {t for c, t in self._s.course_enrolments if c == query.course_id}
            found = [u for u in found if u.id in enrolled]
        found.sort(key=lambda u: (u.last_name, u.first_name, u.id))
        return [replace(u) for u in found[query.skip : query.skip + query.limit]]

    async def levels(
        self, trainee_ids: Sequence[int], skill_ids: Sequence[int]
    ) -> dict[int, dict[int, int]]:
        found: dict[int, dict[int, int]] = {}
        for user_id in trainee_ids:
            for skill_id in skill_ids:
                held = self._s.user_skills.get((user_id, skill_id))
                if held is not None and skill_id in self._s.skills:
                    found.setdefault(user_id, {})[skill_id] = held[0]
        return found

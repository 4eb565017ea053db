"""Awarding skills, and the skills a course grants: what other areas call, in their own
unit of work (a completed course, a passed assessment)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from tms_domain.audit import record_audit
from tms_domain.kernel import InvalidInput, Principal
from tms_domain.skills.catalogue import MAX_LEVEL, MIN_LEVEL, SkillSource, UserSkill
from tms_domain.skills.events_skills import SkillAwarded

if TYPE_CHECKING:
    from tms_domain.unit_of_work import UnitOfWork

MAX_GRANTS = 100


async def award_skills(
    uow: UnitOfWork,
    user_id: int,
    awards: Sequence[tuple[int, int]],
    source: SkillSource,
    now: datetime,
    *,
    actor: Principal | None = None,
) -> list[UserSkill]:
    """The user holds each (skill id, level). A course or an assessment only raises a
    level (never lowers one held); a manual award sets it as given. Each change is audited
    (``skill.awarded``, target the skill, naming the user) and announced
    (``SkillAwarded``) to the holder, their trainers and admins. Skills that no longer
    exist are passed over. Answers what changed."""
    wanted: dict[int, int] = {}
    for skill_id, level in awards:
        wanted[skill_id] = max(level, wanted.get(skill_id, 0))
    if not wanted:
        return []
    skills = await uow.skills.get_many(list(wanted))
    held = await uow.user_skills.levels(user_id, list(skills))
    changed: list[UserSkill] = []
    trainers: frozenset[int] | None = None
    for skill_id, level in wanted.items():
        skill = skills.get(skill_id)
        before = held.get(skill_id)
        if skill is None or before == level:
            continue
        if source is not SkillSource.MANUAL and before is not None and before > level:
            continue
        await uow.user_skills.put(user_id, skill_id, level, source, now)
        await record_audit(
            uow,
            actor,
            "skill.awarded",
            "skill",
            skill_id,
            now,
            {
                "user_id": [None, user_id],
                "level": [before, level],
                "source": [None, source.value],
            },
        )
        if trainers is None:
            trainers = frozenset(await uow.assignments.teacher_ids_of(user_id))
        uow.record(SkillAwarded(user_id, skill, level, before, source, now, trainers))
        changed.append(UserSkill(user_id, skill, level, source, now))
    return changed


async def set_course_skills(
    uow: UnitOfWork, course_id: int, grants: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The course grants exactly these (skill id, level) on completion. Each skill must
    exist and each level be 1 to 5 (one 422, field ``skills``, names every fault); a skill
    named twice keeps its highest level."""
    wanted: dict[int, int] = {}
    errors: list[str] = []
    for skill_id, level in grants:
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            errors.append(f"skill {skill_id}: a level is from {MIN_LEVEL} to {MAX_LEVEL}")
        wanted[skill_id] = max(level, wanted.get(skill_id, 0))
    if len(wanted) > MAX_GRANTS:
        errors.append(f"At most {MAX_GRANTS} skills")
    found = await uow.skills.get_many(list(wanted)) if wanted else {}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        errors.append(f"No skill has the ids {', '.join(unknown)}")
    if errors:
        raise InvalidInput.for_field("skills", "; ".join(errors))
    await uow.course_skills.replace(course_id, wanted)
    return sorted(wanted.items())


async def course_skills(uow: UnitOfWork, course_id: int) -> list[tuple[int, int]]:
    """(skill id, level) the course grants on completion, by skill id."""
    return await uow.course_skills.of_course(course_id)

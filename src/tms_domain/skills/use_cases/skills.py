"""Use cases for the skill catalogue and users' skills: everyone signed in reads the
catalogue, admins keep it; a user's skills are read as the user is, and awarded by hand by
admins and the user's assigned trainers; a completed course awards the skills it grants."""

from __future__ import annotations

from datetime import datetime

from tms_domain.accounts import Actor, existing_user
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    Target,
    authorize,
)
from tms_domain.learning import CourseCompleted
from tms_domain.skills.awarding import award_skills
from tms_domain.skills.catalogue import (
    Skill,
    SkillFields,
    SkillQuery,
    SkillSource,
    UserSkill,
    apply_fields,
    check_level,
)
from tms_domain.skills.events_skills import SkillChanged, SkillCreated, SkillDeleted
from tms_domain.unit_of_work import Core, UnitOfWork

SKILL_NOT_FOUND = "Skill not found"
ADMINS_ONLY = "Only admins manage the skill catalogue"


def _text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


async def _existing_skill(uow: UnitOfWork, skill_id: int) -> Skill:
    skill = await uow.skills.get(skill_id)
    if skill is None:
        raise NotFound(SKILL_NOT_FOUND)
    return skill


class SkillService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_skills(
        self, actor: Actor, page: Page, q: str | None = None, category: str | None = None
    ) -> list[Skill]:
        """Anyone signed in. By category (none last), then name; ``q``: part of the name,
        ``category``: the category exactly (case aside for both)."""
        authorize(actor, Permission.LIST_SKILLS)
        query = SkillQuery(page.skip, page.limit, _text_or_none(q), _text_or_none(category))
        async with self._core.uow(read_only=True) as uow:
            return await uow.skills.page(query)

    async def create_skill(self, actor: Actor, fields: SkillFields) -> Skill:
        """Admins. The name is required and unique, case aside (409)."""
        authorize(actor, Permission.MANAGE_SKILLS, denial=ADMINS_ONLY)
        if fields.name is None:
            raise InvalidInput.for_field("name", "A skill needs a name")
        now = self._core.clock.now()
        skill = Skill(0, "", None, None, now, now)
        apply_fields(skill, fields, now)
        skill.updated_at = now
        async with self._core.uow() as uow:
            skill = await uow.skills.add(skill)
            await record_audit(
                uow,
                actor,
                "skill.created",
                "skill",
                skill.id,
                now,
                {k: [None, v] for k, v in skill.audit_fields().items()},
            )
            uow.record(SkillCreated(skill))
            await uow.commit()
        return skill

    async def update_skill(self, actor: Actor, skill_id: int, fields: SkillFields) -> Skill:
        """Admins; as creating. Unknown skill: 404."""
        authorize(actor, Permission.MANAGE_SKILLS, denial=ADMINS_ONLY)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            skill = await _existing_skill(uow, skill_id)
            changed = apply_fields(skill, fields, now)
            if not changed:
                return skill
            await uow.skills.save(skill)
            await record_audit(uow, actor, "skill.updated", "skill", skill.id, now, changed)
            uow.record(SkillChanged(skill))
            await uow.commit()
        return skill

    async def delete_skill(self, actor: Actor, skill_id: int) -> int:
        """Admins. The skill leaves the catalogue, the courses that granted it and the
        users who held it (their levels in it are gone; the audit keeps how many). Answers
        how many held it."""
        authorize(actor, Permission.MANAGE_SKILLS, denial=ADMINS_ONLY)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            skill = await _existing_skill(uow, skill_id)
            holders = await uow.user_skills.holder_ids(skill.id)
            await uow.skills.delete(skill.id)
            changes = {k: [v, None] for k, v in skill.audit_fields().items()}
            changes["holders"] = [len(holders), None]
            await record_audit(uow, actor, "skill.deleted", "skill", skill.id, now, changes)
            uow.record(SkillDeleted(skill))
            await uow.commit()
        return len(holders)

    async def user_skills(self, actor: Actor, user_id: int) -> list[UserSkill]:
        """Read as the user is (GET /users/{id}): admins and trainers anyone, a trainee
        themself (403 for another). Unknown user: 404. By category, then name."""
        permission = Permission.READ_OWN_USER if user_id == actor.id else Permission.READ_USER
        authorize(actor, permission, Target(user_id=user_id))
        async with self._core.uow(read_only=True) as uow:
            await existing_user(uow, user_id)
            return await uow.user_skills.of_user(user_id)

    async def award(self, actor: Actor, user_id: int, skill_id: int, level: int) -> UserSkill:
        """Admins, and the user's assigned trainers (another trainer or a trainee: 403), to
        a trainee. The level (1..5) is set as given, source "manual"; an unknown skill or a
        level outside 1..5 is a 422, an unknown user 404, a user who is not a trainee 422."""
        check_level(level)
        # Whom the caller may not read (a trainee, another user) is refused before looking
        # them up, so that the answer does not tell who exists.
        permission = Permission.READ_OWN_USER if user_id == actor.id else Permission.READ_USER
        authorize(actor, permission, Target(user_id=user_id))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            user = await existing_user(uow, user_id)
            trainers = await uow.assignments.teacher_ids_of(user_id)
            authorize(
                actor,
                Permission.AWARD_SKILL,
                Target(user_id=user_id, assigned_trainer_ids=frozenset(trainers)),
                denial="Only admins and the trainee's trainers award skills",
            )
            if user.role is not Role.TRAINEE:
                raise InvalidInput.for_field("user_id", "Skills are awarded to trainees")
            skill = await uow.skills.get(skill_id)
            if skill is None:
                raise InvalidInput.for_field("skill_id", f"No skill has the id {skill_id}")
            changed = await award_skills(
                uow, user_id, [(skill_id, level)], SkillSource.MANUAL, now, actor=actor
            )
            held = changed or [
                s for s in await uow.user_skills.of_user(user_id) if s.skill.id == skill_id
            ]
            await uow.commit()
        return held[0]


async def on_course_completed(uow: UnitOfWork, event: CourseCompleted, now: datetime) -> None:
    """A trainee completed a course: they hold each skill it grants at its level, unless
    they hold it higher already (source "course")."""
    grants = await uow.course_skills.of_course(event.course_id)
    if grants:
        await award_skills(uow, event.trainee_id, grants, SkillSource.COURSE, now)

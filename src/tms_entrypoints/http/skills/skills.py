"""/skills: the catalogue and the skills matrix; /users/{id}/skills: a user's skills."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.skills import SkillFields
from tms_domain.skills.use_cases.matrix import MatrixFilters, SkillMatrixService
from tms_domain.skills.use_cases.skills import SkillService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MAX_ID, MessageOut
from tms_entrypoints.http.skills.schemas import (
    AwardIn,
    SkillCreateIn,
    SkillMatrixOut,
    SkillOut,
    SkillUpdateIn,
    UserSkillOut,
)

SearchText = Annotated[str | None, QueryParameter(max_length=200)]
FilterId = Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)]


class SkillsController(Controller):
    path = "/skills"
    tags = ["skills"]

    @get("/", operation_id="listSkills", responses=ERROR_RESPONSES)
    async def list_skills(
        self,
        actor: NamedDependency[Actor],
        skills: NamedDependency[SkillService],
        skip: Skip = 0,
        limit: Limit = 100,
        q: SearchText = None,
        category: SearchText = None,
    ) -> list[SkillOut]:
        """Anyone signed in. By category (none last), then name; `q` matches part of the
        name, `category` the category exactly (case aside for both)."""
        found = await skills.list_skills(actor, Page(skip, limit), q, category)
        return [SkillOut.of(skill) for skill in found]

    @post("/", operation_id="createSkill", status_code=201, responses=ERROR_RESPONSES)
    async def create_skill(
        self,
        data: JSONBody[SkillCreateIn],
        actor: NamedDependency[Actor],
        skills: NamedDependency[SkillService],
    ) -> SkillOut:
        """Admins. 409 when the name is taken (case aside)."""
        skill = await skills.create_skill(
            actor, SkillFields(data.name, data.category or "", data.description or "")
        )
        return SkillOut.of(skill)

    @put("/{skill_id:int}", operation_id="updateSkill", responses=ERROR_RESPONSES)
    async def update_skill(
        self,
        skill_id: Id,
        data: JSONBody[SkillUpdateIn],
        actor: NamedDependency[Actor],
        skills: NamedDependency[SkillService],
    ) -> SkillOut:
        """Admins; as creating. A blank category or description clears it."""
        skill = await skills.update_skill(
            actor, skill_id, SkillFields(data.name, data.category, data.description)
        )
        return SkillOut.of(skill)

    @delete(
        "/{skill_id:int}", operation_id="deleteSkill", status_code=200, responses=ERROR_RESPONSES
    )
    async def delete_skill(
        self, skill_id: Id, actor: NamedDependency[Actor], skills: NamedDependency[SkillService]
    ) -> MessageOut:
        """Admins. The skill leaves the courses that grant it and the users who hold it."""
        holders = await skills.delete_skill(actor, skill_id)
        return MessageOut(f"Skill deleted ({holders} users held it)")

    @get("/matrix", operation_id="getSkillMatrix", responses=ERROR_RESPONSES)
    async def matrix(
        self,
        actor: NamedDependency[Actor],
        skill_matrix: NamedDependency[SkillMatrixService],
        skip: Skip = 0,
        limit: Limit = 100,
        batch_id: FilterId = None,
        course_id: FilterId = None,
        skill_id: FilterId = None,
    ) -> SkillMatrixOut:
        """Admins: every trainee; trainers: their assigned trainees. Paged over trainees
        (by last name, first name). `batch_id`: its members; `course_id`: those enrolled,
        with the skills it grants as the columns; `skill_id`: that skill alone."""
        found = await skill_matrix.matrix(
            actor, MatrixFilters(batch_id, course_id, skill_id), Page(skip, limit)
        )
        return SkillMatrixOut.of(found)


@get(
    "/users/{user_id:int}/skills",
    operation_id="listUserSkills",
    tags=["skills"],
    responses=ERROR_RESPONSES,
)
async def list_user_skills(
    user_id: Id, actor: NamedDependency[Actor], skills: NamedDependency[SkillService]
) -> list[UserSkillOut]:
    """As GET /users/{id}: admins and trainers anyone, a trainee themself."""
    return [UserSkillOut.of(held) for held in await skills.user_skills(actor, user_id)]


@post(
    "/users/{user_id:int}/skills",
    operation_id="awardUserSkill",
    tags=["skills"],
    status_code=201,
    responses=ERROR_RESPONSES,
)
async def award_user_skill(
    user_id: Id,
    data: JSONBody[AwardIn],
    actor: NamedDependency[Actor],
    skills: NamedDependency[SkillService],
) -> UserSkillOut:
    """Admins and the trainee's assigned trainers. The level (1..5) is set as given, source
    `manual`; unknown skill or level outside 1..5: 422."""
    return UserSkillOut.of(await skills.award(actor, user_id, data.skill_id, data.level))

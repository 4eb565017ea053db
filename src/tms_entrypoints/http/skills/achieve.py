"""/users/{id}/achievements and /users/{id}/activity: the milestones a user reached, and
what they did, newest first."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.skills.use_cases.achievements import AchievementService
from tms_domain.skills.use_cases.activity import ActivityService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import Timestamp, iso


class AchievementOut(msgspec.Struct):
    kind: str
    title: str
    awarded_at: Timestamp


class ActivityOut(msgspec.Struct):
    at: Timestamp
    kind: str
    """sign_in, lesson_completed, attendance, assessment_attempt, assessment_graded,
    certificate, skill or achievement."""
    summary: str
    target_type: str
    target_id: int | None


@get(
    "/users/{user_id:int}/achievements",
    operation_id="listUserAchievements",
    tags=["achievements"],
    responses=ERROR_RESPONSES,
)
async def user_achievements(
    user_id: Id, actor: NamedDependency[Actor], achievements: NamedDependency[AchievementService]
) -> list[AchievementOut]:
    """As GET /users/{id}: admins and trainers read anyone's, a trainee their own. Oldest
    first; each kind at most once."""
    found = await achievements.achievements(actor, user_id)
    return [AchievementOut(a.kind.value, a.title, iso(a.awarded_at)) for a in found]


@get(
    "/users/{user_id:int}/activity",
    operation_id="listUserActivity",
    tags=["achievements"],
    responses=ERROR_RESPONSES,
)
async def user_activity(
    user_id: Id,
    actor: NamedDependency[Actor],
    activity: NamedDependency[ActivityService],
    skip: Skip = 0,
    limit: Limit = 100,
) -> list[ActivityOut]:
    """Admins, and the user themself (anyone else: 404): sign-ins, lessons completed,
    attendance, assessment attempts, certificates, skills and achievements, newest first."""
    items = await activity.timeline(actor, user_id, Page(skip, limit))
    return [ActivityOut(iso(i.at), i.kind, i.summary, i.target_type, i.target_id) for i in items]

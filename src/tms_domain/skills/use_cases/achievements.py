"""Awarding achievements, as reactions to the learning and training areas' facts (listed in
``tms_domain.reactions``) in the unit of work that recorded them, and reading them back.

Each kind is held at most once per user: the repository's unique key settles two awards
that race, and only the one that added the row audits, tells and notifies. Attendance
awards hold the trainee (``AchievementRepository.hold``) before counting, so two marks
committed side by side are counted one after the other (under READ COMMITTED the second
sees the first) and the tenth present mark is never missed."""

from __future__ import annotations

from datetime import datetime

from tms_domain.accounts import Actor, existing_user
from tms_domain.audit import record_audit
from tms_domain.kernel import Permission, Target, authorize
from tms_domain.learning import CourseCompleted
from tms_domain.notifications import NotificationKind
from tms_domain.notifications.use_cases.notify import notify
from tms_domain.skills.achievements import (
    SESSIONS_FOR_TEN,
    Achievement,
    AchievementKind,
    month_of,
    perfect_month,
)
from tms_domain.skills.events_achieve import AchievementAwarded
from tms_domain.training import AttendanceChanged, AttendanceMarked
from tms_domain.unit_of_work import Core, UnitOfWork

PROFILE_PATH = "/profile"
"""Where the web client shows a user their achievements."""


async def award(
    uow: UnitOfWork, user_id: int, kind: AchievementKind, now: datetime
) -> Achievement | None:
    """Award ``kind`` unless the user holds it: audited as ``achievement.awarded``, pushed
    to them as ``achievement_awarded`` and left in their notifications. None when held."""
    achievement = Achievement(user_id, kind, now)
    achievement_id = await uow.achievements.add(achievement)
    if achievement_id is None:
        return None
    await record_audit(
        uow,
        None,
        "achievement.awarded",
        "achievement",
        achievement_id,
        now,
        {"user_id": [None, user_id], "kind": [None, kind.value]},
    )
    uow.record(AchievementAwarded(user_id, kind.value, achievement.title, now))
    await notify(
        uow,
        user_id,
        NotificationKind.ACHIEVEMENT_AWARDED,
        title="Achievement unlocked",
        message=achievement.title,
        link=PROFILE_PATH,
        dedupe_key=f"achievement:{kind.value}",
        now=now,
    )
    return achievement


async def on_course_completed(uow: UnitOfWork, event: CourseCompleted, now: datetime) -> None:
    await award(uow, event.trainee_id, AchievementKind.FIRST_COURSE_COMPLETED, now)


async def on_attendance(
    uow: UnitOfWork, event: AttendanceMarked | AttendanceChanged, now: datetime
) -> None:
    """A present mark may complete ten sessions attended, or a perfect month (the month of
    the session marked)."""
    mark = event.attendance
    if not mark.present:
        return
    held = {achievement.kind for achievement in await uow.achievements.of_user(mark.trainee_id)}
    wanted = {AchievementKind.TEN_SESSIONS_ATTENDED, AchievementKind.PERFECT_ATTENDANCE_MONTH}
    if wanted <= held:
        return
    # Serialise the trainee's marks: what is counted next includes every committed mark.
    await uow.achievements.hold(mark.trainee_id)
    facts = uow.attendance_facts
    if (
        AchievementKind.TEN_SESSIONS_ATTENDED not in held
        and await facts.sessions_attended(mark.trainee_id) >= SESSIONS_FOR_TEN
    ):
        await award(uow, mark.trainee_id, AchievementKind.TEN_SESSIONS_ATTENDED, now)
    if AchievementKind.PERFECT_ATTENDANCE_MONTH not in held:
        session = await uow.sessions.get(mark.session_id)
        if session is None:
            return
        start, end = month_of(session.scheduled_date)
        enrolled, present = await facts.month_attendance(mark.trainee_id, start, end)
        if perfect_month(enrolled, present):
            await award(uow, mark.trainee_id, AchievementKind.PERFECT_ATTENDANCE_MONTH, now)


class AchievementService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def achievements(self, actor: Actor, user_id: int) -> list[Achievement]:
        """Whoever may read the user (admins, trainers, the user themself): their
        achievements, oldest first."""
        authorize(
            actor,
            Permission.READ_OWN_USER if user_id == actor.id else Permission.READ_USER,
            Target(user_id=user_id),
        )
        async with self._core.uow(read_only=True) as uow:
            if user_id != actor.id:
                await existing_user(uow, user_id)
            return await uow.achievements.of_user(user_id)

"""The achievements' ports, kept alike by the in-memory, SQLite and MariaDB adapters: a kind
is kept once per user, the attendance counts that award the milestones, and the activity
timeline read from the audit trail by whom each entry is about, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import FakeClock
from support import TRAINING_START, add_cast, add_session
from tms_domain.audit import record_audit
from tms_domain.skills import Achievement, AchievementKind
from tms_domain.skills.achievements import month_of
from tms_domain.training import Attendance
from tms_entrypoints.container import Container

MAY = (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


async def test_a_kind_is_kept_once_per_user(storage: Container, clock: FakeClock) -> None:
    cast = await add_cast(storage)
    pia, paul = cast.trainee.id, cast.other_trainee.id
    async with storage.uow()() as uow:
        await uow.achievements.hold(pia)
        first = await uow.achievements.add(
            Achievement(pia, AchievementKind.TEN_SESSIONS_ATTENDED, clock.now())
        )
        again = await uow.achievements.add(
            Achievement(pia, AchievementKind.TEN_SESSIONS_ATTENDED, clock.now())
        )
        other = await uow.achievements.add(
            Achievement(paul, AchievementKind.TEN_SESSIONS_ATTENDED, clock.now())
        )
        later = clock.now() + timedelta(days=1)
        await uow.achievements.add(Achievement(pia, AchievementKind.FIRST_COURSE_COMPLETED, later))
        await uow.commit()
    assert isinstance(first, int)
    assert isinstance(other, int)
    assert again is None
    async with storage.uow()(read_only=True) as uow:
        held = await uow.achievements.of_user(pia)
        assert await uow.achievements.of_user(cast.third_trainee.id) == []
    assert [(a.kind, a.awarded_at) for a in held] == [
        (AchievementKind.TEN_SESSIONS_ATTENDED, clock.now()),
        (AchievementKind.FIRST_COURSE_COMPLETED, clock.now() + timedelta(days=1)),
    ]
    assert held[0].title == "Ten sessions attended"


async def test_attendance_facts_count_present_marks_and_a_month(storage: Container) -> None:
    cast = await add_cast(storage)
    pia = cast.trainee.id
    starts = [TRAINING_START + timedelta(weeks=n) for n in range(5)]  # May 4..25, June 1
    sessions = [
        await add_session(storage, cast.trainer, trainees=(pia,), start=start, title=f"S{n}")
        for n, start in enumerate(starts)
    ]
    async with storage.uow()() as uow:
        for n, session in enumerate(sessions):
            await uow.attendance.add(
                Attendance(0, session.id, pia, present=n != 1, marked_at=TRAINING_START)
            )
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.attendance_facts.sessions_attended(pia) == 4
        assert await uow.attendance_facts.month_attendance(pia, *MAY) == (4, 3)
        assert await uow.attendance_facts.month_attendance(pia, *month_of(starts[4])) == (1, 1)
        assert await uow.attendance_facts.month_attendance(cast.other_trainee.id, *MAY) == (0, 0)


async def test_the_timeline_holds_the_entries_about_the_user_newest_first(
    storage: Container, clock: FakeClock
) -> None:
    cast = await add_cast(storage)
    pia, tom = cast.trainee.id, cast.trainer.id
    async with storage.uow()() as uow:
        for n in range(5):
            await record_audit(
                uow,
                cast.trainer,
                "attendance.marked",
                "attendance",
                n + 1,
                clock.now(),
                {"trainee_id": [None, pia], "present": [None, True]},
            )
        await record_audit(uow, cast.trainer, "session.created", "session", 9, clock.now())
        await record_audit(
            uow,
            cast.trainer,
            "attendance.updated",
            "attendance",
            1,
            clock.now(),
            {},
            subject_id=pia,
        )
        await uow.commit()
    actions = {"attendance.marked", "attendance.updated", "session.created"}
    async with storage.uow()(read_only=True) as uow:
        mine = await uow.activity.page(pia, actions, skip=0, limit=100)
        paged = await uow.activity.page(pia, actions, skip=1, limit=2)
        his = await uow.activity.page(tom, actions, skip=0, limit=100)
    assert [(e.action, e.target_id) for e in mine] == [("attendance.updated", 1)] + [
        ("attendance.marked", n) for n in (5, 4, 3, 2, 1)
    ]
    assert [(e.action, e.target_id) for e in paged] == [
        ("attendance.marked", 5),
        ("attendance.marked", 4),
    ]
    assert [(e.action, e.subject_id) for e in his] == [("session.created", tom)]


async def test_a_deleted_users_achievements_go_with_them(
    storage: Container, clock: FakeClock
) -> None:
    cast = await add_cast(storage)
    pia = cast.trainee.id
    async with storage.uow()() as uow:
        await uow.achievements.hold(pia)
        await uow.achievements.add(
            Achievement(pia, AchievementKind.PERFECT_ATTENDANCE_MONTH, clock.now())
        )
        await uow.commit()
    await storage.users().delete_user(cast.admin, pia)
    async with storage.uow()(read_only=True) as uow:
        assert await uow.achievements.of_user(pia) == []

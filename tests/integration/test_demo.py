"""`tms demo`: the demo data set is consistent, on SQLite and MariaDB."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from conftest import FakeClock
from support import add_admin
from tms_domain.kernel import Page, Role
from tms_domain.learning import EnrolmentStatus
from tms_domain.training import SessionQuery
from tms_entrypoints.container import Container
from tms_entrypoints.demo import (
    DEMO_PASSWORD,
    FULL,
    SMALL,
    DemoError,
    DemoSize,
    double_bookings,
    fill_demo,
    plan_demo,
)

# Pairs of distinct sessions that share a trainer, or a trainee, and overlap in time
# (half-open ranges). The demo schedule has none at all, whatever the status.
TRAINER_CLASHES = """
SELECT COUNT(*) FROM training_sessions a
JOIN training_sessions b
  ON a.trainer_id = b.trainer_id AND a.id < b.id
 AND a.scheduled_date < b.ends_at AND b.scheduled_date < a.ends_at
"""
TRAINEE_CLASHES = """
SELECT COUNT(*) FROM enrolments ea
JOIN enrolments eb ON ea.trainee_id = eb.trainee_id AND ea.session_id < eb.session_id
JOIN training_sessions a ON a.id = ea.session_id
JOIN training_sessions b ON b.id = eb.session_id
WHERE a.scheduled_date < b.ends_at AND b.scheduled_date < a.ends_at
"""
MARKS_NOT_FOR_PAST_COMPLETED = """
SELECT COUNT(*) FROM attendance m
JOIN training_sessions s ON s.id = m.session_id
WHERE s.status <> 'completed' OR s.ends_at > :now
"""
MARKS_WITHOUT_ENROLMENT = """
SELECT COUNT(*) FROM attendance m
LEFT JOIN enrolments e ON e.session_id = m.session_id AND e.trainee_id = m.trainee_id
WHERE e.id IS NULL
"""
STATUS_AGAINST_TIME = """
SELECT COUNT(*) FROM training_sessions
WHERE (status = 'scheduled' AND scheduled_date <= :now)
   OR (status <> 'scheduled' AND ends_at > :now)
"""


OVER_CAPACITY = """
SELECT COUNT(*) FROM training_sessions s
WHERE s.capacity IS NOT NULL
  AND (SELECT COUNT(*) FROM enrolments e WHERE e.session_id = s.id) > s.capacity
"""
FULL_WITH_WAITLIST = """
SELECT COUNT(DISTINCT s.id) FROM training_sessions s
JOIN session_waitlist w ON w.session_id = s.id
WHERE (SELECT COUNT(*) FROM enrolments e WHERE e.session_id = s.id) = s.capacity
"""
ROOM_CLASHES = """
SELECT COUNT(*) FROM training_sessions a JOIN training_sessions b
  ON a.room_id = b.room_id AND a.id < b.id
 AND a.scheduled_date < b.ends_at AND b.scheduled_date < a.ends_at
WHERE a.status = 'scheduled' AND b.status = 'scheduled'
"""
OVER_ROOM_CAPACITY = """
SELECT COUNT(*) FROM training_sessions s JOIN rooms r ON r.id = s.room_id
WHERE s.capacity > r.capacity
"""


async def scalar(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


def naive_utc(moment: datetime) -> datetime:
    """As the tables store it."""
    return moment.astimezone(UTC).replace(tzinfo=None)


async def test_small_demo_data_is_consistent(sql_container: Container, clock: FakeClock) -> None:
    progress: list[float] = []
    report = await fill_demo(
        sql_container, SMALL, seed=7, progress=lambda percent, _stage: progress.append(percent)
    )
    engine = sql_container.engine()
    now = naive_utc(clock.now())

    async with sql_container.uow()(read_only=True) as uow:
        by_role = await uow.analytics.count_by_role()
        by_status = await uow.analytics.count_by_status()
        trainees = await uow.user_directory.page(skip=0, limit=1000, role=Role.TRAINEE)
        trainers = await uow.user_directory.page(skip=0, limit=1000, role=Role.TRAINER)
    assert by_role[Role.TRAINER] == SMALL.trainers
    assert by_role[Role.TRAINEE] == SMALL.trainees
    assert sum(by_status.values()) == SMALL.sessions
    assert by_status == report.sessions_by_status
    assert all(by_status[status] > 0 for status in by_status)
    enrolments = await scalar(engine, "SELECT COUNT(*) FROM enrolments")
    assert enrolments == SMALL.sessions * SMALL.per_session
    assert await scalar(engine, "SELECT COUNT(*) FROM attendance") == report.marks > 0
    assert await scalar(engine, "SELECT COUNT(*) FROM assignments") == report.assignments > 0

    assert await scalar(engine, TRAINER_CLASHES) == 0
    assert await scalar(engine, TRAINEE_CLASHES) == 0
    assert await scalar(engine, MARKS_NOT_FOR_PAST_COMPLETED, now=now) == 0
    assert await scalar(engine, MARKS_WITHOUT_ENROLMENT) == 0
    assert await scalar(engine, STATUS_AGAINST_TIME, now=now) == 0

    # Rooms, and upcoming sessions open to booking: one full with a waitlist, none over
    # capacity, no room holding two sessions at once.
    assert await scalar(engine, "SELECT COUNT(*) FROM rooms") == 3
    assert await scalar(engine, "SELECT COUNT(*) FROM training_sessions WHERE self_booking") > 1
    assert await scalar(engine, "SELECT COUNT(*) FROM session_waitlist") == 3
    assert await scalar(engine, OVER_CAPACITY) == 0
    assert await scalar(engine, FULL_WITH_WAITLIST) == 1
    assert await scalar(engine, ROOM_CLASHES) == 0
    assert await scalar(engine, OVER_ROOM_CAPACITY) == 0

    people = [*trainers, *trainees]
    names = "".join(f"{u.first_name}{u.last_name}" for u in people)
    assert any(not ch.isascii() and ch.isalpha() for ch in names)
    assert len({u.username.casefold() for u in people}) == len(people)
    assert all(u.username.isascii() for u in people)

    # The progress bar and the trainees' progress both stay within 0..100.
    assert progress[0] == 0.0
    assert progress[-1] == 100.0
    assert all(0.0 <= p <= 100.0 for p in progress)
    assert progress == sorted(progress)
    admin = await add_admin(sql_container, "demo-admin")
    figures = [
        item
        for trainer in trainers
        for item in await sql_container.progress().trainer_progress(admin, trainer.id)
    ]
    assert figures
    assert all(0.0 <= item.percentage <= 100.0 for item in figures)
    assert all(0 <= item.attended_sessions <= item.total_sessions for item in figures)

    # Every demo user signs in with the one demo password.
    signed_in = await sql_container.auth().sign_in(trainees[0].username, DEMO_PASSWORD)
    assert signed_in.user.id == trainees[0].id

    # Courses: lessons of each kind, enrolments with partial progress, stored status in step.
    assert await scalar(engine, "SELECT COUNT(*) FROM courses") == report.courses > 0
    kinds = await scalar(engine, "SELECT COUNT(DISTINCT kind) FROM lessons")
    assert kinds == len({"text", "video", "file", "session"})
    assert await scalar(engine, "SELECT COUNT(*) FROM course_enrolments") == (
        report.course_enrolments
    )
    assert await scalar(engine, "SELECT COUNT(*) FROM lesson_completions") == (
        report.lesson_completions
    )
    # Batches: each with members, enrolled in a course its members are enrolled in.
    assert await scalar(engine, "SELECT COUNT(*) FROM batches") == report.batches > 0
    assert await scalar(engine, "SELECT COUNT(*) FROM batch_members") > 0
    unfollowed = await scalar(
        engine,
        "SELECT COUNT(*) FROM batch_members m JOIN batch_courses c ON c.batch_id = m.batch_id"
        " LEFT JOIN course_enrolments e ON e.course_id = c.course_id"
        " AND e.trainee_id = m.trainee_id WHERE e.id IS NULL",
    )
    assert unfollowed == 0
    statuses = set()
    for course_id in range(1, report.courses + 1):
        for row in await sql_container.course_enrolments().list_enrolments(
            admin, course_id, Page(limit=1000)
        ):
            statuses.add(row.progress.status)
            assert row.enrolment.status is row.progress.status
    assert statuses == set(EnrolmentStatus)


async def test_demo_sessions_fall_in_working_hours(sql_container: Container) -> None:
    await fill_demo(sql_container, SMALL, seed=11)
    async with sql_container.uow()(read_only=True) as uow:
        sessions = await uow.session_listing.page(SessionQuery(limit=1000))
    assert len(sessions) == SMALL.sessions
    for session in sessions:
        start, end = session.scheduled_date, session.ends_at
        assert start.weekday() < 5
        assert start.hour >= 9
        assert (end.hour, end.minute) <= (18, 0)
        assert end.date() == start.date()


async def test_if_empty_leaves_a_filled_database_alone(sql_container: Container) -> None:
    first = await fill_demo(sql_container, SMALL, seed=1)
    assert not first.skipped
    again = await fill_demo(sql_container, SMALL, seed=1, if_empty=True)
    assert again.skipped
    with pytest.raises(DemoError, match="already holds"):
        await fill_demo(sql_container, SMALL, seed=1)
    async with sql_container.uow()(read_only=True) as uow:
        assert (await uow.analytics.count_by_role())[Role.TRAINEE] == SMALL.trainees


async def test_a_password_the_policy_refuses_is_refused(sql_container: Container) -> None:
    with pytest.raises(DemoError, match="password"):
        await fill_demo(sql_container, SMALL, password="short")


def test_the_full_plan_never_double_books() -> None:
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)
    plan = plan_demo(FULL, now=now, seed=3)
    assert len(plan.sessions) == FULL.sessions
    assert all(len(s.trainees) == FULL.per_session for s in plan.sessions)
    assert double_bookings(plan) == []
    past = [s for s in plan.sessions if s.start <= now]
    future = [s for s in plan.sessions if s.start > now]
    assert past
    assert future
    assert all(s.end <= now for s in past)
    assert min(s.start for s in plan.sessions) < now - timedelta(days=150)
    assert max(s.start for s in plan.sessions) > now + timedelta(days=60)
    assert {m.session for m in plan.marks} <= {
        i for i, s in enumerate(plan.sessions) if s.status.value == "completed"
    }


def test_the_same_seed_gives_the_same_plan() -> None:
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)
    assert plan_demo(SMALL, now=now, seed=5) == plan_demo(SMALL, now=now, seed=5)
    assert plan_demo(SMALL, now=now, seed=5) != plan_demo(SMALL, now=now, seed=6)


def test_a_crowded_schedule_stretches_over_more_months() -> None:
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)
    plan = plan_demo(DemoSize(trainers=2, trainees=12, sessions=900, per_session=6), now=now)
    assert double_bookings(plan) == []
    assert len(plan.sessions) == 900


def test_sizes_that_make_no_sense_are_refused() -> None:
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="per-session"):
        plan_demo(DemoSize(trainers=1, trainees=3, sessions=1, per_session=4), now=now)


def test_the_command_fills_a_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TMS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "TMS_VAR_DIR": str(tmp_path / "var"),
        "TMS_ADMIN_PASSWORD": "an admin passphrase 42",
        "TMS_ARGON2_TIME_COST": "1",
        "TMS_ARGON2_MEMORY_KIB": "1024",
        "TMS_ARGON2_PARALLELISM": "1",
    }
    command = [sys.executable, "-m", "tms_entrypoints.cli", "demo", "--small", "--seed", "2"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert DEMO_PASSWORD in done.stdout
    assert "100.0%" in done.stderr
    again = subprocess.run(
        [*command, "--if-empty"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "no demo data added" in again.stdout


def test_no_demo_user_takes_the_admins_username() -> None:
    now = datetime(2026, 5, 6, 10, 30, tzinfo=UTC)
    first = plan_demo(SMALL, now=now, seed=9).trainers[0].username
    plan = plan_demo(SMALL, now=now, seed=9, reserved=frozenset({first.upper()}))
    assert first not in {p.username for p in [*plan.trainers, *plan.trainees]}

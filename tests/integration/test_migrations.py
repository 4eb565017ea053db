"""The migrations build exactly the schema of tables.py, tear it down, and build it again,
on SQLite and on MariaDB."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Integer, column, insert, inspect, table, text, update
from sqlalchemy.engine import Connection

from conftest import FakeClock, container_on
from support import add_user, current_user
from tms_adapters.persistence.sql import create_engine
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql.tables import metadata
from tms_domain.accounts import Actor
from tms_domain.kernel import Role
from tms_domain.training.use_cases.sessions import NewSession

SCHEMA_TABLES = set(metadata.tables)


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


async def tables_in(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_table_names)
    finally:
        await engine.dispose()


async def differences_from_models(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences)
    finally:
        await engine.dispose()


def test_the_schema_has_the_tables_the_adapters_use() -> None:
    assert {"users", "sign_ins", "training_sessions", "enrolments", "events"} <= SCHEMA_TABLES


async def test_upgrade_downgrade_and_upgrade_again(empty_database_url: str) -> None:
    assert await tables_in(empty_database_url) == set()
    assert await schema.pending(empty_database_url) != []

    await schema.upgrade(empty_database_url)
    assert await tables_in(empty_database_url) == SCHEMA_TABLES
    assert await schema.pending(empty_database_url) == []

    await schema.downgrade(empty_database_url, "base")
    assert await tables_in(empty_database_url) == set()
    missing = await differences_from_models(empty_database_url)
    assert {diff[1].name for diff in missing if diff[0] == "add_table"} == SCHEMA_TABLES

    await schema.upgrade(empty_database_url)
    assert await tables_in(empty_database_url) == SCHEMA_TABLES


async def test_the_models_match_the_migrations(database_url: str) -> None:
    assert await differences_from_models(database_url) == []


# 0003: ids never reused, look-alike usernames (on a database the old schema made)

OLD_USERS = [
    # id, username, email, role
    (1, "root", "root@example.org", "admin"),
    (2, "alice", "alice@example.org", "trainee"),
    (3, "\u0430lice", "cyrillic.a@example.org", "trainee"),  # Cyrillic а: looks like alice
    (4, "bob@example.org", "robert@example.org", "trainee"),  # another user's e-mail
    (5, "bob", "bob@example.org", "trainer"),
]
WHEN = "2026-05-01 09:00:00"


async def _fill_old_schema(url: str) -> None:
    """Rows as the 0001 schema held them, and an audit log that remembers deleted user 9
    and session 7: ids above any row left."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for user_id, username, email, role in OLD_USERS:
                await conn.execute(
                    text(
                        "INSERT INTO users (id, username, username_key, email, email_key, role,"
                        " first_name, last_name, password_hash, is_temporary_password,"
                        " created_at, updated_at) VALUES (:id, :username, :username_key,"
                        " :email, :email_key, :role, 'Old', 'Timer', 'x', 0, :at, :at)"
                    ),
                    {
                        "id": user_id,
                        "username": username,
                        "username_key": username.casefold(),
                        "email": email,
                        "email_key": email.casefold(),
                        "role": role,
                        "at": WHEN,
                    },
                )
            statements = [
                "INSERT INTO training_sessions (id, title, trainer_id, scheduled_date, ends_at,"
                " duration_minutes, status, session_link, created_at, updated_at)"
                " VALUES (2, 'Old', 5, :at, :at, 60, 'completed', 'old-link', :at, :at)",
                "INSERT INTO enrolments (session_id, trainee_id, enrolled_at) VALUES (2, 2, :at)",
                "INSERT INTO attendance (session_id, trainee_id, present, marked_at)"
                " VALUES (2, 2, 1, :at)",
                "INSERT INTO assignments (student_id, teacher_id, assigned_date)"
                " VALUES (2, 5, :at)",
                "INSERT INTO sign_ins (id, user_id, created_at, expires_at)"
                " VALUES ('old-sign-in', 2, :at, :at)",
                "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, changes)"
                " VALUES (:at, 1, 'user.deleted', 'user', 9, '{}')",
                "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, changes)"
                " VALUES (:at, 1, 'session.deleted', 'session', 7, '{}')",
            ]
            for statement in statements:
                await conn.execute(text(statement), {"at": WHEN})
    finally:
        await engine.dispose()


async def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in (await conn.execute(text(query))).all()]
    finally:
        await engine.dispose()


async def test_0003_keeps_old_data_never_reuses_ids_and_names_look_alikes(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0001")
    await _fill_old_schema(url)
    counts = "SELECT (SELECT COUNT(*) FROM enrolments), (SELECT COUNT(*) FROM attendance),"
    counts += " (SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM sign_ins)"

    with caplog.at_level(logging.WARNING, logger="tms.migrations"):
        await schema.upgrade(url)

    users = await _rows(url, "SELECT id, username, email, role FROM users ORDER BY id")
    assert users == OLD_USERS
    assert await _rows(url, counts) == [(1, 1, 1, 1)]
    keyed = await _rows(url, "SELECT id FROM users WHERE username_skeleton IS NOT NULL")
    assert sorted(row[0] for row in keyed) == [1, 2, 4, 5]
    warnings = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("user 3: username looks like user 2's") for m in warnings)
    assert any(m.startswith("user 4: username is user 5's e-mail address") for m in warnings)

    clock = FakeClock()
    async with container_on(url, clock) as container:
        newcomer = await add_user(container, "newcomer")
        admin = Actor(user=(await current_user(container, 1)))  # type: ignore[arg-type]
        async with container.uow()(read_only=True) as uow:
            assert (await uow.users.find_by_login("bob@example.org")).id == 5  # type: ignore[union-attr]
        session = await container.sessions().create_session(
            admin,
            NewSession(title="New", trainer_id=5, scheduled_date=clock.now(), duration_minutes=30),
        )
    assert newcomer.id == 10
    assert session.session.id == 8

    await schema.downgrade(url, "0001")
    assert await _rows(url, "SELECT id, username, email, role FROM users ORDER BY id") == [
        *OLD_USERS,
        (10, "newcomer", "newcomer@example.org", "trainee"),
    ]
    await schema.upgrade(url)
    assert await differences_from_models(url) == []


async def test_0003_makes_sqlite_tables_autoincrement(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url, "0001")
    plain = await _rows(url, "SELECT name FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'")

    await schema.upgrade(url, "0003")
    rebuilt = await _rows(url, "SELECT name FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%'")

    assert plain == []
    assert {row[0] for row in rebuilt} == {
        "users",
        "training_sessions",
        "enrolments",
        "assignments",
        "attendance",
        "audit_log",
    }


async def test_the_audience_index_is_filled_for_the_events_already_stored(
    empty_database_url: str,
) -> None:
    """Events stored before revision 0002 are replayed to their audience after it."""
    url = empty_database_url
    await schema.upgrade(url, "0001")
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    events = table(
        "events",
        column("id", Integer),
        column("type"),
        column("data", JSON),
        column("audience", JSON),
        column("at"),
    )
    stored = [
        ("user_created", []),
        ("session_updated", [1, 2]),
        ("notification", [2]),
        ("attendance_marked", [1, 3]),
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(events),
                [
                    {"id": n, "type": kind, "data": {}, "audience": {"users": users}, "at": at}
                    for n, (kind, users) in enumerate(stored, start=1)
                ],
            )
            sequence = table("event_sequence", column("id", Integer), column("last_id", Integer))
            await connection.execute(update(sequence).values(last_id=len(stored)))
    finally:
        await engine.dispose()

    await schema.upgrade(url)

    clock = FakeClock()
    not_before = clock.now() - timedelta(days=1)
    async with container_on(url, clock) as container, container.uow()(read_only=True) as uow:
        heard = {
            user: await uow.events.replay(user, 0, 4, limit=10, not_before=not_before)
            for user in (1, 2, 3, None)
        }
    assert {user: [e.type for e in events or []] for user, events in heard.items()} == {
        1: ["session_updated", "attendance_marked"],
        2: ["session_updated", "notification"],
        3: ["attendance_marked"],
        None: [kind for kind, _ in stored],
    }


async def test_0004_adds_the_jobs_table_and_takes_it_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0003")
    before = await tables_in(url)
    assert "jobs" not in before
    await schema.upgrade(url)
    assert "jobs" in await tables_in(url)
    await schema.downgrade(url, "0003")
    # Later revisions' tables go too: the tables of 0003, as they were.
    assert await tables_in(url) == before
    await schema.upgrade(url)
    assert await differences_from_models(url) == []


async def test_0007_opens_booking_keeping_sessions_and_never_reusing_their_ids(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0004")
    before = await tables_in(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, username, username_key, email, email_key, role,"
                    " first_name, last_name, password_hash, is_temporary_password,"
                    " created_at, updated_at) VALUES (5, 'bob', 'bob', 'bob@example.org',"
                    " 'bob@example.org', 'trainer', 'Bob', 'Old', 'x', 0, :at, :at)"
                ),
                {"at": WHEN},
            )
            for session_id in (3, 9):
                await conn.execute(
                    text(
                        "INSERT INTO training_sessions (id, title, trainer_id, scheduled_date,"
                        " ends_at, duration_minutes, status, session_link, created_at,"
                        " updated_at) VALUES (:id, 'Old', 5, :at, :at, 60, 'scheduled',"
                        " :link, :at, :at)"
                    ),
                    {"id": session_id, "at": WHEN, "link": f"old-link-{session_id}"},
                )
            # The highest session is deleted: its id must not come back.
            await conn.execute(text("DELETE FROM training_sessions WHERE id = 9"))
    finally:
        await engine.dispose()

    await schema.upgrade(url)
    assert {"rooms", "session_waitlist"} <= await tables_in(url)
    assert await _rows(
        url,
        "SELECT id, capacity, self_booking, booking_closes_at, room_id FROM training_sessions",
    ) == [(3, None, 0, None, None)]
    clock = FakeClock()
    async with container_on(url, clock) as container:
        admin = Actor(user=await add_user(container, "root", Role.ADMIN))
        created = await container.sessions().create_session(
            admin,
            NewSession(title="New", trainer_id=5, scheduled_date=clock.now(), duration_minutes=30),
        )
    assert created.session.id == 10

    await schema.downgrade(url, "0004")
    assert await tables_in(url) == before
    assert [row[0] for row in await _rows(url, "SELECT id FROM training_sessions")] == [3, 10]
    await schema.upgrade(url)
    assert await differences_from_models(url) == []


async def test_0006_adds_the_stored_files_table_and_takes_it_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0004")
    before = await tables_in(url)
    assert "stored_files" not in before
    await schema.upgrade(url, "0006")
    assert "stored_files" in await tables_in(url)
    await schema.downgrade(url, "0004")
    assert await tables_in(url) == before
    await schema.upgrade(url)
    assert await differences_from_models(url) == []


MAIL_TABLES = {"password_links"}
LEARNING_TABLES = {
    "courses",
    "course_modules",
    "lessons",
    "lesson_sessions",
    "course_enrolments",
    "lesson_completions",
}


async def test_0005_adds_the_learning_tables_and_takes_them_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0004")
    assert not LEARNING_TABLES & await tables_in(url)
    await schema.upgrade(url, "0005")
    assert await tables_in(url) >= LEARNING_TABLES
    await schema.downgrade(url, "0004")
    assert not LEARNING_TABLES & await tables_in(url)


async def test_0008_adds_the_password_links_table_and_takes_it_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0005")
    assert not MAIL_TABLES & await tables_in(url)
    await schema.upgrade(url, "0008")
    assert await tables_in(url) >= MAIL_TABLES
    await schema.downgrade(url, "0005")
    assert not MAIL_TABLES & await tables_in(url)
    await schema.upgrade(url)
    assert await differences_from_models(url) == []


CALENDAR_TABLES = {"calendar_tokens"}


async def _session_columns(url: str) -> set[str]:
    return await _columns(url, "training_sessions")


async def test_0009_adds_calendar_tokens_and_the_sequence_and_takes_them_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0005")
    assert not CALENDAR_TABLES & await tables_in(url)
    assert "sequence" not in await _session_columns(url)
    await schema.upgrade(url, "0009")
    assert await tables_in(url) >= CALENDAR_TABLES
    assert "sequence" in await _session_columns(url)
    # Later revisions add tables of their own: the models are matched at the head.
    await schema.upgrade(url)
    assert await differences_from_models(url) == []
    await schema.downgrade(url, "0005")
    assert not CALENDAR_TABLES & await tables_in(url)
    assert "sequence" not in await _session_columns(url)


async def test_0015_adds_the_map_of_legacy_ids_and_takes_it_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0009")
    assert "legacy_ids" not in await tables_in(url)
    await schema.upgrade(url, "0015")
    assert "legacy_ids" in await tables_in(url)
    await schema.downgrade(url, "0009")
    assert "legacy_ids" not in await tables_in(url)


BATCH_TABLES = {"batches", "batch_members", "batch_trainers", "batch_courses"}


async def test_0013_adds_the_batch_tables_and_takes_them_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0015")
    assert not BATCH_TABLES & await tables_in(url)
    await schema.upgrade(url, "0013")
    assert await tables_in(url) >= BATCH_TABLES
    await schema.downgrade(url, "0015")
    assert not BATCH_TABLES & await tables_in(url)
    assert "legacy_ids" in await tables_in(url)


async def _columns(url: str, table_name: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns(table_name)}
            )
    finally:
        await engine.dispose()


async def test_0012_adds_the_jobs_effect_marker_and_takes_it_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0013")
    assert "effect_at" not in await _columns(url, "jobs")
    await schema.upgrade(url, "0012")
    assert "effect_at" in await _columns(url, "jobs")
    await schema.downgrade(url, "0013")
    assert "effect_at" not in await _columns(url, "jobs")


SSO_TABLES = {"sso_attempts", "user_identities", "sso_exchange_codes"}


async def test_0016_adds_the_single_sign_on_tables_and_takes_them_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0012")
    assert not SSO_TABLES & await tables_in(url)
    await schema.upgrade(url, "0016")
    assert await tables_in(url) >= SSO_TABLES
    await schema.downgrade(url, "0012")
    assert not SSO_TABLES & await tables_in(url)


IMPORT_TABLES = {"imports", "import_rejections"}


async def test_0014_adds_the_import_tables_and_takes_them_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0016")
    assert not IMPORT_TABLES & await tables_in(url)
    await schema.upgrade(url, "0014")
    assert await tables_in(url) >= IMPORT_TABLES
    await schema.downgrade(url, "0016")
    assert not IMPORT_TABLES & await tables_in(url)


def test_the_migrations_form_one_line_with_one_head() -> None:
    """Work merged from parallel branches chains its migrations: one head, never two."""
    script = ScriptDirectory.from_config(schema.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


NOTIFICATION_TABLES = {"notifications", "notification_preferences"}


async def test_0010_adds_notifications_and_preferences_and_takes_them_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0017")
    assert not NOTIFICATION_TABLES & await tables_in(url)
    await schema.upgrade(url, "0010")
    assert await tables_in(url) >= NOTIFICATION_TABLES
    await schema.downgrade(url, "0017")
    assert not NOTIFICATION_TABLES & await tables_in(url)
    assert await tables_in(url) >= CALENDAR_TABLES


SKILL_TABLES = {"skills", "user_skills", "course_skills"}


async def test_0018_adds_the_skill_tables_and_takes_them_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0010")
    assert not SKILL_TABLES & await tables_in(url)
    await schema.upgrade(url, "0018")
    assert await tables_in(url) >= SKILL_TABLES
    await schema.downgrade(url, "0010")
    assert not SKILL_TABLES & await tables_in(url)
    assert await tables_in(url) >= NOTIFICATION_TABLES


async def columns_of(url: str, table_name: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns(table_name)}
            )
    finally:
        await engine.dispose()


async def test_0019_adds_assessments_and_takes_them_away(empty_database_url: str) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0018")
    assert "assessment_attempts" not in await tables_in(url)
    await schema.upgrade(url, "0019")
    assert "assessment_attempts" in await tables_in(url)
    assert "assessment" in await columns_of(url, "lessons")
    await schema.downgrade(url, "0018")
    assert "assessment_attempts" not in await tables_in(url)
    assert "assessment" not in await columns_of(url, "lessons")
    assert await tables_in(url) >= SKILL_TABLES


async def test_0021_adds_achievements_and_audit_subjects_and_takes_them_away(
    empty_database_url: str,
) -> None:
    """Entries kept before 0021 are given whom they are about, as new ones are; an attendance
    entry that names no trainee takes the one of its mark."""
    url = empty_database_url
    await schema.upgrade(url, "0019")
    log = table(
        "audit_log",
        column("id", Integer),
        column("at"),
        column("actor_id", Integer),
        column("action"),
        column("target_type"),
        column("target_id", Integer),
        column("changes", JSON),
    )
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC).replace(tzinfo=None)
    rows = [
        ("attendance.marked", "attendance", 7, 2, {"trainee_id": [None, 5], "present": [None, 1]}),
        ("attendance.updated", "attendance", 7, 2, {}),
        ("lesson.completed", "lesson", 3, None, {"trainee_id": [None, 6]}),
        ("session.created", "session", 4, 2, {"title": [None, "A"]}),
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(log),
                [
                    {
                        "at": at,
                        "action": action,
                        "target_type": target_type,
                        "target_id": target_id,
                        "actor_id": actor_id,
                        "changes": changes,
                    }
                    for action, target_type, target_id, actor_id, changes in rows
                ],
            )
    finally:
        await engine.dispose()
    assert "achievements" not in await tables_in(url)

    await schema.upgrade(url, "0021")
    assert "achievements" in await tables_in(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(text("SELECT subject_id FROM audit_log ORDER BY id"))
            assert [row[0] for row in found] == [5, 5, 6, 2]
    finally:
        await engine.dispose()

    await schema.downgrade(url, "0019")
    assert "achievements" not in await tables_in(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("audit_log")}
            )
            assert "subject_id" not in columns
    finally:
        await engine.dispose()
    await schema.upgrade(url, "0021")


async def test_0020_adds_certificates_and_the_course_validity_and_takes_them_away(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await schema.upgrade(url, "0021")
    assert "certificates" not in await tables_in(url)
    assert "certificate_valid_months" not in await _columns(url, "courses")
    await schema.upgrade(url, "0020")
    assert "certificates" in await tables_in(url)
    assert "certificate_valid_months" in await _columns(url, "courses")
    await schema.downgrade(url, "0021")
    assert "certificates" not in await tables_in(url)
    assert "certificate_valid_months" not in await _columns(url, "courses")
    assert "achievements" in await tables_in(url)

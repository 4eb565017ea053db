"""The legacy import over every storage (memory, SQLite, MariaDB): the same rows brought
over, in small batches, the same rows refused for the same reasons, ids mapped so that a
second run changes nothing, and a dry run that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from support import PASSWORD, add_admin, add_user, sign_in
from tms_domain.audit import AuditQuery
from tms_domain.kernel import Forbidden, Role
from tms_domain.legacy import (
    ImportReport,
    Kind,
    LegacyAssignment,
    LegacyAttendance,
    LegacyData,
    LegacyEnrolment,
    LegacyPasswordLog,
    LegacySession,
    LegacyUser,
    Zones,
)
from tms_domain.legacy.use_cases import LegacyImport
from tms_entrypoints.container import Container

# passlib's pbkdf2_sha256 of "admin123", as the earlier system stored it.
HASH = "$pbkdf2-sha256$29000$T5DYnQ5U6GNw3QJhjU8sUg$Swz0yS82Ij3HlOX.PfIGjMTrKskdPHn82ZYEC4mrAhM"
ZONES = Zones(ZoneInfo("UTC"), "UTC", ZoneInfo("Asia/Kolkata"), "Asia/Kolkata")
AT = datetime(2026, 9, 1, 8, 0)  # noqa: DTZ001 (the old system stored naive times)


def user(user_id: int, username: str, role: str, email: str | None = None) -> LegacyUser:
    return LegacyUser(
        user_id,
        username,
        email or f"{username}@example.com",
        HASH,
        role,
        username.title(),
        "Old",
        user_id % 2 == 0,
        AT,
        AT,
    )


def session(session_id: int, trainer_id: int, day: int, link: str | None) -> LegacySession:
    return LegacySession(
        session_id,
        f"Session {session_id}",
        None,
        trainer_id,
        datetime(2027, 1, day, 9, 0),  # noqa: DTZ001
        60,
        "scheduled",
        None,
        link,
        datetime(2026, 11, 1, 12, 0),  # noqa: DTZ001
        None,
    )


DATA = LegacyData(
    users=[
        user(1, "boss", "admin"),
        user(2, "teach", "trainer"),
        user(3, "ann", "trainee"),
        user(4, "bob", "trainee"),
        user(5, "root", "trainee"),  # taken by this system's own admin
        user(6, "ANN.other", "trainee", "Ann@Example.com"),  # ann's e-mail, another case
    ],
    sessions=[
        session(1, 2, 4, "2d1c2f8e-6a1b-4c55-8a34-1b2c3d4e5f60"),
        session(2, 2, 5, None),
        session(3, 3, 6, None),  # a trainee as trainer
        session(4, 5, 7, None),  # its trainer was refused
    ],
    enrolments=[
        LegacyEnrolment(1, 1, 3, AT),
        LegacyEnrolment(2, 1, 4, AT),
        LegacyEnrolment(3, 2, 3, None),
        LegacyEnrolment(4, 2, 2, AT),  # a trainer as trainee
    ],
    assignments=[LegacyAssignment(1, 3, 2, AT), LegacyAssignment(2, 4, 3, AT)],
    attendance=[LegacyAttendance(1, 1, 3, True, AT), LegacyAttendance(2, 2, 4, False, AT)],
    password_logs=[
        LegacyPasswordLog(1, 3, "created", 1, AT, "User account created"),
        LegacyPasswordLog(2, 4, "reset", 5, AT, "Password reset by admin"),
        LegacyPasswordLog(3, 6, "created", 1, AT, None),
    ],
)


class Source:
    async def read(self) -> LegacyData:
        return DATA


def created(report: ImportReport) -> dict[str, int]:
    return {kind.value: counts.created for kind, counts in report.counts.items()}


async def test_the_rows_come_over_once_in_batches_and_the_rest_is_reported(
    storage: Container,
) -> None:
    admin = await add_admin(storage)
    importer = LegacyImport(storage.core(), batch_size=2)

    dry = await importer.run(admin, Source(), ZONES, dry_run=True)
    async with storage.uow()(read_only=True) as uow:
        assert [u.username for u in await uow.user_directory.page(skip=0, limit=50)] == ["root"]
        assert await uow.legacy_import.mapped(Kind.USER) == {}

    report = await importer.run(admin, Source(), ZONES, dry_run=False)
    expected = {
        "user": 4,
        "session": 2,
        "enrolment": 3,
        "assignment": 1,
        "attendance": 1,
        "password_log": 2,
    }
    assert created(dry) == created(report) == expected
    reasons = {(s.kind.value, s.legacy_id): s.reason for s in report.skipped}
    assert reasons == {(s.kind.value, s.legacy_id): s.reason for s in dry.skipped}
    assert reasons == {
        ("user", 5): "refused by this system: A user with that username already exists",
        ("user", 6): "duplicate e-mail: 'Ann@Example.com' differs only in case from user #3's"
        " 'ann@example.com'",
        ("session", 3): "its trainer, user #3 (ann), is a trainee, not a trainer",
        ("session", 4): "its trainer, user #5, was not brought over",
        ("enrolment", 4): "its trainee, user #2 (teach), is a trainer, not a trainee",
        ("assignment", 2): "its teacher, user #3 (ann), is a trainee, not a trainer",
        ("attendance", 2): "attendance for a trainee not enrolled: user #4 has no enrolment"
        " brought over in session #2",
        ("password_log", 3): "its user #6 was not brought over",
    }

    async with storage.uow()(read_only=True) as uow:
        users = await uow.legacy_import.mapped(Kind.USER)
        sessions = await uow.legacy_import.mapped(Kind.SESSION)
        first = await uow.sessions.get(sessions[1])
        second = await uow.sessions.get(sessions[2])
        ann = await uow.users.get(users[3])
        log = await uow.audit_history.page(AuditQuery(target_type="user"))
    assert first is not None
    assert second is not None
    assert ann is not None
    assert first.trainer_id == users[2]
    assert first.trainee_ids == [users[3], users[4]]
    assert first.session_link == "2d1c2f8e-6a1b-4c55-8a34-1b2c3d4e5f60"
    assert first.created_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 12:00 in India
    assert second.trainee_ids == [users[3]]
    assert len(second.session_link) >= 32
    assert ann.password_hash == HASH
    assert not ann.is_temporary_password
    assert {(e.action, e.target_id, e.actor_id) for e in log} == {
        ("user.created", users[3], users[1]),
        ("user.password_reset", users[4], None),
    }
    reset = next(e for e in log if e.action == "user.password_reset")
    assert reset.changes["legacy_performed_by"] == [None, 5]
    assert reset.at == AT.replace(tzinfo=UTC)

    again = await importer.run(admin, Source(), ZONES, dry_run=False)
    assert again.summary() == "0 created, 13 unchanged, 8 skipped"
    assert {(s.kind.value, s.legacy_id): s.reason for s in again.skipped} == reasons

    # The old password still works, once: the sign-in replaces the hash with argon2id.
    await sign_in(storage, "ann", "admin123")
    async with storage.uow()(read_only=True) as uow:
        rehashed = await uow.users.get(users[3])
    assert rehashed is not None
    assert rehashed.password_hash.startswith("$argon2id$")


async def test_only_an_admin_brings_the_old_system_over(storage: Container) -> None:
    trainer = await add_user(storage, "teacher", Role.TRAINER)
    _, actor = await sign_in(storage, trainer.username, PASSWORD)
    with pytest.raises(Forbidden):
        await LegacyImport(storage.core()).run(actor, Source(), ZONES, dry_run=True)

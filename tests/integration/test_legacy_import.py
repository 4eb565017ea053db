"""`tms import-legacy` for real: the earlier system's sample in a MariaDB database of the
test's own, brought into SQLite and MariaDB by the command; then its people sign in
through the HTTP API with their old passwords, and a second run changes nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import FakeClock, container_on, fresh_mariadb_database, require_mariadb
from legacy_db import legacy_database
from support import api_client
from tms_adapters.persistence.sql import import_tables
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import tables as t
from tms_domain.audit import AuditQuery
from tms_entrypoints.cli import main

SAMPLE_PASSWORDS = {
    "admin": "admin123",
    "jose.martinez": "Jm#Trainer2026",
    "zoe.wright": "Zoe-Wright-77",
    "raj.patel": "Raj.Patel!2026",
    "amelia.hughes": "Amelia2026!",
    "bjorn.lindqvist": "Bjorn#Lq2026",
    "chloe.dubois": "Chloe.Dubois9",
    "daniel.kim": "DanKim-2026",
    "emma.schneider": "Emma!Schneider1",
    "farah.haddad": "Farah_Haddad26",
    "gabriel.oconnor": "Gabe-OConnor-3",
    "hana.sato": "Hana.Sato.2026",
    "ivan.petrov": "kR7#pQ2mWx9z",
    "lucia.fernandez": "T4b!nL8qYe2s",
    "mateo.rossi": "Xy3$Rm8kPq1w",
    "nora.begum": "bH6^Zt9uMn4r",
}
"""From ../shared/legacy/README.md (tests/data/legacy/README.md)."""
TEMPORARY = {"ivan.petrov", "lucia.fernandez", "mateo.rossi", "nora.begum"}
SAMPLE_COUNTS = {
    "user": 16,
    "session": 20,
    "enrolment": 74,
    "assignment": 13,
    "attendance": 44,
    "password_log": 32,
}

PROBLEMS = """
-- Not in the shared sample: one row for each case the import must report.
ALTER TABLE users MODIFY email VARCHAR(100) COLLATE utf8mb4_bin NOT NULL;
INSERT INTO users (id, username, email, password_hash, role, first_name, last_name,
    is_temporary_password, created_at, updated_at) VALUES
(17, 'amelia.h', 'Amelia.Hughes@Example.com', 'x', 'trainee', 'Amelia', 'H', 0,
    '2026-09-05 10:00:00', '2026-09-05 10:00:00'),
(18, 'daniel.kim@example.com', 'dk.second@example.com', 'x', 'trainee', 'Dan', 'Kim', 0,
    '2026-09-05 10:00:00', '2026-09-05 10:00:00');
INSERT INTO sessions (id, title, description, trainer_id, scheduled_date, duration_minutes,
    status, class_link, session_link, created_at, updated_at) VALUES
(21, 'Taught by a trainee', NULL, 5, '2027-05-03 09:00:00', 60, 'scheduled', NULL, NULL,
    '2026-11-30 10:00:00', '2026-11-30 10:00:00'),
(22, 'Clashes with JavaScript Essentials', NULL, 2, '2027-02-08 10:00:00', 60, 'scheduled',
    NULL, NULL, '2026-11-30 10:00:00', '2026-11-30 10:00:00'),
(23, 'Same time as Kubernetes Intro', NULL, 3, '2027-03-08 10:00:00', 60, 'scheduled',
    NULL, NULL, '2026-11-30 10:00:00', '2026-11-30 10:00:00'),
(24, 'No status', NULL, 4, '2027-05-10 09:00:00', 60, NULL, NULL, NULL,
    '2026-11-30 10:00:00', '2026-11-30 10:00:00');
INSERT INTO session_trainees (id, session_id, trainee_id, added_at) VALUES
(75, 1, 5, '2026-09-03 09:08:09'),
(76, 23, 5, '2026-11-30 10:00:01'),
(77, 23, 6, '2026-11-30 10:00:02'),
(78, 21, 6, '2026-11-30 10:00:03');
INSERT INTO attendance (id, session_id, trainee_id, present, marked_at) VALUES
(45, 1, 9, 1, '2026-09-07 11:09:00');
"""
PROBLEM_REASONS = {
    ("user", 17): "differs only in case from user #5",
    ("user", 18): "its username is the e-mail address of user #8",
    ("session", 21): "is a trainee, not a trainer",
    ("session", 22): "double booking: its trainer, user #2, already runs session #14",
    ("enrolment", 75): "the same enrolment as row #1",
    ("enrolment", 76): "double booking: trainee user #5 is enrolled in session #17",
    ("enrolment", 78): "its session #21 was not brought over",
    ("attendance", 45): "attendance for a trainee not enrolled",
}


@pytest.fixture(params=["sqlite", "mariadb"])
async def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The app's database, migrated and empty: SQLite, or a MariaDB database of its own."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
        await schema.upgrade(url)
        yield url
        return
    require_mariadb()
    async with fresh_mariadb_database() as url:
        await schema.upgrade(url)
        yield url


async def import_legacy(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    var_dir: Path,
    *args: str,
) -> tuple[str, dict[str, Any]]:
    """Run the command as a shell would (in a thread: it runs its own event loop); its
    output and the report file it names."""
    monkeypatch.setenv("TMS_DATABASE_URL", target)
    monkeypatch.setenv("TMS_VAR_DIR", str(var_dir))
    capsys.readouterr()
    await asyncio.to_thread(main, ["import-legacy", *args])
    out = capsys.readouterr().out
    path = Path(out.rsplit("Report written to ", 1)[1].strip())
    return out, json.loads(path.read_text("utf-8"))


async def counts(target: str) -> dict[str, int]:
    from tms_adapters.persistence.sql.engine import create_engine

    engine = create_engine(target)
    try:
        async with engine.connect() as conn:
            return {
                table.name: (
                    await conn.execute(select(func.count()).select_from(table))
                ).scalar_one()
                for table in (
                    t.users,
                    t.training_sessions,
                    t.enrolments,
                    t.assignments,
                    t.attendance,
                    t.audit_log,
                    import_tables.legacy_ids,
                )
            }
    finally:
        await engine.dispose()


async def test_the_sample_comes_over_once_and_its_people_sign_in_with_their_old_passwords(
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with legacy_database() as source:
        out, dry = await import_legacy(
            monkeypatch, capsys, target_url, tmp_path / "var", "--from", source, "--dry-run"
        )
        assert "Dry run: nothing was written." in out
        assert set((await counts(target_url)).values()) == {0}
        assert dry["summary"] == "199 would be created, 0 unchanged, 0 skipped"

        out, report = await import_legacy(
            monkeypatch, capsys, target_url, tmp_path / "var", "--from", source
        )
        assert {k: v["created"] for k, v in report["counts"].items()} == SAMPLE_COUNTS
        assert report["skipped"] == []
        assert {k: v["created"] for k, v in dry["counts"].items()} == SAMPLE_COUNTS
        for text in (out, "\n".join(report["assumptions"])):
            assert "read as UTC" in text
            assert "created_at and updated_at are read as Asia/Kolkata" in text
            assert "4 session(s) without a join link get one generated" in text
        stored = await counts(target_url)
        assert stored["users"] == 16
        assert stored["training_sessions"] == 20
        assert stored["enrolments"] == 74
        assert stored["assignments"] == 13
        assert stored["attendance"] == 44
        assert stored["audit_log"] == 32 + 1  # the log, and the import itself
        assert stored["legacy_ids"] == 199

        out, again = await import_legacy(
            monkeypatch, capsys, target_url, tmp_path / "var", "--from", source
        )
        assert again["summary"] == "0 created, 199 unchanged, 0 skipped"
        assert "Total: 0 created, 199 unchanged, 0 skipped" in out
        assert await counts(target_url) == stored

    async with container_on(target_url, FakeClock()) as container:
        async with container.uow()(read_only=True) as uow:
            first = await uow.sessions.get(1)
            linkless = await uow.sessions.get(7)
            before = {u.username: u for u in await uow.user_directory.page(skip=0, limit=100)}
        assert first is not None
        assert linkless is not None
        # Scheduled dates are naive UTC; the sessions' own stamps were India time.
        assert first.scheduled_date == datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
        assert first.created_at == datetime(2026, 9, 3, 3, 38, 1, tzinfo=UTC)
        assert first.session_link == "40a33c60-f2ec-440d-8b12-b6cc347a6ea7"
        assert first.trainee_ids == [
            before[n].id for n in ("amelia.hughes", "bjorn.lindqvist", "chloe.dubois", "daniel.kim")
        ]
        assert len(linkless.session_link) >= 32
        assert before["hana.sato"].last_name == "Satō"
        assert all(u.password_hash.startswith("$pbkdf2-sha256$") for u in before.values())

        async with api_client(container) as client:
            for username, password in SAMPLE_PASSWORDS.items():
                response = await client.post(
                    "/auth/login", json={"username": username, "password": password}
                )
                assert response.status_code == 200, (username, response.text)
                body = response.json()
                assert body["user"]["username"] == username
                assert body["force_password_change"] is (username in TEMPORARY)
                assert body["user"]["is_temporary_password"] is (username in TEMPORARY)
            wrong = await client.post(
                "/auth/login", json={"username": "admin", "password": "admin1234"}
            )
            assert wrong.status_code == 401

        async with container.uow()(read_only=True) as uow:
            after = {u.username: u for u in await uow.user_directory.page(skip=0, limit=100)}
            audit = await uow.audit_history.page(AuditQuery(action="user.password_reset"))
        assert all(u.password_hash.startswith("$argon2id$") for u in after.values())
        assert {e.target_id for e in audit} == {after["mateo.rossi"].id, after["nora.begum"].id}
        assert {e.actor for e in audit} == {"admin"}


async def test_every_row_it_cannot_bring_over_is_reported_with_its_reason_and_the_rest_comes(
    target_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with legacy_database(PROBLEMS) as source:
        out, report = await import_legacy(
            monkeypatch, capsys, target_url, tmp_path / "var", "--from", source
        )
        skipped = {(s["kind"], s["legacy_id"]): s for s in report["skipped"]}
        assert set(skipped) == set(PROBLEM_REASONS)
        for key, reason in PROBLEM_REASONS.items():
            assert reason in skipped[key]["reason"], skipped[key]
            assert f"{key[0]} #{key[1]}: " in out
        # The row as it was, without its password hash.
        assert skipped[("user", 17)]["row"]["email"] == "Amelia.Hughes@Example.com"
        assert skipped[("user", 17)]["row"]["password_hash"] == "(not shown)"
        assert skipped[("attendance", 45)]["row"]["trainee_id"] == 9
        assert {k: v["created"] for k, v in report["counts"].items()} == {
            **SAMPLE_COUNTS,
            "session": 22,
            "enrolment": 75,
        }
        assert report["counts"]["enrolment"]["skipped"] == 3
        assert "1 session(s) without a status are taken as scheduled" in report["assumptions"]

        _, again = await import_legacy(
            monkeypatch, capsys, target_url, tmp_path / "var", "--from", source
        )
        assert again["summary"] == f"0 created, {16 + 22 + 75 + 13 + 44 + 32} unchanged, 8 skipped"
        assert {(s["kind"], s["legacy_id"]) for s in again["skipped"]} == set(PROBLEM_REASONS)


def test_a_bad_source_or_zone_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TMS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}")
    monkeypatch.setenv("TMS_VAR_DIR", str(tmp_path / "var"))
    for args, message in (
        (["--from", "sqlite:///x.db"], "--from must be a MySQL or MariaDB URL"),
        (["--from", "mysql+asyncmy://root@127.0.0.1"], "--from names no database"),
        (
            ["--from", "mysql+asyncmy://root@127.0.0.1/x", "--naive-zone", "Mars/Olympus"],
            "--naive-zone: unknown time zone 'Mars/Olympus'",
        ),
    ):
        with pytest.raises(SystemExit) as exit_code:
            main(["import-legacy", *args])
        assert exit_code.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "tms.db").exists()


def test_an_old_database_it_cannot_read_is_named_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TMS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}")
    monkeypatch.setenv("TMS_VAR_DIR", str(tmp_path / "var"))
    with pytest.raises(SystemExit) as exit_code:
        main(["import-legacy", "--from", "mysql+asyncmy://old:s3cret-pw@127.0.0.1:1/old_tms"])
    assert exit_code.value.code == 1
    err = capsys.readouterr().err
    assert (
        "cannot read the earlier system's database at mysql+asyncmy://old:***@127.0.0.1:1/old_tms"
        in err
    )
    assert "s3cret-pw" not in err
    assert not (tmp_path / "var" / "imports").exists()


def test_a_dry_run_needs_a_migrated_database_and_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TMS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}")
    monkeypatch.setenv("TMS_VAR_DIR", str(tmp_path / "var"))
    with pytest.raises(SystemExit) as exit_code:
        main(["import-legacy", "--from", "mysql+asyncmy://root@127.0.0.1/old", "--dry-run"])
    assert exit_code.value.code == 1
    assert "run `tms migrate` first" in capsys.readouterr().err
    assert not (tmp_path / "tms.db").exists()

"""`tms import users FILE` as the operator runs it: the same checks and counts as the API,
a dry run that writes nothing, a second run that changes nothing, invitations sent to the
outbox, and a file-level error as one line with a non-zero exit status."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_cli_and_run import run_tms

ADMIN_PASSWORD = "a long enough admin passphrase"
PEOPLE = (
    "Email;First name;Surname;Role\n"
    "ada@example.org;Ada;Lovelace;\n"
    "alan@example.org;Alan;Turing;trainer\n"
    "grace@example.org;Grace;Hopper;boss\n"
)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    result = run_tms(tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    result = run_tms(tmp_path, "create-admin", TMS_ADMIN_PASSWORD=ADMIN_PASSWORD)
    assert result.returncode == 0, result.stderr
    return tmp_path / "var" / "tms.db"


def emails(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT email FROM users")}


def test_import_users_dry_run_then_twice(tmp_path: Path, database: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    before = emails(database)

    dry = run_tms(tmp_path, "import", "users", str(people), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "3 rows: 2 would be created, 0 would be updated, 0 unchanged, 1 refused" in dry.stdout
    assert "row 4, role: Unknown role 'boss'" in dry.stdout
    assert emails(database) == before

    real = run_tms(tmp_path, "import", "users", str(people))
    assert real.returncode == 0, real.stderr
    assert "2 were created" in real.stdout
    assert emails(database) == before | {"ada@example.org", "alan@example.org"}
    invitations = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(invitations) == 2

    again = run_tms(tmp_path, "import", "users", str(people))
    assert again.returncode == 0, again.stderr
    assert "0 were created, 0 were updated, 2 unchanged, 1 refused" in again.stdout


BAD_FILES = [
    (b"name\nAnn\n", "no e-mail column"),
    (b"email\n", "no rows to import"),
    ("email\nzo\xeb@example.org\n".encode("latin-1"), "Line 2 is not UTF-8"),
    (b"%PDF-1.7 not a sheet", "neither a CSV file nor an Excel workbook"),
]


def test_a_bad_file_is_one_line_and_a_non_zero_exit(tmp_path: Path, database: Path) -> None:
    for content, phrase in BAD_FILES:
        bad = tmp_path / "bad.csv"
        bad.write_bytes(content)
        result = run_tms(tmp_path, "import", "users", str(bad))
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert phrase in result.stderr


def test_unknown_course_code_and_missing_file(tmp_path: Path, database: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    result = run_tms(tmp_path, "import", "users", str(people), "--course", "NOPE")
    assert result.returncode == 1
    assert "Unknown course code NOPE" in result.stderr
    missing = run_tms(tmp_path, "import", "users", str(tmp_path / "nothing.csv"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_import_users_into_a_batch_by_its_code(tmp_path: Path, database: Path) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO batches (code, code_key, name, created_at, updated_at)"
            " VALUES ('Spring-26', 'spring-26', 'Spring', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')"
        )
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")

    unknown = run_tms(tmp_path, "import", "users", str(people), "--batch", "NOPE")
    assert unknown.returncode == 1
    assert "Unknown batch code NOPE" in unknown.stderr

    result = run_tms(tmp_path, "import", "users", str(people), "--batch", "spring-26")
    assert result.returncode == 0, result.stderr
    assert "2 were created" in result.stdout
    with sqlite3.connect(database) as connection:
        members = connection.execute(
            "SELECT u.email FROM batch_members m JOIN users u ON u.id = m.trainee_id"
            " JOIN batches b ON b.id = m.batch_id WHERE b.code = 'Spring-26'"
        ).fetchall()
        audited = connection.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'batch.members_added'"
        ).fetchone()
    assert members == [("ada@example.org",)]  # the trainer is imported, not a member
    assert audited == (1,)

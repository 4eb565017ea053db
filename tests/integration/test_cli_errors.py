"""Every `tms` command but serve, run as the operator runs it (a subprocess), answers a user
error with one clear line naming what to do, a non-zero exit status and no traceback, and
leaves nothing behind that was not there before. What succeeds says what it did."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
from pathlib import Path

import openpyxl
import pytest
from test_cli_and_run import run_tms

from conftest import FakeClock, container_on
from support import add_user
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.kernel import Role

ADMIN_PASSWORD = "a long enough admin passphrase"
BAD_URLS = [
    ("nonsense", "TMS_DATABASE_URL is not a database URL"),
    ("postgresql://u:s3cret@db.example/tms", "does not use (postgresql)"),
    ("sqlite:///tms.db", "needs the aiosqlite driver"),
    ("mysql://u:s3cret@127.0.0.1/tms", "needs the asyncmy driver"),
]
COMMANDS = [
    ("migrate",),
    ("create-admin",),
    ("users",),
    ("report", "--format", "csv"),
    ("demo", "--small"),
]


def files_in(directory: Path) -> set[Path]:
    return set(directory.rglob("*"))


def assert_user_error(result: subprocess.CompletedProcess[str], code: int, *phrases: str) -> None:
    stderr = result.stderr
    assert result.returncode == code, (result.stdout, stderr)
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[-1].startswith("tms: error: "), stderr
    for phrase in phrases:
        assert phrase in lines[-1], lines[-1]


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'data' / 'tms.db'}"


def migrated(directory: Path) -> str:
    url = sqlite_url(directory)
    (directory / "data").mkdir()
    asyncio.run(schema.upgrade(url))
    return url


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
@pytest.mark.parametrize(("url", "phrase"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_a_bad_database_url_is_named_and_nothing_is_made(
    tmp_path: Path, command: tuple[str, ...], url: str, phrase: str
) -> None:
    before = files_in(tmp_path)
    result = run_tms(tmp_path, *command, TMS_DATABASE_URL=url)

    assert_user_error(result, 2, phrase, "use sqlite+aiosqlite:///")
    assert "s3cret" not in result.stdout + result.stderr
    assert files_in(tmp_path) == before


@pytest.mark.parametrize("command", [("users",), ("report", "--format", "xlsx")])
def test_reading_a_database_that_is_not_there_says_run_migrate_and_makes_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    before = files_in(tmp_path)
    result = run_tms(tmp_path, *command, TMS_DATABASE_URL=sqlite_url(tmp_path))

    assert_user_error(result, 1, "no database at", "run `tms migrate`")
    assert "cannot reach" not in result.stderr
    assert files_in(tmp_path) == before, "no var/, no data/, no report file"


@pytest.mark.parametrize("command", [("users",), ("report", "--format", "csv")])
def test_reading_an_unmigrated_database_says_run_migrate_and_changes_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "data").mkdir()
    sqlite3.connect(tmp_path / "data" / "tms.db").close()
    before = {path: path.stat().st_size for path in files_in(tmp_path)}
    result = run_tms(tmp_path, *command, TMS_DATABASE_URL=sqlite_url(tmp_path))

    assert_user_error(result, 1, "is not migrated", "run `tms migrate`")
    assert {path: path.stat().st_size for path in files_in(tmp_path)} == before


async def test_an_unmigrated_mariadb_database_says_run_migrate(
    mariadb_url: str, tmp_path: Path
) -> None:
    result = await asyncio.to_thread(run_tms, tmp_path, "users", TMS_DATABASE_URL=mariadb_url)

    assert_user_error(result, 1, "is not migrated", "run `tms migrate`")
    assert not (tmp_path / "var").exists()


def test_the_readme_report_example_works_while_the_admin_password_is_temporary(
    tmp_path: Path,
) -> None:
    created = run_tms(tmp_path, "create-admin")
    assert created.returncode == 0, created.stderr
    assert re.search(r"Applied \d+ migration\(s\)", created.stdout)
    assert "Created the admin account 'admin' with the temporary password" in created.stdout

    result = run_tms(
        tmp_path, "report", "--format", "xlsx", "--from", "2026-01-01", "--out", "year.xlsx"
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Report written to year.xlsx" in result.stdout
    workbook = openpyxl.load_workbook(tmp_path / "year.xlsx")
    assert workbook["Users"]["B2"].value == "admin"
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".part")]


def test_report_options_are_checked_before_anything_is_read_or_written(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    before = files_in(tmp_path)
    cases = [
        (["--from", "2026-05-01", "--to", "2026-01-01"], "--from comes after --to"),
        (["--from", "soon"], "--from must be an ISO 8601 date"),
        (["--to", "2026-13-01"], "--to must be an ISO 8601 date"),
        (["--format", "odt"], "unknown format 'odt'"),
        (["--sections", "users,salaries"], "Unknown section(s) salaries"),
        (["--out", str(tmp_path / "missing" / "r.csv")], "does not exist"),
        (["--out", str(tmp_path)], "is a folder"),
    ]
    for options, phrase in cases:
        result = run_tms(tmp_path, "report", *options, TMS_DATABASE_URL=url)
        assert_user_error(result, 2, phrase)
    assert files_in(tmp_path) == before


def test_create_admin_says_what_it_did_and_refuses_a_weak_password_first(tmp_path: Path) -> None:
    weak = run_tms(tmp_path, "create-admin", "--password", "short")
    assert_user_error(weak, 2, "the admin account cannot be created", "too short")
    bad_name = run_tms(tmp_path, "create-admin", TMS_ADMIN_USERNAME="no spaces allowed")
    assert_user_error(bad_name, 2, "the admin account cannot be created", "Username")
    assert files_in(tmp_path) == set(), "no database made for an admin that cannot be"

    created = run_tms(tmp_path, "create-admin", "--password", ADMIN_PASSWORD)
    assert created.returncode == 0, created.stderr
    assert re.search(r"Applied \d+ migration\(s\) to sqlite\+aiosqlite:///", created.stdout)
    assert "Created the admin account 'admin' with the password of --password." in created.stdout
    assert ADMIN_PASSWORD not in created.stdout + created.stderr

    again = run_tms(tmp_path, "create-admin")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "An admin account already exists: nothing to do."


def test_demo_checks_its_options_before_making_anything(tmp_path: Path) -> None:
    weak = run_tms(tmp_path, "demo", "--small", "--password", "abc")
    assert_user_error(weak, 2, "the demo password cannot be used")
    too_many = run_tms(tmp_path, "demo", "--trainees", "3", "--per-session", "10")
    assert_user_error(too_many, 2)
    assert files_in(tmp_path) == set()


def test_users_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    url = migrated(tmp_path)
    title = "\x1b]0;owned\x07"
    clear = "\x1b[2J\x1b[H"

    async def insert() -> None:
        async with container_on(url, FakeClock()) as container:
            await add_user(
                container,
                f"mallory{title}",
                Role.TRAINEE,
                email=f"m{clear}\u202e@example.org",
            )

    asyncio.run(insert())
    result = run_tms(tmp_path, "users", TMS_DATABASE_URL=url)

    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "mallory\\x1b]0;owned\\x07" in result.stdout
    assert "m\\x1b[2J\\x1b[H\\u202e@example.org" in result.stdout

"""GET /reports/generate end to end, through the real app over HTTP, every file opened with a
real reader (pypdf, openpyxl, the csv module); the `tms report` CLI twin in a subprocess; and
a CSV download that streams: its first bytes arrive while the report is still being made."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest
import uvicorn
from pypdf import PdfReader
from sqlalchemy import func, select

from conftest import FakeClock, container_on, make_settings
from course_rows import add_course, enrol
from support import add_session, add_user, api_client, at, bearer, login
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.persistence.sql import reports as report_queries
from tms_adapters.persistence.sql import tables as t
from tms_adapters.reports import CsvReportRenderer
from tms_domain.accounts import Actor, User
from tms_domain.kernel import Role
from tms_domain.learning.model import CourseStatus
from tms_domain.reporting import Cell
from tms_domain.reporting.use_cases import reports as report_service
from tms_domain.training import SessionStatus
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app

TMS = str(Path(sys.executable).with_name("tms"))
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
"""The test clock's time (conftest.FakeClock), when every record here is made."""
TODAY = "20260501"
"""The test clock's date: the date in every file name."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "xlsx": XLSX}
EXTENSIONS = {"pdf": "pdf", "csv": "csv", "excel": "xlsx", "xlsx": "xlsx"}

CYRILLIC = "Борис Иванов"
GREEK = "Γιώργος Παπαδόπουλος"
CJK = "王 小明"

USER_HEADER = ["ID", "Username", "Email", "Role", "First name", "Last name", "Created"]
SESSION_HEADER = ["ID", "Title", "Trainer", "Trainees", "Start", "Duration (min)", "Status"]
ATTENDANCE_HEADER = ["Session ID", "Session", "Trainee", "Present", "Marked at"]
PROGRESS_HEADER = ["Trainee ID", "Trainee", "Sessions", "Attended", "Progress (%)"]
COURSE_HEADER = [
    "ID",
    "Code",
    "Title",
    "Status",
    "Enrolled",
    "Completed",
    "Average progress (%)",
]


# The data every content test reads


@dataclass(frozen=True)
class World:
    """Two trainers (one with a Cyrillic name), four trainees (one Greek, one Chinese),
    four sessions on four days, one of each status and a second scheduled one, and two
    courses: "Forklift" (published, 4 lessons; Giorgos has done all, 王 小明 three, Pia
    none) and "Welding" (a draft nobody is enrolled in)."""

    admin: User
    tom: User
    boris: User
    giorgos: User
    wang: User
    pia: User
    paul: User
    sessions: dict[str, int]
    """Title -> id."""
    courses: dict[str, int]
    """Code -> id."""

    @property
    def users(self) -> list[User]:
        return [self.admin, self.tom, self.boris, self.giorgos, self.wang, self.pia, self.paul]


async def populate(container: Container) -> World:
    async def user(username: str, role: Role, first: str, last: str) -> User:
        return await add_user(container, username, role, first_name=first, last_name=last)

    admin = await user("root", Role.ADMIN, "Ada", "Admin")
    tom = await user("tom", Role.TRAINER, "Tom", "Trainer")
    boris = await user("boris", Role.TRAINER, "Борис", "Иванов")
    giorgos = await user("giorgos", Role.TRAINEE, "Γιώργος", "Παπαδόπουλος")
    wang = await user("wang", Role.TRAINEE, "王", "小明")
    pia = await user("pia", Role.TRAINEE, "Pia", "Smith")
    paul = await user("paul", Role.TRAINEE, "Paul", "Jones")
    actor = Actor(user=admin)
    plan = [
        ("Intro to Python", tom, (giorgos, wang), 0, SessionStatus.SCHEDULED),
        ("Advanced SQL", boris, (giorgos, pia), 24, SessionStatus.COMPLETED),
        ("Safety briefing", tom, (paul,), 48, SessionStatus.CANCELLED),
        # Enrolled in this order, the later user first: names follow the enrolments.
        ("Design review", boris, (paul, wang), 72, SessionStatus.SCHEDULED),
    ]
    sessions: dict[str, int] = {}
    for title, trainer, trainees, hours, status in plan:
        session = await add_session(
            container,
            actor,
            trainer_id=trainer.id,
            trainees=tuple(trainee.id for trainee in trainees),
            start=at(hours),
            minutes=90,
            title=title,
            status=status,
        )
        sessions[title] = session.id
    attendance = container.attendance()
    await attendance.mark(actor, sessions["Advanced SQL"], giorgos.id, True)
    await attendance.mark(actor, sessions["Advanced SQL"], pia.id, False)
    forklift = await add_course(container, "CRS-0001", "Forklift", lessons=4, owner_id=tom.id)
    welding = await add_course(
        container, "CRS-0002", "Welding", status=CourseStatus.DRAFT, owner_id=boris.id
    )
    await enrol(container, forklift, giorgos.id, completed=4)
    await enrol(container, forklift, wang.id, completed=3)
    await enrol(container, forklift, pia.id)
    courses = {"CRS-0001": forklift.id, "CRS-0002": welding.id}
    return World(admin, tom, boris, giorgos, wang, pia, paul, sessions, courses)


EXPECTED_COURSES = [
    # (code, title, status, enrolled, completed, average progress), by id: the average of
    # 100, 75 and 0 %
    ("CRS-0001", "Forklift", "published", 3, 1, 58.33),
    ("CRS-0002", "Welding", "draft", 0, 0, 0.0),
]


EXPECTED_SESSIONS = [
    # (title, trainer, trainees, start, status), in the report's order (by start)
    ("Intro to Python", "Tom Trainer", f"{GREEK}, {CJK}", at(0), "scheduled"),
    ("Advanced SQL", CYRILLIC, f"{GREEK}, Pia Smith", at(24), "completed"),
    ("Safety briefing", "Tom Trainer", "Paul Jones", at(48), "cancelled"),
    ("Design review", CYRILLIC, f"Paul Jones, {CJK}", at(72), "scheduled"),
]


@pytest.fixture
async def sqlite_container(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Container]:
    """Every use case over a migrated SQLite file (the tests that need no second database)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    async with container_on(url, clock) as container:
        yield container


async def get_report(client: httpx.AsyncClient, token: str | None, **params: str) -> httpx.Response:
    headers = bearer(token) if token else {}
    return await client.get("/reports/generate", params=params, headers=headers)


def assert_download(response: httpx.Response, report_format: str) -> None:
    assert response.status_code == 200, response.text
    media_type = MEDIA_TYPES[EXTENSIONS[report_format]]
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == (
        f"attachment; filename=training-report-{TODAY}.{EXTENSIONS[report_format]}"
    )


def csv_sections(body: str) -> dict[str, list[list[str]]]:
    """A multi-section CSV report: section title -> its rows, header row first."""
    sections: dict[str, list[list[str]]] = {}
    rows = list(csv.reader(io.StringIO(body, newline="")))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    for block in blocks:
        assert len(block[0]) == 1, f"a section starts with its title alone: {block[0]}"
        sections[block[0][0]] = block[1:]
    return sections


def session_titles(rows: list[list[str]]) -> list[str]:
    return [row[1] for row in rows[1:]]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


# Content, in every format


async def test_every_format_says_the_same_with_its_own_reader(sql_container: Container) -> None:
    world = await populate(sql_container)
    async with api_client(sql_container) as client:
        token = await login(client, "root")
        downloads = {
            fmt: await get_report(client, token, format=fmt)
            for fmt in ("pdf", "csv", "excel", "xlsx")
        }
    for fmt, response in downloads.items():
        assert_download(response, fmt)
    check_csv(downloads["csv"].content, world)
    check_xlsx(downloads["xlsx"].content, world)
    check_xlsx(downloads["excel"].content, world)
    check_pdf(downloads["pdf"].content, world)


def check_csv(content: bytes, world: World) -> None:
    assert not content.startswith(b"\xef\xbb\xbf"), "no BOM unless asked"
    sections = csv_sections(content.decode("utf-8"))
    # Users then Sessions first, as the contract describes the file; the summary last.
    assert list(sections) == ["Users", "Sessions", "Attendance", "Progress", "Courses", "Summary"]
    users = sections["Users"]
    assert users[0] == USER_HEADER
    assert users[1:] == [
        [
            str(u.id),
            u.username,
            u.email,
            u.role.value,
            u.first_name,
            u.last_name,
            iso(u.created_at),
        ]
        for u in world.users
    ]
    sessions = sections["Sessions"]
    assert sessions[0] == SESSION_HEADER
    assert sessions[1:] == [
        [str(world.sessions[title]), title, trainer, trainees, iso(start), "90", status]
        for title, trainer, trainees, start, status in EXPECTED_SESSIONS
    ]
    assert sections["Attendance"] == [
        ATTENDANCE_HEADER,
        [str(world.sessions["Advanced SQL"]), "Advanced SQL", GREEK, "true", iso(NOW)],
        [str(world.sessions["Advanced SQL"]), "Advanced SQL", "Pia Smith", "false", iso(NOW)],
    ]
    # Cancelled sessions do not count; the future ones do.
    assert sections["Progress"] == [
        PROGRESS_HEADER,
        [str(world.giorgos.id), GREEK, "2", "1", "50.0"],
        [str(world.wang.id), CJK, "2", "0", "0.0"],
        [str(world.pia.id), "Pia Smith", "1", "0", "0.0"],
        [str(world.paul.id), "Paul Jones", "1", "0", "0.0"],
    ]
    assert sections["Courses"] == [
        COURSE_HEADER,
        *(
            [str(world.courses[code]), code, title, status, str(n), str(done), str(average)]
            for code, title, status, n, done, average in EXPECTED_COURSES
        ),
    ]
    summary = {metric: value for metric, value in sections["Summary"][1:]}
    assert sections["Summary"][0] == ["metric", "value"]
    assert summary["users: trainee"] == "4"
    assert summary["sessions: scheduled"] == "2"
    assert summary["sessions: cancelled"] == "1"
    assert summary["attendance rate (%)"] == "50.0"


def check_xlsx(content: bytes, world: World) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert any(re.fullmatch(r"xl/charts/chart\d+\.xml", name) for name in names), names
        # The charts hang on the first sheet, the summary.
        summary_rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        assert "drawing" in summary_rels
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        "Summary",
        "Users",
        "Sessions",
        "Attendance",
        "Progress",
        "Courses",
    ]
    rows = {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
    assert rows["Summary"][0][0] == "Training report"

    assert rows["Users"][0] == (
        "ID",
        "Username",
        "Email",
        "Role",
        "First name",
        "Last name",
        "Created (UTC)",
    )
    assert [row[:6] for row in rows["Users"][1:]] == [
        (u.id, u.username, u.email, u.role.value, u.first_name, u.last_name) for u in world.users
    ]
    for row in rows["Users"][1:]:
        assert isinstance(row[6], datetime)
        assert row[6] == NOW.replace(tzinfo=None)  # UTC wall time

    assert rows["Sessions"][0] == (
        "ID",
        "Title",
        "Trainer",
        "Trainees",
        "Start (UTC)",
        "Duration (min)",
        "Status",
    )
    assert rows["Sessions"][1:] == [
        (world.sessions[title], title, trainer, trainees, start.replace(tzinfo=None), 90, status)
        for title, trainer, trainees, start, status in EXPECTED_SESSIONS
    ]
    assert all(isinstance(row[4], datetime) for row in rows["Sessions"][1:])

    assert rows["Attendance"][0] == (
        "Session ID",
        "Session",
        "Trainee",
        "Present",
        "Marked at (UTC)",
    )
    assert [row[:4] for row in rows["Attendance"][1:]] == [
        (world.sessions["Advanced SQL"], "Advanced SQL", GREEK, True),
        (world.sessions["Advanced SQL"], "Advanced SQL", "Pia Smith", False),
    ]
    assert all(isinstance(row[4], datetime) for row in rows["Attendance"][1:])
    assert rows["Progress"][0] == tuple(PROGRESS_HEADER)
    assert [row[:4] for row in rows["Progress"][1:]] == [
        (world.giorgos.id, GREEK, 2, 1),
        (world.wang.id, CJK, 2, 0),
        (world.pia.id, "Pia Smith", 1, 0),
        (world.paul.id, "Paul Jones", 1, 0),
    ]
    assert rows["Courses"] == [
        tuple(COURSE_HEADER),
        *((world.courses[course[0]], *course) for course in EXPECTED_COURSES),
    ]


def check_pdf(content: bytes, world: World) -> None:
    pages = pdf_pages(content)
    # A title page, the summary, then one page per table: each fits on one.
    assert len(pages) == 7, [page[:60] for page in pages]
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of 7" in page
    text = "\n".join(pages)
    for name in (CYRILLIC, GREEK, CJK):
        assert name in text
    headings = [page.splitlines()[0] for page in pages]
    assert headings == [
        "Training report",
        "Summary",
        "Users",
        "Sessions",
        "Attendance",
        "Progress",
        "Courses",
    ]
    users_page, sessions_page = pages[2], pages[3]
    assert "ID Username Email Role First name Last name Created" in users_page
    for user in world.users:
        assert re.search(rf"\b{user.id} {user.username} {re.escape(user.email)} ", users_page)
    assert "ID Title Trainer Trainees Start" in sessions_page
    for title, trainer, trainees, start, status in EXPECTED_SESSIONS:
        line = f"{world.sessions[title]} {title} {trainer} {trainees} "
        line += f"{start:%Y-%m-%d %H:%M} 90 {status}"
        assert line in sessions_page, sessions_page
    assert f"{world.giorgos.id} {GREEK} 2 1 50.00" in pages[5]
    assert "ID Code Title Status Enrolled Completed Average" in pages[6]
    for code, title, status, enrolled, completed, average in EXPECTED_COURSES:
        line = f"{world.courses[code]} {code} {title} {status} {enrolled} {completed} {average:.2f}"
        assert line in pages[6], pages[6]


# Filters


async def test_filters_choose_the_sessions(sqlite_container: Container) -> None:
    world = await populate(sqlite_container)
    async with api_client(sqlite_container) as client:
        token = await login(client, "root")

        async def report(**params: str) -> dict[str, list[list[str]]]:
            response = await get_report(client, token, format="csv", **params)
            assert response.status_code == 200, response.text
            return csv_sections(response.text)

        everything = await report()
        assert session_titles(everything["Sessions"]) == [s[0] for s in EXPECTED_SESSIONS]

        # Half-open on the start: `from` inclusive, `to` exclusive.
        window = await report(**{"from": iso(at(24)), "to": iso(at(72))})
        assert session_titles(window["Sessions"]) == ["Advanced SQL", "Safety briefing"]
        assert session_titles((await report(**{"from": iso(at(24))}))["Sessions"]) == [
            "Advanced SQL",
            "Safety briefing",
            "Design review",
        ]
        assert session_titles((await report(to=iso(at(72))))["Sessions"]) == [
            "Intro to Python",
            "Advanced SQL",
            "Safety briefing",
        ]
        just_after = await report(**{"from": iso(at(24, minutes=1))})
        assert session_titles(just_after["Sessions"]) == ["Safety briefing", "Design review"]
        # A naive time is UTC; another offset is the same instant (here: to = at(48)).
        naive = await report(**{"from": "2026-05-05T09:00:00", "to": "2026-05-06T11:00:00+02:00"})
        assert session_titles(naive["Sessions"]) == ["Advanced SQL"]
        # The filters reach the other sections too.
        assert [row[0] for row in window["Attendance"][1:]] == [
            str(world.sessions["Advanced SQL"])
        ] * 2
        assert window["Progress"][1:][0] == [str(world.giorgos.id), GREEK, "1", "1", "100.0"]
        window_summary = {metric: value for metric, value in window["Summary"][1:]}
        assert window_summary["sessions: scheduled"] == "0"
        assert window_summary["sessions: completed"] == "1"
        assert window_summary["filter: Sessions from"] == iso(at(24))
        # Every user is listed, whatever the sessions filter.
        assert len(window["Users"]) == 1 + len(world.users)

        borises = await report(trainer_id=str(world.boris.id))
        assert session_titles(borises["Sessions"]) == ["Advanced SQL", "Design review"]
        toms = await report(trainer_id=str(world.tom.id))
        assert session_titles(toms["Sessions"]) == ["Intro to Python", "Safety briefing"]
        assert toms["Attendance"] == [ATTENDANCE_HEADER]

        for status, titles in [
            ("scheduled", ["Intro to Python", "Design review"]),
            ("completed", ["Advanced SQL"]),
            ("cancelled", ["Safety briefing"]),
        ]:
            assert session_titles((await report(status=status))["Sessions"]) == titles
        combined = await report(status="scheduled", trainer_id=str(world.boris.id))
        assert session_titles(combined["Sessions"]) == ["Design review"]
        assert session_titles((await report(status="completed", to=iso(at(24))))["Sessions"]) == []

        chosen = await report(sections="sessions,users")
        assert list(chosen) == ["Users", "Sessions"], "the report's own order"
        assert chosen["Users"][0] == USER_HEADER
        assert chosen["Sessions"][0] == SESSION_HEADER


async def test_filters_reach_the_pdf_and_the_workbook(sqlite_container: Container) -> None:
    world = await populate(sqlite_container)
    async with api_client(sqlite_container) as client:
        token = await login(client, "root")
        params = {"from": iso(at(24)), "to": iso(at(72)), "sections": "sessions"}
        pdf = await get_report(client, token, format="pdf", **params)
        xlsx = await get_report(client, token, format="xlsx", **params)
    assert_download(pdf, "pdf")
    pages = pdf_pages(pdf.content)
    assert len(pages) == 2, "a title page listing the filters, then the sessions"
    assert f"Sessions from: {at(24):%Y-%m-%d %H:%M} UTC" in pages[0]
    assert "Advanced SQL" in pages[1]
    assert "Safety briefing" in pages[1]
    assert "Intro to Python" not in pages[1]
    assert "Design review" not in pages[1]
    assert_download(xlsx, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Sessions"]
    rows = list(workbook["Sessions"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [
        world.sessions["Advanced SQL"],
        world.sessions["Safety briefing"],
    ]


async def test_the_course_filter_chooses_the_one_course_in_every_format(
    sql_container: Container,
) -> None:
    world = await populate(sql_container)
    forklift, welding = world.courses["CRS-0001"], world.courses["CRS-0002"]
    async with api_client(sql_container) as client:
        token = await login(client, "root")
        one = {"course_id": str(welding), "sections": "courses"}
        csv_file = await get_report(client, token, format="csv", **one)
        xlsx = await get_report(client, token, format="xlsx", **one)
        pdf = await get_report(client, token, format="pdf", **one)
        everything = await get_report(client, token, format="csv", course_id=str(forklift))
        unknown = await get_report(client, token, format="csv", course_id=str(welding + 99))
        for bad in ("0", "-3", "forklift"):
            refused = await get_report(client, token, format="csv", course_id=bad)
            assert refused.status_code in (400, 422), refused.text
            assert "content-disposition" not in refused.headers

    assert_download(csv_file, "csv")
    assert list(csv.reader(io.StringIO(csv_file.text, newline=""))) == [
        COURSE_HEADER,
        [str(welding), "CRS-0002", "Welding", "draft", "0", "0", "0.0"],
    ]
    assert_download(xlsx, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Courses"]
    assert list(workbook["Courses"].iter_rows(values_only=True))[1:] == [
        (welding, "CRS-0002", "Welding", "draft", 0, 0, 0.0)
    ]
    assert_download(pdf, "pdf")
    pages = pdf_pages(pdf.content)
    assert len(pages) == 2, "a title page naming the filter, then the course"
    assert f"Course id: {welding}" in pages[0]
    assert f"{welding} CRS-0002 Welding draft 0 0 0.00" in pages[1]
    assert "Forklift" not in pages[1]

    # The other sections are not touched by the course filter.
    sections = csv_sections(everything.text)
    assert sections["Courses"][1:] == [
        [str(forklift), "CRS-0001", "Forklift", "published", "3", "1", "58.33"]
    ]
    assert session_titles(sections["Sessions"]) == [s[0] for s in EXPECTED_SESSIONS]
    assert len(sections["Progress"]) == 5
    summary = dict(sections["Summary"][1:])
    assert summary["filter: Course id"] == str(forklift)
    # A course there is not: an empty section, as for a trainer with no sessions.
    assert csv_sections(unknown.text)["Courses"] == [COURSE_HEADER]


async def test_no_courses_yet_is_an_empty_courses_section(sqlite_container: Container) -> None:
    await add_user(sqlite_container, "root", Role.ADMIN)
    async with api_client(sqlite_container) as client:
        token = await login(client, "root")
        csv_file = await get_report(client, token, format="csv")
        xlsx = await get_report(client, token, format="xlsx", sections="courses")
        pdf = await get_report(client, token, format="pdf", sections="courses")
    assert csv_sections(csv_file.text)["Courses"] == [COURSE_HEADER]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert list(workbook["Courses"].iter_rows(values_only=True)) == [tuple(COURSE_HEADER)]
    pages = pdf_pages(pdf.content)
    assert pages[1].splitlines()[0] == "Courses"
    assert "No rows." in pages[1]


async def test_csv_with_one_section_is_one_clean_table_and_a_bom_on_request(
    sqlite_container: Container,
) -> None:
    world = await populate(sqlite_container)
    async with api_client(sqlite_container) as client:
        token = await login(client, "root")
        plain = await get_report(client, token, format="csv", sections="users")
        with_bom = await get_report(client, token, format="csv", sections="users", bom="1")
        sessions = await get_report(client, token, format="CSV", sections="sessions")
    assert_download(plain, "csv")
    assert plain.content.startswith(b"ID,Username,")
    rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8"), newline="")))
    assert rows[0] == USER_HEADER
    assert [row[1] for row in rows[1:]] == [u.username for u in world.users]
    assert all(len(row) == len(USER_HEADER) for row in rows), "no title line, no blank line"
    assert b"\r\n" in plain.content
    assert b"\n\n" not in plain.content

    assert_download(with_bom, "csv")
    assert with_bom.content == b"\xef\xbb\xbf" + plain.content
    assert next(csv.reader(io.StringIO(with_bom.content.decode("utf-8-sig")))) == USER_HEADER

    session_rows = list(csv.reader(io.StringIO(sessions.text, newline="")))
    assert session_rows[0] == SESSION_HEADER
    assert [row[1] for row in session_rows[1:]] == [s[0] for s in EXPECTED_SESSIONS]


# Who may, and what is refused


async def test_only_admins_get_reports_and_bad_requests_are_refused(
    sqlite_container: Container,
) -> None:
    await populate(sqlite_container)
    async with api_client(sqlite_container) as client:
        admin = await login(client, "root")
        trainer = await login(client, "tom")
        trainee = await login(client, "pia")

        unknown = await get_report(client, admin, format="docx")
        assert unknown.status_code == 400
        assert "docx" in unknown.json()["detail"]
        for token in (trainer, trainee):
            for fmt in ("pdf", "csv", "xlsx"):
                refused = await get_report(client, token, format=fmt)
                assert refused.status_code == 403, refused.text
                assert "content-disposition" not in refused.headers
        assert (await get_report(client, None, format="csv")).status_code == 401
        bad_token = await client.get(
            "/reports/generate", params={"format": "csv"}, headers=bearer("not-a-token")
        )
        assert bad_token.status_code == 401

        bad_sections = await get_report(client, admin, format="csv", sections="users,salaries")
        assert bad_sections.status_code == 422
        assert bad_sections.json()["errors"][0]["field"] == "sections"
        assert (await get_report(client, admin, format="csv", status="done")).status_code == 422
        assert (await get_report(client, admin, format="csv", trainer_id="0")).status_code in (
            400,
            422,
        )
        assert (await get_report(client, admin, format="csv", **{"from": "soon"})).status_code in (
            400,
            422,
        )
        # Still fine after all that.
        assert (await get_report(client, admin, format="csv")).status_code == 200


# Large tables


async def bulk_sessions(
    container: Container,
    count: int,
    *,
    trainees_per_session: int = 10,
    name_length: int = 20,
    start: datetime = datetime(2026, 6, 1, 8, 0, tzinfo=UTC),
) -> list[int]:
    """Many sessions at once (Core inserts: the use case would take minutes): one trainer,
    50 trainees with names ``name_length`` characters long, sessions an hour apart; their
    ids in start order."""
    now = container.clock().now()
    async with container.engine().begin() as conn:
        users = []
        for index in range(51):
            username = f"bulk{index}"
            users.append(
                {
                    "username": username,
                    "username_key": username,
                    "email": f"{username}@example.org",
                    "email_key": f"{username}@example.org",
                    "role": "trainer" if index == 0 else "trainee",
                    "first_name": f"Bulk{index}".ljust(name_length // 2, "x"),
                    "last_name": "Ωμέγα".ljust(name_length - name_length // 2, "y"),
                    "password_hash": "!",
                    "is_temporary_password": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await conn.execute(t.users.insert(), users)
        ids = {
            row.username: row.id
            for row in await conn.execute(t.users.select().where(t.users.c.username.like("bulk%")))
        }
        trainer_id = ids["bulk0"]
        trainee_ids = [ids[f"bulk{index}"] for index in range(1, 51)]
        first = 1 + int(
            (
                await conn.execute(select(func.coalesce(func.max(t.training_sessions.c.id), 0)))
            ).scalar_one()
        )
        session_ids = list(range(first, first + count))
        await conn.execute(
            t.training_sessions.insert(),
            [
                {
                    "id": session_id,
                    "title": f"Bulk session {number:05d}",
                    "trainer_id": trainer_id,
                    "scheduled_date": start + timedelta(hours=number),
                    "ends_at": start + timedelta(hours=number, minutes=45),
                    "duration_minutes": 45,
                    "status": "scheduled",
                    "session_link": f"bulk-session-link-{session_id:08d}",
                    "created_at": now,
                    "updated_at": now,
                }
                for number, session_id in enumerate(session_ids)
            ],
        )
        await conn.execute(
            t.enrolments.insert(),
            [
                {
                    "session_id": session_id,
                    "trainee_id": trainee_ids[(number + offset) % len(trainee_ids)],
                    "enrolled_at": now,
                }
                for number, session_id in enumerate(session_ids)
                for offset in range(trainees_per_session)
            ],
        )
    return session_ids


async def test_a_long_pdf_table_repeats_its_header_on_every_page(
    sqlite_container: Container,
) -> None:
    await add_user(sqlite_container, "root", Role.ADMIN)
    rows = 150
    session_ids = await bulk_sessions(
        sqlite_container, rows, trainees_per_session=2, name_length=10
    )
    async with api_client(sqlite_container) as client:
        token = await login(client, "root")
        response = await get_report(client, token, format="pdf", sections="sessions")
    assert_download(response, "pdf")
    pages = pdf_pages(response.content)
    count = len(pages)
    row_pattern = re.compile(r"^(\d+) Bulk session \d{5} Bulk0 Ωμέγα Bulk\d+ Ωμέγα, ", re.MULTILINE)
    per_page = [[int(n) for n in row_pattern.findall(page)] for page in pages[1:]]
    assert [n for page in per_page for n in page] == session_ids, "every row once, in order"
    # Every row is one line here: each page but the last holds as many as fit (about 30
    # on a landscape A4 page), and the page count follows.
    full = len(per_page[0])
    assert 20 <= full <= 40, full
    assert all(len(page) == full for page in per_page[:-1])
    assert 0 < len(per_page[-1]) <= full
    assert count == 1 + -(-rows // full)
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {count}" in page
        if number > 1:
            assert page.splitlines()[0] == ("Sessions" if number == 2 else "Sessions (continued)")
            assert "ID Title Trainer Trainees Start" in page, f"no header row on page {number}"


async def test_trainee_names_stay_right_when_the_name_cache_is_small(
    sql_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sessions section reads trainee ids in the database and their names in bulk, kept
    between batches up to a bound: names stay in enrolment order when the cache is emptied
    between batches and when ids are read in several lookups."""
    monkeypatch.setattr(report_queries, "_NAME_CACHE_SIZE", 25)
    monkeypatch.setattr(report_queries, "_NAME_LOOKUP_CHUNK", 4)
    monkeypatch.setattr(report_service, "BATCH_SIZE", 10)
    await add_user(sql_container, "root", Role.ADMIN)
    session_ids = await bulk_sessions(sql_container, 60, trainees_per_session=10, name_length=10)
    names = [f"Bulk{index}".ljust(5, "x") + " Ωμέγα" for index in range(1, 51)]
    expected = [
        [str(session_id), ", ".join(names[(number + offset) % 50] for offset in range(10))]
        for number, session_id in enumerate(session_ids)
    ]
    async with api_client(sql_container) as client:
        token = await login(client, "root")
        response = await get_report(client, token, format="csv", sections="sessions")
    assert_download(response, "csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == SESSION_HEADER
    assert [[row[0], row[3]] for row in rows[1:]] == expected


# The CLI twin


def test_the_cli_writes_a_workbook_and_shows_progress(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"

    async def prepare() -> World:
        await schema.upgrade(url)
        container = build_container(make_settings(database_url=url))
        container.clock.override(FakeClock())
        async with running(container):
            return await populate(container)

    world = asyncio.run(prepare())
    out = tmp_path / "out" / "report.xlsx"
    out.parent.mkdir()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "TMS_DATABASE_URL": url,
        "TMS_VAR_DIR": str(tmp_path / "var"),
        "TMS_SECRET_KEY": "cli-report-test-secret-" + "x" * 20,
    }
    completed = subprocess.run(
        [
            TMS,
            "report",
            "--format",
            "xlsx",
            "--from",
            "2026-05-05T09:00:00+00:00",
            "--course-id",
            str(world.courses["CRS-0001"]),
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    stdout, stderr = completed.stdout.decode(), completed.stderr.decode()
    assert completed.returncode == 0, stderr
    assert f"Report written to {out}" in stdout
    # Not a terminal: plain lines as the rows come (tests/unit/test_progress.py: the bar
    # redrawn in place on one).
    progress = [line for line in stderr.splitlines() if line.startswith(f"Writing {out} ")]
    assert progress, stderr
    assert progress[-1].endswith("100.0%")
    assert "\x1b" not in stderr
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [
        "Summary",
        "Users",
        "Sessions",
        "Attendance",
        "Progress",
        "Courses",
    ]
    assert [row[1] for row in workbook["Courses"].iter_rows(values_only=True)] == [
        "Code",
        "CRS-0001",
    ]
    sessions = list(workbook["Sessions"].iter_rows(values_only=True))
    assert [row[0] for row in sessions[1:]] == [
        world.sessions["Advanced SQL"],
        world.sessions["Safety briefing"],
        world.sessions["Design review"],
    ]
    assert isinstance(sessions[1][4], datetime)
    assert len(list(workbook["Users"].iter_rows())) == 1 + len(world.users)

    failed = subprocess.run(
        [TMS, "report", "--format", "odt", "--out", str(tmp_path / "x.odt")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert failed.returncode == 2
    assert "unknown format" in failed.stderr
    assert not (tmp_path / "x.odt").exists()


# Streaming


SMALL_SOCKET_BUFFER = 64 * 1024


@contextlib.asynccontextmanager
async def serving(container: Container) -> AsyncIterator[str]:
    """The app on a real loopback socket, in this event loop (httpx's ASGI transport
    would hand over the body only once it is complete). The connections' send buffers are
    small and fixed (no autotuning to megabytes), so that what the server holds back for a
    client that does not read is the application's own doing."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_SOCKET_BUFFER)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(container=container), lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            assert not task.done(), "the server did not start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        listener.close()


@dataclass
class CsvProgress:
    rows: int = 0
    """Rows the CSV renderers were given so far."""
    closed: int = 0
    """Renderers closed: reports whose body is all made."""


@pytest.fixture
def csv_progress(monkeypatch: pytest.MonkeyPatch) -> CsvProgress:
    progress = CsvProgress()
    write_rows, close = CsvReportRenderer.write_rows, CsvReportRenderer.close

    def counting_write_rows(self: CsvReportRenderer, rows: Sequence[Sequence[Cell]]) -> None:
        write_rows(self, rows)
        progress.rows += len(rows)

    def counting_close(self: CsvReportRenderer) -> None:
        close(self)
        progress.closed += 1

    monkeypatch.setattr(CsvReportRenderer, "write_rows", counting_write_rows)
    monkeypatch.setattr(CsvReportRenderer, "close", counting_close)
    return progress


async def settled(read: Callable[[], int], quiet: float = 0.4, limit: float = 10) -> int:
    """The value once it has not changed for ``quiet`` seconds."""
    deadline = asyncio.get_running_loop().time() + limit
    value = read()
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(quiet)
        if read() == value:
            return value
        value = read()
    pytest.fail("the value never settled")


async def test_a_large_csv_streams_while_it_is_being_made(
    sqlite_container: Container, csv_progress: CsvProgress
) -> None:
    await add_user(sqlite_container, "root", Role.ADMIN)
    count = 4000
    await bulk_sessions(sqlite_container, count, name_length=60)
    small_receive_buffer = [(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_SOCKET_BUFFER)]
    async with (
        serving(sqlite_container) as base_url,
        httpx.AsyncClient(
            base_url=base_url,
            timeout=60,
            transport=httpx.AsyncHTTPTransport(socket_options=small_receive_buffer),
        ) as client,
    ):
        token = await login(client, "root")
        params = {"format": "csv", "sections": "sessions"}
        async with client.stream(
            "GET", "/reports/generate", params=params, headers=bearer(token)
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == MEDIA_TYPES["csv"]
            assert "content-length" not in response.headers
            assert response.headers.get("transfer-encoding") == "chunked"
            chunks = response.aiter_raw()
            first = await anext(chunks)
            # The first bytes are here, the header row leading them, while the response
            # is still open and the report is still being made.
            assert first.startswith(b"ID,Title,Trainer,Trainees,Start,Duration (min),Status\r\n")
            assert csv_progress.closed == 0
            assert not response.is_closed
            # A client that stops reading holds the server back: the renderer stops,
            # a bounded way into the report (the queue's megabyte, a batch of rows, and
            # whatever the kernel's socket buffers took, which they size as they see fit).
            made = await settled(lambda: csv_progress.rows)
            assert csv_progress.closed == 0, "the whole report was made before it was read"
            assert made < count, made
            body = first + b"".join([chunk async for chunk in chunks])
        assert csv_progress.closed == 1
        assert csv_progress.rows == count
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        assert len(body) > 3_000_000
        assert rows[0] == SESSION_HEADER
        assert len(rows) == 1 + count
        assert rows[-1][1] == f"Bulk session {count - 1:05d}"

        # A client that goes away mid-download frees the server's report worker: the
        # next reports (more than the worker pool's size) still come.
        for _ in range(3):
            async with client.stream(
                "GET", "/reports/generate", params=params, headers=bearer(token)
            ) as response:
                await anext(response.aiter_raw())
        for _ in range(3):
            small = await client.get(
                "/reports/generate",
                params={"format": "csv", "sections": "users"},
                headers=bearer(token),
                timeout=20,
            )
            assert small.status_code == 200
            assert small.text.startswith("ID,Username,")

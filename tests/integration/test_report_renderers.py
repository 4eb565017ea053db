"""Report files written by the renderers, opened with real readers: pypdf, openpyxl, csv."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO, cast

import openpyxl
import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from tms_adapters.reports import (
    RENDERERS,
    CsvReportRenderer,
    FpdfReportRenderer,
    XlsxReportRenderer,
    xlsx_renderer,
)
from tms_domain.reporting import (
    Cell,
    Column,
    ColumnKind,
    ReportHeader,
    ReportRenderer,
    ReportSummary,
    SectionSpec,
    TrainerSummary,
)
from tms_domain.reporting.use_cases.reports import SECTIONS

GENERATED = datetime(2026, 5, 2, 8, 30, tzinfo=UTC)
FIRST_START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
FILTERS: list[tuple[str, str | datetime]] = [
    ("Sessions from", datetime(2026, 5, 1, tzinfo=UTC)),
    ("Status", "completed"),
]

CYRILLIC = "Борис Иванов"
GREEK = "Γιώργος Παπαδόπουλος"
CJK = "王小明"
PEOPLE = [
    ("Alice", "Martin"),
    ("Борис", "Иванов"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("小明", "王"),
    ("Maria", "García"),
    ("John", "O'Neil"),
]

USERS = SectionSpec(
    "users",
    "Users",
    (
        Column("ID", ColumnKind.INTEGER, 6),
        Column("Username", ColumnKind.TEXT, 14),
        Column("Email", ColumnKind.TEXT, 26),
        Column("Role", ColumnKind.TEXT, 8),
        Column("First name", ColumnKind.TEXT, 14),
        Column("Last name", ColumnKind.TEXT, 14),
        Column("Created", ColumnKind.DATETIME, 22),
    ),
)
SESSIONS = SectionSpec(
    "sessions",
    "Sessions",
    (
        Column("ID", ColumnKind.INTEGER, 6),
        Column("Title", ColumnKind.TEXT, 28),
        Column("Trainer", ColumnKind.TEXT, 18),
        Column("Trainees", ColumnKind.TEXT, 60),
        Column("Start", ColumnKind.DATETIME, 22),
        Column("Duration (minutes)", ColumnKind.MINUTES, 8),
        Column("Status", ColumnKind.TEXT, 10),
    ),
    wide=True,
)
ATTENDANCE = SectionSpec(
    "attendance",
    "Attendance",
    (
        Column("Session ID", ColumnKind.INTEGER, 8),
        Column("Session title", ColumnKind.TEXT, 28),
        Column("Trainee", ColumnKind.TEXT, 20),
        Column("Present", ColumnKind.BOOLEAN, 8),
        Column("Marked at", ColumnKind.DATETIME, 22),
    ),
)
PROGRESS = SectionSpec(
    "progress",
    "Progress",
    (
        Column("Trainee ID", ColumnKind.INTEGER, 8),
        Column("Trainee", ColumnKind.TEXT, 20),
        Column("Total sessions", ColumnKind.INTEGER, 10),
        Column("Attended", ColumnKind.INTEGER, 10),
        Column("Progress %", ColumnKind.NUMBER, 10),
    ),
)
COURSES = SECTIONS["courses"]
"""The report's own: its numbers are the ones every format must keep typed."""
SPECS = {spec.key: spec for spec in (USERS, SESSIONS, ATTENDANCE, PROGRESS, COURSES)}

SUMMARY = ReportSummary(
    users_by_role={"admin": 1, "trainer": 3, "trainee": 40},
    sessions_by_status={"scheduled": 10, "completed": 25, "cancelled": 2},
    attendance_rate=81.25,
    trainers=[
        TrainerSummary(1, "Alice Martin", 12, 18.0, 90.0),
        TrainerSummary(2, CYRILLIC, 8, 10.5, 75.5),
        TrainerSummary(3, CJK, 5, 7.5, 60.0),
    ],
)


def full_name(index: int) -> str:
    first, last = PEOPLE[index % len(PEOPLE)]
    return f"{last}{first}" if last == "王" else f"{first} {last}"


def user_rows(count: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for index in range(count):
        first, last = PEOPLE[index % len(PEOPLE)]
        created = FIRST_START - timedelta(days=index, minutes=index)
        rows.append(
            [
                index + 1,
                f"user{index + 1:03}",
                f"user{index + 1:03}@example.com",
                "trainee",
                first,
                last,
                created,
            ]
        )
    return rows


def session_rows(count: int, trainees_per_session: int = 10) -> list[list[Cell]]:
    return [
        [
            index + 1,
            f"Induction {index + 1:03}",
            full_name(index),
            ", ".join(full_name(index + offset) for offset in range(trainees_per_session)),
            FIRST_START + timedelta(hours=index),
            90,
            ("scheduled", "completed", "cancelled")[index % 3],
        ]
        for index in range(count)
    ]


ATTENDANCE_ROWS: list[list[Cell]] = [
    [1, "Induction 001", CYRILLIC, True, FIRST_START + timedelta(minutes=95)],
    [1, "Induction 001", GREEK, False, FIRST_START + timedelta(minutes=96)],
]
PROGRESS_ROWS: list[list[Cell]] = [[7, CJK, 3, 2, 66.67], [8, GREEK, 4, 4, 100.0]]
COURSE_ROWS: list[list[Cell]] = [
    [1, "CRS-0001", "Безопасность 安全", "published", 120, 30, 58.33],
    [2, "CRS-0002", "=cmd|' /C calc'!A0", "draft", 0, 0, 0.0],
]


def render(
    renderer: ReportRenderer,
    sections: dict[str, Sequence[Sequence[Cell]]],
    with_summary: bool = True,
    specs: dict[str, SectionSpec] = SPECS,
) -> bytes:
    """Drives a renderer as the report use case does: batches of at most 1,000 rows."""
    keys = (("summary",) if with_summary else ()) + tuple(sections)
    sink = io.BytesIO()
    renderer.open(sink, ReportHeader("Training report", GENERATED, FILTERS, keys))
    if with_summary:
        renderer.summary(SUMMARY)
    for key, rows in sections.items():
        renderer.begin_section(specs[key])
        for start in range(0, len(rows), 1000):
            renderer.write_rows(rows[start : start + 1000])
        renderer.end_section()
    renderer.close()
    return sink.getvalue()


def test_registry_offers_every_format_with_its_media_type_and_extension() -> None:
    assert {name: (r.media_type, r.extension) for name, r in RENDERERS.items()} == {
        "csv": ("text/csv; charset=utf-8", "csv"),
        "pdf": ("application/pdf", "pdf"),
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "excel": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    }


# PDF


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text with runs of whitespace (line breaks of wrapped cells) made one space."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def embedded_fonts(reader: PdfReader) -> set[str]:
    """Names of the TrueType fonts whose glyphs are embedded in the file, subset tags left off."""
    names: set[str] = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"])
        for font in cast(DictionaryObject, resources["/Font"]).values():
            composite = cast(DictionaryObject, font.get_object())
            descendants = cast(ArrayObject, composite["/DescendantFonts"])
            glyphs = cast(DictionaryObject, descendants[0].get_object())
            if "/FontFile2" in cast(DictionaryObject, glyphs["/FontDescriptor"]):
                names.add(str(composite["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture(scope="module")
def small_pdf() -> PdfReader:
    data = render(
        FpdfReportRenderer(),
        {
            "users": user_rows(60),
            "sessions": session_rows(40),
            "attendance": ATTENDANCE_ROWS,
            "progress": PROGRESS_ROWS,
            "courses": COURSE_ROWS,
        },
    )
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data), strict=True)


def test_pdf_title_page_gives_title_filters_and_generation_time(small_pdf: PdfReader) -> None:
    title_page = page_texts(small_pdf)[0]

    assert "Training report" in title_page
    assert "Generated 2026-05-02 08:30 UTC" in title_page
    assert "Sessions from: 2026-05-01 00:00 UTC" in title_page
    assert "Status: completed" in title_page


def test_pdf_lists_every_user_and_session(small_pdf: PdfReader) -> None:
    text = " ".join(page_texts(small_pdf))

    for user in user_rows(60):
        assert f"{user[1]} {user[2]} trainee {user[4]} {user[5]}" in text
    for session in session_rows(40):
        assert f"{session[0]} {session[1]} {session[2]}" in text
        assert str(session[3]) in text
    assert "1 CRS-0001 Безопасность 安全 published 120 30 58.33" in text
    assert "0 0 0.00" in text


def test_pdf_keeps_cyrillic_greek_and_cjk_names_intact(small_pdf: PdfReader) -> None:
    text = " ".join(page_texts(small_pdf))

    assert CYRILLIC in text
    assert GREEK in text
    assert CJK in text
    assert embedded_fonts(small_pdf) == {"DejaVuSansBook", "DejaVuSansBold", "DroidSansFallback"}


def test_pdf_writes_times_readably_in_utc_as_its_headers_say(small_pdf: PdfReader) -> None:
    text = " ".join(page_texts(small_pdf))

    assert "Start (UTC)" in text
    assert "Created (UTC)" in text
    assert "2026-05-01 09:00" in text
    assert "2026-05-01 10:00" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), "no raw ISO 8601 left"
    assert "+00:00" not in text


def test_pdf_numbers_every_page_as_page_x_of_y(small_pdf: PdfReader) -> None:
    texts = page_texts(small_pdf)

    assert "page 1 of " in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"page {number} of {len(texts)}" in text


def test_pdf_repeats_the_header_row_on_every_page_of_a_table(small_pdf: PdfReader) -> None:
    texts = page_texts(small_pdf)
    session_pages = [text for text in texts if re.search(r"\bSessions( \(continued\))? ID", text)]

    assert len(session_pages) >= 2
    assert "Sessions (continued)" in session_pages[-1]
    for text in session_pages:
        assert "ID Title Trainer Trainees Start (UTC) Duration (minutes) Status" in text


def test_pdf_puts_wide_sections_on_landscape_pages(small_pdf: PdfReader) -> None:
    for page, text in zip(small_pdf.pages, page_texts(small_pdf), strict=True):
        landscape = page.mediabox.width > page.mediabox.height
        assert landscape == text.startswith("Sessions")


def test_pdf_summary_gives_figures_and_draws_bar_charts(small_pdf: PdfReader) -> None:
    summary_page = small_pdf.pages[1]
    text = page_texts(small_pdf)[1]

    assert "Users: 44 (admin 1, trainer 3, trainee 40)" in text
    assert "Attendance rate: 81.25 %" in text
    for chart in ("Sessions by status", "Users by role", "Hours per trainer"):
        assert chart in text
    assert f"{CJK} 60.00 %" in text
    contents = summary_page.get_contents()
    assert contents is not None
    filled_rectangles = re.findall(rb" re f\b", contents.get_data())
    bars = len(SUMMARY.sessions_by_status) + len(SUMMARY.users_by_role) + 2 * len(SUMMARY.trainers)
    assert len(filled_rectangles) >= bars


def test_pdf_summary_charts_continue_over_pages_for_many_trainers() -> None:
    trainers = [TrainerSummary(n, f"Trainer {n:02}", n, n * 1.5, n % 100) for n in range(1, 81)]
    many = ReportSummary(SUMMARY.users_by_role, SUMMARY.sessions_by_status, 50.0, trainers)
    sink = io.BytesIO()
    renderer = FpdfReportRenderer()
    renderer.open(sink, ReportHeader("Trainers", GENERATED, [], ("summary",)))
    renderer.summary(many)
    renderer.close()
    texts = page_texts(PdfReader(io.BytesIO(sink.getvalue())))

    assert sum(text.startswith("Summary (continued)") for text in texts) >= 2
    summary_text = " ".join(texts[1:])
    for trainer in trainers:
        assert f"{trainer.name} {trainer.hours:.1f} h" in summary_text
        assert f"{trainer.name} {trainer.attendance_rate:.2f} %" in summary_text


def test_pdf_shows_booleans_and_numbers_readably(small_pdf: PdfReader) -> None:
    text = " ".join(page_texts(small_pdf))

    assert f"1 Induction 001 {CYRILLIC} yes" in text
    assert f"1 Induction 001 {GREEK} no" in text
    assert f"7 {CJK} 3 2 66.67" in text


def test_pdf_page_count_follows_the_content() -> None:
    def page_count(with_summary: bool, users: int) -> int:
        data = render(FpdfReportRenderer(), {"users": user_rows(users)}, with_summary)
        return len(PdfReader(io.BytesIO(data)).pages)

    assert page_count(with_summary=False, users=0) == 2
    assert page_count(with_summary=True, users=0) == 3
    assert page_count(with_summary=False, users=5) == 2
    assert page_count(with_summary=False, users=200) > page_count(with_summary=False, users=100)


def test_pdf_says_so_when_a_section_has_no_rows() -> None:
    data = render(FpdfReportRenderer(), {"users": []}, with_summary=False)

    assert "No rows." in page_texts(PdfReader(io.BytesIO(data)))[1]


def test_pdf_wraps_long_text_and_continues_a_row_taller_than_a_page() -> None:
    names = [f"Trainee{number:03} Surname{number:03}" for number in range(300)]
    rows = session_rows(2)
    rows[0][3] = ", ".join(names[:15])
    rows[1][3] = ", ".join(names)
    data = render(FpdfReportRenderer(), {"sessions": rows}, with_summary=False)
    texts = page_texts(PdfReader(io.BytesIO(data)))

    for name in names:
        assert name in " ".join(texts)

    def page_of(name: str) -> int:
        return next(number for number, text in enumerate(texts) if name in text)

    assert page_of(names[20]) < page_of(names[150]) < page_of(names[299])


# Excel


def naive_utc(moment: datetime) -> datetime:
    """What an Excel cell holds for ``moment``: its UTC wall time, without an offset."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def workbook() -> openpyxl.Workbook:
    data = render(
        XlsxReportRenderer(),
        {
            "users": user_rows(60),
            "sessions": session_rows(40),
            "attendance": ATTENDANCE_ROWS,
            "progress": PROGRESS_ROWS,
            "courses": COURSE_ROWS,
        },
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_a_summary_sheet_then_one_sheet_per_section(
    workbook: openpyxl.Workbook,
) -> None:
    assert workbook.sheetnames == [
        "Summary",
        "Users",
        "Sessions",
        "Attendance",
        "Progress",
        "Courses",
    ]


@pytest.mark.parametrize(
    ("sheet", "last_cell"), [("Users", "G61"), ("Sessions", "G41"), ("Progress", "E3")]
)
def test_xlsx_header_row_is_bold_frozen_and_filtered(
    workbook: openpyxl.Workbook, sheet: str, last_cell: str
) -> None:
    worksheet = workbook[sheet]

    assert all(cell.font.b for cell in worksheet[1])
    assert worksheet.freeze_panes == "A2"
    assert worksheet.auto_filter.ref == f"A1:{last_cell}"
    assert worksheet.column_dimensions["B"].width >= 14


def test_xlsx_stores_times_numbers_and_booleans_as_typed_cells(
    workbook: openpyxl.Workbook,
) -> None:
    users, sessions = workbook["Users"], workbook["Sessions"]
    attendance, progress = workbook["Attendance"], workbook["Progress"]

    assert users["G1"].value == "Created (UTC)"
    assert users["G2"].is_date
    assert users["G2"].value == naive_utc(FIRST_START)
    assert sessions["E1"].value == "Start (UTC)"
    assert sessions["E3"].value == naive_utc(FIRST_START + timedelta(hours=1))
    assert sessions["A2"].value == 1
    assert sessions["F2"].value == 90
    assert sessions["D2"].value == session_rows(1)[0][3]
    assert [attendance["D2"].value, attendance["D3"].value] == [True, False]
    assert attendance["D2"].data_type == "b"
    assert progress["E2"].value == pytest.approx(66.67)
    assert progress["B2"].value == CJK
    courses = workbook["Courses"]
    assert courses.auto_filter.ref == "A1:G3"
    assert courses["G1"].value == "Average progress (%)"
    assert [cell.value for cell in courses[2]] == COURSE_ROWS[0]
    assert courses["E2"].data_type == "n"
    assert courses["G2"].data_type == "n"
    # A title a spreadsheet would run is kept as text.
    assert courses["C3"].data_type == "s"


def test_xlsx_writes_times_as_utc_wall_time() -> None:
    east_of_utc = datetime(2026, 5, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    rows = user_rows(1)
    rows[0][6] = east_of_utc
    data = render(XlsxReportRenderer(), {"users": rows}, with_summary=False)

    stored = openpyxl.load_workbook(io.BytesIO(data))["Users"]["G2"].value
    assert stored == naive_utc(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))


def test_xlsx_summary_sheet_has_figures_and_native_charts(workbook: openpyxl.Workbook) -> None:
    summary = workbook["Summary"]
    rows = [row for row in summary.iter_rows(values_only=True) if any(row)]

    assert rows[0][0] == "Training report"
    assert rows[1][:2] == ("Generated (UTC)", naive_utc(GENERATED))
    assert rows[2][:2] == ("Sessions from", naive_utc(datetime(2026, 5, 1, tzinfo=UTC)))
    assert rows[3][:2] == ("Status", "completed")
    assert ("completed", 25) in [row[:2] for row in rows]
    assert (CJK, 5, 7.5, 60) in [row[:4] for row in rows]


def test_xlsx_charts_belong_to_the_summary_sheet() -> None:
    data = render(XlsxReportRenderer(), {"users": user_rows(3)})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        chart_files = sorted(name for name in package.namelist() if name.startswith("xl/charts/"))
        first_chart = package.read("xl/charts/chart1.xml").decode()
        summary_relations = package.read("xl/worksheets/_rels/sheet1.xml.rels").decode()

    assert chart_files == [f"xl/charts/chart{number}.xml" for number in range(1, 5)]
    assert "Summary!$B$" in first_chart
    assert "drawing1.xml" in summary_relations


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    rows = user_rows(1)
    rows[0][4] = '=HYPERLINK("http://example.com")'
    data = render(XlsxReportRenderer(), {"users": rows}, with_summary=False)
    cell = openpyxl.load_workbook(io.BytesIO(data))["Users"]["E2"]

    assert cell.data_type == "s"
    assert cell.value == rows[0][4]


def test_xlsx_marks_a_text_cut_to_fit_a_cell() -> None:
    rows = session_rows(2)
    rows[0][3] = "Trainee name, " * 3000  # 42,000 characters
    data = render(XlsxReportRenderer(), {"sessions": rows}, with_summary=False)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Sessions"]

    cut = sheet["D2"].value
    assert len(cut) == 32_767
    assert cut.startswith("Trainee name, Trainee name, ")
    assert cut.endswith(" … [cut: 42,000 characters in all]")
    assert sheet["D3"].value == rows[1][3], "a text that fits is whole"


def test_xlsx_continues_a_section_on_another_sheet_past_the_row_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx_renderer, "_EXCEL_MAX_ROWS", 4)
    data = render(XlsxReportRenderer(), {"users": user_rows(10)}, with_summary=False)
    book = openpyxl.load_workbook(io.BytesIO(data))

    assert book.sheetnames == ["Users", "Users (2)", "Users (3)", "Users (4)"]
    ids = [row[0] for sheet in book for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == list(range(1, 11))
    assert all(sheet["A1"].value == "ID" and sheet.auto_filter.ref for sheet in book)


def test_xlsx_makes_section_titles_into_valid_unique_sheet_names() -> None:
    awkward = SectionSpec("a", "Q1/Q2: [draft]*? and a title far too long for Excel", USERS.columns)
    twin = SectionSpec("b", "users", USERS.columns)
    specs = {"users": USERS, "a": awkward, "b": twin}
    data = render(
        XlsxReportRenderer(), dict.fromkeys(specs, user_rows(1)), with_summary=False, specs=specs
    )
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames

    assert names[0] == "Users"
    assert names[2] == "users (2)"
    assert len(names[1]) <= 31
    assert not set("[]:*?/\\") & set(names[1])


# CSV


def csv_records(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_writes_each_section_with_a_title_and_its_own_header_row() -> None:
    data = render(CsvReportRenderer(), {"users": user_rows(2), "sessions": session_rows(3)})
    records = csv_records(data)
    blank = [index for index, record in enumerate(records) if not record]

    assert len(blank) == 2
    summary, users, sessions = (
        records[: blank[0]],
        records[blank[0] + 1 : blank[1]],
        records[blank[1] + 1 :],
    )
    assert summary[:2] == [["Summary"], ["metric", "value"]]
    assert users[:2] == [["Users"], [column.title for column in USERS.columns]]
    assert len(users) == 2 + 2
    assert sessions[:2] == [["Sessions"], [column.title for column in SESSIONS.columns]]
    assert sessions[2] == [
        "1",
        "Induction 001",
        "Alice Martin",
        str(session_rows(1)[0][3]),
        "2026-05-01T09:00:00+00:00",
        "90",
        "scheduled",
    ]


def test_csv_with_a_single_section_is_one_clean_table() -> None:
    data = render(CsvReportRenderer(), {"users": user_rows(3)}, with_summary=False)
    records = csv_records(data)

    assert records[0] == [column.title for column in USERS.columns]
    assert [record[1] for record in records[1:]] == ["user001", "user002", "user003"]
    assert all(records)


def test_csv_summary_is_a_metric_value_table() -> None:
    data = render(CsvReportRenderer(), {"users": []})
    summary = dict(record for record in csv_records(data)[2:] if len(record) == 2)

    assert summary["generated at"] == "2026-05-02T08:30:00+00:00"
    assert summary["filter: Status"] == "completed"
    assert summary["users: trainee"] == "40"
    assert summary["sessions: completed"] == "25"
    assert summary["attendance rate (%)"] == "81.25"
    assert summary[f"trainer {CJK}: hours"] == "7.5"


def test_csv_starts_with_a_byte_order_mark_only_when_asked() -> None:
    plain = render(CsvReportRenderer(), {"users": user_rows(1)}, with_summary=False)
    with_bom = render(CsvReportRenderer(bom=True), {"users": user_rows(1)}, with_summary=False)

    assert not plain.startswith(b"\xef\xbb\xbf")
    assert with_bom == b"\xef\xbb\xbf" + plain


def test_csv_round_trips_commas_quotes_and_line_breaks_in_names() -> None:
    rows = user_rows(3)
    rows[0][4:6] = ["Anne, Marie", 'D"Arcy']
    rows[1][4:6] = ["Line\r\nbreak", "Tab\there"]
    rows[2][4:6] = [CYRILLIC, CJK]
    data = render(CsvReportRenderer(), {"users": rows}, with_summary=False)

    assert [record[4:6] for record in csv_records(data)[1:]] == [row[4:6] for row in rows]


def test_csv_ends_records_with_crlf_and_writes_times_with_offset() -> None:
    rows = user_rows(1)
    rows[0][6] = datetime(2026, 5, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    data = render(CsvReportRenderer(), {"users": rows}, with_summary=False)

    assert data.count(b"\r\n") == 2
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b",2026-05-01T09:00:00+00:00\r\n")


def test_csv_writes_times_to_the_second() -> None:
    rows = user_rows(1)
    rows[0][6] = datetime(2026, 5, 1, 9, 0, 5, 123456, tzinfo=UTC)
    table = csv_records(render(CsvReportRenderer(), {"users": rows}, with_summary=False))
    summary = {
        record[0]: record[1]
        for record in csv_records(render(CsvReportRenderer(), {}, with_summary=True))
        if len(record) == 2
    }

    assert table[1][6] == "2026-05-01T09:00:05+00:00"
    assert summary["generated at"] == "2026-05-02T08:30:00+00:00"
    assert summary["filter: Sessions from"] == "2026-05-01T00:00:00+00:00"


def test_csv_writes_booleans_and_numbers_plainly() -> None:
    data = render(
        CsvReportRenderer(),
        {"attendance": ATTENDANCE_ROWS, "progress": PROGRESS_ROWS},
        with_summary=False,
    )
    records = csv_records(data)

    assert [records[2][3], records[3][3]] == ["true", "false"]
    assert records[7] == ["7", CJK, "3", "2", "66.67"]


def test_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula() -> None:
    risky = [
        '=HYPERLINK("http://example.com")',
        "@SUM(A1)",
        "+1+cmd",
        "-2+3",
        " =1+1",
        "  \u00a0@SUM(A1)",
        "\n=HYPERLINK(1)",
        "\tleading tab",
        "\rleading return",
    ]
    harmless = ["Anne-Marie", "a = b", "O'Neil", " plain", ""]
    rows = user_rows(len(risky) + len(harmless))
    for row, text in zip(rows, risky + harmless, strict=True):
        row[4] = text
    data = render(CsvReportRenderer(), {"users": rows}, with_summary=False)

    assert [record[4] for record in csv_records(data)[1:]] == [
        *("'" + text for text in risky),
        *harmless,
    ]


class RecordingSink:
    """A write-only sink that remembers each write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.writes.append(data)
        return len(data)


def test_csv_writes_each_batch_as_it_arrives() -> None:
    sink = RecordingSink()
    renderer = CsvReportRenderer()
    renderer.open(cast(BinaryIO, sink), ReportHeader("Users", GENERATED, [], ("users",)))
    renderer.begin_section(USERS)
    renderer.write_rows(user_rows(2))
    written_after_first_batch = b"".join(sink.writes)

    assert written_after_first_batch.count(b"\r\n") == 3
    assert b"user002@example.com" in written_after_first_batch


class StreamSink(RecordingSink):
    """A forward-only stream, like a socket or a pipe: write and flush, no seek or tell."""

    def flush(self) -> None:
        """Nothing is buffered."""


@pytest.mark.parametrize(
    ("report_format", "sink"), [("pdf", RecordingSink()), ("xlsx", StreamSink())]
)
def test_binary_formats_write_to_a_sink_that_cannot_seek(
    report_format: str, sink: RecordingSink
) -> None:
    renderer = RENDERERS[report_format]()
    renderer.open(cast(BinaryIO, sink), ReportHeader("Users", GENERATED, [], ("users",)))
    renderer.begin_section(USERS)
    renderer.write_rows(user_rows(3))
    renderer.end_section()
    renderer.close()
    data = b"".join(sink.writes)

    if report_format == "pdf":
        assert len(PdfReader(io.BytesIO(data), strict=True).pages) == 2
    else:
        assert openpyxl.load_workbook(io.BytesIO(data))["Users"]["B4"].value == "user003"

"""The rules of a bulk import (headers, rows) and the reading of its files: CSV with or
without a BOM, `,` or `;`, header synonyms, formula cells as text, XLSX, and the file-level
refusals (415, 422 naming the line)."""

from __future__ import annotations

import codecs
import io

import pytest
import xlsxwriter

from tms_adapters.imports import csv_template, errors_csv_lines, sniff_sheet, xlsx_template
from tms_adapters.imports.reading import _records, survey_bytes
from tms_domain.cohorts.imports import (
    NO_EMAIL_COLUMN,
    NO_ROWS,
    PersonRow,
    Rejection,
    SheetFormat,
    check_row,
    column_of,
    match_headers,
)
from tms_domain.cohorts.imports.rules import default_username
from tms_domain.kernel import InvalidInput, Role
from tms_domain.kernel.files import UnsupportedFileType


def rows_of(data: bytes) -> list[dict[str, str]]:
    kind = SheetFormat.XLSX if data.startswith(b"PK") else SheetFormat.CSV
    _, _, rows = _records(data, kind)
    return [row.cells for row in rows]


def xlsx(*rows: list[object], formulas: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    for cell, formula in (formulas or {}).items():
        sheet.write_formula(cell, formula, None, "shown text")
    book.close()
    return out.getvalue()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("E-mail", "email"),
        ("Email address", "email"),
        ("EMAIL", "email"),
        ("First name", "first_name"),
        ("first_name", "first_name"),
        ("Surname", "last_name"),
        ("Last Name", "last_name"),
        ("Login", "username"),
        ("Role", "role"),
        ("Batch code", "batch"),
        ("Course", "course"),
        ("Favourite colour", None),
    ],
)
def test_headers_mean_columns_whatever_their_case_and_spelling(
    header: str, column: str | None
) -> None:
    assert column_of(header) == column


def test_a_file_without_an_email_column_or_with_two_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no e-mail column"):
        match_headers(["name", "surname"])
    with pytest.raises(InvalidInput, match="Two headers mean the column email"):
        match_headers(["Email", "E-mail"])
    assert match_headers(["Name?", "E-mail", "Surname"]) == {1: "email", 2: "last_name"}


def test_a_good_row_takes_its_defaults() -> None:
    row = check_row(2, {"email": "Ada.Lovelace@Example.com"}, {})
    assert isinstance(row, PersonRow)
    assert (row.role, row.role_given) == (Role.TRAINEE, False)
    assert (row.username, row.username_given) == ("Ada.Lovelace", False)
    assert row.first_name == "Ada.Lovelace"
    assert default_username("jo@example.org") == "jo.example.org"


def test_every_error_of_a_row_is_reported_at_once_with_its_column() -> None:
    row = check_row(
        7,
        {"email": "not-an-address", "role": "boss", "username": "a b", "course": "PY-1"},
        {},
    )
    assert isinstance(row, Rejection)
    assert {(e.row, e.column) for e in row.errors} == {
        (7, "email"),
        (7, "role"),
        (7, "username"),
    }
    assert "Unknown role 'boss'" in row.reason


def test_a_duplicate_email_in_the_file_is_an_error_on_the_later_row() -> None:
    seen: dict[str, int] = {}
    assert isinstance(check_row(2, {"email": "a@example.org"}, seen), PersonRow)
    again = check_row(5, {"email": "A@EXAMPLE.ORG"}, seen)
    assert isinstance(again, Rejection)
    assert again.errors[0].message == "The same e-mail address as row 2"


def test_only_trainees_are_enrolled_in_a_course() -> None:
    row = check_row(3, {"email": "t@example.org", "role": "trainer", "course": "PY-1"}, {})
    assert isinstance(row, Rejection)
    assert row.errors[0].column == "course"


def test_csv_with_a_bom_and_semicolons_is_read() -> None:
    data = codecs.BOM_UTF8 + "E-mail;First name;Surname\r\nzoë@example.org;Zoë;Ünal\r\n".encode()
    survey = survey_bytes(data, max_rows=10)
    assert (survey.format, survey.total_rows) == (SheetFormat.CSV, 1)
    assert rows_of(data) == [{"email": "zoë@example.org", "first_name": "Zoë", "last_name": "Ünal"}]


def test_csv_with_commas_quotes_and_blank_rows() -> None:
    data = b'email,first_name\n"a@example.org","Smith, Jr."\n,\n\nb@example.org,B\n'
    assert rows_of(data) == [
        {"email": "a@example.org", "first_name": "Smith, Jr."},
        {"email": "b@example.org", "first_name": "B"},
    ]
    assert survey_bytes(data, max_rows=2).total_rows == 2


def test_formula_cells_are_text_never_evaluated() -> None:
    data = b'email,first_name\nx@example.org,"=HYPERLINK(""http://evil.example"",""x"")"\n'
    assert rows_of(data)[0]["first_name"] == '=HYPERLINK("http://evil.example","x")'
    book = xlsx(["email", "first_name"], ["y@example.org"], formulas={"B2": "=1+1"})
    # The value the file holds for the cell, as text: nothing computes 2.
    assert rows_of(book) == [{"email": "y@example.org", "first_name": "shown text"}]


def test_latin1_csv_is_refused_naming_the_line() -> None:
    data = "email,first_name\na@example.org,Ann\nb@example.org,Zoë\n".encode("latin-1")
    assert sniff_sheet(data) == "text/csv"
    with pytest.raises(InvalidInput, match="Line 3 is not UTF-8"):
        survey_bytes(data, max_rows=10)


def test_xlsx_is_read_by_content_whatever_its_name() -> None:
    book = xlsx(["Email Address", "Given name", "Role"], ["a@example.org", "Ann", "Trainer"])
    survey = survey_bytes(book, max_rows=10)
    assert (survey.format, survey.total_rows) == (SheetFormat.XLSX, 1)
    assert rows_of(book) == [{"email": "a@example.org", "first_name": "Ann", "role": "Trainer"}]


@pytest.mark.parametrize(
    "head",
    [b"%PDF-1.7\n...", b"\x89PNG\r\n\x1a\n....", b"MZ\x90\x00", b"\x00\x01\x02 binary"],
)
def test_neither_csv_nor_xlsx_is_unsupported(head: bytes) -> None:
    with pytest.raises(UnsupportedFileType):
        sniff_sheet(head)


def test_a_word_document_is_not_a_sheet() -> None:
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>wordprocessingml</Types>")
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnsupportedFileType):
        sniff_sheet(out.getvalue())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"name,surname\nAnn,Smith\n", NO_EMAIL_COLUMN),
        (b"email,first_name\n", NO_ROWS),
        (b"email\n,\n\n", NO_ROWS),
    ],
)
def test_file_level_problems_are_422_saying_so(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        survey_bytes(data, max_rows=10) if data else sniff_sheet(data)
    assert str(refused.value) == message
    assert refused.value.errors[0].field == "file"


def test_more_rows_than_the_limit_are_refused() -> None:
    data = b"email\n" + b"".join(b"u%d@example.org\n" % n for n in range(11))
    with pytest.raises(InvalidInput, match="more than 10 rows"):
        survey_bytes(data, max_rows=10)


def test_templates_read_back_as_one_example_row() -> None:
    for template in (csv_template(), xlsx_template()):
        assert survey_bytes(template, max_rows=10).total_rows == 1


def test_errors_csv_keeps_cells_and_defuses_formulas() -> None:
    rejection = check_row(4, {"email": "bad", "first_name": "=cmd|' /C calc'!A0"}, {})
    assert isinstance(rejection, Rejection)
    text = "".join(errors_csv_lines([[rejection]]))
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[0] == "email,first_name,last_name,username,role,batch,course,row,reason"
    assert lines[1].startswith("bad,'=cmd|' /C calc'!A0,,,,,,4,email: Not a valid e-mail")

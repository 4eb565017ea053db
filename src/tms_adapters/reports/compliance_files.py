"""The compliance report as a file: CSV (UTF-8, with a BOM for spreadsheet programs),
Excel (xlsxwriter) or PDF (fpdf2, in the compact certificate font where the text allows)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

import xlsxwriter
from fpdf import FPDF
from fpdf.fonts import FontFace

from tms_adapters.reports.certificate_pdf import COMPACT_COVERAGE, compact_font, full_fonts
from tms_domain.skills.certificates import ComplianceRow

HEADERS = ("Trainee", "Trainee id", "Course", "Course id", "Status", "Issued", "Expires")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def _cells(row: ComplianceRow) -> list[str | int]:
    return [
        row.trainee_name,
        row.trainee_id,
        row.course_title,
        row.course_id,
        row.status.value,
        _day(row.issued_at),
        _day(row.expires_at),
    ]


def _safe(value: str | int) -> str | int:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render(kind: str, rows: Sequence[ComplianceRow], title: str) -> bytes:
    """The file's bytes (blocking: call it off the event loop)."""
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows([_safe(cell) for cell in _cells(row)] for row in rows)
        return ("\ufeff" + out.getvalue()).encode()
    if kind == "xlsx":
        data = io.BytesIO()
        book = xlsxwriter.Workbook(data, {"in_memory": True, "strings_to_formulas": False})
        sheet = book.add_worksheet("Compliance")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, HEADERS, bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, _cells(row))
        sheet.set_column(0, 0, 28)
        sheet.set_column(2, 2, 36)
        sheet.set_column(4, 6, 12)
        book.close()
        return data.getvalue()
    return _pdf(rows, title)


def _pdf(rows: Sequence[ComplianceRow], title: str) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(title)
    text = "".join(f"{row.trainee_name}{row.course_title}" for row in rows) + title
    if all(ord(char) in COMPACT_COVERAGE for char in text):
        pdf.add_font("body", "", str(compact_font()))
    else:
        full_fonts(pdf, "body")
    pdf.add_page()
    pdf.set_font("body", "", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    widths = (70, 20, 90, 20, 25, 25, 25)
    pdf.set_font("body", "", 9)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        first_row_as_headings=True,
        headings_style=FontFace(emphasis=None, fill_color=(225, 230, 240)),
    ) as table:
        table.row(HEADERS)
        for row in rows:
            table.row([str(cell) for cell in _cells(row)])
    return bytes(pdf.output())

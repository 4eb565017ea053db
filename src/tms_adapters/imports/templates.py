"""The import templates (the columns with one example row) and errors.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

import xlsxwriter

from tms_domain.cohorts.imports import COLUMNS, EXAMPLE_ROW, Rejection

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_template() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue().encode("utf-8")


def xlsx_template() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("users")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.write_row(1, 0, EXAMPLE_ROW)
    sheet.set_column(0, len(COLUMNS) - 1, 22)
    book.close()
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet will not take for a formula (OWASP's CSV injection advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def errors_csv_lines(batches: Iterable[list[Rejection]]) -> Iterator[str]:
    """errors.csv, line by line: the template's columns, then ``row`` and ``reason``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")

    def line(values: Iterable[str]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(values)
        return out.getvalue()

    yield "\ufeff" + line([*COLUMNS, "row", "reason"])
    for batch in batches:
        for rejection in batch:
            cells = [_safe(rejection.cells.get(column, "")) for column in COLUMNS]
            yield line([*cells, str(rejection.row), _safe(rejection.reason)])

"""The Excel report renderer: one worksheet per section, streamed with xlsxwriter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

import xlsxwriter

from tms_domain.reporting import Cell, ColumnKind, ReportHeader, ReportSummary, SectionSpec

_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_CELL_TEXT = 32_767
_SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_WIDEST_COLUMN = 80
_CHART_WIDTH_PX = 640
_CHART_HEIGHT_PX = 300
_CHART_ROWS = 16
"""Worksheet rows a default-height chart covers, to stack charts without overlap."""


class XlsxReportRenderer:
    """Writes a report as an Excel workbook (.xlsx).

    Rules:
    - A "Summary" worksheet (when the summary is wanted) holds the report title, generation
      time, filters, the figures as tables and native charts: sessions by status, users by
      role, attendance rate and hours by trainer.
    - Each table section gets its own worksheet named after the section title; its header
      row is bold and frozen, an autofilter covers the table, and column widths follow the
      columns' width hints. A section longer than a worksheet's row limit continues on
      "<title> (2)", "<title> (3)"... with the header repeated.
    - Datetimes are real Excel date cells holding UTC wall time (Excel has no time zones);
      their column header says "(UTC)". Integers, minutes and numbers are numeric cells,
      booleans real TRUE/FALSE cells, text is always stored as text (never run as a formula).
      A text longer than a cell holds (32,767 characters) is cut and ends saying so.
    - Rows are written in order in xlsxwriter's ``constant_memory`` mode, so memory stays
      flat whatever the number of rows; the summary worksheet is therefore written first
      and completely. The zip container is written into ``sink`` on ``close``; the sink
      needs ``write`` and ``flush`` only (a forward-only stream will do: the zip then carries
      its sizes after each member).
    """

    format = "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"
    summary_last = False
    aliases = ("excel",)

    def __init__(self) -> None:
        self._workbook: Any = None
        self._header: ReportHeader | None = None
        self._sheet: Any = None
        self._sheet_names: set[str] = set()
        self._spec: SectionSpec | None = None
        self._sheet_part = 1
        self._next_row = 0
        self._formats: dict[str, Any] = {}

    def open(self, sink: BinaryIO, header: ReportHeader) -> None:
        workbook = xlsxwriter.Workbook(sink, {"constant_memory": True})
        workbook.set_properties(
            {
                "title": header.title,
                "comments": _filters_text(header),
                "created": header.generated_at.astimezone(UTC),
            }
        )
        self._workbook = workbook
        self._header = header
        self._formats = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "bold": workbook.add_format({"bold": True}),
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "datetime": workbook.add_format({"num_format": _DATETIME_FORMAT}),
            "integer": workbook.add_format({"num_format": "0"}),
            "number": workbook.add_format({"num_format": "0.00"}),
        }

    def summary(self, summary: ReportSummary) -> None:
        header = self._header
        if header is None:
            raise RuntimeError("XlsxReportRenderer.open() must be called first")
        sheet = self._add_sheet("Summary")
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 3, 16)
        formats = self._formats
        sheet.write_string(0, 0, header.title, formats["title"])
        sheet.write_string(1, 0, "Generated (UTC)", formats["bold"])
        sheet.write_datetime(1, 1, _utc_wall_time(header.generated_at), formats["datetime"])
        row = 2
        for label, value in header.filters:
            sheet.write_string(row, 0, label, formats["bold"])
            if isinstance(value, datetime):
                sheet.write_datetime(row, 1, _utc_wall_time(value), formats["datetime"])
            else:
                sheet.write_string(row, 1, value)
            row += 1
        sheet.write_string(row, 0, "Attendance rate (%)", formats["bold"])
        sheet.write_number(row, 1, summary.attendance_rate, formats["number"])
        row += 2

        charts_row = 0
        by_status = self._write_figures(
            sheet, row, ("Status", "Sessions"), list(summary.sessions_by_status.items())
        )
        charts_row = self._insert_chart(
            sheet, "column", "Sessions by status", by_status, value_columns=(1,), at=charts_row
        )
        row = by_status[1] + 2
        by_role = self._write_figures(
            sheet, row, ("Role", "Users"), list(summary.users_by_role.items())
        )
        charts_row = self._insert_chart(
            sheet, "column", "Users by role", by_role, value_columns=(1,), at=charts_row
        )
        row = by_role[1] + 2
        trainers = [
            (trainer.name, trainer.sessions, trainer.hours, trainer.attendance_rate)
            for trainer in summary.trainers
        ]
        by_trainer = self._write_figures(
            sheet, row, ("Trainer", "Sessions", "Hours", "Attendance rate (%)"), trainers
        )
        charts_row = self._insert_chart(
            sheet, "bar", "Attendance rate by trainer (%)", by_trainer, (3,), charts_row
        )
        self._insert_chart(sheet, "bar", "Hours by trainer", by_trainer, (2,), charts_row)

    def begin_section(self, spec: SectionSpec) -> None:
        self._spec = spec
        self._sheet_part = 1
        self._start_sheet(spec, spec.title)

    def write_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        spec = self._spec
        if spec is None:
            raise RuntimeError("XlsxReportRenderer.begin_section() must come before write_rows()")
        formats = self._formats
        for row in rows:
            if self._next_row == _EXCEL_MAX_ROWS:
                self._finish_sheet()
                self._sheet_part += 1
                self._start_sheet(spec, f"{spec.title} ({self._sheet_part})")
            sheet = self._sheet
            row_index = self._next_row
            for column_index, (cell, column) in enumerate(zip(row, spec.columns, strict=True)):
                _write_cell(sheet, row_index, column_index, cell, column.kind, formats)
            self._next_row = row_index + 1

    def end_section(self) -> None:
        self._finish_sheet()
        self._spec = None

    def close(self) -> None:
        if self._workbook is None:
            raise RuntimeError("XlsxReportRenderer.open() must be called first")
        self._workbook.close()

    def _add_sheet(self, title: str) -> Any:
        if self._workbook is None:
            raise RuntimeError("XlsxReportRenderer.open() must be called first")
        name = _unique_sheet_name(title, self._sheet_names)
        self._sheet_names.add(name.casefold())
        self._sheet = self._workbook.add_worksheet(name)
        return self._sheet

    def _start_sheet(self, spec: SectionSpec, title: str) -> None:
        sheet = self._add_sheet(title)
        for column_index, column in enumerate(spec.columns):
            heading = _column_heading(column.title, column.kind)
            width = max(column.width, len(heading)) + 2
            if column.kind is ColumnKind.DATETIME:
                width = max(width, len(_DATETIME_FORMAT) + 2)
            sheet.set_column(column_index, column_index, min(width, _WIDEST_COLUMN))
            sheet.write_string(0, column_index, heading, self._formats["header"])
        sheet.freeze_panes(1, 0)
        self._next_row = 1

    def _finish_sheet(self) -> None:
        spec = self._spec
        if spec is not None and spec.columns:
            self._sheet.autofilter(0, 0, self._next_row - 1, len(spec.columns) - 1)

    def _write_figures(
        self,
        sheet: Any,
        first_row: int,
        headings: Sequence[str],
        rows: Sequence[Sequence[str | int | float]],
    ) -> tuple[int, int]:
        """Writes a small table of figures; answers (first data row, last data row)."""
        for column_index, heading in enumerate(headings):
            sheet.write_string(first_row, column_index, heading, self._formats["header"])
        for offset, row in enumerate(rows, start=1):
            for column_index, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(first_row + offset, column_index, value)
                else:
                    number_format = self._formats["integer" if isinstance(value, int) else "number"]
                    sheet.write_number(first_row + offset, column_index, value, number_format)
        return first_row + 1, first_row + len(rows)

    def _insert_chart(
        self,
        sheet: Any,
        chart_type: str,
        title: str,
        data_rows: tuple[int, int],
        value_columns: Sequence[int],
        at: int,
    ) -> int:
        """Charts a table written by _write_figures beside the tables; answers the next free
        chart row. An empty table gets no chart."""
        first, last = data_rows
        if last < first:
            return at
        chart = self._workbook.add_chart({"type": chart_type})
        for value_column in value_columns:
            chart.add_series(
                {
                    "name": title,
                    "categories": [sheet.name, first, 0, last, 0],
                    "values": [sheet.name, first, value_column, last, value_column],
                    "data_labels": {"value": True},
                }
            )
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        # Horizontal bar charts grow with their categories so that every label stays legible.
        height = _CHART_HEIGHT_PX
        if chart_type == "bar":
            height = max(_CHART_HEIGHT_PX, 60 + 22 * (last - first + 1))
        chart.set_size({"width": _CHART_WIDTH_PX, "height": height})
        sheet.insert_chart(at, 5, chart)
        return at + max(_CHART_ROWS, height // 20) + 1


def _write_cell(
    sheet: Any, row: int, column: int, cell: Cell, kind: ColumnKind, formats: dict[str, Any]
) -> None:
    if cell is None:
        return
    if isinstance(cell, str):
        sheet.write_string(row, column, _fitted(cell))
    elif isinstance(cell, bool):
        sheet.write_boolean(row, column, cell)
    elif isinstance(cell, datetime):
        sheet.write_datetime(row, column, _utc_wall_time(cell), formats["datetime"])
    elif isinstance(cell, int):
        sheet.write_number(row, column, cell, formats["integer"])
    else:
        number_format = formats["integer" if kind is ColumnKind.INTEGER else "number"]
        sheet.write_number(row, column, cell, number_format)


def _fitted(text: str) -> str:
    """The text whole, or as much as a cell holds with a note that it was cut (Excel, and
    xlsxwriter with it, would otherwise drop the rest without a word)."""
    if len(text) <= _EXCEL_MAX_CELL_TEXT:
        return text
    note = f" … [cut: {len(text):,} characters in all]"
    return text[: _EXCEL_MAX_CELL_TEXT - len(note)] + note


def _utc_wall_time(moment: datetime) -> datetime:
    """Excel cells carry no offset: the value is the UTC wall time, as the header says."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _column_heading(title: str, kind: ColumnKind) -> str:
    if kind is ColumnKind.DATETIME and "UTC" not in title:
        return f"{title} (UTC)"
    return title


def _unique_sheet_name(title: str, taken_casefolded: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, no leading or trailing
    apostrophe, unique regardless of case."""
    base = title.translate(_SHEET_NAME_FORBIDDEN).strip().strip("'").strip() or "Sheet"
    name = base[:_SHEET_NAME_MAX]
    counter = 2
    while name.casefold() in taken_casefolded:
        suffix = f" ({counter})"
        name = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        counter += 1
    return name


def _filters_text(header: ReportHeader) -> str:
    return "; ".join(
        f"{label}: {_utc_wall_time(value):%Y-%m-%d %H:%M} UTC"
        if isinstance(value, datetime)
        else f"{label}: {value}"
        for label, value in header.filters
    )

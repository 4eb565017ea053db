"""The PDF report renderer: a title page, a summary with bar charts, paginated tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from tms_adapters.reports.pdf_streaming import StreamingPdf
from tms_adapters.reports.pdf_tables import CELL_PAD_X, CELL_PAD_Y, Table, readable
from tms_adapters.reports.pdf_typesetting import ASCENT, LINE_HEIGHT, MM_PER_PT, Typesetter
from tms_domain.reporting import Cell, ReportHeader, ReportSummary, SectionSpec

_MARGIN_X = 12.0
_MARGIN_TOP = 12.0
_FOOTER_BASELINE_FROM_BOTTOM = 8.0
_CONTENT_BOTTOM_FROM_BOTTOM = 14.0
_MIN_SPLIT_LINES = 3
"""A row taller than a page is split across pages; a split leaves at least this many lines."""

_HEADER_FILL = (217, 225, 242)
_RULE_GREY = 190
_FOOTER_GREY = 90
_BAR_COLOURS = ((68, 114, 196), (237, 125, 49), (112, 173, 71), (165, 165, 165), (255, 192, 0))


class FpdfReportRenderer:
    """Writes a report as PDF with fpdf2.

    Rules:
    - Page 1 is a title page: the report title, the generation time and the filters.
    - The summary (when wanted) gives the figures as text and as bar charts drawn with
      rectangles: sessions by status, users by role, hours and attendance rate per trainer.
    - Each table section starts on a new page, landscape when the section is wide, portrait
      otherwise; the section title and the table's header row head every page of it. Long
      text wraps inside its cell (a row taller than a page continues on the next page);
      nothing is cut.
    - Every page ends with "page X of Y".
    - Text is set in DejaVu Sans (Latin, Greek, Cyrillic and more); each character it lacks
      comes from Droid Sans Fallback (Chinese, Japanese, Korean), loaded only when needed.
      Both are embedded (as subsets). Right-to-left scripts are not reordered.
    - Times read as dates do, in UTC: "2026-05-01 09:00" in a table whose column header
      says "(UTC)", "2026-05-01 09:00 UTC" elsewhere; booleans "yes"/"no".
    - Pages leave memory as they are finished (see ``pdf_streaming``), so memory stays flat
      with the number of rows. ``sink`` only needs ``write(bytes)``; the file is written on
      ``close``.
    """

    format = "pdf"
    media_type = "application/pdf"
    extension = "pdf"
    summary_last = False

    def __init__(self) -> None:
        self._report: _PdfReport | None = None

    def open(self, sink: BinaryIO, header: ReportHeader) -> None:
        self._report = _PdfReport(sink, header)

    def summary(self, summary: ReportSummary) -> None:
        self._opened().summary(summary)

    def begin_section(self, spec: SectionSpec) -> None:
        self._opened().begin_section(spec)

    def write_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        self._opened().write_rows(rows)

    def end_section(self) -> None:
        self._opened().end_section()

    def close(self) -> None:
        self._opened().finish()

    def _opened(self) -> _PdfReport:
        if self._report is None:
            raise RuntimeError("FpdfReportRenderer.open() must be called first")
        return self._report


class _PdfReport:
    """The layout of one PDF report, page by page; see FpdfReportRenderer for the rules."""

    def __init__(self, sink: BinaryIO, header: ReportHeader) -> None:
        self._sink = sink
        pdf = self._pdf = StreamingPdf()
        pdf.set_title(header.title)
        pdf.set_creator("Training Management System")
        pdf.set_creation_date(header.generated_at.astimezone(UTC))
        pdf.set_draw_color(_RULE_GREY)
        pdf.set_line_width(0.1)
        self._typesetter = Typesetter(pdf)
        self._title = header.title
        self._y = 0.0
        self._bottom = 0.0
        self._table: Table | None = None
        self._title_page(header)

    def summary(self, summary: ReportSummary) -> None:
        self._start_page("P", "Summary")
        total_users = sum(summary.users_by_role.values())
        total_sessions = sum(summary.sessions_by_status.values())
        figures = [
            f"Users: {total_users} ({_counts_text(summary.users_by_role)})",
            f"Sessions: {total_sessions} ({_counts_text(summary.sessions_by_status)})",
            f"Attendance rate: {summary.attendance_rate:.2f} %",
        ]
        for figure in figures:
            self._paragraph(figure, size=10, continued_heading="Summary")
        self._y += 4
        self._bar_chart("Sessions by status", list(summary.sessions_by_status.items()), str, None)
        self._bar_chart("Users by role", list(summary.users_by_role.items()), str, None)
        trainers = summary.trainers
        self._bar_chart(
            "Hours per trainer",
            [(trainer.name, trainer.hours) for trainer in trainers],
            lambda hours: f"{hours:.1f} h",
            None,
        )
        self._bar_chart(
            "Attendance rate per trainer",
            [(trainer.name, trainer.attendance_rate) for trainer in trainers],
            lambda rate: f"{rate:.2f} %",
            100.0,
        )

    def begin_section(self, spec: SectionSpec) -> None:
        orientation = "L" if spec.wide else "P"
        self._start_page(orientation, spec.title)
        self._table = Table.lay_out(spec, _MARGIN_X, self._pdf.w - 2 * _MARGIN_X, self._typesetter)
        self._table_header()

    def write_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        table = self._table
        if table is None:
            raise RuntimeError("begin_section() must come before write_rows()")
        wrap = self._typesetter.wrap
        for row in rows:
            cell_lines = [
                wrap(formatter(cell), width)
                for cell, formatter, width in zip(
                    row, table.formatters, table.text_widths, strict=True
                )
            ]
            self._table_row(table, cell_lines)
            table.rows_written += 1

    def end_section(self) -> None:
        table = self._table
        if table is not None and table.rows_written == 0:
            self._typesetter.draw(_MARGIN_X + CELL_PAD_X, self._y + CELL_PAD_Y + ASCENT, "No rows.")
        self._table = None

    def finish(self) -> None:
        """Numbers the pages, now that their count is known, and writes the file."""
        pdf = self._pdf
        page_count = pdf.pages_count
        for page_number in range(1, page_count + 1):
            pdf.revisit_page(page_number)
            self._footer(page_number, page_count)
        pdf.write_to(self._sink)

    # Pages

    def _title_page(self, header: ReportHeader) -> None:
        pdf, typesetter = self._pdf, self._typesetter
        pdf.start_page("P")
        self._bottom = pdf.h - _CONTENT_BOTTOM_FROM_BOTTOM
        self._y = 60.0
        width = pdf.w - 2 * _MARGIN_X
        for line in typesetter.wrap(header.title, width, size=22, bold=True):
            typesetter.draw(_MARGIN_X, self._y + 22 * MM_PER_PT, line, size=22, bold=True)
            self._y += 22 * 1.3 * MM_PER_PT
        self._y += 8
        self._paragraph(f"Generated {readable(header.generated_at)} UTC", size=11)
        self._y += 6
        self._paragraph("Filters", size=12, bold=True)
        if not header.filters:
            self._paragraph("None: every record is included.", size=11)
        for label, value in header.filters:
            shown = f"{readable(value)} UTC" if isinstance(value, datetime) else value
            self._paragraph(f"{label}: {shown}", size=11)

    def _start_page(self, orientation: str, heading: str) -> None:
        """Opens a page whose content starts with ``heading``."""
        pdf = self._pdf
        pdf.start_page(orientation)
        self._bottom = pdf.h - _CONTENT_BOTTOM_FROM_BOTTOM
        self._y = _MARGIN_TOP
        self._typesetter.draw(_MARGIN_X, self._y + 14 * MM_PER_PT, heading, size=14, bold=True)
        self._y += 14 * 1.6 * MM_PER_PT

    def _footer(self, page_number: int, page_count: int) -> None:
        pdf, typesetter = self._pdf, self._typesetter
        baseline = pdf.h - _FOOTER_BASELINE_FROM_BOTTOM
        page_text = f"page {page_number} of {page_count}"
        page_text_width = typesetter.width(page_text, size=8)
        right = pdf.w - _MARGIN_X
        pdf.set_fill_color(_FOOTER_GREY)
        typesetter.draw(right - page_text_width, baseline, page_text, size=8)
        # The title is in full on page 1; the footer shows what fits on one line.
        title_room = right - page_text_width - 8 - _MARGIN_X
        title_lines = typesetter.wrap(self._title, title_room, size=8)
        footer_title = title_lines[0] + (" …" if len(title_lines) > 1 else "")
        typesetter.draw(_MARGIN_X, baseline, footer_title, size=8)
        pdf.set_fill_color(0)

    def _paragraph(
        self, text: str, size: float, bold: bool = False, continued_heading: str | None = None
    ) -> None:
        """Flowing text, continued on a new portrait page (headed ``continued_heading``, by
        default the report title) when it reaches the bottom."""
        typesetter = self._typesetter
        line_height = size * 1.35 * MM_PER_PT
        for line in typesetter.wrap(text, self._pdf.w - 2 * _MARGIN_X, size=size, bold=bold):
            if self._y + line_height > self._bottom:
                self._start_page("P", f"{continued_heading or self._title} (continued)")
            typesetter.draw(_MARGIN_X, self._y + size * MM_PER_PT, line, size=size, bold=bold)
            self._y += line_height

    # Summary charts

    def _bar_chart(
        self,
        title: str,
        items: Sequence[tuple[str, float]],
        value_text: Callable[[float], str],
        scale_max: float | None,
    ) -> None:
        """Horizontal bars, one per item, each followed by its value; bars are scaled to
        ``scale_max`` or, without it, to the largest value."""
        pdf, typesetter = self._pdf, self._typesetter
        label_width = 52.0
        bar_room = pdf.w - 2 * _MARGIN_X - label_width - 28
        bar_height = 4.0
        self._chart_title(title)
        if not items:
            self._paragraph("No data.", size=9)
            self._y += 4
            return
        largest = scale_max or max(value for _, value in items) or 1.0
        for index, (label, value) in enumerate(items):
            label_lines = typesetter.wrap(label, label_width - 2, size=9)
            row_height = max(bar_height + 2, len(label_lines) * LINE_HEIGHT * 1.15 + 1.5)
            if self._y + row_height > self._bottom:
                self._start_page("P", "Summary (continued)")
                self._chart_title(f"{title} (continued)")
            for line_index, line in enumerate(label_lines):
                baseline = self._y + 9 * MM_PER_PT + line_index * LINE_HEIGHT * 1.15
                typesetter.draw(_MARGIN_X, baseline, line, size=9)
            bar_width = max(0.0, min(value / largest, 1.0)) * bar_room
            pdf.set_fill_color(*_BAR_COLOURS[index % len(_BAR_COLOURS)])
            pdf.rect(_MARGIN_X + label_width, self._y + 0.2, bar_width, bar_height, style="F")
            pdf.set_fill_color(0)
            value_x = _MARGIN_X + label_width + bar_width + 2
            typesetter.draw(value_x, self._y + 9 * MM_PER_PT, value_text(value), size=9)
            self._y += row_height
        self._y += 5

    def _chart_title(self, title: str) -> None:
        if self._y + 20 > self._bottom:
            self._start_page("P", "Summary (continued)")
        self._typesetter.draw(_MARGIN_X, self._y + 11 * MM_PER_PT, title, size=11, bold=True)
        self._y += 11 * 1.6 * MM_PER_PT

    # Tables

    def _table_header(self) -> None:
        table = self._table
        if table is None:
            raise RuntimeError("no table section is open")
        pdf, typesetter = self._pdf, self._typesetter
        height = len(max(table.heading_lines, key=len)) * LINE_HEIGHT + 2 * CELL_PAD_Y
        pdf.set_fill_color(*_HEADER_FILL)
        pdf.rect(_MARGIN_X, self._y, table.width, height, style="F")
        pdf.set_fill_color(0)
        placed: list[tuple[float, float, str]] = []
        for x, right_aligned, text_width, lines in zip(
            table.column_xs,
            table.right_aligned,
            table.text_widths,
            table.heading_lines,
            strict=True,
        ):
            for line_index, line in enumerate(lines):
                line_x = x + CELL_PAD_X
                if right_aligned:
                    line_x += text_width - typesetter.width(line, bold=True)
                baseline = self._y + CELL_PAD_Y + ASCENT + line_index * LINE_HEIGHT
                placed.append((line_x, baseline, line))
        typesetter.draw_lines(placed, bold=True)
        self._y += height

    def _table_row(self, table: Table, cell_lines: list[list[str]]) -> None:
        """Draws one row, wrapped text and all, breaking the page first when the row does not
        fit; a row taller than a whole page is split across pages."""
        while True:
            line_count = max(len(lines) for lines in cell_lines)
            room = int((self._bottom - self._y - 2 * CELL_PAD_Y) / LINE_HEIGHT)
            if line_count <= room:
                self._draw_row_lines(table, cell_lines)
                return
            page_room = self._table_page_room(table)
            if line_count <= page_room or room < min(_MIN_SPLIT_LINES, page_room):
                self._continue_table(table)
                continue
            # At least one line per page, so that even a degenerate layout makes progress.
            room = max(room, 1)
            self._draw_row_lines(table, [lines[:room] for lines in cell_lines])
            cell_lines = [lines[room:] for lines in cell_lines]
            self._continue_table(table)

    def _draw_row_lines(self, table: Table, cell_lines: list[list[str]]) -> None:
        width = self._typesetter.width
        top = self._y + CELL_PAD_Y + ASCENT
        placed: list[tuple[float, float, str]] = []
        for x, right_aligned, cell_width, lines in zip(
            table.column_xs, table.right_aligned, table.text_widths, cell_lines, strict=True
        ):
            for line_index, line in enumerate(lines):
                if not line:
                    continue
                line_x = x + CELL_PAD_X
                if right_aligned:
                    line_x += cell_width - width(line)
                placed.append((line_x, top + line_index * LINE_HEIGHT, line))
        self._typesetter.draw_lines(placed)
        self._y += max(len(lines) for lines in cell_lines) * LINE_HEIGHT + 2 * CELL_PAD_Y
        self._pdf.line(_MARGIN_X, self._y, _MARGIN_X + table.width, self._y)

    def _continue_table(self, table: Table) -> None:
        orientation = "L" if table.spec.wide else "P"
        self._start_page(orientation, f"{table.spec.title} (continued)")
        self._table_header()

    def _table_page_room(self, table: Table) -> int:
        """Text lines a row can hold on a fresh page of this table."""
        heading = 14 * 1.6 * MM_PER_PT
        header = len(max(table.heading_lines, key=len)) * LINE_HEIGHT + 2 * CELL_PAD_Y
        free = self._bottom - _MARGIN_TOP - heading - header - 2 * CELL_PAD_Y
        return int(free / LINE_HEIGHT)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())

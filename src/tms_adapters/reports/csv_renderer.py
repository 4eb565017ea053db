"""The CSV report renderer: RFC 4180 text, written batch by batch as rows arrive."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from tms_domain.reporting import Cell, ReportHeader, ReportSummary, SectionSpec

_UTF8_BOM = b"\xef\xbb\xbf"
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_CONTROL_TRIGGERS = ("\t", "\r")


class CsvReportRenderer:
    """Writes a report as CSV (RFC 4180: comma separated, ``"`` quoting, CRLF line ends), UTF-8.

    Rules:
    - With more than one section, each section is a title line, its own header row and its
      rows, and sections are separated by one blank line. With a single section the file is
      one clean table: a header row then the rows, no title line.
    - The summary section is a two-column table ``metric,value``, written after the tables
      (``summary_last``): the file starts with Users then Sessions, as the API contract
      describes it to existing readers.
    - Datetimes are ISO 8601 in UTC to the second, with their offset
      (``2026-05-01T09:00:00+00:00``), booleans ``true``/``false``, empty cells empty.
    - A text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``
      or ``@``, also after leading whitespace, or starting with a tab or carriage return) is
      prefixed with an apostrophe, so that opening a report in a spreadsheet never runs a
      formula a user typed into a name.
    - A UTF-8 byte order mark starts the file only when ``bom`` is true (some spreadsheet
      programs need it to read UTF-8).
    - Each batch of rows is written to the sink as soon as it arrives; the sink only needs
      ``write(bytes)``.
    """

    format = "csv"
    media_type = "text/csv; charset=utf-8"
    extension = "csv"
    summary_last = True

    def __init__(self, bom: bool = False) -> None:
        self._bom = bom
        self._sink: BinaryIO | None = None
        self._text = io.StringIO()
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        self._header: ReportHeader | None = None
        self._single_section = False
        self._sections_written = 0

    def open(self, sink: BinaryIO, header: ReportHeader) -> None:
        self._sink = sink
        self._header = header
        self._single_section = len(header.sections) == 1
        if self._bom:
            sink.write(_UTF8_BOM)

    def summary(self, summary: ReportSummary) -> None:
        header = self._opened_header()
        self._start_section("Summary", ("metric", "value"))
        rows: list[tuple[str, Cell]] = [
            ("report", header.title),
            ("generated at", _iso(header.generated_at)),
        ]
        rows += [(f"filter: {label}", value) for label, value in header.filters]
        rows += [(f"users: {role}", count) for role, count in summary.users_by_role.items()]
        rows += [
            (f"sessions: {status}", count) for status, count in summary.sessions_by_status.items()
        ]
        rows.append(("attendance rate (%)", summary.attendance_rate))
        for trainer in summary.trainers:
            rows += [
                (f"trainer {trainer.name}: sessions", trainer.sessions),
                (f"trainer {trainer.name}: hours", trainer.hours),
                (f"trainer {trainer.name}: attendance rate (%)", trainer.attendance_rate),
            ]
        self._writer.writerows((_text(metric), _text(value)) for metric, value in rows)
        self._flush()

    def begin_section(self, spec: SectionSpec) -> None:
        self._start_section(spec.title, [column.title for column in spec.columns])

    def write_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        self._writer.writerows([_text(cell) for cell in row] for row in rows)
        self._flush()

    def end_section(self) -> None:
        """Nothing to finish: the section's rows are already written."""

    def close(self) -> None:
        self._flush()

    def _start_section(self, title: str, column_titles: Sequence[str]) -> None:
        if self._sections_written:
            self._writer.writerow(())
        if not self._single_section:
            self._writer.writerow((_text(title),))
        self._writer.writerow([_text(column_title) for column_title in column_titles])
        self._sections_written += 1

    def _opened_header(self) -> ReportHeader:
        if self._header is None:
            raise RuntimeError("CsvReportRenderer.open() must be called first")
        return self._header

    def _flush(self) -> None:
        if self._sink is None:
            raise RuntimeError("CsvReportRenderer.open() must be called first")
        self._sink.write(self._text.getvalue().encode("utf-8"))
        self._text.seek(0)
        self._text.truncate()


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return "'" + cell if _runs_as_formula(cell) else cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime):
        return _iso(cell)
    return str(cell)


def _runs_as_formula(text: str) -> bool:
    # Spreadsheets skip leading spaces (and line breaks) before a formula's sign.
    return text.startswith(_CONTROL_TRIGGERS) or text.lstrip().startswith(_FORMULA_TRIGGERS)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")

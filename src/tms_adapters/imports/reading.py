"""Reading an uploaded sheet: CSV (UTF-8 with or without a BOM, `,` or `;`) or XLSX (with
python-calamine, row by row; a formula cell gives the value the file holds for it as text,
nothing is evaluated). The format is known from the bytes, never from the name.

The file is read from the file storage once to survey it (at upload, in a thread) and again,
chunk by chunk, by the import's job."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time

from python_calamine import CalamineError, CalamineWorkbook

from tms_domain.cohorts.imports import (
    NO_ROWS,
    SheetFormat,
    SheetRow,
    Survey,
    match_headers,
)
from tms_domain.cohorts.imports.rules import EMPTY_FILE
from tms_domain.kernel import InvalidInput
from tms_domain.kernel.files import (
    XLSX,
    FileStorage,
    StoredFile,
    UnsupportedFileType,
    sniff_content_type,
)

CSV_TYPE = "text/csv"
NOT_A_SHEET = "The file is neither a CSV file nor an Excel workbook (.xlsx)"
_BOM = codecs.BOM_UTF8


def sniff_sheet(head: bytes, _name: str = "") -> str:
    """CSV_TYPE or XLSX for the first bytes of an upload; UnsupportedFileType (415) for any
    other binary format. Text that is not UTF-8 counts as CSV here: reading it then fails
    with a 422 naming the line, which says more than a 415 would."""
    if not head:
        raise InvalidInput.for_field("file", EMPTY_FILE)
    try:
        kind = sniff_content_type(head, "upload.csv")
    except UnsupportedFileType as refused:
        if refused.detected == "application/octet-stream" and b"\x00" not in head:
            return CSV_TYPE
        raise UnsupportedFileType(refused.detected, NOT_A_SHEET) from None
    if kind == XLSX:
        return XLSX
    if kind == CSV_TYPE or kind.startswith("text/"):
        return CSV_TYPE
    raise UnsupportedFileType(kind, NOT_A_SHEET)


def _decoded(data: bytes) -> str:
    body = data.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        raise InvalidInput.for_field(
            "file",
            f"Line {line} is not UTF-8 text: save the file as CSV UTF-8 and upload it again",
        ) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decoded(data)
    if "\x00" in text:
        raise UnsupportedFileType("application/octet-stream", NOT_A_SHEET)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    except csv.Error as error:
        raise InvalidInput.for_field("file", f"The CSV file cannot be read: {error}") from None


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        for values in sheet.iter_rows():
            yield [_cell(value) for value in values]
    except CalamineError as error:
        raise UnsupportedFileType(XLSX, f"The workbook cannot be read ({error})") from None


def _table(data: bytes, kind: SheetFormat) -> Iterator[list[str]]:
    return _xlsx_rows(data) if kind is SheetFormat.XLSX else _csv_rows(data)


Records = tuple[list[str], dict[int, str], Iterator[SheetRow]]
"""The headers, the columns they mean by position, and the data rows."""


def _records(data: bytes, kind: SheetFormat) -> Records:
    table = _table(data, kind)
    headers = next(table, None)
    if headers is None:
        raise InvalidInput.for_field("file", EMPTY_FILE)
    columns = match_headers(headers)

    def rows() -> Iterator[SheetRow]:
        for number, cells in enumerate(table, start=2):
            values = {
                column: cells[position].strip()
                for position, column in columns.items()
                if position < len(cells)
            }
            if any(values.values()):
                yield SheetRow(number, values)

    return headers, columns, rows()


def survey_bytes(data: bytes, *, max_rows: int) -> Survey:
    kind = SheetFormat.XLSX if sniff_sheet(data[:65536]) == XLSX else SheetFormat.CSV
    headers, _, rows = _records(data, kind)
    total = 0
    for _ in rows:
        total += 1
        if total > max_rows:
            raise InvalidInput.for_field(
                "file", f"The file has more than {max_rows} rows: split it and import each part"
            )
    if total == 0:
        raise InvalidInput.for_field("file", NO_ROWS)
    return Survey(kind, headers, total)


class StoredSheetReader:
    def __init__(self, storage: FileStorage) -> None:
        self._storage = storage

    async def _bytes(self, file: StoredFile) -> bytes:
        return b"".join([chunk async for chunk in self._storage.read(file.storage_key)])

    async def survey(self, file: StoredFile, *, max_rows: int) -> Survey:
        data = await self._bytes(file)
        return await asyncio.to_thread(survey_bytes, data, max_rows=max_rows)

    async def rows(self, file: StoredFile, *, chunk_size: int) -> AsyncIterator[list[SheetRow]]:
        data = await self._bytes(file)
        kind = SheetFormat.XLSX if sniff_sheet(data[:65536]) == XLSX else SheetFormat.CSV
        _, _, rows = await asyncio.to_thread(_records, data, kind)

        def next_chunk() -> list[SheetRow]:
            return [row for _, row in zip(range(chunk_size), rows, strict=False)]

        while chunk := await asyncio.to_thread(next_chunk):
            yield chunk

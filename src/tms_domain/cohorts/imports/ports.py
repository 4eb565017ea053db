"""What imports need from outside: their records, and a reader of the uploaded sheet."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from tms_domain.cohorts.imports.model import Rejection, SheetRow, Survey, UserImport
from tms_domain.kernel.files import StoredFile


class ImportRepository(Protocol):
    async def add(self, record: UserImport) -> UserImport:
        """Record a new import (it comes back with its id); Conflict when an import of the
        same content and kind of run is under way (its ``running_key`` is unique)."""
        ...

    async def get(self, import_id: int, *, for_update: bool = False) -> UserImport | None:
        """With its first MAX_REPORTED_ERRORS cell errors."""
        ...

    async def page(self, *, skip: int, limit: int) -> list[UserImport]:
        """Newest first, each with its first cell errors."""
        ...

    async def update(self, record: UserImport) -> None:
        """Its status, counts and end (the errors are added with ``reject``)."""
        ...

    async def reject(self, import_id: int, rejections: Sequence[Rejection]) -> None:
        """Keep rows not imported, with their cells and errors."""
        ...

    async def rejections(self, import_id: int, *, after_row: int, limit: int) -> list[Rejection]:
        """The rows not imported, by row number, after ``after_row``."""
        ...


class SheetReader(Protocol):
    """Reads an uploaded CSV or XLSX file from the file storage."""

    async def survey(self, file: StoredFile, *, max_rows: int) -> Survey:
        """Read the whole file once: its format (from its bytes), headers and data rows.
        UnsupportedFileType (415) when it is neither CSV text nor an XLSX workbook;
        InvalidInput (422, field ``file``) when it is empty, not UTF-8 (naming the line),
        has no e-mail column or no rows, or more than ``max_rows`` rows."""
        ...

    def rows(self, file: StoredFile, *, chunk_size: int) -> AsyncIterator[list[SheetRow]]:
        """The data rows (blank ones left out), ``chunk_size`` at a time, cells by column
        (headers matched with ``rules.match_headers``)."""
        ...

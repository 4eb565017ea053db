"""An import of users from a spreadsheet: its record, its options and what it found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tms_domain.kernel import Role

MAX_REPORTED_ERRORS = 100
"""How many cell errors an import answers with (all of them are in its errors.csv)."""


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ImportKind(StrEnum):
    USERS = "users"


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class CellError:
    """What is wrong with one cell (``column`` as the template names it) of one row (as
    the spreadsheet numbers it: the header is row 1)."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    batch_id: int | None = None
    course_id: int | None = None
    invite: bool = True


@dataclass
class UserImport:
    """One import: counts move as its rows are processed, chunk by chunk."""

    id: int
    kind: ImportKind
    file_id: int | None
    file_name: str
    sha256: str
    format: SheetFormat
    options: ImportOptions
    status: ImportStatus
    total_rows: int
    created_by: int | None
    created_at: datetime
    processed_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    finished_at: datetime | None = None
    error: str | None = None
    """Why the whole import failed (the file could not be read any more), when it did."""
    errors: list[CellError] = field(default_factory=list)
    """The first MAX_REPORTED_ERRORS cell errors, as read back (not saved from here)."""

    @property
    def dry_run(self) -> bool:
        return self.options.dry_run

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def running_key(self) -> str | None:
        """Unique among imports under way: one run of one file's content at a time (a dry
        run and a real one of the same file may run side by side)."""
        if not self.running:
            return None
        return f"{self.sha256}:{'dry' if self.dry_run else 'real'}"

    def count(self, outcome: RowOutcome) -> None:
        self.processed_rows += 1
        if outcome is RowOutcome.CREATED:
            self.created += 1
        elif outcome is RowOutcome.UPDATED:
            self.updated += 1
        elif outcome is RowOutcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.failed += 1

    def finish(self, now: datetime, error: str | None = None) -> None:
        self.status = ImportStatus.FAILED if error else ImportStatus.SUCCEEDED
        self.error = error
        self.finished_at = now


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class SheetRow:
    """One data row as read: its number in the file (the header is row 1) and its cells
    by the header they are under (raw text, stripped)."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Survey:
    """What a first read of the file tells: its format, its headers, and its data rows
    (blank rows left out)."""

    format: SheetFormat
    headers: list[str]
    total_rows: int


@dataclass(frozen=True)
class PersonRow:
    """A row that passed the rules, ready to be matched with the users."""

    number: int
    email: str
    first_name: str
    last_name: str
    username: str
    username_given: bool
    role: Role
    role_given: bool
    batch: str
    course: str
    cells: dict[str, str]

    @property
    def row(self) -> int:
        return self.number


@dataclass(frozen=True)
class Rejection:
    """A row not imported: its cells as read (to fix and upload again) and why."""

    row: int
    cells: dict[str, str]
    errors: list[CellError]

    @property
    def reason(self) -> str:
        return "; ".join(f"{e.column}: {e.message}" for e in self.errors)

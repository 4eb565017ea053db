"""Bulk imports of users from a CSV or XLSX file.

Other areas import this module only; the use cases live in ``use_cases``."""

from tms_domain.cohorts.imports.events import ImportFinished, ImportProgressed
from tms_domain.cohorts.imports.model import (
    MAX_REPORTED_ERRORS,
    CellError,
    ImportKind,
    ImportOptions,
    ImportStatus,
    PersonRow,
    Rejection,
    RowOutcome,
    SheetFormat,
    SheetRow,
    Survey,
    UserImport,
)
from tms_domain.cohorts.imports.ports import ImportRepository, SheetReader
from tms_domain.cohorts.imports.rules import (
    COLUMNS,
    EMPTY_FILE,
    EXAMPLE_ROW,
    NO_EMAIL_COLUMN,
    NO_ROWS,
    check_row,
    column_of,
    match_headers,
)

__all__ = [
    "COLUMNS",
    "EMPTY_FILE",
    "EXAMPLE_ROW",
    "MAX_REPORTED_ERRORS",
    "NO_EMAIL_COLUMN",
    "NO_ROWS",
    "CellError",
    "ImportFinished",
    "ImportKind",
    "ImportOptions",
    "ImportProgressed",
    "ImportRepository",
    "ImportStatus",
    "PersonRow",
    "Rejection",
    "RowOutcome",
    "SheetFormat",
    "SheetReader",
    "SheetRow",
    "Survey",
    "UserImport",
    "check_row",
    "column_of",
    "match_headers",
]

"""The report model: what a report says, independent of the file format it is written in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

Cell = str | int | float | bool | datetime | None
"""A table cell. Datetimes are timezone-aware UTC; ``None`` is an empty cell."""


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    MINUTES = "minutes"


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = ColumnKind.TEXT
    width: int = 12
    """A hint, in characters, of how wide the column's usual content is."""


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    wide: bool = False
    """Wide tables go on landscape pages where the format has pages."""


@dataclass(frozen=True)
class TrainerSummary:
    trainer_id: int
    name: str
    sessions: int
    hours: float
    attendance_rate: float


@dataclass(frozen=True)
class ReportSummary:
    users_by_role: dict[str, int]
    sessions_by_status: dict[str, int]
    attendance_rate: float
    """Present marks over enrolments of completed sessions, 0..100."""
    trainers: list[TrainerSummary] = field(default_factory=list)


@dataclass(frozen=True)
class ReportHeader:
    title: str
    generated_at: datetime
    filters: list[tuple[str, str | datetime]]
    """(label, value) pairs describing the filters applied, for the title page; each format
    writes a time its own way."""
    sections: tuple[str, ...]
    """The keys of the sections that follow, in order ("summary" included when wanted)."""


@dataclass(frozen=True)
class ReportFilter:
    """Which sessions a report covers; ``starts_before`` is exclusive. ``course_id`` chooses
    the one course the Courses section lists (the session filters do not reach it)."""

    starts_from: datetime | None = None
    starts_before: datetime | None = None
    trainer_id: int | None = None
    status: str | None = None
    course_id: int | None = None

    def describe(self) -> list[tuple[str, str | datetime]]:
        described: list[tuple[str, str | datetime]] = [
            ("Sessions from", self.starts_from or "the start"),
            ("Sessions before", self.starts_before or "the end"),
        ]
        if self.trainer_id is not None:
            described.append(("Trainer id", str(self.trainer_id)))
        if self.status is not None:
            described.append(("Status", self.status))
        if self.course_id is not None:
            described.append(("Course id", str(self.course_id)))
        return described

"""The earlier system's rows as read, and the report of bringing them over."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a legacy row is; also the ``kind`` its id is remembered under."""

    USER = "user"
    SESSION = "session"
    ENROLMENT = "enrolment"
    ASSIGNMENT = "assignment"
    ATTENDANCE = "attendance"
    PASSWORD_LOG = "password_log"  # noqa: S105 (a kind of row, not a password)


@dataclass(frozen=True)
class LegacyUser:
    id: int
    username: str
    email: str
    password_hash: str
    role: str
    first_name: str
    last_name: str
    is_temporary_password: bool
    created_at: datetime | None
    updated_at: datetime | None

    def as_reported(self) -> dict[str, Any]:
        """The row as it is, but never its password hash."""
        return {**asdict(self), "password_hash": "(not shown)"}


@dataclass(frozen=True)
class LegacySession:
    id: int
    title: str
    description: str | None
    trainer_id: int
    scheduled_date: datetime
    duration_minutes: int
    status: str | None
    class_link: str | None
    session_link: str | None
    created_at: datetime | None
    updated_at: datetime | None

    def as_reported(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyEnrolment:
    """A row of ``session_trainees``."""

    id: int
    session_id: int
    trainee_id: int
    added_at: datetime | None

    def as_reported(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyAssignment:
    """A row of ``assigned_students``."""

    id: int
    student_id: int
    teacher_id: int
    assigned_date: datetime

    def as_reported(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyAttendance:
    id: int
    session_id: int
    trainee_id: int
    present: bool
    marked_at: datetime

    def as_reported(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyPasswordLog:
    """A row of ``password_change_logs``."""

    id: int
    user_id: int
    action: str
    performed_by: int | None
    timestamp: datetime
    details: str | None

    def as_reported(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyData:
    """Every row of the earlier system's six tables, each list in id order."""

    users: list[LegacyUser]
    sessions: list[LegacySession]
    enrolments: list[LegacyEnrolment]
    assignments: list[LegacyAssignment]
    attendance: list[LegacyAttendance]
    password_logs: list[LegacyPasswordLog]


@dataclass(frozen=True)
class Zones:
    """How the earlier system's naive timestamps are read: ``naive`` for all of them but
    the sessions' ``created_at``/``updated_at``, which its session code wrote in
    ``session_stamps`` (India time)."""

    naive: tzinfo
    naive_name: str
    session_stamps: tzinfo
    session_stamps_name: str

    def read(self, moment: datetime) -> datetime:
        return _aware(moment, self.naive)

    def read_session_stamp(self, moment: datetime) -> datetime:
        return _aware(moment, self.session_stamps)

    def assumptions(self) -> list[str]:
        return [
            f"naive timestamps (users, scheduled dates, enrolments, assignments, attendance, "
            f"password log) are read as {self.naive_name}",
            f"sessions' created_at and updated_at are read as {self.session_stamps_name}",
        ]


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return moment.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Skipped:
    """A legacy row not brought over: the row as it is, and why."""

    kind: Kind
    legacy_id: int
    reason: str
    row: dict[str, Any]


@dataclass
class Counts:
    created: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    """What a run did (or, dry, would do): counts per kind, every row skipped with its
    reason, and what was assumed."""

    dry_run: bool
    counts: dict[Kind, Counts] = field(default_factory=lambda: {kind: Counts() for kind in Kind})
    skipped: list[Skipped] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    def skip(self, kind: Kind, legacy_id: int, reason: str, row: dict[str, Any]) -> None:
        self.counts[kind].skipped += 1
        self.skipped.append(Skipped(kind, legacy_id, reason, row))

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.values())

    def summary(self) -> str:
        verb = "would be created" if self.dry_run else "created"
        skipped = sum(c.skipped for c in self.counts.values())
        return f"{self.created} {verb}, {self.unchanged} unchanged, {skipped} skipped"

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "summary": self.summary(),
            "assumptions": self.assumptions,
            "counts": {
                kind.value: {
                    "created": c.created,
                    "unchanged": c.unchanged,
                    "skipped": c.skipped,
                }
                for kind, c in self.counts.items()
            },
            "skipped": [
                {
                    "kind": s.kind.value,
                    "legacy_id": s.legacy_id,
                    "reason": s.reason,
                    "row": {k: _plain(v) for k, v in s.row.items()},
                }
                for s in self.skipped
            ],
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value

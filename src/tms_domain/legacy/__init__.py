"""Bringing the earlier system's database over: its rows, the decisions on each, the report.

Other areas import this module only; its use case lives in ``use_cases``."""

from tms_domain.legacy.model import (
    Counts,
    ImportReport,
    Kind,
    LegacyAssignment,
    LegacyAttendance,
    LegacyData,
    LegacyEnrolment,
    LegacyPasswordLog,
    LegacySession,
    LegacyUser,
    Skipped,
    Zones,
)
from tms_domain.legacy.ports import LegacyImportStore, LegacySource

__all__ = [
    "Counts",
    "ImportReport",
    "Kind",
    "LegacyAssignment",
    "LegacyAttendance",
    "LegacyData",
    "LegacyEnrolment",
    "LegacyImportStore",
    "LegacyPasswordLog",
    "LegacySession",
    "LegacySource",
    "LegacyUser",
    "Skipped",
    "Zones",
]

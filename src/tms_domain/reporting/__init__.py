"""Reporting: analytics figures and report files."""

from tms_domain.reporting.model import (
    Cell,
    Column,
    ColumnKind,
    ReportFilter,
    ReportHeader,
    ReportSummary,
    SectionSpec,
    TrainerSummary,
)
from tms_domain.reporting.ports import (
    AnalyticsQueries,
    AttendanceFacts,
    BlockingRunner,
    FactBatches,
    ProgressFacts,
    ReportQueries,
    ReportRenderer,
    RowBatches,
    SessionFacts,
    SummaryFacts,
    TrainerFacts,
    UserFacts,
)

__all__ = [
    "AnalyticsQueries",
    "AttendanceFacts",
    "BlockingRunner",
    "Cell",
    "Column",
    "ColumnKind",
    "FactBatches",
    "ProgressFacts",
    "ReportFilter",
    "ReportHeader",
    "ReportQueries",
    "ReportRenderer",
    "ReportSummary",
    "RowBatches",
    "SectionSpec",
    "SessionFacts",
    "SummaryFacts",
    "TrainerFacts",
    "TrainerSummary",
    "UserFacts",
]

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
    BlockingRunner,
    ReportQueries,
    ReportRenderer,
    RowBatches,
)

__all__ = [
    "AnalyticsQueries",
    "BlockingRunner",
    "Cell",
    "Column",
    "ColumnKind",
    "ReportFilter",
    "ReportHeader",
    "ReportQueries",
    "ReportRenderer",
    "ReportSummary",
    "RowBatches",
    "SectionSpec",
    "TrainerSummary",
]

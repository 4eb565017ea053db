"""Reports: one model of what a report says, rendered by whichever format's renderer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from tms_domain.errors import InvalidInput
from tms_domain.model import Actor, SessionStatus
from tms_domain.model.reports import (
    Column,
    ColumnKind,
    ReportFilter,
    ReportHeader,
    SectionSpec,
)
from tms_domain.policy.access import Permission, authorize
from tms_domain.ports import BlockingRunner, ReportQueries, ReportRenderer, RowBatches
from tms_domain.services.common import Core
from tms_domain.services.sessions import as_utc

REPORT_TITLE = "Training report"
BATCH_SIZE = 1000

SECTIONS: dict[str, SectionSpec] = {
    "users": SectionSpec(
        "users",
        "Users",
        (
            Column("ID", ColumnKind.INTEGER, 6),
            Column("Username", ColumnKind.TEXT, 16),
            Column("Email", ColumnKind.TEXT, 28),
            Column("Role", ColumnKind.TEXT, 8),
            Column("First name", ColumnKind.TEXT, 14),
            Column("Last name", ColumnKind.TEXT, 14),
            Column("Created", ColumnKind.DATETIME, 20),
        ),
        wide=True,
    ),
    "sessions": SectionSpec(
        "sessions",
        "Sessions",
        (
            Column("ID", ColumnKind.INTEGER, 6),
            Column("Title", ColumnKind.TEXT, 28),
            Column("Trainer", ColumnKind.TEXT, 18),
            Column("Trainees", ColumnKind.TEXT, 60),
            Column("Start", ColumnKind.DATETIME, 20),
            Column("Duration (min)", ColumnKind.MINUTES, 9),
            Column("Status", ColumnKind.TEXT, 10),
        ),
        wide=True,
    ),
    "attendance": SectionSpec(
        "attendance",
        "Attendance",
        (
            Column("Session ID", ColumnKind.INTEGER, 8),
            Column("Session", ColumnKind.TEXT, 28),
            Column("Trainee", ColumnKind.TEXT, 22),
            Column("Present", ColumnKind.BOOLEAN, 8),
            Column("Marked at", ColumnKind.DATETIME, 20),
        ),
    ),
    "progress": SectionSpec(
        "progress",
        "Progress",
        (
            Column("Trainee ID", ColumnKind.INTEGER, 8),
            Column("Trainee", ColumnKind.TEXT, 24),
            Column("Sessions", ColumnKind.INTEGER, 9),
            Column("Attended", ColumnKind.INTEGER, 9),
            Column("Progress (%)", ColumnKind.NUMBER, 10),
        ),
    ),
}
SECTION_ORDER = ("summary", "users", "sessions", "attendance", "progress")


@dataclass(frozen=True)
class ReportRequest:
    sections: tuple[str, ...] = SECTION_ORDER
    where: ReportFilter = field(default_factory=ReportFilter)


@dataclass(frozen=True)
class ReportPlan:
    """A checked, authorised request: what will be written, in order."""

    sections: tuple[str, ...]
    where: ReportFilter


def parse_sections(text: str | None) -> tuple[str, ...]:
    """ "users,sessions" -> in the report's own order; empty or None: every section."""
    if not text:
        return SECTION_ORDER
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(SECTION_ORDER))
    if unknown:
        raise InvalidInput.for_field(
            "sections",
            f"Unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTION_ORDER)}",
        )
    return tuple(s for s in SECTION_ORDER if s in wanted) or SECTION_ORDER


class ReportService:
    def __init__(self, core: Core, run_blocking: BlockingRunner) -> None:
        self._core = core
        self._run = run_blocking

    def filename(self, extension: str) -> str:
        """training-report-YYYYMMDD.<ext>, dated in UTC."""
        return f"training-report-{self._core.clock.now():%Y%m%d}.{extension}"

    def plan(self, actor: Actor, request: ReportRequest) -> ReportPlan:
        """Admins only. Checked before anything is sent, so a refusal is a clean 4xx."""
        authorize(actor, Permission.GENERATE_REPORTS)
        where = request.where
        if where.status is not None and where.status not in {s.value for s in SessionStatus}:
            raise InvalidInput.for_field(
                "status", "Status must be scheduled, completed or cancelled"
            )
        where = ReportFilter(
            starts_from=as_utc(where.starts_from) if where.starts_from else None,
            starts_before=as_utc(where.starts_before) if where.starts_before else None,
            trainer_id=where.trainer_id,
            status=where.status,
        )
        return ReportPlan(sections=request.sections, where=where)

    async def count_rows(self, plan: ReportPlan) -> int:
        """How many table rows the report will have (for progress bars)."""
        async with self._core.uow(read_only=True) as uow:
            counts = await uow.reports.count(plan.where)
        return sum(counts.get(section, 0) for section in plan.sections)

    async def render(
        self,
        plan: ReportPlan,
        renderer: ReportRenderer,
        sink: BinaryIO,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Read rows in batches and hand each batch to the renderer off the event loop."""
        header = ReportHeader(
            title=REPORT_TITLE,
            generated_at=self._core.clock.now(),
            filters=plan.where.describe(),
            sections=plan.sections,
        )
        await self._run(renderer.open, sink, header)
        async with self._core.uow(read_only=True) as uow:
            wants_summary = "summary" in plan.sections
            if wants_summary and not renderer.summary_last:
                await self._run(renderer.summary, await uow.reports.summary(plan.where))
            for key in plan.sections:
                if key == "summary":
                    continue
                await self._run(renderer.begin_section, SECTIONS[key])
                # Closed here if the client goes away: a read ahead ends before the unit of
                # work does.
                async with contextlib.aclosing(_rows(uow.reports, key, plan.where)) as batches:
                    async for rows in batches:
                        await self._run(renderer.write_rows, rows)
                        if progress is not None:
                            progress(len(rows))
                await self._run(renderer.end_section)
            if wants_summary and renderer.summary_last:
                await self._run(renderer.summary, await uow.reports.summary(plan.where))
        await self._run(renderer.close)


def _rows(reports: ReportQueries, key: str, where: ReportFilter) -> RowBatches:
    if key == "users":
        return reports.users(BATCH_SIZE)
    if key == "sessions":
        return reports.sessions(where, BATCH_SIZE)
    if key == "attendance":
        return reports.attendance(where, BATCH_SIZE)
    return reports.progress(where, BATCH_SIZE)

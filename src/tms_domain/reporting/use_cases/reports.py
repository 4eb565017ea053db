"""Reports: one model of what a report says, rendered by whichever format's renderer."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO, Self

from tms_domain.accounts import Actor
from tms_domain.kernel import InvalidInput, Permission, Throttled, authorize, utc_period
from tms_domain.reporting.model import Column, ColumnKind, ReportFilter, ReportHeader, SectionSpec
from tms_domain.reporting.ports import BlockingRunner, ReportQueries, ReportRenderer
from tms_domain.reporting.rows import section_rows, summarise
from tms_domain.training import SessionStatus
from tms_domain.unit_of_work import Core

REPORT_TITLE = "Training report"
BATCH_SIZE = 1000
RETRY_AFTER_SECONDS = 10
"""What a client told to wait for a report slot is asked to wait."""

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
    "courses": SectionSpec(
        "courses",
        "Courses",
        (
            Column("ID", ColumnKind.INTEGER, 6),
            Column("Code", ColumnKind.TEXT, 10),
            Column("Title", ColumnKind.TEXT, 28),
            Column("Status", ColumnKind.TEXT, 10),
            Column("Enrolled", ColumnKind.INTEGER, 9),
            Column("Completed", ColumnKind.INTEGER, 9),
            Column("Average progress (%)", ColumnKind.NUMBER, 10),
        ),
    ),
}
SECTION_ORDER = ("summary", "users", "sessions", "attendance", "progress", "courses")


@dataclass(frozen=True)
class ReportRequest:
    sections: tuple[str, ...] = SECTION_ORDER
    where: ReportFilter = field(default_factory=ReportFilter)


@dataclass(frozen=True)
class ReportPlan:
    """A checked, authorised request: what will be written, in order."""

    sections: tuple[str, ...]
    where: ReportFilter


@dataclass(frozen=True)
class ReportLimits:
    total: int = 4
    """Reports in progress at once (made, or still being downloaded)."""
    per_user: int = 2
    """Of those, how many one user may have."""


class ReportSlot:
    """A report's place among those in progress; given back once, however often released."""

    def __init__(self, slots: ReportSlots, user_id: int | None) -> None:
        self._slots = slots
        self._user_id = user_id
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.give_back(self._user_id)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class ReportSlots:
    """The reports in progress here. A report reads the database and renders in worker
    threads for as long as it is made, and holds its buffers until its download ends: their
    number is bounded, overall and per user, so that a few slow or abandoned downloads cannot
    starve everyone else. Asking for more is answered "try again later" (Throttled).
    Counted by this process (its own connections, threads and memory are what is saved)."""

    def __init__(self, limits: ReportLimits) -> None:
        self._limits = limits
        self._total = 0
        self._by_user: Counter[int | None] = Counter()

    @property
    def in_progress(self) -> int:
        return self._total

    def take(self, user_id: int | None) -> ReportSlot:
        if self._by_user[user_id] >= self._limits.per_user:
            raise Throttled(
                f"You already have {self._limits.per_user} reports in progress: wait until one"
                " has downloaded, then try again",
                RETRY_AFTER_SECONDS,
            )
        if self._total >= self._limits.total:
            raise Throttled(
                "Too many reports are being made right now: try again shortly",
                RETRY_AFTER_SECONDS,
            )
        self._total += 1
        self._by_user[user_id] += 1
        return ReportSlot(self, user_id)

    def give_back(self, user_id: int | None) -> None:
        self._total -= 1
        self._by_user[user_id] -= 1
        if not self._by_user[user_id]:
            del self._by_user[user_id]


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


def plan_report(request: ReportRequest) -> ReportPlan:
    """The checks every report passes: the status must be one there is, and ``from`` cannot
    come after ``to``. For the operator of the installation (the `tms report` command) they
    are all: who runs it holds the database itself, so no account is needed, and an admin
    whose password is still temporary does not stop it."""
    where = request.where
    if where.status is not None and where.status not in {s.value for s in SessionStatus}:
        raise InvalidInput.for_field("status", "Status must be scheduled, completed or cancelled")
    starts_from, starts_before = utc_period(where.starts_from, where.starts_before)
    where = ReportFilter(
        starts_from=starts_from,
        starts_before=starts_before,
        trainer_id=where.trainer_id,
        status=where.status,
        course_id=where.course_id,
    )
    return ReportPlan(sections=request.sections, where=where)


class ReportService:
    def __init__(
        self,
        core: Core,
        run_blocking: BlockingRunner,
        queries: ReportQueries,
        limits: ReportLimits | None = None,
    ) -> None:
        self._core = core
        self._run = run_blocking
        self._queries = queries
        self._slots = ReportSlots(limits or ReportLimits())

    def filename(self, extension: str) -> str:
        """training-report-YYYYMMDD.<ext>, dated in UTC."""
        return f"training-report-{self._core.clock.now():%Y%m%d}.{extension}"

    def plan(self, actor: Actor, request: ReportRequest) -> ReportPlan:
        """Admins only. Checked before anything is sent, so a refusal is a clean 4xx: the
        status must be one there is, and ``from`` cannot come after ``to``."""
        authorize(actor, Permission.GENERATE_REPORTS)
        return plan_report(request)

    def reserve(self, actor: Actor) -> ReportSlot:
        """A place among the reports in progress, held until the download ends (release it
        then); Throttled when the caller, or everyone together, has as many as allowed."""
        return self._slots.take(actor.id)

    async def count_rows(self, plan: ReportPlan) -> int:
        """How many table rows the report will have (for progress bars)."""
        counts = await self._queries.count(plan.where)
        return sum(counts.get(section, 0) for section in plan.sections)

    async def render(
        self,
        plan: ReportPlan,
        renderer: ReportRenderer,
        sink: BinaryIO,
        progress: Callable[[int], None] | None = None,
        written: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Read rows in batches and hand each batch to the renderer off the event loop.
        ``written`` is awaited after each step that may have written to ``sink``: a sink that
        passes its bytes on to a slow reader makes the report wait there, holding neither a
        worker thread nor a database connection."""
        header = ReportHeader(
            title=REPORT_TITLE,
            generated_at=self._core.clock.now(),
            filters=plan.where.describe(),
            sections=plan.sections,
        )

        async def step(function: Callable[..., None], *args: object) -> None:
            await self._run(function, *args)
            if written is not None:
                await written()

        await step(renderer.open, sink, header)
        wants_summary = "summary" in plan.sections
        if wants_summary and not renderer.summary_last:
            await step(renderer.summary, summarise(await self._queries.summary(plan.where)))
        for key in plan.sections:
            if key == "summary":
                continue
            await step(renderer.begin_section, SECTIONS[key])
            # Closed here if the client goes away: a read ahead ends with the report.
            async with contextlib.aclosing(
                section_rows(self._queries, key, plan.where, BATCH_SIZE)
            ) as batches:
                async for rows in batches:
                    await step(renderer.write_rows, rows)
                    if progress is not None:
                        progress(len(rows))
            await step(renderer.end_section)
        if wants_summary and renderer.summary_last:
            await step(renderer.summary, summarise(await self._queries.summary(plan.where)))
        await step(renderer.close)

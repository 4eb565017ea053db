"""The skills matrix: trainees by skills, with the level each holds. Admins see every
trainee, a trainer their assigned trainees; set-based whatever the page size (one statement
for the trainees, one per chunk of them for the levels)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from tms_domain.accounts import Actor, User
from tms_domain.kernel import MAX_PAGE_SIZE, Page, Permission, Role, authorize
from tms_domain.reporting import (
    BlockingRunner,
    Cell,
    Column,
    ColumnKind,
    ReportHeader,
    ReportRenderer,
    SectionSpec,
)
from tms_domain.skills.catalogue import MatrixQuery, Skill, SkillQuery
from tms_domain.unit_of_work import Core, UnitOfWork


@dataclass(frozen=True)
class MatrixFilters:
    batch_id: int | None = None
    course_id: int | None = None
    skill_id: int | None = None


@dataclass(frozen=True)
class MatrixRow:
    trainee: User
    levels: dict[int, int]
    """skill id -> level, for the skills held among the matrix's."""


@dataclass(frozen=True)
class SkillMatrix:
    skills: list[Skill]
    rows: list[MatrixRow]


async def matrix_skills(uow: UnitOfWork, filters: MatrixFilters) -> list[Skill]:
    """The columns: the one skill asked for; else the skills the course grants; else the
    whole catalogue (by category, then name)."""
    if filters.skill_id is not None:
        found = await uow.skills.get(filters.skill_id)
        return [found] if found else []
    catalogue = await uow.skills.page(SkillQuery(limit=MAX_PAGE_SIZE))
    if filters.course_id is not None:
        granted = {skill_id for skill_id, _ in await uow.course_skills.of_course(filters.course_id)}
        return [s for s in catalogue if s.id in granted]
    return catalogue


async def build_matrix(
    uow: UnitOfWork, actor: Actor, filters: MatrixFilters, page: Page
) -> SkillMatrix:
    """In the caller's unit of work (the reports read it too)."""
    authorize(actor, Permission.READ_SKILL_MATRIX, denial="Only admins and trainers")
    query = MatrixQuery(
        skip=page.skip,
        limit=page.limit,
        trainer_id=actor.id if actor.role is Role.TRAINER else None,
        batch_id=filters.batch_id,
        course_id=filters.course_id,
    )
    skills = await matrix_skills(uow, filters)
    trainees = await uow.skill_matrix.trainees(query)
    levels = await uow.skill_matrix.levels([t.id for t in trainees], [s.id for s in skills])
    return SkillMatrix(skills, [MatrixRow(t, levels.get(t.id, {})) for t in trainees])


REPORT_TITLE = "Skills matrix"


def report_section(skills: list[Skill]) -> SectionSpec:
    """A row per trainee: who they are, then their level in each skill (empty: not held)."""
    return SectionSpec(
        "skills_matrix",
        "Skills matrix",
        (
            Column("Trainee ID", ColumnKind.INTEGER, 8),
            Column("Trainee", ColumnKind.TEXT, 22),
            Column("Email", ColumnKind.TEXT, 26),
            *(Column(skill.name, ColumnKind.INTEGER, 6) for skill in skills),
        ),
        wide=True,
    )


def report_rows(matrix: SkillMatrix) -> list[list[Cell]]:
    return [
        [
            row.trainee.id,
            row.trainee.name,
            row.trainee.email,
            *(row.levels.get(skill.id) for skill in matrix.skills),
        ]
        for row in matrix.rows
    ]


def describe(filters: MatrixFilters) -> list[tuple[str, str]]:
    named = [("Batch id", filters.batch_id), ("Course id", filters.course_id)]
    named.append(("Skill id", filters.skill_id))
    found = [(label, str(value)) for label, value in named if value is not None]
    return found or [("Trainees", "all")]


class SkillMatrixService:
    def __init__(self, core: Core, run_blocking: BlockingRunner | None = None) -> None:
        self._core = core
        self._run = run_blocking

    async def matrix(self, actor: Actor, filters: MatrixFilters, page: Page) -> SkillMatrix:
        """Admins: every trainee; a trainer: their assigned trainees (trainees: 403).
        ``batch_id``: its members only; ``course_id``: those enrolled in it, and the skills
        it grants as the columns; ``skill_id``: that skill alone. Unknown ids give an empty
        matrix. Trainees by last name, first name; paged over trainees."""
        async with self._core.uow(read_only=True) as uow:
            return await build_matrix(uow, actor, filters, page)

    async def check_reader(self, actor: Actor) -> None:
        """Raise unless the actor may read a skills matrix (before a download starts)."""
        authorize(actor, Permission.READ_SKILL_MATRIX, denial="Only admins and trainers")

    async def report(
        self,
        actor: Actor,
        filters: MatrixFilters,
        renderer: ReportRenderer,
        sink: BinaryIO,
        written: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """The matrix as a report file (PDF, CSV, Excel): who may read the matrix, with the
        same filters; every trainee it holds, read a page of 1,000 at a time (set-based)
        and written as it comes, off the event loop."""
        authorize(actor, Permission.READ_SKILL_MATRIX, denial="Only admins and trainers")

        async def step(function: Callable[..., None], *args: object) -> None:
            if self._run is None:
                function(*args)
            else:
                await self._run(function, *args)
            if written is not None:
                await written()

        filters_text: list[tuple[str, str | datetime]] = list(describe(filters))
        header = ReportHeader(
            REPORT_TITLE, self._core.clock.now(), filters_text, ("skills_matrix",)
        )
        async with self._core.uow(read_only=True) as uow:
            skip = 0
            matrix = await build_matrix(uow, actor, filters, Page(skip, MAX_PAGE_SIZE))
            await step(renderer.open, sink, header)
            await step(renderer.begin_section, report_section(matrix.skills))
            while True:
                await step(renderer.write_rows, report_rows(matrix))
                if len(matrix.rows) < MAX_PAGE_SIZE:
                    break
                skip += MAX_PAGE_SIZE
                matrix = await build_matrix(uow, actor, filters, Page(skip, MAX_PAGE_SIZE))
        await step(renderer.end_section)
        await step(renderer.close)

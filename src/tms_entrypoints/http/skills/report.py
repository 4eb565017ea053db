"""GET /reports/skills-matrix: the skills matrix as a report file (PDF, CSV, Excel)."""

from __future__ import annotations

import asyncio
import tempfile
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, BinaryIO

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream

from tms_domain.accounts import Actor
from tms_domain.reporting import ReportRenderer
from tms_domain.reporting.use_cases.reports import ReportService, ReportSlot
from tms_domain.skills.use_cases.matrix import MatrixFilters, SkillMatrixService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.reporting.reports import (
    CHUNK,
    SPOOL_IN_MEMORY,
    ReportFileOperation,
    _renderer,
)
from tms_entrypoints.http.schemas import MAX_ID

FilterId = Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)]


async def _spooled(
    matrix: SkillMatrixService,
    actor: Actor,
    filters: MatrixFilters,
    renderer: ReportRenderer,
    slot: ReportSlot,
) -> AsyncIterator[bytes]:
    with slot, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        file: BinaryIO = spool  # type: ignore[assignment]
        await matrix.report(actor, filters, renderer, file)
        await asyncio.to_thread(file.seek, 0)
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk


@get(
    "/reports/skills-matrix",
    operation_id="generateSkillMatrixReport",
    tags=["reports", "skills"],
    responses=ERROR_RESPONSES,
    operation_class=ReportFileOperation,
)
async def skill_matrix_report(
    actor: NamedDependency[Actor],
    skill_matrix: NamedDependency[SkillMatrixService],
    reports: NamedDependency[ReportService],
    format: Annotated[
        str, QueryParameter(max_length=16, description="pdf, csv, excel or xlsx")
    ] = "pdf",
    batch_id: FilterId = None,
    course_id: FilterId = None,
    skill_id: FilterId = None,
    bom: Annotated[bool, QueryParameter(description="CSV: start with a UTF-8 BOM")] = False,
) -> Stream:
    """As GET /skills/matrix (admins: every trainee; trainers: their assigned trainees),
    with the same filters, every trainee in one file (`skills-matrix-YYYYMMDD.<ext>`): a
    row per trainee, a column per skill. Unknown format: 400; a few reports at a time,
    beyond that 429 with `Retry-After`."""
    renderer = _renderer(format, bom)
    filters = MatrixFilters(batch_id, course_id, skill_id)
    await skill_matrix.check_reader(actor)
    slot = reports.reserve(actor)
    body = _spooled(skill_matrix, actor, filters, renderer, slot)
    weakref.finalize(body, slot.release)
    filename = reports.filename(renderer.extension).replace("training-report", "skills-matrix")
    return Stream(
        body,
        media_type=renderer.media_type.split(";")[0],
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "no-store",
        },
    )

"""GET /reports/generate: a report file, streamed as it is made."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Annotated, BinaryIO

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream

from tms_adapters.reports import RENDERERS, CsvReportRenderer
from tms_domain.accounts import Actor
from tms_domain.kernel import BadRequest
from tms_domain.reporting import ReportFilter, ReportRenderer
from tms_domain.reporting.use_cases.reports import (
    ReportPlan,
    ReportRequest,
    ReportService,
    ReportSlot,
    parse_sections,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.files import file_operation
from tms_entrypoints.http.params import From, To, moment
from tms_entrypoints.http.schemas import MAX_ID, StatusName

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
QUEUE_CHUNKS = 16


class QueueSink:
    """A file-like sink the renderer writes to from a worker thread. Its bytes go to the
    response through a bounded queue, moved there by ``pass_on`` on the event loop between
    the renderer's steps: a client that reads slowly, or not at all, holds the report up
    there, with no worker thread and no database connection held, and at most one step's
    output (a batch of rows) besides the queue's QUEUE_CHUNKS * CHUNK bytes."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        """Bytes leave in ``pass_on``."""

    async def pass_on(self, *, everything: bool = False) -> None:
        """Whole chunks to the queue, waiting for room (the rest too when ``everything``)."""
        while len(self._buffer) >= CHUNK or (everything and self._buffer):
            chunk = bytes(self._buffer[:CHUNK])
            del self._buffer[:CHUNK]
            await self.queue.put(chunk)


def _renderer(fmt: str, bom: bool) -> ReportRenderer:
    kind = RENDERERS.get(fmt.lower())
    if kind is None:
        raise BadRequest(f"Unknown report format {fmt!r}: choose pdf, csv, excel or xlsx")
    if kind is CsvReportRenderer:
        return CsvReportRenderer(bom=bom)
    return kind()


async def _stream_through_queue(
    reports: ReportService, plan: ReportPlan, renderer: ReportRenderer, slot: ReportSlot
) -> AsyncIterator[bytes]:
    sink = QueueSink()

    async def produce() -> None:
        try:
            await reports.render(plan, renderer, sink, written=sink.pass_on)  # type: ignore[arg-type]
            await sink.pass_on(everything=True)
        finally:
            await sink.queue.put(None)

    with slot:
        task = asyncio.create_task(produce())
        try:
            while (chunk := await sink.queue.get()) is not None:
                yield chunk
            await task
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _stream_through_spool(
    reports: ReportService, plan: ReportPlan, renderer: ReportRenderer, slot: ReportSlot
) -> AsyncIterator[bytes]:
    with slot, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        file: BinaryIO = spool  # type: ignore[assignment]
        await reports.render(plan, renderer, file)
        await asyncio.to_thread(file.seek, 0)
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk


ReportFileOperation = file_operation(
    sorted({renderer.media_type.split(";")[0] for renderer in RENDERERS.values()})
)
"""The report in the OpenAPI document as the file it is, in each format's media type (the
framework shows a stream as JSON)."""


@get(
    "/reports/generate",
    operation_id="generateReport",
    tags=["reports"],
    responses=ERROR_RESPONSES,
    operation_class=ReportFileOperation,
)
async def generate_report(
    actor: NamedDependency[Actor],
    reports: NamedDependency[ReportService],
    format: Annotated[
        str, QueryParameter(max_length=16, description="pdf, csv, excel or xlsx")
    ] = "pdf",
    sections: Annotated[
        str | None,
        QueryParameter(
            max_length=200, description="summary,users,sessions,attendance,progress,courses"
        ),
    ] = None,
    starts_from: From = None,
    starts_before: To = None,
    trainer_id: Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)] = None,
    status: Annotated[StatusName | None, QueryParameter()] = None,
    course_id: Annotated[
        int | None,
        QueryParameter(gt=0, le=MAX_ID, description="the one course the Courses section lists"),
    ] = None,
    bom: Annotated[bool, QueryParameter(description="CSV: start with a UTF-8 BOM")] = False,
) -> Stream:
    """Admins: users, sessions, attendance, progress, courses and a summary, as a file download
    (`training-report-YYYYMMDD.<ext>`). Unknown format: 400; `from` after `to`: 422. A few
    reports at a time, overall and per admin: beyond that 429 with `Retry-After`."""
    renderer = _renderer(format, bom)
    plan = reports.plan(
        actor,
        ReportRequest(
            sections=parse_sections(sections),
            where=ReportFilter(
                starts_from=moment(starts_from, "from"),
                starts_before=moment(starts_before, "to"),
                trainer_id=trainer_id,
                status=status,
                course_id=course_id,
            ),
        ),
    )
    streamer: Callable[..., AsyncIterator[bytes]] = (
        _stream_through_queue if renderer.format == "csv" else _stream_through_spool
    )
    filename = reports.filename(renderer.extension)
    slot = reports.reserve(actor)
    body = streamer(reports, plan, renderer, slot)
    # The body gives the slot back when it ends; one never started (the client left before
    # the first byte) gives it back when it is dropped.
    weakref.finalize(body, slot.release)
    return Stream(
        body,
        # Litestar adds the charset to text types itself.
        media_type=renderer.media_type.split(";")[0],
        headers={
            # As the contract writes it: the name is a plain token (letters, digits, - and .).
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "no-store",
        },
    )

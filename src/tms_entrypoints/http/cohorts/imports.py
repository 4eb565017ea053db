"""/imports: bulk imports of users from CSV or XLSX files (admins). The upload streams to
the file storage (at most `TMS_UPLOAD_MAX_BYTES`), is read once as a whole to refuse a bad
file at once, and is then imported by a background job that tells the importer how far it
is (`import_progress`, `import_finished`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter, SkipValidation
from litestar.response import Stream

from tms_adapters.imports import csv_template, errors_csv_lines, sniff_sheet, xlsx_template
from tms_domain.accounts import Actor
from tms_domain.cohorts.imports import CellError, ImportOptions, Rejection, UserImport
from tms_domain.cohorts.imports.use_cases import UserImportService
from tms_domain.kernel import Clock, Page
from tms_domain.kernel.files import XLSX, FileStorage
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.files import (
    UPLOAD_ERROR_RESPONSES,
    UploadOperation,
    content_disposition,
    file_operation,
    received_upload,
)
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MAX_ID, Timestamp, iso

ImportStatusName = Literal["queued", "running", "succeeded", "failed"]
OptionalId = Annotated[int | None, QueryParameter(gt=0, le=MAX_ID)]
ERRORS_PAGE = 500
CSV_MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text type


class CellErrorOut(msgspec.Struct):
    row: int
    column: str
    message: str

    @classmethod
    def of(cls, error: CellError) -> CellErrorOut:
        return cls(row=error.row, column=error.column, message=error.message)


class ImportOut(msgspec.Struct):
    """An import and how far it is; `errors`: its first 100 cell errors (every rejected
    row is in its errors.csv)."""

    id: int
    kind: Literal["users"]
    file_name: str
    dry_run: bool
    status: ImportStatusName
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[CellErrorOut]
    created_by: int | None
    created_at: Timestamp
    finished_at: Timestamp | None

    @classmethod
    def of(cls, record: UserImport) -> ImportOut:
        return cls(
            id=record.id,
            kind="users",
            file_name=record.file_name,
            dry_run=record.dry_run,
            status=record.status.value,
            total_rows=record.total_rows,
            processed_rows=record.processed_rows,
            created=record.created,
            updated=record.updated,
            unchanged=record.unchanged,
            failed=record.failed,
            errors=[CellErrorOut.of(error) for error in record.errors],
            created_by=record.created_by,
            created_at=iso(record.created_at),
            finished_at=iso(record.finished_at) if record.finished_at else None,
        )


def _attachment(body: bytes, media_type: str, name: str) -> Response[bytes]:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
        },
    )


class ImportsController(Controller):
    path = "/imports"
    tags = ["imports"]

    @get(
        "/template.csv",
        operation_id="importTemplateCsv",
        media_type=CSV_MEDIA_TYPE,
        responses=ERROR_RESPONSES,
        operation_class=file_operation([CSV_MEDIA_TYPE]),
    )
    async def template_csv(
        self, actor: NamedDependency[Actor], imports: NamedDependency[UserImportService]
    ) -> Response[bytes]:
        """Admins: the import's columns with one example row, as CSV (UTF-8)."""
        imports.check_may_import(actor)
        return _attachment(csv_template(), CSV_MEDIA_TYPE, "users-template.csv")

    @get(
        "/template.xlsx",
        operation_id="importTemplateXlsx",
        media_type=XLSX,
        responses=ERROR_RESPONSES,
        operation_class=file_operation([XLSX]),
    )
    async def template_xlsx(
        self, actor: NamedDependency[Actor], imports: NamedDependency[UserImportService]
    ) -> Response[bytes]:
        """Admins: the import's columns with one example row, as an Excel workbook."""
        imports.check_may_import(actor)
        return _attachment(xlsx_template(), XLSX, "users-template.xlsx")

    @post(
        "/users",
        operation_id="importUsers",
        status_code=202,
        request_max_body_size=None,
        operation_class=UploadOperation,
        responses=UPLOAD_ERROR_RESPONSES,
    )
    async def import_users(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        imports: NamedDependency[UserImportService],
        file_storage: NamedDependency[SkipValidation[FileStorage]],
        upload_max_bytes: NamedDependency[int],
        clock: NamedDependency[SkipValidation[Clock]],
        dry_run: Annotated[bool, QueryParameter()] = False,
        batch_id: OptionalId = None,
        course_id: OptionalId = None,
        invite: Annotated[bool, QueryParameter()] = True,
    ) -> ImportOut:
        """Admins. Multipart, the file in the field `file`: CSV (UTF-8 with or without a
        BOM, `,` or `;`) or XLSX, known by its bytes. 413 over `TMS_UPLOAD_MAX_BYTES`; 415
        when it is neither; 422 when it is empty, not UTF-8 (naming the line), without an
        e-mail column, without rows, or over `TMS_IMPORT_MAX_ROWS` rows; 409 while an
        import of the same file runs. Answers 202 with the queued import; a dry run checks
        every row and writes nothing."""
        imports.check_may_import(actor)  # before the upload is read
        options = ImportOptions(
            dry_run=dry_run, batch_id=batch_id, course_id=course_id, invite=invite
        )
        async with received_upload(
            request,
            file_storage,
            max_bytes=upload_max_bytes,
            now=clock.now(),
            created_by=actor.id,
            sniff=sniff_sheet,
            check_text=False,
        ) as upload:
            record = await imports.start(actor, upload, options)
        return ImportOut.of(record)

    @get("/", operation_id="listImports", responses=ERROR_RESPONSES)
    async def list_imports(
        self,
        actor: NamedDependency[Actor],
        imports: NamedDependency[UserImportService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[ImportOut]:
        """Admins: imports, newest first."""
        found = await imports.list_imports(actor, Page(skip, limit))
        return [ImportOut.of(record) for record in found]

    @get("/{import_id:int}", operation_id="getImport", responses=ERROR_RESPONSES)
    async def get_import(
        self,
        import_id: Id,
        actor: NamedDependency[Actor],
        imports: NamedDependency[UserImportService],
    ) -> ImportOut:
        """Admins: one import and how far it is."""
        return ImportOut.of(await imports.get(actor, import_id))

    @get(
        "/{import_id:int}/errors.csv",
        operation_id="importErrorsCsv",
        media_type=CSV_MEDIA_TYPE,
        responses=ERROR_RESPONSES,
        operation_class=file_operation([CSV_MEDIA_TYPE]),
    )
    async def errors_csv(
        self,
        import_id: Id,
        actor: NamedDependency[Actor],
        imports: NamedDependency[UserImportService],
    ) -> Stream:
        """Admins: the rows not imported, with the template's columns, the `row` they were
        in and a `reason`: fix them and upload the file again (cells a spreadsheet would
        take for a formula start with `'`)."""
        first = await imports.rejections(actor, import_id, after_row=0, limit=ERRORS_PAGE)

        async def batches() -> AsyncIterator[str]:
            batch: list[Rejection] = first
            while True:
                for line in errors_csv_lines([batch]):
                    yield line
                if len(batch) < ERRORS_PAGE:
                    return
                batch = await imports.rejections(
                    actor, import_id, after_row=batch[-1].row, limit=ERRORS_PAGE
                )

        return Stream(
            _with_header(batches()),
            media_type=CSV_MEDIA_TYPE,
            headers={
                "Content-Disposition": content_disposition(f"import-{import_id}-errors.csv"),
                "X-Content-Type-Options": "nosniff",
            },
        )


async def _with_header(lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
    """errors_csv_lines starts each batch with the header: keep the first only."""
    seen_header = False
    async for line in lines:
        if line.startswith("\ufeff"):
            if seen_header:
                continue
            seen_header = True
        yield line.encode("utf-8")

"""A lesson's file: uploaded as it streams (checked on its bytes, at most the upload limit)
and sent back, with ranges, to whoever may read its lesson."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from litestar.response import Stream

from tms_domain.accounts import Actor
from tms_domain.kernel import Clock
from tms_domain.kernel.files import FileStorage
from tms_domain.learning.use_cases.courses import CourseService
from tms_entrypoints.http.files import (
    DOWNLOAD_ERROR_RESPONSES,
    UPLOAD_ERROR_RESPONSES,
    DownloadOperation,
    UploadOperation,
    download_response,
    received_upload,
)
from tms_entrypoints.http.learning.schemas import LessonOut
from tms_entrypoints.http.params import Id


@post(
    "/lessons/{lesson_id:int}/file",
    operation_id="uploadLessonFile",
    tags=["courses"],
    status_code=200,
    # The body is read as it streams, by the handler: the app's 1 MiB body limit would cut it.
    request_max_body_size=None,
    operation_class=UploadOperation,
    responses=UPLOAD_ERROR_RESPONSES,
)
async def upload_lesson_file(
    request: Request[Any, Any, Any],
    lesson_id: Id,
    actor: NamedDependency[Actor],
    courses: NamedDependency[CourseService],
    file_storage: NamedDependency[SkipValidation[FileStorage]],
    upload_max_bytes: NamedDependency[int],
    clock: NamedDependency[SkipValidation[Clock]],
) -> LessonOut:
    """Admins and the course's owner; a lesson of kind `file`. Multipart, the file in the
    field `file`: 413 over the upload limit (`TMS_UPLOAD_MAX_BYTES`), 415 when its bytes are
    not of an allowed type (whatever its name says). A file the lesson had is replaced."""
    await courses.check_may_edit_lesson(actor, lesson_id)
    async with received_upload(
        request,
        file_storage,
        max_bytes=upload_max_bytes,
        now=clock.now(),
        created_by=actor.id,
    ) as upload:
        lesson = await courses.attach_file(actor, lesson_id, upload)
    return LessonOut.of(lesson)


@get(
    "/files/{file_id:int}",
    operation_id="downloadFile",
    tags=["courses"],
    operation_class=DownloadOperation,
    responses=DOWNLOAD_ERROR_RESPONSES,
)
async def download_file(
    request: Request[Any, Any, Any],
    file_id: Id,
    actor: NamedDependency[Actor],
    courses: NamedDependency[CourseService],
    file_storage: NamedDependency[SkipValidation[FileStorage]],
) -> Stream:
    """Whoever may read the file's lesson (others: 404). An attachment, never rendered by
    the browser (`X-Content-Type-Options: nosniff`); one `Range` gives 206."""
    file = await courses.readable_file(actor, file_id)
    return await download_response(request, file_storage, file)

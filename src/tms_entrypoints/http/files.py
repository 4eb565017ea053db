"""Uploads and downloads of files, for the routes that give files a purpose (a lesson's
file today; imports and certificates later). Nothing here is a route: a route handler calls

    async with received_upload(request, storage, max_bytes=..., now=..., created_by=...) as upload:
        ...  # a use case records ``upload`` (uow.files.add) and links it, in one unit of work

and, to send one back, ``return await download_response(request, storage, file)``.

An upload is read as it arrives: the multipart body is parsed incrementally (the
``multipart`` parser Litestar itself uses, pushed chunk by chunk), the file part's type is
decided on its first bytes, and its bytes go on to the storage as they come; nothing holds
the whole file, in memory or in a spool. Over ``max_bytes``: 413 (at once when the declared
length already says so); a type not allowed: 415 naming it; a body that is not multipart,
has no ``file`` part, or ends early: 400. In each case nothing is left in the storage. The
route must lift the app's body limit (``request_max_body_size=None``): the limit here is
the file's.

A download streams the stored bytes with ``Content-Disposition: attachment`` (the name in
RFC 6266 / RFC 5987 form), ``X-Content-Type-Options: nosniff``, ``Accept-Ranges: bytes`` and
an ETag; a single ``Range`` answers 206 with ``Content-Range`` (video seeking), one that
cannot be satisfied 416, several ranges the whole file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from urllib.parse import quote

import msgspec
from litestar import Request
from litestar.datastructures import Headers
from litestar.exceptions import HTTPException, InternalServerException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_206_PARTIAL_CONTENT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from tms_domain.kernel import BadRequest
from tms_domain.kernel.files import (
    FileStorage,
    FileTooLarge,
    Sniffer,
    StoredFile,
    clean_file_name,
    extension_of,
    inspect_upload,
    new_storage_key,
    sniff_content_type,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES, Error

UPLOAD_FIELD = "file"
MULTIPART_ALLOWANCE = 64 * 1024
"""Bytes a multipart body may hold besides the file: boundaries, part headers, other small
fields."""
MAX_PARTS = 16


class FileOut(msgspec.Struct):
    """A file as a lesson shows it (API.md: ``file {id, name, size, content_type}``)."""

    id: int
    name: str
    size: int
    content_type: str

    @classmethod
    def of(cls, file: StoredFile) -> FileOut:
        return cls(id=file.id, name=file.name, size=file.size, content_type=file.content_type)


# Uploads


def _boundary(request: Request[Any, Any, Any]) -> str:
    kind, _, parameters = request.headers.get("content-type", "").partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise BadRequest(f"Send the file as multipart/form-data, in the field `{UPLOAD_FIELD}`")
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', parameters, re.IGNORECASE)
    if match is None:
        raise BadRequest("The multipart/form-data body names no boundary")
    return match.group(1) or match.group(2)


def _declared_too_large(request: Request[Any, Any, Any], max_bytes: int) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdecimal() and int(declared) > max_bytes + MULTIPART_ALLOWANCE


Event: TypeAlias = MultipartSegment | bytes | None


async def _events(request: Request[Any, Any, Any], boundary: str) -> AsyncGenerator[Event, None]:
    """The parser's events as the body arrives: a part's head, its bytes, None at its end.
    BadRequest for a body that is not valid multipart or that ends early."""
    parser = PushMultipartParser(
        boundary, max_header_size=4096, max_header_count=8, max_segment_count=MAX_PARTS
    )
    try:
        async for chunk in request.stream():
            if chunk:
                for event in parser.parse(chunk):
                    yield event
        for event in parser.parse(b""):
            yield event
    except MultipartError as error:
        raise BadRequest(f"The upload is not a valid multipart/form-data body: {error}") from None
    except InternalServerException:
        # Litestar's word for a client that went away in the middle of the body.
        raise BadRequest("The upload was interrupted before it ended") from None


async def _file_part(events: AsyncIterator[Event]) -> MultipartSegment:
    """Skip to the head of the file part; small fields before it are passed over."""
    other_bytes = 0
    async for event in events:
        if isinstance(event, MultipartSegment):
            if event.name == UPLOAD_FIELD and event.filename is not None:
                return event
        elif isinstance(event, bytes):
            other_bytes += len(event)
            if other_bytes > MULTIPART_ALLOWANCE:
                raise BadRequest(
                    f"The body holds too much besides the file in the field `{UPLOAD_FIELD}`"
                )
    raise BadRequest(f"The body holds no file in the field `{UPLOAD_FIELD}`")


async def _file_bytes(events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
    """The file part's bytes, then the rest of the body read (and bounded), so that the file
    counts as received only when the whole body has arrived intact."""
    async for event in events:
        if event is None:
            break
        if isinstance(event, bytes):
            yield event
    else:
        raise BadRequest("The upload was interrupted before it ended")
    after = 0
    async for event in events:
        if isinstance(event, bytes):
            after += len(event)
            if after > MULTIPART_ALLOWANCE:
                raise BadRequest("The body holds too much besides the file")


async def receive_upload(
    request: Request[Any, Any, Any],
    storage: FileStorage,
    *,
    max_bytes: int,
    now: datetime,
    created_by: int | None,
    sniff: Sniffer = sniff_content_type,
    check_text: bool = True,
) -> StoredFile:
    """Store the file of the multipart field ``file`` as it streams in, checked on the way
    (type from its bytes, UTF-8 for text, at most ``max_bytes``), and answer what is known
    of it: a StoredFile not recorded yet (id 0) whose bytes are in ``storage``. Raises
    FileTooLarge (413), UnsupportedFileType (415) or BadRequest (400), leaving nothing
    stored."""
    if _declared_too_large(request, max_bytes):
        raise FileTooLarge(max_bytes)
    events = _events(request, _boundary(request))
    try:
        part = await _file_part(events)
        name = clean_file_name(part.filename or "")
        upload = await inspect_upload(
            _file_bytes(events), name, max_bytes, sniff=sniff, check_text=check_text
        )
        key = new_storage_key(now)
        await storage.write(key, upload.chunks, content_type=upload.content_type)
    finally:
        await events.aclose()
    return StoredFile(
        id=0,
        name=name,
        size=upload.size,
        content_type=upload.content_type,
        storage_key=key,
        sha256=upload.sha256,
        created_by=created_by,
        created_at=now,
    )


@asynccontextmanager
async def received_upload(
    request: Request[Any, Any, Any],
    storage: FileStorage,
    *,
    max_bytes: int,
    now: datetime,
    created_by: int | None,
    sniff: Sniffer = sniff_content_type,
    check_text: bool = True,
) -> AsyncIterator[StoredFile]:
    """``receive_upload``, with the stored bytes deleted again when the block raises (the
    use case that was to record the file refused): nothing is left behind either way."""
    upload = await receive_upload(
        request,
        storage,
        max_bytes=max_bytes,
        now=now,
        created_by=created_by,
        sniff=sniff,
        check_text=check_text,
    )
    try:
        yield upload
    except BaseException:
        await storage.delete(upload.storage_key)
        raise


# Downloads


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int
    """Exclusive."""

    @property
    def length(self) -> int:
        return self.end - self.start


_RANGE = re.compile(r"bytes=(\d*)-(\d*)\Z", re.IGNORECASE)


class RangeNotSatisfiable(HTTPException):
    status_code = HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range a ``Range`` header asks for within ``size`` bytes (RFC 9110 14.1.2):
    ``bytes=a-b``, ``bytes=a-``, ``bytes=-n`` (the last n). None when the whole file is to
    be sent (no header, another unit, several ranges, a malformed one: each may be
    ignored); RangeNotSatisfiable (416) when the range lies past the end."""
    if not header:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise _unsatisfiable(size)
        return ByteRange(max(size - suffix, 0), size)
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _unsatisfiable(size)
    return ByteRange(start, end)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        detail=f"The range asked for lies outside the file's {size} bytes",
        headers={"Content-Range": f"bytes */{size}"},
    )


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """``attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>``
    (RFC 6266 with RFC 5987's encoding for names beyond ASCII)."""
    fallback = _ascii_fallback(name)
    encoded = quote(name, safe="!#$&+-.^_`|~")
    if fallback == name:
        return f'{disposition}; filename="{fallback}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(
        ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%' else "_"
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    stem, dot, _ = ascii_name.rpartition(".")
    if dot and stem.strip("_ ") == "":
        return f"file.{extension_of(name) or 'bin'}"
    return ascii_name if ascii_name.strip("_ .") else "file"


def etag(file: StoredFile) -> str:
    return f'"{file.sha256}"'


async def download_response(
    request: Request[Any, Any, Any],
    storage: FileStorage,
    file: StoredFile,
    *,
    disposition: str = "attachment",
) -> Stream:
    """The file's bytes, streamed: 200 whole, or 206 for the single range asked for
    (``If-Range`` other than the file's ETag sends the whole file); RangeNotSatisfiable
    (416) for a range past the end; StoredObjectMissing (404) when the storage lost it."""
    headers = Headers.from_scope(request.scope)
    wanted = requested_range(headers.get("range"), file.size)
    if_range = headers.get("if-range")
    if wanted is not None and if_range is not None and if_range.strip() != etag(file):
        wanted = None
    part = wanted or ByteRange(0, file.size)
    chunks = storage.read(file.storage_key, part.start, part.end)
    first = await anext(chunks, b"")  # a missing object is told before any header is sent
    response_headers = {
        "Content-Disposition": content_disposition(file.name, disposition),
        "Content-Length": str(part.length),
        "Accept-Ranges": "bytes",
        "ETag": etag(file),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
    }
    if wanted is not None:
        response_headers["Content-Range"] = f"bytes {part.start}-{part.end - 1}/{file.size}"
    return Stream(
        _prepended(first, chunks),
        status_code=HTTP_206_PARTIAL_CONTENT if wanted is not None else 200,
        media_type=file.content_type,
        headers=response_headers,
    )


async def _prepended(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    try:
        if first:
            yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()  # type: ignore[attr-defined]


# The OpenAPI document


UPLOAD_ERROR_RESPONSES: dict[int, ResponseSpec] = {
    **ERROR_RESPONSES,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE: ResponseSpec(
        Error, description="The file is over the upload size limit", generate_examples=False
    ),
    HTTP_415_UNSUPPORTED_MEDIA_TYPE: ResponseSpec(
        Error,
        description="The file's content (read from its bytes) is not of an allowed type",
        generate_examples=False,
    ),
}
"""For an upload route's ``responses=``."""

DOWNLOAD_ERROR_RESPONSES: dict[int, ResponseSpec] = {
    **ERROR_RESPONSES,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE: ResponseSpec(
        Error, description="The range asked for lies past the file's end", generate_examples=False
    ),
}
"""For a download route's ``responses=``."""


@dataclass
class UploadOperation(Operation):
    """An upload route's body in the OpenAPI document: multipart with the file in ``file``
    (the handler reads the body itself, so the framework cannot tell). Pass it as the
    route's ``operation_class``."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=[UPLOAD_FIELD],
                        properties={
                            UPLOAD_FIELD: Schema(
                                type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY
                            )
                        },
                    )
                )
            },
        )


def file_response(
    media_types: list[str], description: str = "The file, as an attachment"
) -> OpenAPIResponse:
    """An answer that is a file, in the OpenAPI document: binary in each of its media types
    (the framework would describe a stream or bytes as JSON or text), with its
    Content-Disposition."""
    binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
    return OpenAPIResponse(
        description=description,
        content={kind: OpenAPIMediaType(schema=binary) for kind in media_types},
        headers={
            "Content-Disposition": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.STRING), required=True
            )
        },
    )


def file_operation(media_types: list[str]) -> type[Operation]:
    """An ``operation_class`` for a route whose 200 is a file in one of ``media_types``."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            self.responses = {**(self.responses or {}), "200": file_response(media_types)}

    return FileOperation


@dataclass
class DownloadOperation(Operation):
    """A download route's answers in the OpenAPI document: the file (200, or 206 for a
    range), whatever its type. Pass it as the route's ``operation_class``."""

    def __post_init__(self) -> None:
        whole = file_response(["*/*"])
        self.responses = {
            **(self.responses or {}),
            "200": whole,
            "206": OpenAPIResponse(
                description="The range of the file asked for with `Range`",
                content=whole.content,
                headers={
                    **(whole.headers or {}),
                    "Content-Range": OpenAPIHeader(
                        schema=Schema(type=OpenAPIType.STRING), required=True
                    ),
                },
            ),
        }

"""The upload and download helpers (tms_entrypoints.http.files) end to end, through Litestar
itself: a small app made here mounts them as the lesson routes will (an upload recorded
in a unit of work, a download found by id) over the in-memory store and a folder, and
Litestar's test client talks to it. Checked: what is stored and recorded, the checks'
answers (413, 415, 400) each leaving nothing behind, names in RFC 6266/5987 form, and
byte ranges (206, 416)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

import httpx
import msgspec
import pytest
import uvicorn
from litestar import Litestar, Request, get, post
from litestar.params import PathParameter
from litestar.response import Stream
from litestar.testing import AsyncTestClient

from conftest import free_port, make_settings
from tms_adapters.storage import LocalFileStorage
from tms_domain.kernel import Conflict, NotFound
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.errors import EXCEPTION_HANDLERS
from tms_entrypoints.http.files import (
    DOWNLOAD_ERROR_RESPONSES,
    UPLOAD_ERROR_RESPONSES,
    UPLOAD_FIELD,
    DownloadOperation,
    FileOut,
    UploadOperation,
    content_disposition,
    download_response,
    received_upload,
)

LIMIT = 256 * 1024
BOUNDARY = "----tms-test-boundary-7MA4YWxkTrZu0gW"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 400


@dataclass
class Part:
    name: str
    content: bytes
    filename: str | None = None
    content_type: str = "application/octet-stream"


def multipart(*parts: Part, end: bool = True) -> bytes:
    body = b""
    for part in parts:
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if part.filename is not None:
            body += f"Content-Type: {part.content_type}\r\n".encode()
        body += b"\r\n" + part.content + b"\r\n"
    return body + (f"--{BOUNDARY}--\r\n".encode() if end else b"")


def a_file(content: bytes, filename: str = "notes.pdf", content_type: str = "") -> bytes:
    return multipart(Part(UPLOAD_FIELD, content, filename, content_type or "application/pdf"))


HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def build_app(container: Container, storage: LocalFileStorage) -> Litestar:
    """The helpers mounted as the lesson routes will mount them."""
    uow = container.uow()
    clock = container.clock()

    @post("/upload", request_max_body_size=None, status_code=201)
    async def upload(request: Request[Any, Any, Any]) -> dict[str, Any]:
        async with received_upload(
            request, storage, max_bytes=LIMIT, now=clock.now(), created_by=None
        ) as received:
            if request.query_params.get("refuse"):
                raise Conflict("The use case refused the file")
            async with uow() as unit:
                added = await unit.files.add(received)
                await unit.commit()
        shown = msgspec.to_builtins(FileOut.of(added))
        return {**shown, "sha256": added.sha256, "storage_key": added.storage_key}

    @get("/files/{file_id:int}")
    async def download(
        request: Request[Any, Any, Any], file_id: Annotated[int, PathParameter()]
    ) -> Stream:
        async with uow(read_only=True) as unit:
            found = await unit.files.get(file_id)
        if found is None:
            raise NotFound("No such file")
        return await download_response(request, storage, found)

    return Litestar(
        [upload, download],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=1024 * 1024,
        openapi_config=None,
    )


@pytest.fixture
async def container() -> AsyncIterator[Container]:
    built = build_container(make_settings(storage="memory"))
    async with running(built):
        yield built


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
async def client(container: Container, folder: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = build_app(container, LocalFileStorage(folder))
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


def stored(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# Uploads


async def test_an_upload_is_stored_as_it_is_and_recorded(
    client: AsyncTestClient[Litestar], folder: Path, container: Container
) -> None:
    body = multipart(
        Part("title", b"Safety basics"),
        Part(UPLOAD_FIELD, PDF, "../../etc/Übung 1.pdf", "image/png"),
    )

    answer = await client.post("/upload", content=body, headers=HEADERS)

    assert answer.status_code == 201, answer.text
    upload = answer.json()
    assert upload["name"] == "Übung 1.pdf"
    assert upload["size"] == len(PDF)
    assert upload["content_type"] == "application/pdf"  # from the bytes, not the client
    assert upload["sha256"] == hashlib.sha256(PDF).hexdigest()
    [path] = stored(folder)
    assert path.read_bytes() == PDF
    assert path.relative_to(folder).as_posix() == upload["storage_key"]
    async with container.uow()(read_only=True) as uow:
        recorded = await uow.files.get(upload["id"])
    assert recorded is not None
    assert recorded.storage_key == upload["storage_key"]


async def test_a_file_over_the_limit_answers_413_and_leaves_nothing(
    client: AsyncTestClient[Litestar], folder: Path
) -> None:
    just_over = a_file(b"%PDF-" + b"x" * (LIMIT - 4))
    declared_too_big = a_file(b"%PDF-" + b"x" * (2 * LIMIT))

    for body in (just_over, declared_too_big):
        answer = await client.post("/upload", content=body, headers=HEADERS)
        assert answer.status_code == 413
        assert answer.json() == {"detail": "The file is larger than the limit of 256 KiB"}
    assert stored(folder) == []

    exactly = await client.post(
        "/upload", content=a_file(b"%PDF-" + b"x" * (LIMIT - 5)), headers=HEADERS
    )
    assert exactly.status_code == 201


@pytest.mark.parametrize(
    ("content", "filename", "detected"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" * 10, "setup.pdf", "application/x-msdownload"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "logo.png", "image/svg+xml"),
        (b"<!doctype html><script>alert(1)</script>", "page.txt", "text/html"),
    ],
)  # fmt: skip
async def test_a_type_not_allowed_answers_415_naming_it_and_leaves_nothing(
    client: AsyncTestClient[Litestar], folder: Path, content: bytes, filename: str, detected: str
) -> None:
    answer = await client.post("/upload", content=a_file(content, filename), headers=HEADERS)

    assert answer.status_code == 415
    assert detected in answer.json()["detail"]
    assert stored(folder) == []


async def test_text_that_stops_being_text_after_its_head_answers_415(
    client: AsyncTestClient[Litestar], folder: Path
) -> None:
    content = b"a,b\n" * 20_000 + b"\x00\x01binary"

    answer = await client.post("/upload", content=a_file(content, "data.csv"), headers=HEADERS)

    assert answer.status_code == 415
    assert "NUL" in answer.json()["detail"]
    assert stored(folder) == []


@pytest.mark.parametrize(
    ("body", "headers", "detail"),
    [
        (b'{"file": "x"}', {"Content-Type": "application/json"}, "multipart/form-data"),
        (a_file(PDF), {"Content-Type": "multipart/form-data"}, "no boundary"),
        (multipart(Part("document", b"%PDF-1.7", "a.pdf")), HEADERS, "no file in the field"),
        (multipart(Part(UPLOAD_FIELD, b"%PDF-1.7")), HEADERS, "no file in the field `file`"),
        (multipart(Part("title", PDF), Part(UPLOAD_FIELD, PDF, "a.pdf")), HEADERS, "too much"),
        (a_file(PDF)[:-200], HEADERS, "not a valid multipart"),
        (multipart(Part(UPLOAD_FIELD, PDF, "a.pdf"), end=False), HEADERS, "not a valid multipart"),
        (b"garbage without any boundary", HEADERS, "not a valid multipart"),
    ],
)  # fmt: skip
async def test_a_body_that_is_not_a_whole_upload_answers_400_and_leaves_nothing(
    client: AsyncTestClient[Litestar],
    folder: Path,
    body: bytes,
    headers: dict[str, str],
    detail: str,
) -> None:
    answer = await client.post("/upload", content=body, headers=headers)

    assert answer.status_code == 400, answer.text
    assert detail in answer.json()["detail"]
    assert stored(folder) == []


async def test_a_file_the_use_case_refuses_is_deleted_again(
    client: AsyncTestClient[Litestar], folder: Path
) -> None:
    answer = await client.post("/upload?refuse=1", content=a_file(PDF), headers=HEADERS)

    assert answer.status_code == 409
    assert stored(folder) == []


# Downloads


@pytest.fixture
async def uploaded(client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    answer = await client.post("/upload", content=a_file(PDF, "Übung – “1”.pdf"), headers=HEADERS)
    assert answer.status_code == 201
    return dict(answer.json())


async def test_a_download_is_an_attachment_named_in_rfc_6266_form(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any]
) -> None:
    answer = await client.get(f"/files/{uploaded['id']}")

    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-length"] == str(len(PDF))
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["etag"] == f'"{uploaded["sha256"]}"'
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"Ubung _ _1_.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("UTF-8''")[1]) == "Übung – “1”.pdf"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ('say "hi".txt',
         "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
        ("100%.txt", "attachment; filename=\"100_.txt\"; filename*=UTF-8''100%25.txt"),
        ("講義.pptx",
         "attachment; filename=\"file.pptx\"; filename*=UTF-8''%E8%AC%9B%E7%BE%A9.pptx"),
        ("a;b,c.txt", 'attachment; filename="a;b,c.txt"'),
    ],
)  # fmt: skip
def test_names_are_quoted_and_encoded(name: str, header: str) -> None:
    assert content_disposition(name) == header


@pytest.mark.parametrize(
    ("wanted", "start", "end"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=100-", 100, len(PDF)),
        ("bytes=-5", len(PDF) - 5, len(PDF)),
        ("bytes=50-999999999", 50, len(PDF)),
        ("bytes=-999999999", 0, len(PDF)),
        (f"bytes={len(PDF) - 1}-{len(PDF) - 1}", len(PDF) - 1, len(PDF)),
    ],
)
async def test_one_range_answers_206_with_its_bytes(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any], wanted: str, start: int, end: int
) -> None:
    answer = await client.get(f"/files/{uploaded['id']}", headers={"Range": wanted})

    assert answer.status_code == 206
    assert answer.content == PDF[start:end]
    assert answer.headers["content-range"] == f"bytes {start}-{end - 1}/{len(PDF)}"
    assert answer.headers["content-length"] == str(end - start)
    assert answer.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize("wanted", [f"bytes={len(PDF)}-", "bytes=999999999-", "bytes=-0"])
async def test_a_range_past_the_end_answers_416(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any], wanted: str
) -> None:
    answer = await client.get(f"/files/{uploaded['id']}", headers={"Range": wanted})

    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{len(PDF)}"
    assert "outside" in answer.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-1,5-9"},
        {"Range": "items=0-5"},
        {"Range": "bytes=9-1"},
        {"Range": "bytes=abc"},
        {"Range": "bytes=0-9", "If-Range": '"an-older-version"'},
    ],
)
async def test_other_ranges_get_the_whole_file(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any], headers: dict[str, str]
) -> None:
    answer = await client.get(f"/files/{uploaded['id']}", headers=headers)

    assert answer.status_code == 200
    assert answer.content == PDF


async def test_a_range_of_the_current_version_is_sent(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any]
) -> None:
    answer = await client.get(
        f"/files/{uploaded['id']}",
        headers={"Range": "bytes=0-3", "If-Range": f'"{uploaded["sha256"]}"'},
    )

    assert answer.status_code == 206
    assert answer.content == PDF[:4]


async def test_a_file_whose_bytes_are_gone_answers_404(
    client: AsyncTestClient[Litestar], uploaded: dict[str, Any], folder: Path
) -> None:
    for path in stored(folder):
        path.unlink()

    answer = await client.get(f"/files/{uploaded['id']}")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "The file's content is no longer available"}


def test_the_openapi_document_shows_the_upload_body_and_the_file_answers() -> None:
    """Routes that read their body themselves declare it with UploadOperation, and a
    download's answers with DownloadOperation."""

    @post(
        "/lessons/{lesson_id:int}/file",
        operation_class=UploadOperation,
        responses=UPLOAD_ERROR_RESPONSES,
        request_max_body_size=None,
    )
    async def upload(lesson_id: Annotated[int, PathParameter()]) -> None:
        return None

    @get(
        "/files/{file_id:int}",
        operation_class=DownloadOperation,
        responses=DOWNLOAD_ERROR_RESPONSES,
    )
    async def download(file_id: Annotated[int, PathParameter()]) -> None:
        return None

    schema = Litestar([upload, download]).openapi_schema.to_schema()
    posted = schema["paths"]["/lessons/{lesson_id}/file"]["post"]
    body = posted["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"]
    assert body["properties"]["file"] == {"type": "string", "format": "binary"}
    assert {"413", "415"} <= set(posted["responses"])
    fetched = schema["paths"]["/files/{file_id}"]["get"]["responses"]
    assert {"200", "206", "416"} <= set(fetched)
    assert "Content-Range" in fetched["206"]["headers"]


# Through a real server: uvicorn with the protocol `tms serve` uses, bodies in chunks


@pytest.fixture
async def served(container: Container, folder: Path) -> AsyncIterator[str]:
    """The app above on uvicorn in this event loop, as `tms serve` runs it (httptools with
    the connection limits): the body arrives in pieces, as from any real client."""
    port = free_port()
    config = uvicorn.Config(
        build_app(container, LocalFileStorage(folder)),
        host="127.0.0.1",
        port=port,
        http="tms_entrypoints.http.protocol:LimitedHttpToolsProtocol",
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def streamed_upload(content_size: int, *, end: bool = True) -> AsyncIterator[bytes]:
    """A multipart body whose file (a PDF header, then filler) comes in 64 KiB pieces."""
    yield (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{UPLOAD_FIELD}"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-"
    ).encode()
    left = content_size - 5
    while left > 0:
        piece = min(left, 65536)
        yield b"y" * piece
        left -= piece
        await asyncio.sleep(0)
    if end:
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def test_a_chunked_upload_through_a_real_server_is_stored_whole(
    served: str, folder: Path
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=30) as http:
        answer = await http.post("/upload", content=streamed_upload(LIMIT), headers=HEADERS)

    assert answer.status_code == 201, answer.text
    [path] = stored(folder)
    assert path.stat().st_size == LIMIT
    assert answer.json()["sha256"] == hashlib.sha256(b"%PDF-" + b"y" * (LIMIT - 5)).hexdigest()


async def test_a_chunked_upload_over_the_limit_is_cut_with_413(served: str, folder: Path) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=30) as http:
        answer = await http.post("/upload", content=streamed_upload(20 * LIMIT), headers=HEADERS)

    assert answer.status_code == 413
    assert answer.json() == {"detail": "The file is larger than the limit of 256 KiB"}
    assert stored(folder) == []


async def test_a_client_that_leaves_mid_upload_leaves_nothing(served: str, folder: Path) -> None:
    port = int(served.rsplit(":", 1)[1])
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {LIMIT}\r\n\r\n"
    ).encode()
    writer.write(head)
    async for chunk in streamed_upload(LIMIT // 2, end=False):
        writer.write(chunk)
        await writer.drain()
    await asyncio.sleep(0.3)
    assert stored(folder) != [], "the upload was under way (its temporary file)"
    writer.close()
    await writer.wait_closed()

    for _ in range(50):
        if not stored(folder):
            break
        await asyncio.sleep(0.1)
    assert stored(folder) == []

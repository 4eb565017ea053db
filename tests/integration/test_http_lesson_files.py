"""A lesson's file through a real `tms serve` (API.md part two): `POST /lessons/{id}/file`
stores an upload as it streams (413 over the limit, 415 for a type not allowed, nothing
left behind either way), `GET /files/{id}` sends it back as an attachment with ranges, to
whoever may read its lesson (others: 404)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

import servers
from servers import TmsServer, running

SECRET_KEY = "lesson-files-secret-key-" + "f" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
TRAINEE_PASSWORD = "correct horse battery staple"
LIMIT = 4 * 1024 * 1024
PDF = b"%PDF-1.7\n" + hashlib.sha256(b"x").digest() * 40_000  # 1.2 MiB


@pytest.fixture
def files_folder(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def server(tmp_path: Path, files_folder: Path) -> Iterator[TmsServer]:
    env = servers.server_env(
        f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}",
        tmp_path,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_STORAGE_URL=str(files_folder),
        TMS_UPLOAD_MAX_BYTES=str(LIMIT),
    )
    with running(TmsServer(env, tmp_path)) as started:
        yield started


async def token(client: httpx.AsyncClient, username: str, password: str) -> str:
    answer = await client.post("/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


class Course:
    def __init__(self, client: httpx.AsyncClient, admin: str) -> None:
        self.client = client
        self.admin = bearer(admin)
        self.id = 0
        self.lesson_id = 0

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self.client.request(method, path, headers=self.admin, **kwargs)
        assert answer.status_code in (200, 201), (method, path, answer.text)
        return answer.json()

    async def with_a_file_lesson(self) -> Course:
        self.id = (await self.ok("POST", "/courses/", json={"title": "Workshop safety"}))["id"]
        module = await self.ok("POST", f"/courses/{self.id}/modules", json={"title": "Basics"})
        lesson = await self.ok(
            "POST", f"/modules/{module['id']}/lessons", json={"title": "Handout", "kind": "file"}
        )
        self.lesson_id = lesson["id"]
        return self

    async def upload(self, content: bytes | Any, name: str = "Übung 1.pdf") -> httpx.Response:
        return await self.client.post(
            f"/lessons/{self.lesson_id}/file",
            headers=self.admin,
            files={"file": (name, content, "application/octet-stream")},
        )


@pytest.fixture
async def client(server: TmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        yield http


@pytest.fixture
async def course(client: httpx.AsyncClient) -> Course:
    admin = await token(client, "admin", ADMIN_PASSWORD)
    return await Course(client, admin).with_a_file_lesson()


def stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def test_a_lesson_file_is_uploaded_and_downloaded_with_ranges(
    client: httpx.AsyncClient, course: Course, files_folder: Path
) -> None:
    answer = await course.upload(PDF, "../../Übung 1.pdf")

    assert answer.status_code in (200, 201), answer.text
    lesson = answer.json()
    file = lesson["file"]
    assert set(file) == {"id", "name", "size", "content_type"}
    assert file["name"] == "Übung 1.pdf"
    assert file["size"] == len(PDF)
    assert file["content_type"] == "application/pdf"
    [path] = stored(files_folder)
    assert path.read_bytes() == PDF

    whole = await client.get(f"/files/{file['id']}", headers=course.admin)
    assert whole.status_code == 200
    assert whole.content == PDF
    assert whole.headers["x-content-type-options"] == "nosniff"
    assert whole.headers["accept-ranges"] == "bytes"
    disposition = whole.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"Ubung 1.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("UTF-8''")[1]) == "Übung 1.pdf"

    part = await client.get(
        f"/files/{file['id']}", headers={**course.admin, "Range": "bytes=1000-1999"}
    )
    assert part.status_code == 206
    assert part.content == PDF[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(PDF)}"
    past = await client.get(
        f"/files/{file['id']}", headers={**course.admin, "Range": f"bytes={len(PDF)}-"}
    )
    assert past.status_code == 416


async def test_over_the_limit_is_413_and_a_type_not_allowed_415_leaving_nothing(
    client: httpx.AsyncClient, course: Course, files_folder: Path
) -> None:
    async def streamed() -> AsyncIterator[bytes]:
        """Chunked, without a Content-Length: the limit is found while the bytes come."""
        yield b"%PDF-1.7\n"
        for _ in range(LIMIT // 65536 + 2):
            yield b"x" * 65536

    declared = await course.upload(b"%PDF-1.7\n" + b"x" * LIMIT)
    assert declared.status_code == 413
    assert declared.json() == {"detail": "The file is larger than the limit of 4 MiB"}

    boundary = "tms-boundary"

    async def multipart_stream() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        async for chunk in streamed():
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    chunked = await client.post(
        f"/lessons/{course.lesson_id}/file",
        headers={**course.admin, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=multipart_stream(),
    )
    assert chunked.status_code == 413

    exe = await course.upload(b"MZ\x90\x00" + b"\x00" * 500, "handout.pdf")
    assert exe.status_code == 415
    assert "application/x-msdownload" in exe.json()["detail"]

    assert stored(files_folder) == []
    lesson = await course.ok("GET", f"/courses/{course.id}")
    assert all(
        lesson_body.get("file") is None
        for module in lesson["modules"]
        for lesson_body in module["lessons"]
    )


async def test_only_those_who_may_read_the_lesson_get_its_file(
    client: httpx.AsyncClient, course: Course
) -> None:
    uploaded = (await course.upload(PDF)).json()["file"]
    trainee = await course.ok(
        "POST",
        "/users/",
        json={
            "username": "pia",
            "email": "pia@example.org",
            "first_name": "Pia",
            "last_name": "Doe",
            "role": "trainee",
            "password": TRAINEE_PASSWORD,
            "is_temporary_password": False,
        },
    )
    pia = bearer(await token(client, "pia", TRAINEE_PASSWORD))

    assert (await client.get(f"/files/{uploaded['id']}")).status_code == 401
    assert (await client.get(f"/files/{uploaded['id']}", headers=pia)).status_code == 404

    await course.ok("POST", f"/courses/{course.id}/publish")
    await course.ok(
        "POST", f"/courses/{course.id}/enrolments", json={"trainee_ids": [trainee["user"]["id"]]}
    )
    allowed = await client.get(f"/files/{uploaded['id']}", headers=pia)
    assert allowed.status_code == 200
    assert allowed.content == PDF
    assert (await client.get("/files/999999", headers=pia)).status_code == 404

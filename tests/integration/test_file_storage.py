"""The FileStorage contract, one suite run against the folder adapter and against the S3
adapter talking to a real S3 API on loopback (moto's server, over HTTP): bytes written
as they come are read back whole or by range; a write that fails leaves nothing (no
temporary file, no object, no multipart upload left open); keys that are not the
system's are refused; a missing object is said as such."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiobotocore.session import get_session
from moto.server import ThreadedMotoServer

from conftest import free_port, make_settings
from tms_adapters.bootstrap import open_domain
from tms_adapters.jobs import JobExecutor
from tms_adapters.storage import LocalFileStorage, S3FileStorage, file_storage_at
from tms_domain.kernel import StorageUnavailable
from tms_domain.kernel.files import FileStorage, StoredFile, StoredObjectMissing, forget_file
from tms_entrypoints.container import build_container, running

BUCKET = "tms-files"
MiB = 1024 * 1024
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 API served on a free loopback port for this module."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)


async def new_bucket(endpoint: str) -> str:
    """An empty bucket of the test's own."""
    name = f"{BUCKET}-{os.urandom(4).hex()}"
    async with get_session().create_client("s3", endpoint_url=endpoint) as client:
        await client.create_bucket(Bucket=name)
    return name


@pytest.fixture
async def bucket(s3_endpoint: str, aws_credentials: None) -> str:
    return await new_bucket(s3_endpoint)


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStorage]:
    if request.param == "local":
        yield LocalFileStorage(tmp_path / "files")
        return
    endpoint: str = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("aws_credentials")
    name = await new_bucket(endpoint)
    # Parts of 5 MiB (S3's least) keep the multipart uploads of these tests small.
    s3 = S3FileStorage(name, "uploads", endpoint_url=endpoint, part_size=5 * MiB)
    try:
        yield s3
    finally:
        await s3.close()


async def chunks_of(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        await asyncio.sleep(0)
        yield data[at : at + size]


async def read_all(storage: FileStorage, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in storage.read(key, start, end)])


def pattern(size: int) -> bytes:
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB that do not repeat in a part
    return (block * (size // len(block) + 1))[:size]


class Refused(Exception):
    """What an upload's checks raise half way."""


async def failing_after(data: bytes, at: int) -> AsyncIterator[bytes]:
    async for chunk in chunks_of(data[:at]):
        yield chunk
    raise Refused


async def leftovers(storage: FileStorage, tmp_path: Path) -> list[str]:
    """Whatever the storage still holds: files under the folder; objects and open multipart
    uploads in the bucket."""
    if isinstance(storage, LocalFileStorage):
        return [str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file()]
    assert isinstance(storage, S3FileStorage)
    client = await storage.client()
    objects = await client.list_objects_v2(Bucket=storage.bucket)
    uploads = await client.list_multipart_uploads(Bucket=storage.bucket)
    return [o["Key"] for o in objects.get("Contents", [])] + [
        u["Key"] for u in uploads.get("Uploads", [])
    ]


async def test_written_bytes_are_read_back_whole_and_by_range(storage: FileStorage) -> None:
    data = pattern(300 * 1024 + 17)

    written = await storage.write("2026/05/abc", chunks_of(data), content_type="application/pdf")

    assert written == len(data)
    assert await read_all(storage, "2026/05/abc") == data
    assert await read_all(storage, "2026/05/abc", 0, 1) == data[:1]
    assert await read_all(storage, "2026/05/abc", 1000, 200_000) == data[1000:200_000]
    assert await read_all(storage, "2026/05/abc", len(data) - 5) == data[-5:]
    assert await read_all(storage, "2026/05/abc", 10, 10) == b""


async def test_a_large_upload_goes_in_parts_and_comes_back_intact(
    storage: FileStorage, tmp_path: Path
) -> None:
    data = pattern(12 * MiB + 3)

    assert await storage.write("2026/05/big", chunks_of(data), content_type="video/mp4") == len(
        data
    )

    assert (
        hashlib.sha256(await read_all(storage, "2026/05/big")).digest()
        == hashlib.sha256(data).digest()
    )
    assert (
        await read_all(storage, "2026/05/big", 5 * MiB - 2, 5 * MiB + 2)
        == data[5 * MiB - 2 : 5 * MiB + 2]
    )
    assert len(await leftovers(storage, tmp_path)) == 1


async def test_an_empty_file_is_stored_too(storage: FileStorage) -> None:
    assert await storage.write("2026/05/empty", chunks_of(b""), content_type="text/plain") == 0
    assert await read_all(storage, "2026/05/empty") == b""


@pytest.mark.parametrize("fails_at", [10, 6 * MiB, 11 * MiB])
async def test_a_write_that_fails_leaves_nothing(
    storage: FileStorage, tmp_path: Path, fails_at: int
) -> None:
    """Whether it fails in the first part, after a part was sent, or in the last one."""
    with pytest.raises(Refused):
        await storage.write(
            "2026/05/cut", failing_after(pattern(12 * MiB), fails_at), content_type="video/mp4"
        )

    assert await leftovers(storage, tmp_path) == []
    with pytest.raises(StoredObjectMissing):
        await read_all(storage, "2026/05/cut")


async def test_a_write_replaces_no_reader_sees_half(storage: FileStorage, tmp_path: Path) -> None:
    await storage.write("2026/05/doc", chunks_of(b"first version"), content_type="text/plain")

    with pytest.raises(Refused):
        await storage.write(
            "2026/05/doc", failing_after(pattern(MiB), 1000), content_type="text/plain"
        )

    assert await read_all(storage, "2026/05/doc") == b"first version"


async def test_deleting_removes_the_object_and_deleting_again_is_fine(
    storage: FileStorage, tmp_path: Path
) -> None:
    await storage.write("2026/05/gone", chunks_of(b"bytes"), content_type="text/plain")

    await storage.delete("2026/05/gone")
    await storage.delete("2026/05/gone")

    with pytest.raises(StoredObjectMissing):
        await read_all(storage, "2026/05/gone")
    assert await leftovers(storage, tmp_path) == []


@pytest.mark.parametrize(
    "key", ["../escape", "/etc/passwd", "2026/../../x", "a/./b", "UPPER", "a b", "a\\b", ""]
)
async def test_keys_that_are_not_the_systems_are_refused(storage: FileStorage, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.write(key, chunks_of(b"x"), content_type="text/plain")
    with pytest.raises(ValueError, match="not a storage key"):
        await read_all(storage, key)
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.delete(key)


async def test_the_local_folder_is_made_on_first_write(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "files"
    storage = file_storage_at(str(folder))
    assert not folder.exists()

    await storage.write("2026/05/first", chunks_of(b"hello"), content_type="text/plain")

    assert (folder / "2026" / "05" / "first").read_bytes() == b"hello"


async def test_an_s3_url_names_the_bucket_and_prefix(
    bucket: str, s3_endpoint: str, tmp_path: Path
) -> None:
    storage = file_storage_at(f"s3://{bucket}/tms/uploads/", endpoint_url=s3_endpoint)
    try:
        await storage.write("2026/05/k", chunks_of(b"hello"), content_type="text/plain")
        assert isinstance(storage, S3FileStorage)
        client = await storage.client()
        answer = await client.get_object(Bucket=bucket, Key="tms/uploads/2026/05/k")
        assert answer["ContentType"] == "text/plain"
        assert await answer["Body"].read() == b"hello"
    finally:
        await storage.close()


# Wiring: the container (what the server uses) and the embedding domain


async def test_the_container_keeps_files_under_the_data_directory(tmp_path: Path) -> None:
    container = build_container(make_settings(storage="memory", var_dir=str(tmp_path / "var")))
    async with running(container):
        files = container.files()
        assert isinstance(files, LocalFileStorage)
        assert files.root == (tmp_path / "var" / "files").resolve()
        assert not files.root.exists()
        await files.write("2026/05/x", chunks_of(b"hello"), content_type="text/plain")
        assert (files.root / "2026" / "05" / "x").read_bytes() == b"hello"
        assert container.content().render_markdown("<script>x</script>**b**") == (
            "<p>&lt;script&gt;x&lt;/script&gt;<strong>b</strong></p>"
        )


async def test_the_container_stores_on_s3_when_told(
    bucket: str, s3_endpoint: str, tmp_path: Path
) -> None:
    settings = make_settings(
        storage="memory", storage_url=f"s3://{bucket}/tms", s3_endpoint_url=s3_endpoint
    )
    container = build_container(settings)
    async with running(container):
        files = container.files()
        assert isinstance(files, S3FileStorage)
        await files.write("2026/05/y", chunks_of(b"on s3"), content_type="text/plain")
        assert await read_all(files, "2026/05/y") == b"on s3"


async def test_an_embedding_domain_has_the_file_storage_and_the_renderer(tmp_path: Path) -> None:
    async with open_domain(files_url=str(tmp_path / "files")) as tms:
        await tms.files.write("2026/05/z", chunks_of(b"embedded"), content_type="text/plain")
        assert await read_all(tms.files, "2026/05/z") == b"embedded"
        assert "<em>hi</em>" in tms.content.render_markdown("*hi*")


async def test_a_forgotten_file_loses_its_row_with_the_commit_and_its_bytes_after_it(
    tmp_path: Path,
) -> None:
    container = build_container(make_settings(storage="memory", var_dir=str(tmp_path / "var")))
    async with running(container):
        files = container.files()
        uow = container.uow()
        await files.write("2026/05/old", chunks_of(b"old handout"), content_type="text/plain")
        async with uow() as unit:
            row = await unit.files.add(
                StoredFile(0, "old.txt", 11, "text/plain", "2026/05/old", "0" * 64, None, NOW)
            )
            await unit.commit()

        async with uow() as unit:
            await forget_file(unit.files, unit.jobs, row)  # and no commit
        async with uow() as unit:
            assert await unit.files.get(row.id) == row

        async with uow() as unit:
            await forget_file(unit.files, unit.jobs, row)
            await unit.commit()
        async with uow(read_only=True) as unit:
            assert await unit.files.get(row.id) is None
        assert await read_all(files, "2026/05/old") == b"old handout"

        executor = JobExecutor(container.jobs.processing())
        assert await executor.run_next()
        with pytest.raises(StoredObjectMissing):
            await read_all(files, "2026/05/old")


# A store that fails is unavailable (503), never a 500


async def test_a_folder_that_cannot_be_written_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_text("a file where the folder should be")
    storage = LocalFileStorage(blocker)

    with pytest.raises(StorageUnavailable, match="file storage is unavailable"):
        await storage.write("2026/05/x", chunks_of(b"hello"), content_type="text/plain")


async def test_a_missing_bucket_or_an_unreachable_s3_is_unavailable(
    s3_endpoint: str, aws_credentials: None
) -> None:
    no_bucket = S3FileStorage("no-such-bucket", endpoint_url=s3_endpoint)
    nobody_there = S3FileStorage("b", endpoint_url=f"http://127.0.0.1:{free_port()}")
    try:
        for storage in (no_bucket, nobody_there):
            with pytest.raises(StorageUnavailable):
                await storage.write("2026/05/x", chunks_of(b"hello"), content_type="text/plain")
            with pytest.raises(StorageUnavailable):
                await storage.delete("2026/05/x")
        with pytest.raises(StorageUnavailable):
            await read_all(nobody_there, "2026/05/x")
    finally:
        await no_bucket.close()
        await nobody_there.close()

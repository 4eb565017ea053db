"""Uploaded files in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), through
aiobotocore: asynchronous, and streamed both ways.

An upload is sent as it arrives: one PUT when it fits in one part, otherwise a multipart
upload of parts of PART_SIZE or a chunk more (S3 wants at least 5 MiB for each but the
last), so about one part is held in memory; an upload that fails is aborted, leaving
nothing in the bucket. A read asks for the byte range it needs and passes the answer on in chunks.

Credentials and region come from botocore's usual sources (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION, ~/.aws, instance roles);
``endpoint_url`` points at another S3 API than AWS's (with path-style addressing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from aiohttp import ClientError as ConnectionFault
from botocore.exceptions import BotoCoreError, ClientError

from tms_domain.kernel import StorageUnavailable
from tms_domain.kernel.files import StoredObjectMissing, is_storage_key

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

PART_SIZE = 8 * 1024 * 1024
READ_CHUNK = 256 * 1024
MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
UNAVAILABLE = "The file storage is unavailable right now: try again shortly"

log = logging.getLogger(__name__)


@contextlib.contextmanager
def store_faults(action: str) -> Iterator[None]:
    """The store's own failures (unreachable, refusing, misconfigured) as StorageUnavailable
    (503, a generic message; the cause in the log). Errors of the bytes being written (an
    upload's checks) pass through as they are."""
    try:
        yield
    except (BotoCoreError, ClientError, ConnectionFault) as error:
        log.warning("S3 %s failed: %s", action, error)
        raise StorageUnavailable(UNAVAILABLE) from error


class S3FileStorage:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        part_size: int = PART_SIZE,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._endpoint_url = endpoint_url or None
        self._region = region
        self._part_size = part_size
        self._client: S3Client | None = None
        self._stack = AsyncExitStack()
        self._opening = asyncio.Lock()

    def object_key(self, key: str) -> str:
        if not is_storage_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    async def client(self) -> S3Client:
        """The client, made on first use and kept until ``close``."""
        async with self._opening:
            if self._client is None:
                config = AioConfig(
                    s3={"addressing_style": "path"} if self._endpoint_url else {},
                    retries={"max_attempts": 3, "mode": "standard"},
                )
                self._client = await self._stack.enter_async_context(
                    get_session().create_client(
                        "s3",
                        endpoint_url=self._endpoint_url,
                        region_name=self._region,
                        config=config,
                    )
                )
            return self._client

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        name = self.object_key(key)
        with store_faults("write"):
            return await self._write(name, chunks, content_type)

    async def _write(self, name: str, chunks: AsyncIterable[bytes], content_type: str) -> int:
        client = await self.client()
        pending: list[bytes] = []
        pending_size = 0
        iterator = aiter(chunks)
        async for chunk in iterator:
            pending.append(chunk)
            pending_size += len(chunk)
            if pending_size >= self._part_size:
                return await self._multipart(client, name, content_type, pending, iterator)
        data = b"".join(pending)
        await client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentType=content_type)
        return len(data)

    async def _multipart(
        self,
        client: S3Client,
        name: str,
        content_type: str,
        first: list[bytes],
        rest: AsyncIterator[bytes],
    ) -> int:
        """Parts of at least PART_SIZE (the chunks that make one up, joined once), the last
        one smaller."""
        started = await client.create_multipart_upload(
            Bucket=self.bucket, Key=name, ContentType=content_type
        )
        upload_id = started["UploadId"]
        parts: list[dict[str, Any]] = []
        written = 0

        async def send(pieces: list[bytes]) -> None:
            nonlocal written
            data = b"".join(pieces)
            pieces.clear()
            number = len(parts) + 1
            answer = await client.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})
            written += len(data)

        try:
            pending = first
            await send(pending)
            pending_size = 0
            async for chunk in rest:
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= self._part_size:
                    await send(pending)
                    pending_size = 0
            if pending:
                await send(pending)
            await client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.shield(
                    client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
                )
            raise
        return written

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if end is not None and end <= start:
            return
        name = self.object_key(key)
        wanted = f"bytes={start}-{'' if end is None else end - 1}"
        with store_faults("read"):
            client = await self.client()
            try:
                answer = await client.get_object(Bucket=self.bucket, Key=name, Range=wanted)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code in MISSING:
                    raise StoredObjectMissing(key) from None
                if code == "InvalidRange":
                    return
                raise
        body = answer["Body"]
        try:
            async for chunk in body.iter_chunks(READ_CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        name = self.object_key(key)
        with store_faults("delete"):
            client = await self.client()
            await client.delete_object(Bucket=self.bucket, Key=name)

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None

"""Uploaded files in a folder on the local file system (the default: under the data
directory).

Each key names a file under the folder; keys are the system's own (``is_storage_key``), so
no name a client chose ever becomes a path, and a key that is not one is refused. A file is
written to a temporary name beside its place and renamed when complete: a reader never sees
half a file, and a failed upload leaves nothing. Disk work runs in threads, a chunk at a
time, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from tms_domain.kernel import StorageUnavailable
from tms_domain.kernel.files import StoredObjectMissing, is_storage_key

READ_CHUNK = 256 * 1024
UNAVAILABLE = "The file storage is unavailable right now: try again shortly"

log = logging.getLogger(__name__)


class LocalFileStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        if not is_storage_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        path = self.root.joinpath(*key.split("/"))
        if not path.is_relative_to(self.root):
            raise ValueError(f"not a storage key: {key!r}")
        return path

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        path = self._path(key)
        try:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            descriptor, temporary = await asyncio.to_thread(
                tempfile.mkstemp, dir=path.parent, prefix=".upload-", suffix=".part"
            )
        except OSError as error:
            raise _unavailable("write", error) from error
        written = 0
        try:
            with os.fdopen(descriptor, "wb") as handle:
                async for chunk in chunks:
                    try:
                        await asyncio.to_thread(handle.write, chunk)
                    except OSError as error:  # a full disk, a lost mount
                        raise _unavailable("write", error) from error
                    written += len(chunk)
                await asyncio.to_thread(_flush_to_disk, handle)
            await asyncio.to_thread(os.replace, temporary, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise _unavailable("write", error) from error
        except BaseException:
            # At once, not in a thread: a cancelled upload must not leave its part behind.
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return written

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise StoredObjectMissing(key) from None
        try:
            await asyncio.to_thread(handle.seek, start)
            left = None if end is None else max(end - start, 0)
            while left is None or left > 0:
                size = READ_CHUNK if left is None else min(READ_CHUNK, left)
                chunk = await asyncio.to_thread(handle.read, size)
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def close(self) -> None:
        return None


def _unavailable(action: str, error: OSError) -> StorageUnavailable:
    """The folder's failures as StorageUnavailable (503, a generic message; the cause in the
    log)."""
    log.warning("file storage %s failed: %s", action, error)
    return StorageUnavailable(UNAVAILABLE)


def _flush_to_disk(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())

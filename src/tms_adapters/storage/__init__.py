"""Where uploaded files live: a folder (the default) or an S3-compatible bucket."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tms_adapters.storage.local import LocalFileStorage
from tms_adapters.storage.s3 import S3FileStorage
from tms_domain.kernel.files import FileStorage

__all__ = ["LocalFileStorage", "S3FileStorage", "file_storage_at", "files_url_problem"]


def files_url_problem(url: str) -> str | None:
    """Why ``url`` cannot say where files live, or None when it can."""
    if url.startswith("s3://"):
        if not urlsplit(url).netloc:
            return "names no bucket"
        return None
    if "://" in url:
        return "is neither a folder nor s3://bucket/prefix"
    return None


def file_storage_at(url: str, *, endpoint_url: str | None = None) -> FileStorage:
    """``s3://bucket/prefix`` (at ``endpoint_url`` when it is not AWS), or a folder, created
    when the first file is written to it."""
    if url.startswith("s3://"):
        parts = urlsplit(url)
        return S3FileStorage(parts.netloc, parts.path, endpoint_url=endpoint_url)
    return LocalFileStorage(Path(url))

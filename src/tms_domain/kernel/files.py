"""Uploaded files: what is kept of one, where its bytes go, and the rules an upload passes.

The bytes live in a ``FileStorage`` (a folder, or an S3 bucket) under a key the system
makes (``new_storage_key``), never under a name a client chose; what is known of a file
(name, size, type, checksum, who uploaded it) is a ``StoredFile`` row, written by the use
case that gives the file its purpose (a lesson, an import, a certificate) in its own unit
of work.

An upload is checked as it streams in (``inspect_upload``): its type is read from its
first bytes, not from its name, against an allowlist; text must be UTF-8 without NULs all
the way through; past the size limit it stops. Nothing here holds a whole file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import secrets
import unicodedata
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tms_domain.kernel.errors import DomainError, NotFound
from tms_domain.kernel.jobs import JobContext, JobHandler, JobQueue

SNIFF_BYTES = 64 * 1024
"""How much of an upload is read before its type is decided (a ZIP's first entry and the
names of the next ones fit in it)."""
MAX_NAME_LENGTH = 200
"""Characters kept of a file name (and at most 255 bytes of UTF-8, what file systems take)."""
MAX_NAME_BYTES = 255
FALLBACK_NAME = "file"

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
MP4 = "video/mp4"
M4V = "video/x-m4v"
MOV = "video/quicktime"
WEBM = "video/webm"
MP3 = "audio/mpeg"
OGG = "audio/ogg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
CSV = "text/csv"

ALLOWED_TYPES = frozenset(
    {PDF, PNG, JPEG, GIF, WEBP, MP4, M4V, MOV, WEBM, MP3, OGG, DOCX, XLSX, PPTX}
    | {TEXT, MARKDOWN, CSV}
)
"""What an upload may be, as read from its bytes."""
TEXT_TYPES = frozenset({TEXT, MARKDOWN, CSV})


class FileTooLarge(DomainError):
    """The upload is over the size limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {describe_size(limit)}")
        self.limit = limit


class UnsupportedFileType(DomainError):
    """The upload's bytes are not of an allowed type (HTTP 415); ``detected`` names what
    they look like."""

    def __init__(self, detected: str, reason: str | None = None) -> None:
        allowed = "PDF, images (PNG, JPEG, GIF, WebP), video (MP4, MOV, WebM), audio (MP3, OGG),"
        allowed += " Word, Excel, PowerPoint, or UTF-8 text (plain, Markdown, CSV)"
        why = reason or f"The file's content is {detected}, which is not allowed"
        super().__init__(f"{why}: upload {allowed}")
        self.detected = detected


class StoredObjectMissing(NotFound):
    """The storage holds nothing under the key (removed behind the system's back)."""

    def __init__(self, key: str) -> None:
        super().__init__("The file's content is no longer available")
        self.key = key


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file as the system knows it. ``id`` is 0 until the row is added."""

    id: int
    name: str
    """Cleaned (``clean_file_name``): what a download is called, never a storage path."""
    size: int
    content_type: str
    """As read from the bytes, one of ALLOWED_TYPES."""
    storage_key: str
    sha256: str
    """Hex digest of the bytes."""
    created_by: int | None
    """The uploader's user id (None once that user is deleted)."""
    created_at: datetime


class StoredFileRepository(Protocol):
    async def add(self, file: StoredFile) -> StoredFile:
        """Record the file; it comes back with its id."""
        ...

    async def get(self, file_id: int) -> StoredFile | None: ...

    async def get_many(self, file_ids: Collection[int]) -> dict[int, StoredFile]:
        """The files of those ids that are known, by id (one query)."""
        ...

    async def delete(self, file_id: int) -> bool:
        """Forget the file (its bytes are the storage's to delete); False when unknown."""
        ...


class FileStorage(Protocol):
    """Where the bytes of uploaded files live. Keys come from ``new_storage_key``."""

    async def write(self, key: str, chunks: AsyncIterable[bytes], *, content_type: str) -> int:
        """Store the chunks under ``key`` as they come, and answer the bytes written. The
        object appears whole once the chunks end, or not at all: when the chunks raise,
        nothing is left behind and the error goes on."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``[start, end)`` (to the end when ``end`` is None), in chunks; raises
        StoredObjectMissing when nothing is stored under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; nothing happens when there is none."""
        ...

    async def close(self) -> None:
        """Release connections (nothing to do for a folder)."""
        ...


DELETE_BYTES_JOB = "files.delete_bytes"
"""The job that removes a forgotten file's bytes from the storage, after the commit that
forgot it."""


async def forget_file(files: StoredFileRepository, jobs: JobQueue, file: StoredFile) -> None:
    """In a use case's unit of work (``forget_file(uow.files, uow.jobs, file)``): the file's
    row goes with the commit, and its bytes after it, by a background job, so that a
    rollback keeps both and a crash leaves no bytes without a row for long."""
    await files.delete(file.id)
    jobs.enqueue(
        DELETE_BYTES_JOB, {"storage_key": file.storage_key}, idempotency_key=file.storage_key
    )


def deleting_bytes(storage: FileStorage) -> JobHandler:
    """The handler of DELETE_BYTES_JOB (deleting twice is harmless: handlers may run twice)."""

    async def delete_bytes(job: JobContext) -> None:
        await storage.delete(str(job.payload["storage_key"]))

    return delete_bytes


_KEY = re.compile(r"[a-z0-9]+(?:/[a-z0-9]+)*\Z")


def new_storage_key(now: datetime) -> str:
    """A fresh key: the month it was made, then 128 random bits (``2026/05/<hex>``)."""
    return f"{now:%Y/%m}/{secrets.token_hex(16)}"


def is_storage_key(key: str) -> bool:
    """A key as ``new_storage_key`` makes them: lower-case letters and digits in segments
    joined by ``/`` (no dots, no leading slash: never a path outside the store)."""
    return len(key) <= 200 and _KEY.match(key) is not None


# File names

_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in "123456789¹²³"}
    | {f"lpt{n}" for n in "123456789¹²³"}
)
_FORBIDDEN_CHARACTERS = frozenset('<>:"/\\|?*')


def clean_file_name(name: str) -> str:
    """A name safe to show and to offer in a download: the last part of any path, in NFC,
    without control or format characters (bidirectional overrides among them; line breaks
    and tabs become spaces, runs of spaces one), without the
    characters file systems refuse (replaced by ``_``), trimmed of dots and spaces at either
    end, not a reserved device name (``CON``, ``NUL.txt``, ...: prefixed with ``_``), and at
    most MAX_NAME_LENGTH characters and 255 bytes of UTF-8 with its extension kept. Other
    letters of any script stay as they are. An empty result is ``file``."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if ch.isspace() else "_" if ch in _FORBIDDEN_CHARACTERS else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = " ".join(name.split())
    name = name.strip(" .")
    if name.partition(".")[0].lower().rstrip(" ") in _RESERVED_NAMES:
        name = "_" + name
    name = _shortened(name)
    return name or FALLBACK_NAME


def _shortened(name: str) -> str:
    if len(name) <= MAX_NAME_LENGTH and len(name.encode()) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        stem, dot, extension = name, "", ""
    suffix = dot + extension
    room_chars = MAX_NAME_LENGTH - len(suffix)
    room_bytes = MAX_NAME_BYTES - len(suffix.encode())
    kept = stem[:room_chars]
    while len(kept.encode()) > room_bytes:
        kept = kept[:-1]
    return kept.rstrip(" .") + suffix


def extension_of(name: str) -> str:
    _, dot, extension = name.rpartition(".")
    return extension.lower() if dot else ""


def describe_size(size: int) -> str:
    """``50 MiB``, ``1.5 GiB``, ``512 KiB``, ``10 bytes``: for messages."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            if unit == "bytes":
                return f"{size} bytes"
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# Content types, read from the bytes

_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"}
    | {b"MSNV", b"3gp4", b"3gp5", b"3gp6", b"mmp4", b"f4v "}
)
_M4V_BRANDS = frozenset({b"M4V ", b"M4VH", b"M4VP"})
_MOV_BRANDS = frozenset({b"qt  "})
_OOXML_PARTS = (
    (b"word/", DOCX, "wordprocessingml"),
    (b"xl/", XLSX, "spreadsheetml"),
    (b"ppt/", PPTX, "presentationml"),
)


def sniff_content_type(head: bytes, file_name: str) -> str:
    """The allowed type ``head`` (the first SNIFF_BYTES of a file, or all of a shorter one)
    is, or UnsupportedFileType naming what it looks like. Binary formats are known by their
    signatures; a ZIP is allowed as a Word, Excel or PowerPoint document only (its
    ``[Content_Types].xml`` or its part names tell which); text is UTF-8 without NULs, and
    its name's extension says whether it is Markdown or CSV."""
    detected = _binary_type(head)
    if detected is not None:
        if detected not in ALLOWED_TYPES:
            raise UnsupportedFileType(detected)
        return detected
    if not head:
        raise UnsupportedFileType("empty", "The file is empty")
    if b"\x00" in head:
        raise UnsupportedFileType("application/octet-stream")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise UnsupportedFileType(
            "application/octet-stream", "The file is neither a known format nor UTF-8 text"
        ) from None
    return _text_type(file_name)


def _text_type(file_name: str) -> str:
    extension = extension_of(file_name)
    if extension in ("md", "markdown"):
        return MARKDOWN
    if extension == "csv":
        return CSV
    return TEXT


def _binary_type(head: bytes) -> str | None:  # noqa: C901 - one signature per line
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF"):
        return "audio/wav" if head[8:12] == b"WAVE" else "video/x-msvideo"
    if head[4:8] == b"ftyp":
        return _iso_media_type(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in head[:64] else "video/x-matroska"
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return MP3
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(head)
    return _other_binary(head)


def _iso_media_type(head: bytes) -> str:
    size = int.from_bytes(head[0:4], "big")
    brands = [head[8:12]]
    box_end = min(size, len(head)) if size >= 16 else 0
    brands += [head[i : i + 4] for i in range(16, box_end - 3, 4)]
    for brand in brands:
        if brand in _MOV_BRANDS:
            return MOV
        if brand in _M4V_BRANDS:
            return M4V
        if brand in _MP4_BRANDS:
            return MP4
    return "video/" + head[8:12].decode("latin-1").strip().lower()


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid version and layer III, a valid
    bitrate and sample rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and sample_rate != 3


def _other_binary(head: bytes) -> str | None:
    """Common formats that are not allowed, named in the refusal."""
    signatures = (
        (b"MZ", "application/x-msdownload"),
        (b"\x7fELF", "application/x-executable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
        (b"Rar!", "application/vnd.rar"),
        (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
        (b"\x1f\x8b", "application/gzip"),
        (b"BM", "image/bmp"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"fLaC", "audio/flac"),
    )
    for signature, kind in signatures:
        if head.startswith(signature):
            return kind
    text = head[:512].lstrip().lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype html", b"<html")):
        return "image/svg+xml" if b"<svg" in head[:4096].lower() else "text/html"
    return None


def _zip_type(head: bytes) -> str:
    """A Word, Excel or PowerPoint document by its ``[Content_Types].xml`` (the first
    entry, inflated as far as the head holds it) or by the names of the entries the head
    holds; another ZIP is ``application/zip``."""
    content_types = _first_entry(head, b"[Content_Types].xml")
    if content_types is not None:
        for _, kind, marker in _OOXML_PARTS:
            if marker.encode() in content_types:
                return kind
    names = _entry_names(head)
    if any(name == b"[Content_Types].xml" for name in names):
        for prefix, kind, _ in _OOXML_PARTS:
            if any(name.startswith(prefix) for name in names):
                return kind
    return "application/zip"


def _entry_names(head: bytes) -> list[bytes]:
    names: list[bytes] = []
    at = 0
    while (at := head.find(b"PK\x03\x04", at)) != -1 and len(names) < 100:
        length = int.from_bytes(head[at + 26 : at + 28], "little")
        names.append(head[at + 30 : at + 30 + length])
        at += 4
    return names


def _first_entry(head: bytes, wanted: bytes) -> bytes | None:
    """What the head holds of the first entry's content when it is ``wanted``."""
    if len(head) < 30:
        return None
    method = int.from_bytes(head[8:10], "little")
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    if head[30 : 30 + name_length] != wanted:
        return None
    data = head[30 + name_length + extra_length :]
    if method == 0:
        return data
    if method != 8:
        return None
    try:
        return zlib.decompressobj(-15).decompress(data, 256 * 1024)
    except zlib.error:
        return None


# An upload, checked as it streams


@dataclass
class InspectedUpload:
    """An upload's type (known from its first bytes) and its bytes, checked as they pass:
    ``chunks`` raises FileTooLarge past the limit and UnsupportedFileType when text stops
    being UTF-8; once it is exhausted, ``size`` and ``sha256`` are final."""

    content_type: str
    chunks: AsyncIterator[bytes]
    size: int = 0
    sha256: str = ""


Sniffer = Callable[[bytes, str], str]
"""Decides an upload's type from its first bytes and its name (raises when refused)."""


async def inspect_upload(
    chunks: AsyncIterator[bytes],
    file_name: str,
    max_bytes: int,
    *,
    sniff: Sniffer = sniff_content_type,
    check_text: bool = True,
) -> InspectedUpload:
    """Read the first SNIFF_BYTES of ``chunks`` (or all of a shorter upload), decide the
    type (UnsupportedFileType when it is not allowed), and hand back every byte again
    through the checked stream. ``sniff`` may narrow what is allowed (imports take sheets
    only); without ``check_text`` text is not held to UTF-8 here (its reader tells where it
    is not)."""
    head = bytearray()
    ended = False
    while len(head) < SNIFF_BYTES:
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            ended = True
            break
        head += chunk
        if len(head) > max_bytes:
            raise FileTooLarge(max_bytes)
    first = bytes(head)
    content_type = sniff(first[:SNIFF_BYTES], file_name)
    upload = InspectedUpload(content_type, _empty())
    upload.chunks = _checked(upload, first, None if ended else chunks, max_bytes, check_text)
    return upload


async def _empty() -> AsyncIterator[bytes]:
    return
    yield


async def _checked(
    upload: InspectedUpload,
    first: bytes,
    rest: AsyncIterator[bytes] | None,
    max_bytes: int,
    check_text: bool = True,
) -> AsyncIterator[bytes]:
    digest = hashlib.sha256()
    text = _TextCheck() if check_text and upload.content_type in TEXT_TYPES else None
    size = 0

    def passed(chunk: bytes) -> bytes:
        nonlocal size
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(max_bytes)
        if text is not None:
            text.feed(chunk)
        digest.update(chunk)
        return chunk

    if first:
        yield passed(first)
    if rest is not None:
        async for chunk in rest:
            if chunk:
                yield passed(chunk)
    if text is not None:
        text.finish()
    upload.size = size
    upload.sha256 = digest.hexdigest()


class _TextCheck:
    """UTF-8 without NULs, all the way through (a character may span chunks)."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes) -> None:
        if b"\x00" in chunk:
            raise UnsupportedFileType(
                "application/octet-stream", "The file starts as text but holds NUL bytes"
            )
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError:
            raise UnsupportedFileType(
                "application/octet-stream", "The file starts as text but is not UTF-8"
            ) from None

    def finish(self) -> None:
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UnsupportedFileType(
                "application/octet-stream", "The file ends in the middle of a UTF-8 character"
            ) from None

"""The rules an upload passes, on their own: file names cleaned, types read from the bytes
(signatures of every allowed format, Office documents told apart inside their ZIP,
UTF-8 text to its last byte), the size limit while streaming, and storage keys."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from tms_domain.kernel.files import (
    CSV,
    DOCX,
    GIF,
    JPEG,
    M4V,
    MARKDOWN,
    MOV,
    MP3,
    MP4,
    OGG,
    PDF,
    PNG,
    PPTX,
    SNIFF_BYTES,
    TEXT,
    WEBM,
    WEBP,
    XLSX,
    FileTooLarge,
    UnsupportedFileType,
    clean_file_name,
    describe_size,
    inspect_upload,
    is_storage_key,
    new_storage_key,
    sniff_content_type,
)

# File names


@pytest.mark.parametrize(
    ("given_name", "cleaned"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Desktop\\notes.txt", "notes.txt"),
        ("/var/www/../secret.md", "secret.md"),
        ("Übung 1 – Grundlagen.pdf", "Übung 1 – Grundlagen.pdf"),
        ("講義資料.pptx", "講義資料.pptx"),
        ("Ue\u0308bung.pdf", "Uëbung.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("line\nbreak\r\tname.txt", "line break name.txt"),
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ('what?<is>"this"*|.txt', "what__is__this___.txt"),
        ("  ..hidden.txt.. ", "hidden.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("Lpt9", "_Lpt9"),
        ("console.txt", "console.txt"),
        ("", "file"),
        ("...", "file"),
        ("/", "file"),
        ("a   b\t\tc.txt", "a b c.txt"),
    ],
)
def test_file_names_are_cleaned(given_name: str, cleaned: str) -> None:
    assert clean_file_name(given_name) == cleaned


def test_long_names_keep_their_extension_and_fit_in_255_bytes() -> None:
    latin = clean_file_name("a" * 500 + ".pdf")
    wide = clean_file_name("講" * 300 + ".pdf")

    assert latin.endswith(".pdf")
    assert len(latin) == 200
    assert wide.endswith(".pdf")
    assert len(wide.encode()) <= 255
    assert wide.startswith("講")


@given(st.text(max_size=400))
def test_any_name_cleans_to_a_short_safe_name(name: str) -> None:
    cleaned = clean_file_name(name)

    assert cleaned
    assert len(cleaned) <= 200
    assert len(cleaned.encode()) <= 255
    assert not any(ch in cleaned for ch in '/\\<>:"|?*')
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned)
    assert cleaned == cleaned.strip(" .") or cleaned == "file"
    assert clean_file_name(cleaned) == cleaned


# Types, from the bytes

PAD = b"\x00" * 64


def zip_of(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def content_types(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/x" ContentType="application/vnd.openxmlformats-officedocument.'
        f'{main}"/></Types>'
    ).encode()


def real_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("Sheet").write(0, 0, "hello")
    workbook.close()
    return buffer.getvalue()


def ftyp(brand: bytes, *compatible: bytes) -> bytes:
    body = brand + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + PAD


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PAD, "notes.pdf", PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + PAD, "a.png", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PAD, "a.jpg", JPEG),
        (b"GIF89a\x01\x00\x01\x00" + PAD, "a.gif", GIF),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + PAD, "a.webp", WEBP),
        (ftyp(b"isom", b"isom", b"avc1"), "clip.mp4", MP4),
        (ftyp(b"mp42", b"mp41"), "clip.mp4", MP4),
        (ftyp(b"M4V ", b"M4V ", b"mp42"), "clip.m4v", M4V),
        (ftyp(b"qt  ", b"qt  "), "clip.mov", MOV),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + PAD, "a.webm", WEBM),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + PAD, "song.mp3", MP3),
        (b"\xff\xfb\x90\x64" + PAD, "song.mp3", MP3),
        (b"OggS\x00\x02" + PAD, "a.ogg", OGG),
        (zip_of(("[Content_Types].xml", content_types("wordprocessingml.document.main+xml")),
                ("word/document.xml", b"<w:document/>")), "a.docx", DOCX),
        (zip_of(("[Content_Types].xml", content_types("presentationml.presentation.main+xml")),
                ("ppt/presentation.xml", b"<p/>")), "a.pptx", PPTX),
        (real_xlsx(), "book.xlsx", XLSX),
        (zip_of(("_rels/.rels", b"<r/>"), ("[Content_Types].xml", b"<Types/>"),
                ("xl/workbook.xml", b"<w/>")), "b.xlsx", XLSX),
        ("Hello, wörld\n".encode(), "notes.txt", TEXT),
        (b"# Title\n\nSome *text*.\n", "README.md", MARKDOWN),
        (b"# Title\n", "notes.Markdown", MARKDOWN),
        (b"a;b\n1;2\n", "data.CSV", CSV),
        ("名前,年齢\n".encode(), "名簿.csv", CSV),
    ],
)  # fmt: skip
def test_allowed_types_are_known_by_their_bytes(head: bytes, name: str, kind: str) -> None:
    assert sniff_content_type(head, name) == kind


@pytest.mark.parametrize(
    ("head", "detected"),
    [
        (b"MZ\x90\x00\x03" + PAD, "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01" + PAD, "application/x-executable"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        (b'<?xml version="1.0"?>\n<svg><script>alert(1)</script></svg>', "image/svg+xml"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "text/html"),
        (b"  <html><body>hi</body></html>", "text/html"),
        (zip_of(("evil.exe", b"MZ")), "application/zip"),
        (b"\x1f\x8b\x08\x00" + PAD, "application/gzip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + PAD, "application/x-ole-storage"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska" + PAD, "video/x-matroska"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + PAD, "audio/wav"),
        (b"hello\x00world", "application/octet-stream"),
        ("caf\xe9 latin-1".encode("latin-1"), "application/octet-stream"),
        (b"", "empty"),
    ],
)
def test_other_types_are_refused_naming_what_they_are(head: bytes, detected: str) -> None:
    with pytest.raises(UnsupportedFileType) as refused:
        sniff_content_type(head, "harmless.pdf")

    assert refused.value.detected == detected
    assert "upload" in refused.value.message


def test_a_name_cannot_make_bytes_allowed() -> None:
    with pytest.raises(UnsupportedFileType):
        sniff_content_type(b"MZ\x90\x00" + PAD, "lesson.txt")
    with pytest.raises(UnsupportedFileType):
        sniff_content_type(zip_of(("payload.js", b"x")), "slides.pptx")


def test_a_head_cut_inside_a_utf8_character_is_still_text() -> None:
    head = ("é" * SNIFF_BYTES).encode()[: SNIFF_BYTES - 1]

    assert sniff_content_type(head, "a.txt") == TEXT


# Uploads as they stream


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


async def drain(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def test_an_upload_passes_every_byte_once_and_ends_with_its_size_and_sha256() -> None:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 2000

    upload = await inspect_upload(chunks_of(data, 1000), "a.pdf", max_bytes=len(data))

    assert upload.content_type == PDF
    assert await drain(upload.chunks) == data
    assert upload.size == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()


async def test_an_upload_over_the_limit_stops_while_sniffing_or_while_streaming() -> None:
    small = b"%PDF-" + b"x" * 2000
    with pytest.raises(FileTooLarge) as early:
        await inspect_upload(chunks_of(small, 100), "a.pdf", max_bytes=1000)
    assert early.value.message == "The file is larger than the limit of 1000 bytes"

    big = b"%PDF-" + b"x" * (3 * SNIFF_BYTES)
    upload = await inspect_upload(chunks_of(big, 8192), "a.pdf", max_bytes=2 * SNIFF_BYTES)
    with pytest.raises(FileTooLarge):
        await drain(upload.chunks)


async def test_text_is_checked_to_its_last_byte() -> None:
    text = "ünïcode ".encode() * (SNIFF_BYTES // 4)

    fine = await inspect_upload(chunks_of(text, 4097), "a.md", max_bytes=10**9)
    assert await drain(fine.chunks) == text

    with_nul = await inspect_upload(chunks_of(text + b"\x00", 4096), "a.txt", 10**9)
    with pytest.raises(UnsupportedFileType, match="NUL"):
        await drain(with_nul.chunks)

    not_utf8 = await inspect_upload(chunks_of(text + b"\xff\xfe", 4096), "a.txt", 10**9)
    with pytest.raises(UnsupportedFileType, match="not UTF-8"):
        await drain(not_utf8.chunks)

    cut = await inspect_upload(chunks_of(text + "é".encode()[:1], 4096), "a.txt", 10**9)
    with pytest.raises(UnsupportedFileType, match="middle of a UTF-8 character"):
        await drain(cut.chunks)


async def test_an_empty_upload_is_refused() -> None:
    with pytest.raises(UnsupportedFileType, match="empty"):
        await inspect_upload(chunks_of(b"", 10), "a.txt", 100)


# Keys and sizes


def test_storage_keys_are_fresh_and_never_paths() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    keys = {new_storage_key(now) for _ in range(100)}

    assert len(keys) == 100
    assert all(key.startswith("2026/05/") and is_storage_key(key) for key in keys)
    for bad in ("../etc/passwd", "/abs", "a/../b", "a//b", "a/b/", "A/b", "a.b", "", "a\\b"):
        assert not is_storage_key(bad)


@pytest.mark.parametrize(
    ("size", "text"),
    [(10, "10 bytes"), (2048, "2 KiB"), (50 * 1024 * 1024, "50 MiB"), (1536 * 1024**2, "1.5 GiB")],
)
def test_sizes_are_described_for_people(size: int, text: str) -> None:
    assert describe_size(size) == text

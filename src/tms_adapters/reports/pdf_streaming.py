"""An fpdf2 document whose finished pages leave memory, written straight to a sink.

fpdf2 keeps every page's content in memory until ``output()``, then builds the whole file
in one ``bytearray``: memory grows with the report. Here each finished page's content is
compressed into a spool file (on disk past a few megabytes) and the page keeps only an empty
stream that may still receive content (the page-count footer drawn at the end). On output,
fpdf2's own producer lays out the document as usual, with two changes made through its
``output_producer_class`` extension point: a page's contents become ``[spooled body,
late additions]`` (a PDF page may list several content streams, read as one), and the
serialized objects go to the sink instead of a buffer. Memory then holds the fonts, a few
hundred bytes per page and one page's content at a time.
"""

from __future__ import annotations

import hashlib
import tempfile
import zlib
from collections.abc import Iterable
from typing import IO, BinaryIO

from fpdf import FPDF
from fpdf.fonts import TTFFont
from fpdf.output import OutputProducer, PDFPage
from fpdf.syntax import Name, PDFArray, PDFObject
from fpdf.util import escape_parens

_SPOOL_IN_MEMORY_BYTES = 4 * 1024 * 1024
_ENCODED_TEXT_CACHE_SIZE = 20_000

TextPiece = tuple[TTFFont, float, float, float, str]
"""(font, size in pt, x in mm, baseline y in mm from the top, text)."""


class StreamingPdf(FPDF):
    """An FPDF document for code that places everything itself: no automatic page breaks.

    Rules: start every page with ``start_page`` (the previous page is then final, except
    for content added later by ``revisit_page``); ``write_to(sink)`` ends the document.
    """

    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.set_compression(True)
        # One resources dictionary shared by all pages instead of one object per page.
        self.single_resources_object = True
        # Lives as long as the document: write_to() closes it.
        self._spool: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=_SPOOL_IN_MEMORY_BYTES
        )
        self._spooled_bodies: dict[int, SpooledPageBody] = {}
        # Names and statuses recur on every page: encode each once (subset codes never change).
        self._encoded_text: dict[tuple[int, str], str] = {}
        # Per font: each character's code in the font's subset as it is written in a string
        # (for str.translate), and the characters looked up so far.
        self._char_codes: dict[int, tuple[dict[int, str], set[str]]] = {}
        self._writer: _SinkWriter | None = None

    def start_page(self, orientation: str) -> None:
        """Finishes the current page, if any, and opens a new one ("P" or "L")."""
        self._spool_current_page()
        self.add_page(orientation=orientation)

    def revisit_page(self, page_number: int) -> None:
        """Makes a finished page current again so that more can be drawn on it (above its
        spooled body), with coordinates of its own size and orientation."""
        self._spool_current_page()
        self.page = page_number
        width_pt, height_pt = self.pages[page_number].dimensions()
        self.w, self.h = width_pt / self.k, height_pt / self.k

    def text_block(self, pieces: Iterable[TextPiece]) -> None:
        """Draws pieces of text, each (font, size in pt, x, baseline y in mm, text), in the
        current fill colour, as one PDF text object.

        ``FPDF.text()`` does the same one piece at a time for several times the cost, which
        matters at a million pieces. Glyphs are picked into each font's subset as usual;
        the fonts need no per-page registration because all pages share one resources
        dictionary listing every font added to the document. The block selects its own
        fonts and leaves fpdf2's font state untouched: text() must not be mixed in.
        """
        k, page_height = self.k, self.h
        encoded = self._encoded_text
        operators = ["BT"]
        selected: tuple[int, float] | None = None
        for font, size, x, y, text in pieces:
            if selected != (font.i, size):
                operators.append(f"/F{font.i} {size:.2f} Tf")
                selected = (font.i, size)
            key = (font.i, text)
            show = encoded.get(key)
            if show is None:
                if len(encoded) >= _ENCODED_TEXT_CACHE_SIZE:
                    encoded.clear()
                show = encoded[key] = self._encode(font, text)
            operators.append(f"1 0 0 1 {x * k:.2f} {(page_height - y) * k:.2f} Tm {show}")
        operators.append("ET")
        self._out("\n".join(operators))

    def _encode(self, font: TTFFont, text: str) -> str:
        """What ``font.encode_text(text)`` answers, with each character looked up once per
        document: fpdf2 maps and escapes every character of every string, and most table
        text (titles, times, lists of names) is new each time."""
        if font.is_symbol or font.color_font:
            return font.encode_text(text)
        codes, known = self._char_codes.setdefault(font.i, ({}, set()))
        if not known.issuperset(text):
            for char in text:
                if char not in known:
                    code = font.subset.pick(ord(char))
                    codes[ord(char)] = "" if code is None else _string_code(code)
                    known.add(char)
        return f"({text.translate(codes)}) Tj"

    def write_to(self, sink: BinaryIO) -> None:
        """Writes the whole document to ``sink`` (only ``write`` is used) and frees the spool."""
        self._spool_current_page()
        self._writer = _SinkWriter(sink)
        try:
            self.output(output_producer_class=_StreamingOutputProducer)
        finally:
            self._spool.close()

    def spooled_body(self, page_number: int) -> SpooledPageBody:
        return self._spooled_bodies[page_number]

    @property
    def writer(self) -> _SinkWriter:
        if self._writer is None:
            raise RuntimeError("StreamingPdf.write_to() has not been called")
        return self._writer

    def file_id(self) -> str:
        """The file identifier fpdf2 would make (an MD5 of the bytes before the trailer),
        computed as the bytes stream out instead of over a buffer we no longer hold."""
        digest = self.writer.digest.copy()
        if self.creation_date:
            digest.update(self.creation_date.strftime("%Y%m%d%H%M%S").encode())
        file_hash = digest.hexdigest().upper()
        return f"<{file_hash}><{file_hash}>"

    def _spool_current_page(self) -> None:
        if self.page == 0 or self.page in self._spooled_bodies:
            return
        page = self.pages[self.page]
        if not isinstance(page.contents, bytearray):
            raise RuntimeError(f"page {self.page} was already serialized")
        # q/Q: the late additions start from the default graphics state, not from whatever
        # colour or line width the body ended with.
        body = zlib.compress(b"q\n" + bytes(page.contents) + b"Q\n")
        offset = self._spool.seek(0, 2)
        self._spool.write(body)
        self._spooled_bodies[self.page] = SpooledPageBody(self._spool, offset, len(body))
        page.contents = bytearray()


def _string_code(code: int) -> str:
    """A subset code as fpdf2 writes it inside a PDF string: two bytes, parentheses and
    backslashes escaped."""
    return escape_parens(chr(code).encode("utf-16-be").decode("latin-1"))


class SpooledPageBody(PDFObject):
    """A page's compressed content stream, read back from the spool only when serialized."""

    def __init__(self, spool: IO[bytes], offset: int, length: int) -> None:
        super().__init__()
        self.filter = Name("FlateDecode")
        self.length = length
        self._spool = spool
        self._offset = offset

    def content_stream(self) -> bytes:
        self._spool.seek(self._offset)
        return self._spool.read(self.length)


class _SinkWriter:
    """Stands in for the producer's output ``bytearray``: the producer appends with ``+=``
    and reads object offsets with ``len()``; the bytes go straight to the sink."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self._written = 0
        # Not a security measure: the PDF file identifier is conventionally an MD5.
        self.digest = hashlib.md5(usedforsecurity=False)

    def __len__(self) -> int:
        return self._written

    def __iadd__(self, data: bytes) -> _SinkWriter:
        self._sink.write(data)
        self.digest.update(data)
        self._written += len(data)
        return self


class _StreamingOutputProducer(OutputProducer):
    def __init__(self, fpdf: FPDF) -> None:
        super().__init__(fpdf)
        if not isinstance(fpdf, StreamingPdf):
            raise TypeError("_StreamingOutputProducer serves StreamingPdf documents only")
        self._document = fpdf
        self.buffer = fpdf.writer  # type: ignore[assignment]

    def _add_pages(self, _slice: slice = slice(0, None)) -> list[PDFPage]:
        page_objs = super()._add_pages(_slice)
        for page_obj in page_objs:
            body = self._document.spooled_body(page_obj.index())
            self._add_pdf_obj(body, "pages")
            page_obj.contents = PDFArray([body, page_obj.contents])  # type: ignore[assignment]
        return page_objs

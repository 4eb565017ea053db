"""A certificate as a one-page PDF (fpdf2): the learner, the course, the date, the
verification code, and a QR code of the public verification URL (segno), embedded as a PNG
image so that any reader, and any scanner pointed at a print, can follow it."""

from __future__ import annotations

import functools
import io
import tempfile
import threading
from pathlib import Path

import segno
from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF

from tms_domain.skills import Certificate

_FONT_DIR = Path(__file__).parent / "fonts"
_FAMILY = "dejavusans"
_FALLBACK = "droidsansfallback"
_FILES = {"": "DejaVuSans.ttf"}
"""One face: every embedded font is parsed and cut per PDF, and sizes set the text apart."""
COMPACT_COVERAGE = frozenset(
    [
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),
        *range(0x370, 0x3D0),
        *range(0x400, 0x460),
        *range(0x2010, 0x2027),
        0x20AC,
    ]
)
"""Latin (with its extensions), Greek, Cyrillic and punctuation: most names and titles.
Embedding a font costs its parsing and subsetting per PDF; the same fonts cut once to these
characters make that a fraction (docs/certificates.md). Text beyond them takes the whole
fonts, and a fallback font for what DejaVu lacks (CJK)."""


class _Fonts:
    """The compact fonts, cut once per process (a second) into a folder of their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: dict[str, Path] | None = None

    def compact(self) -> dict[str, Path]:
        with self._lock:
            if self._paths is None:
                folder = Path(tempfile.mkdtemp(prefix="tms-certificate-fonts-"))
                self._paths = {
                    style: _cut(_FONT_DIR / name, folder / name) for style, name in _FILES.items()
                }
            return self._paths


def _cut(source: Path, target: Path) -> Path:
    font = TTFont(source)
    options = ftsubset.Options()
    options.notdef_outline = True
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM", "MATH"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(COMPACT_COVERAGE))
    subsetter.subset(font)
    font.save(target)
    return target


_FONTS = _Fonts()


def compact_font() -> Path:
    """DejaVu cut to ``COMPACT_COVERAGE`` (once per process)."""
    return _FONTS.compact()[""]


def full_fonts(pdf: FPDF, family: str) -> None:
    """The whole DejaVu as ``family``, with a fallback font for what it lacks (CJK)."""
    pdf.add_font(family, "", str(_FONT_DIR / _FILES[""]))
    pdf.add_font(_FALLBACK, "", str(_FONT_DIR / "DroidSansFallback.ttf"))
    pdf.set_fallback_fonts([_FALLBACK], exact_match=False)


def verification_url(public_url: str, code: str) -> str:
    """Where anyone checks the certificate: the web client's public verification page."""
    return f"{public_url.rstrip('/')}/app/verify/{code}"


class FpdfCertificateRenderer:
    def __init__(self, public_url: str, organisation_name: str = "") -> None:
        self._public_url = public_url
        self._organisation = organisation_name

    def url(self, certificate: Certificate) -> str:
        return verification_url(self._public_url, certificate.code)

    def render(self, certificate: Certificate) -> bytes:
        """The PDF's bytes (blocking: call it off the event loop)."""
        url = self.url(certificate)
        pdf = FPDF(orientation="landscape", format="A4")
        pdf.set_title(f"Certificate {certificate.code}")
        pdf.set_creator("Training Management System")
        pdf.set_auto_page_break(auto=False)
        text = f"{certificate.trainee_name}{certificate.course_title}{self._organisation}"
        if all(ord(char) in COMPACT_COVERAGE for char in text):
            pdf.add_font(_FAMILY, "", str(compact_font()))
        else:
            full_fonts(pdf, _FAMILY)
        pdf.add_page()
        width = pdf.w - 2 * pdf.l_margin
        pdf.set_draw_color(40, 70, 120)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
        pdf.set_y(30)
        if self._organisation:
            pdf.set_font(_FAMILY, "", 14)
            pdf.cell(width, 8, self._organisation, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, "", 30)
        pdf.cell(width, 16, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_font(_FAMILY, "", 14)
        pdf.cell(width, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, "", 24)
        pdf.multi_cell(
            width, 12, certificate.trainee_name, align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(_FAMILY, "", 14)
        pdf.cell(width, 8, "completed the course", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, "", 20)
        pdf.multi_cell(
            width, 10, certificate.course_title, align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(4)
        pdf.set_font(_FAMILY, "", 12)
        issued = certificate.issued_at.strftime("%d %B %Y")
        pdf.cell(width, 7, f"on {issued}", align="C", new_x="LMARGIN", new_y="NEXT")
        if certificate.expires_at is not None:
            expires = certificate.expires_at.strftime("%d %B %Y")
            pdf.cell(width, 7, f"Valid until {expires}", align="C", new_x="LMARGIN", new_y="NEXT")
        qr_size = 40.0
        top = pdf.h - 20 - qr_size - 4
        pdf.image(_qr_png(url), x=pdf.w - 20 - qr_size - 4, y=top, w=qr_size, h=qr_size)
        pdf.set_xy(20, top + 8)
        pdf.set_font(_FAMILY, "", 10)
        pdf.cell(0, 6, "Verification code", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
        pdf.set_font(_FAMILY, "", 16)
        pdf.cell(0, 9, certificate.code, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(20)
        pdf.set_font(_FAMILY, "", 9)
        pdf.cell(0, 6, f"Check it at {url}", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _qr_png(url: str) -> io.BytesIO:
    return io.BytesIO(_qr_bytes(url))


@functools.lru_cache(maxsize=256)
def _qr_bytes(url: str) -> bytes:
    """The URL as a QR code (error correction M: a print that is a little worn still
    scans), as a PNG of crisp modules with the quiet zone scanners need. One fixed mask
    pattern: scoring the eight costs more than the rest of the code, and any mask scans."""
    out = io.BytesIO()
    segno.make_qr(url, error="m", mask=0).save(out, kind="png", scale=4, border=4)
    return out.getvalue()

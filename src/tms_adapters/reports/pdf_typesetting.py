"""Text in the PDF reports: measured, wrapped and drawn in the embedded fonts, with a
fallback font for the characters the main one lacks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from fpdf.fonts import TTFFont

from tms_adapters.reports.pdf_streaming import StreamingPdf, TextPiece

_FONT_DIR = Path(__file__).parent / "fonts"
_PRIMARY_FAMILY = "dejavusans"
_FALLBACK_FAMILY = "droidsansfallback"
MM_PER_PT = 25.4 / 72

TABLE_SIZE = 8.0
"""The font size of tables (points), the default."""
LINE_HEIGHT = TABLE_SIZE * 1.25 * MM_PER_PT
ASCENT = TABLE_SIZE * 0.95 * MM_PER_PT
"""From the top of a text line to its baseline."""
_WORD_WIDTH_CACHE_SIZE = 50_000
_CONTROL_CHARACTERS = str.maketrans({"\t": " ", "\r": "\n", "\v": "\n", "\f": "\n"})


class Typesetter:
    """Measures, wraps and draws text in the embedded fonts, one font run at a time.

    fpdf2's own ``cell``/``multi_cell`` wrap and fall back between fonts too, but cost about
    a millisecond per call, too slow for 100,000-row reports; this keeps per-character widths
    and font choices in dictionaries and draws each row as one text object.
    """

    def __init__(self, pdf: StreamingPdf) -> None:
        self._pdf = pdf
        self._fonts = {
            _PRIMARY_FAMILY: self._add_font(_PRIMARY_FAMILY, "", "DejaVuSans.ttf"),
            _PRIMARY_FAMILY + "B": self._add_font(_PRIMARY_FAMILY, "B", "DejaVuSans-Bold.ttf"),
        }
        self._uncovered_runs = _uncovered_runs_pattern(self._fonts[_PRIMARY_FAMILY].cmap)
        self._family_of_char: dict[str, str] = {}
        self._widths = {style: _CharWidths(self, style) for style in ("", "B")}
        # Wrapped text is mostly names, which recur from row to row.
        self._word_widths = {style: _WordWidths(self._widths[style]) for style in ("", "B")}

    def width(self, text: str, size: float = TABLE_SIZE, bold: bool = False) -> float:
        """Width of ``text`` in mm."""
        widths = self._widths["B" if bold else ""]
        return sum(map(widths.__getitem__, text)) * size * MM_PER_PT / 1000

    def wrap(
        self, text: str, width: float, size: float = TABLE_SIZE, bold: bool = False
    ) -> list[str]:
        """Breaks ``text`` into lines no wider than ``width`` mm: at spaces where it can, inside
        a word (or a run of ideographs) where a word alone is too wide; line breaks in the
        text are kept, tabs become spaces."""
        style = "B" if bold else ""
        measure = self._widths[style].__getitem__
        limit = width * 1000 / (size * MM_PER_PT)
        if not text.isprintable():
            text = text.replace("\r\n", "\n").translate(_CONTROL_CHARACTERS)
        if "\n" not in text and sum(map(measure, text)) <= limit:
            return [text]
        word_widths = self._word_widths[style]
        if len(word_widths) > _WORD_WIDTH_CACHE_SIZE:
            word_widths.clear()
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines += _wrap_paragraph(paragraph, limit, word_widths.__getitem__, measure)
        return lines

    def draw(
        self, x: float, baseline: float, text: str, size: float = TABLE_SIZE, bold: bool = False
    ) -> None:
        """Draws one line of text (as ``wrap`` made it) from ``x`` on ``baseline``, in mm from
        the page's top left corner."""
        self.draw_lines([(x, baseline, text)], size, bold)

    def draw_lines(
        self,
        lines: Sequence[tuple[float, float, str]],
        size: float = TABLE_SIZE,
        bold: bool = False,
    ) -> None:
        """Draws lines of text given as (x, baseline, text), in order, so that text extracted
        from the page reads in the same order."""
        primary = self._fonts[_PRIMARY_FAMILY + ("B" if bold else "")]
        pieces: list[TextPiece] = []
        for x, baseline, line in lines:
            if line.isascii():
                pieces.append((primary, size, x, baseline, line))
                continue
            run_x = x
            for family, run in self._font_runs(line):
                font = primary if family == _PRIMARY_FAMILY else self._fonts[family]
                pieces.append((font, size, run_x, baseline, run))
                run_x += self.width(run, size, bold)
        self._pdf.text_block(pieces)

    def font_width(self, char: str, style: str) -> float:
        """Advance width of ``char`` in thousandths of the font size."""
        family = self._family_of(char)
        fontkey = family + style if family == _PRIMARY_FAMILY else family
        return float(self._fonts[fontkey].cw[ord(char)])

    def _family_of(self, char: str) -> str:
        """The font that draws ``char``: DejaVu Sans when it has the glyph, else Droid Sans
        Fallback when that has it, else DejaVu Sans (which draws a missing-glyph box)."""
        family = self._family_of_char.get(char)
        if family is None:
            family = _PRIMARY_FAMILY
            if ord(char) not in self._fonts[_PRIMARY_FAMILY].cmap:
                if _FALLBACK_FAMILY not in self._fonts:
                    # Loading costs about 0.4 s and 40 MB: only reports with CJK text pay it.
                    fallback = self._add_font(_FALLBACK_FAMILY, "", "DroidSansFallback.ttf")
                    self._fonts[_FALLBACK_FAMILY] = fallback
                if ord(char) in self._fonts[_FALLBACK_FAMILY].cmap:
                    family = _FALLBACK_FAMILY
            self._family_of_char[char] = family
        return family

    def _font_runs(self, text: str) -> list[tuple[str, str]]:
        """Splits ``text`` into (font family, run of text) where the font changes."""
        runs: list[tuple[str, str]] = []
        # split() with a capturing group alternates covered and uncovered pieces.
        for index, piece in enumerate(self._uncovered_runs.split(text)):
            if not piece:
                continue
            if index % 2 == 0:
                runs.append((_PRIMARY_FAMILY, piece))
                continue
            for char in piece:
                family = self._family_of(char)
                if runs and runs[-1][0] == family:
                    runs[-1] = (family, runs[-1][1] + char)
                else:
                    runs.append((family, char))
        return runs

    def _add_font(self, family: str, style: str, file_name: str) -> TTFFont:
        pdf = self._pdf
        pdf.add_font(family, style, _FONT_DIR / file_name)
        font = pdf.fonts[family + style]
        if not isinstance(font, TTFFont):
            raise TypeError(f"{file_name} did not load as a TrueType font")
        return font


class _CharWidths(dict[str, float]):
    """Per-character advance widths for one style, filled on first use."""

    def __init__(self, typesetter: Typesetter, style: str) -> None:
        super().__init__()
        self._typesetter = typesetter
        self._style = style

    def __missing__(self, char: str) -> float:
        width = self._typesetter.font_width(char, self._style)
        self[char] = width
        return width


class _WordWidths(dict[str, float]):
    """Widths of whole words, in the units of ``char_widths``, filled on first use."""

    def __init__(self, char_widths: _CharWidths) -> None:
        super().__init__()
        self._char_widths = char_widths

    def __missing__(self, word: str) -> float:
        width = self[word] = sum(map(self._char_widths.__getitem__, word))
        return width


def _uncovered_runs_pattern(covered: Iterable[int]) -> re.Pattern[str]:
    """A pattern matching (as group 1) each run of characters outside ``covered``."""
    ranges: list[list[int]] = []
    for codepoint in sorted(covered):
        if ranges and codepoint == ranges[-1][1] + 1:
            ranges[-1][1] = codepoint
        else:
            ranges.append([codepoint, codepoint])
    char_class = "".join(
        re.escape(chr(first))
        if first == last
        else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in ranges
    )
    return re.compile(f"([^{char_class}]+)")


def _wrap_paragraph(
    paragraph: str,
    limit: float,
    word_width: Callable[[str], float],
    measure: Callable[[str], float],
) -> list[str]:
    """One paragraph's lines: words joined by spaces while they fit, a word too wide for a
    line alone broken between its characters."""
    lines: list[str] = []
    space = measure(" ")
    line, line_width = "", 0.0
    for word in paragraph.split(" "):
        width = word_width(word)
        if line and line_width + space + width <= limit:
            line, line_width = f"{line} {word}", line_width + space + width
            continue
        if line:
            lines.append(line)
        if width <= limit:
            line, line_width = word, width
            continue
        pieces = _break_word(word, limit, measure)
        lines += pieces[:-1]
        line = pieces[-1]
        line_width = sum(map(measure, line))
    lines.append(line)
    return lines


def _break_word(word: str, limit: float, measure: Callable[[str], float]) -> list[str]:
    """A word too wide for a line, in pieces that fit (the last one possibly empty)."""
    pieces: list[str] = []
    line, line_width = "", 0.0
    for char in word:
        char_width = measure(char)
        if line and line_width + char_width > limit:
            pieces.append(line)
            line, line_width = "", 0.0
        line, line_width = line + char, line_width + char_width
    pieces.append(line)
    return pieces

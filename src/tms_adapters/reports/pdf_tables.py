"""The tables of the PDF reports: how a section's columns share the page's width, and how
each kind of cell reads."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tms_adapters.reports.pdf_typesetting import Typesetter
from tms_domain.reporting import Cell, Column, ColumnKind, SectionSpec

CELL_PAD_X = 1.2
CELL_PAD_Y = 0.9
_WIDEST_VALUE = {
    ColumnKind.DATETIME: "0000-00-00 00:00",
    ColumnKind.INTEGER: "0000000",
    ColumnKind.MINUTES: "00000",
    ColumnKind.NUMBER: "000.00",
    ColumnKind.BOOLEAN: "yes",
}
"""Sample values as wide as a column of that kind usually needs."""
_NUMERIC_KINDS = frozenset({ColumnKind.INTEGER, ColumnKind.NUMBER, ColumnKind.MINUTES})


@dataclass
class Table:
    """A table section's geometry and per-column cell formatting."""

    spec: SectionSpec
    width: float
    column_xs: list[float]
    text_widths: list[float]
    right_aligned: list[bool]
    formatters: list[Callable[[Cell], str]]
    heading_lines: list[list[str]]
    rows_written: int = 0

    @classmethod
    def lay_out(cls, spec: SectionSpec, left: float, width: float, typesetter: Typesetter) -> Table:
        """Places the table at ``left`` and shares ``width`` between the columns in
        proportion to their width hints, giving each column at least the room its hint asks
        for or, when the page is too narrow for that, the room for its longest heading word
        and a whole time or number."""
        columns = spec.columns
        hints = [max(column.width, 1) for column in columns]
        strict = [_minimum_width(column, typesetter) for column in columns]
        average_char = typesetter.width(string.ascii_lowercase) / len(string.ascii_lowercase)
        generous = [
            max(minimum, hint * average_char + 2 * CELL_PAD_X)
            for minimum, hint in zip(strict, hints, strict=True)
        ]
        widths = [width * hint / sum(hints) for hint in hints]
        minimums = next((tier for tier in (generous, strict) if sum(tier) <= width), None)
        if minimums is not None:
            fixed: set[int] = set()
            while short := [
                index
                for index, column_width in enumerate(widths)
                if index not in fixed and column_width < minimums[index]
            ]:
                fixed.update(short)
                free_width = width - sum(minimums[index] for index in fixed)
                free_hints = sum(hint for index, hint in enumerate(hints) if index not in fixed)
                widths = [
                    minimums[index] if index in fixed else free_width * hint / free_hints
                    for index, hint in enumerate(hints)
                ]
        column_xs = [left + sum(widths[:index]) for index in range(len(columns))]
        text_widths = [column_width - 2 * CELL_PAD_X for column_width in widths]
        return cls(
            spec=spec,
            width=width,
            column_xs=column_xs,
            text_widths=text_widths,
            right_aligned=[column.kind in _NUMERIC_KINDS for column in columns],
            formatters=[_FORMATTERS[column.kind] for column in columns],
            heading_lines=[
                typesetter.wrap(_heading(column), text_width, bold=True)
                for column, text_width in zip(columns, text_widths, strict=True)
            ],
        )


def _heading(column: Column) -> str:
    return f"{column.title} (UTC)" if column.kind is ColumnKind.DATETIME else column.title


def _minimum_width(column: Column, typesetter: Typesetter) -> float:
    widest_word = max(
        (typesetter.width(word, bold=True) for word in _heading(column).split()), default=0.0
    )
    widest_value = typesetter.width(_WIDEST_VALUE.get(column.kind, ""))
    return max(widest_word, widest_value) + 2 * CELL_PAD_X + 0.1


def _text_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, datetime):
        return readable(cell)
    return str(cell)


def readable(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def _number_cell(cell: Cell) -> str:
    if isinstance(cell, float):
        return f"{cell:.2f}"
    return _text_cell(cell)


_FORMATTERS: dict[ColumnKind, Callable[[Cell], str]] = {
    ColumnKind.TEXT: _text_cell,
    ColumnKind.INTEGER: _text_cell,
    ColumnKind.NUMBER: _number_cell,
    ColumnKind.DATETIME: _text_cell,
    ColumnKind.BOOLEAN: _text_cell,
    ColumnKind.MINUTES: _text_cell,
}

"""How figures are rounded wherever they are shown: percentages and hours."""

from __future__ import annotations


def percentage(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, with two decimals; 0 when there is nothing to divide."""
    return round(100 * part / whole, 2) if whole else 0.0


def hours(minutes: int) -> float:
    """Minutes as hours, with two decimals."""
    return round(minutes / 60, 2)

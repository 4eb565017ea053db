"""The one rule for percentages and hours, which progress, analytics and reports share."""

from __future__ import annotations

from tms_domain.kernel import hours, percentage


def test_a_percentage_has_two_decimals_and_nothing_to_divide_is_zero() -> None:
    assert percentage(1, 3) == 33.33
    assert percentage(2, 3) == 66.67
    assert percentage(3, 3) == 100.0
    assert percentage(0, 0) == 0.0


def test_hours_have_two_decimals() -> None:
    assert hours(90) == 1.5
    assert hours(50) == 0.83
    assert hours(0) == 0.0

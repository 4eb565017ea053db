"""Reports in progress are counted per user and overall; a place given back is free again,
and giving one back twice frees it once."""

from __future__ import annotations

import pytest

from tms_domain.kernel import Throttled
from tms_domain.reporting.use_cases.reports import ReportLimits, ReportSlots


def test_places_are_capped_per_user_and_overall_and_come_back() -> None:
    slots = ReportSlots(ReportLimits(total=3, per_user=2))
    first, second = slots.take(1), slots.take(1)
    with pytest.raises(Throttled, match="2 reports in progress") as per_user:
        slots.take(1)
    assert per_user.value.retry_after > 0
    third = slots.take(2)
    with pytest.raises(Throttled, match="Too many reports") as overall:
        slots.take(3)
    assert overall.value.retry_after > 0
    assert slots.in_progress == 3

    first.release()
    first.release()
    assert slots.in_progress == 2
    with slots.take(3):
        assert slots.in_progress == 3
        with pytest.raises(Throttled):
            slots.take(1)
    assert slots.in_progress == 2
    second.release()
    third.release()
    assert slots.in_progress == 0
    assert [slots.take(1), slots.take(1)]

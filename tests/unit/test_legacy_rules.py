"""The legacy import's pure rules: people's schedules find any overlap among sorted ranges,
and naive times are read in the zone assumed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tms_domain.legacy import Zones
from tms_domain.legacy.rules import Schedules

BASE = datetime(2027, 1, 1, tzinfo=UTC)


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 120)), max_size=60))
def test_a_range_is_kept_only_when_it_overlaps_none_kept_before(
    ranges: list[tuple[int, int]],
) -> None:
    schedules = Schedules()
    kept: list[tuple[datetime, datetime]] = []
    for number, (offset, minutes) in enumerate(ranges):
        start = BASE + timedelta(minutes=offset)
        end = start + timedelta(minutes=minutes)
        overlapping = [k for k in kept if k[0] < end and start < k[1]]
        clash = schedules.clash(7, start, end)
        assert (clash is not None) == bool(overlapping)
        if clash is None:
            schedules.add(7, start, end, number)
            kept.append((start, end))
        assert schedules.clash(8, start, end) is None  # another person's schedule is apart


def test_naive_times_are_read_in_the_zones_assumed() -> None:
    zones = Zones(ZoneInfo("UTC"), "UTC", ZoneInfo("Asia/Kolkata"), "Asia/Kolkata")
    naive = datetime(2026, 9, 3, 9, 8, 1)  # noqa: DTZ001 (as the old system stored it)
    assert zones.read(naive) == datetime(2026, 9, 3, 9, 8, 1, tzinfo=UTC)
    assert zones.read_session_stamp(naive) == datetime(2026, 9, 3, 3, 38, 1, tzinfo=UTC)
    assert any("Asia/Kolkata" in line for line in zones.assumptions())

"""The one parser for times clients send: every ISO 8601 form a browser or a script writes
names the instant it means (naive: UTC); anything else is an invalid field, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tms_domain.kernel import InvalidInput
from tms_entrypoints.http.timestamps import parse_optional_timestamp, parse_timestamp

offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# Away from the calendar's ends, where a shift to UTC cannot fit (tested on its own below).
NAIVE_FROM = datetime(2, 1, 1, tzinfo=UTC).replace(tzinfo=None)
NAIVE_UNTIL = datetime(9998, 12, 31, tzinfo=UTC).replace(tzinfo=None)
moments = st.datetimes(min_value=NAIVE_FROM, max_value=NAIVE_UNTIL)


def offset_text(zone: timezone, style: str) -> str:
    """``zone`` as ISO 8601 writes it: Z, +HH:MM, +HHMM or +HH (when whole hours)."""
    delta = zone.utcoffset(None)
    if style == "Z" and delta == timedelta(0):
        return "Z"
    sign = "-" if delta < timedelta(0) else "+"
    hours, minutes = divmod(abs(delta) // timedelta(minutes=1), 60)
    if style == "HH" and minutes == 0:
        return f"{sign}{hours:02d}"
    if style == "HHMM":
        return f"{sign}{hours:02d}{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


@given(
    moment=moments,
    zone=offsets | st.none(),
    precision=st.sampled_from(["minutes", "seconds", "fraction"]),
    digits=st.integers(min_value=1, max_value=9),
    separator=st.sampled_from(["T", " ", "t"]),
    offset_style=st.sampled_from(["Z", "HH:MM", "HHMM", "HH"]),
)
@example(
    moment=datetime(2026, 12, 8, 10, 30, tzinfo=UTC).replace(tzinfo=None),
    zone=None,
    precision="minutes",
    digits=1,
    separator="T",
    offset_style="HH:MM",
)
def test_every_extended_form_names_the_instant_it_writes(
    moment: datetime,
    zone: timezone | None,
    precision: str,
    digits: int,
    separator: str,
    offset_style: str,
) -> None:
    text = moment.isoformat(separator, "minutes")
    expected = moment.replace(second=0, microsecond=0)
    if precision != "minutes":
        text = moment.isoformat(separator, "seconds")
        expected = moment.replace(microsecond=0)
    if precision == "fraction":
        fraction = f"{moment.microsecond:06d}{'7' * 3}"[:digits]
        text += "." + fraction
        expected = expected.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    if zone is not None:
        text += offset_text(zone, offset_style)
    parsed = parse_timestamp(text, "scheduled_date")
    assert parsed.tzinfo is UTC
    assert parsed == expected.replace(tzinfo=zone or UTC)


@given(moment=moments, zone=offsets)
def test_what_the_api_writes_reads_back_unchanged(moment: datetime, zone: timezone) -> None:
    aware = moment.replace(tzinfo=zone)
    assert parse_timestamp(aware.isoformat(), "to") == aware
    assert parse_timestamp(aware.astimezone(UTC).isoformat(), "to") == aware


@given(moment=moments)
def test_a_date_alone_and_the_basic_form(moment: datetime) -> None:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    assert parse_timestamp(moment.date().isoformat(), "from") == midnight
    basic = f"{moment:%m%dT%H%M%S}"
    basic = f"{moment.year:04d}{basic}Z"
    assert parse_timestamp(basic, "from") == moment.replace(microsecond=0, tzinfo=UTC)


def parsed_or_refused(text: str, field: str) -> datetime | InvalidInput:
    try:
        return parse_timestamp(text, field)
    except InvalidInput as error:
        return error


@given(st.text(max_size=80))
@example("2026-12-08T24:00")
@example("2026-12-08T10:30:60")
@example("2026-02-30T10:00")
@example("next monday")
@example("")
@example("９９９９-12-08")
def test_any_other_text_is_an_invalid_field_never_a_crash(text: str) -> None:
    outcome = parsed_or_refused(text, "marked_at")
    if isinstance(outcome, InvalidInput):
        assert [e.field for e in outcome.errors] == ["marked_at"]
        assert "ISO 8601" in outcome.message or "out of range" in outcome.message
    else:
        assert outcome.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:59:00-01:00", "0001-01-01T00:30:00+01:00", "0001-01-01T00:00+05:00"],
)
def test_a_moment_that_cannot_be_shifted_to_utc_is_out_of_range(text: str) -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        parse_timestamp(text, "from")


def test_an_absent_value_stays_absent() -> None:
    assert parse_optional_timestamp(None, "from") is None
    assert parse_optional_timestamp("2026-12-08T10:30", "from") == datetime(
        2026, 12, 8, 10, 30, tzinfo=UTC
    )

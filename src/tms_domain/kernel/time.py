"""Times from clients, read as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from tms_domain.kernel.errors import InvalidInput


def as_utc(moment: datetime, field: str = "time") -> datetime:
    """A naive time from a client is read as UTC. One at the very ends of the calendar that
    cannot be shifted to UTC is refused as invalid ``field``."""
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput.for_field(field, f"{field} is out of range") from None


def utc_period(
    starts_from: datetime | None, starts_before: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """A filter's ``from`` and ``to`` in UTC. ``from`` after ``to`` asks for nothing that can
    exist: refused naming both, rather than answered with an empty list."""
    start = as_utc(starts_from, "from") if starts_from else None
    end = as_utc(starts_before, "to") if starts_before else None
    if start and end and start > end:
        raise InvalidInput.many(
            "`from` comes after `to`: no time is in that period",
            [("from", "must not come after `to`"), ("to", "must not come before `from`")],
        )
    return start, end

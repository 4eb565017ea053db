"""Times a client sends: one parser for every body field and query parameter that takes one.

msgspec decodes ``datetime`` as RFC 3339 only, which refuses what browsers and scripts send
every day (``2026-12-08T10:30`` from an HTML ``datetime-local`` input, ``2026-12-08``, a
``+0200`` offset). Fields that take a time are declared as ``TimestampIn`` text and read
here, so every endpoint accepts the same forms and answers the same 422 for the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from tms_domain.kernel import InvalidInput

MAX_TIMESTAMP_LENGTH = 64
ACCEPTED_FORMS = (
    "an ISO 8601 date or date and time, e.g. 2026-12-08, 2026-12-08T10:30, "
    "2026-12-08T10:30:15.250+02:00 or 2026-12-08T09:30Z (no offset: UTC)"
)

TimestampIn = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_TIMESTAMP_LENGTH,
        # Litestar reads the schema's format from "extra".
        extra_json_schema={"description": ACCEPTED_FORMS, "extra": {"format": "date-time"}},
    ),
]
"""A time in a request body: ISO 8601 text, read with ``parse_timestamp``."""


def timestamp_query(name: str, description: str) -> QueryParameter:
    """A query parameter that takes a time (read it with ``parse_timestamp``, which also
    bounds its length and names the parameter as the client wrote it)."""
    return QueryParameter(
        name=name,
        format="date-time",
        description=f"{description}; {ACCEPTED_FORMS}",
    )


def parse_timestamp(text: str, field: str) -> datetime:
    """The moment ``text`` names, in UTC.

    Accepts ISO 8601 as clients send it: a date alone (its midnight), minutes, seconds or
    fractions of any length (kept to microseconds), ``T`` or a space between date and
    time, the basic form without separators, and an offset as ``Z``, ``+HH``, ``+HHMM`` or
    ``+HH:MM``. A time without an offset is UTC, as the contract says. Anything else,
    and a moment that cannot be shifted to UTC at the ends of the calendar, is refused
    as an invalid ``field`` (422), never a 500."""
    candidate = text.strip().upper()
    try:
        if len(candidate) > MAX_TIMESTAMP_LENGTH or not candidate.isascii():
            raise ValueError(text)
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise InvalidInput.for_field(
            field, f"{field} must be {ACCEPTED_FORMS}; got {text[:MAX_TIMESTAMP_LENGTH]!r}"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput.for_field(field, f"{field} is out of range") from None


def parse_optional_timestamp(text: str | None, field: str) -> datetime | None:
    return None if text is None else parse_timestamp(text, field)

"""Calendar: each user's secret feed of their sessions, and a session as a calendar entry.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.calendar.model import (
    TOKEN_PATTERN,
    CalendarEntry,
    CalendarFeed,
    FeedOwner,
    entry_of,
    token_digest,
)
from tms_domain.calendar.ports import CalendarQueries, CalendarTokens

__all__ = [
    "TOKEN_PATTERN",
    "CalendarEntry",
    "CalendarFeed",
    "CalendarQueries",
    "CalendarTokens",
    "FeedOwner",
    "entry_of",
    "token_digest",
]

"""What a calendar shows of a session, and the feed tokens' rules."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_domain.kernel import Role
from tms_domain.training import SessionStatus

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""A feed token as issued: 256 random bits, URL-safe base64 without padding."""


def token_digest(token: str) -> str:
    """How a feed token is stored and looked up: its SHA-256 in hex (a 256-bit random token
    needs no salt or slow hash to resist guessing)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class CalendarEntry:
    """One session as a calendar event: only what the event shows."""

    session_id: int
    title: str
    description: str | None
    trainer_name: str
    starts_at: datetime
    duration_minutes: int
    status: SessionStatus
    class_link: str | None
    session_link: str
    sequence: int
    updated_at: datetime

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed a token opens."""

    user_id: int
    role: Role
    name: str


@dataclass(frozen=True)
class CalendarFeed:
    owner: FeedOwner
    entries: list[CalendarEntry]

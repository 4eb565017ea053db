"""What a calendar shows of a session, and the feed tokens' rules."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_domain.kernel import Role
from tms_domain.training import SessionStatus, TrainingSession

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


def entry_of(session: TrainingSession, trainer_name: str) -> CalendarEntry:
    """The session as its calendar entry shows it."""
    return CalendarEntry(
        session_id=session.id,
        title=session.title,
        description=session.description,
        trainer_name=trainer_name,
        starts_at=session.scheduled_date,
        duration_minutes=session.duration_minutes,
        status=session.status,
        class_link=session.class_link,
        session_link=session.session_link,
        sequence=session.sequence,
        updated_at=session.updated_at,
    )


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

"""One-time links that let a person set their password by e-mail: an invitation to a new
account (72 h) or a reset they asked for (1 h).

The link holds a random token (``secrets.token_urlsafe``); only its SHA-256 is stored, so a
copy of the database opens no account (the token has 256 bits: a fast hash is enough, no
salt or stretching needed). A link works once, until it expires, and no longer once a newer
invitation or a password set through any link has ended it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

TOKEN_BYTES = 32


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a name, not a password)


LIFETIMES = {
    LinkPurpose.INVITATION: timedelta(hours=72),
    LinkPurpose.PASSWORD_RESET: timedelta(hours=1),
}

UNKNOWN_LINK = "This link is not valid: check that it was copied whole, or ask for a new one"
USED_LINK = "This link has already been used: sign in, or ask for a new one"
ENDED_LINK = "This link was replaced by a newer one or ended: use the latest one you received"
EXPIRED_LINK = "This link has expired: ask for a new one"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class PasswordLink:
    id: int
    user_id: int
    purpose: LinkPurpose
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    ended_at: datetime | None = None

    @classmethod
    def issue(cls, user_id: int, purpose: LinkPurpose, now: datetime) -> tuple[PasswordLink, str]:
        """A new link and its token: the token goes in the mail only, never stored."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = cls(
            id=0,
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
        return link, token

    def problem(self, now: datetime) -> str | None:
        """Why the link cannot be used now (used, ended, expired), or None."""
        if self.used_at is not None:
            return USED_LINK
        if self.ended_at is not None:
            return ENDED_LINK
        if now >= self.expires_at:
            return EXPIRED_LINK
        return None

    def use(self, now: datetime) -> None:
        self.used_at = now

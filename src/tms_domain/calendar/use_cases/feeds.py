"""Use cases for calendar feeds: issuing and revoking the secret feed token, reading a
feed by its token, and one session as a calendar entry."""

from __future__ import annotations

import secrets

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.calendar.model import (
    TOKEN_PATTERN,
    CalendarEntry,
    CalendarFeed,
    FeedOwner,
    token_digest,
)
from tms_domain.kernel import NotFound, Permission, Role, Target, authorize
from tms_domain.unit_of_work import Core, UnitOfWork

FEED_NOT_FOUND = "Calendar feed not found"
SESSION_NOT_FOUND = "Session not found"


async def _entries_of(uow: UnitOfWork, owner: FeedOwner) -> list[CalendarEntry]:
    """A trainee's feed holds the sessions they are enrolled in; a trainer's and an admin's,
    the sessions they deliver (an admin's feed is not every session of the system)."""
    if owner.role is Role.TRAINEE:
        return await uow.calendar_queries.entries(trainee_id=owner.user_id)
    return await uow.calendar_queries.entries(trainer_id=owner.user_id)


class CalendarService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def issue_token(self, actor: Actor) -> str:
        """A new secret feed token for the caller (256 random bits), kept only as its
        digest; the caller's earlier token stops working."""
        authorize(actor, Permission.SUBSCRIBE_CALENDAR)
        token = secrets.token_urlsafe(32)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            # Two requests of one user at once: the second waits, then replaces the first's.
            await uow.users.lock_many([actor.id])
            await uow.calendar_tokens.replace(actor.id, token_digest(token), now)
            await record_audit(
                uow, actor, "calendar_token.created", "calendar_token", actor.id, now
            )
            await uow.commit()
        return token

    async def revoke_token(self, actor: Actor) -> bool:
        """The caller's feed URL stops working; False when there was none."""
        authorize(actor, Permission.SUBSCRIBE_CALENDAR)
        async with self._core.uow() as uow:
            if not await uow.calendar_tokens.revoke(actor.id):
                return False
            now = self._core.clock.now()
            await record_audit(
                uow, actor, "calendar_token.revoked", "calendar_token", actor.id, now
            )
            await uow.commit()
        return True

    async def feed(self, token: str) -> CalendarFeed:
        """The feed a token opens; "not found" for a malformed, unknown or revoked token."""
        if not TOKEN_PATTERN.fullmatch(token):
            raise NotFound(FEED_NOT_FOUND)
        async with self._core.uow(read_only=True) as uow:
            owner = await uow.calendar_tokens.owner(token_digest(token))
            if owner is None:
                raise NotFound(FEED_NOT_FOUND)
            return CalendarFeed(owner, await _entries_of(uow, owner))

    async def session_entry(self, actor: Actor, session_id: int) -> CalendarEntry:
        """One session as a calendar entry, for whoever may read the session (404 else)."""
        async with self._core.uow(read_only=True) as uow:
            session = await uow.sessions.get(session_id)
            target = (
                Target(trainer_id=session.trainer_id, trainee_ids=frozenset(session.trainee_ids))
                if session is not None
                else Target()
            )
            # Who may not read the session is told it does not exist (as GET /sessions/{id}).
            authorize(actor, Permission.READ_SESSION, target)
            found = await uow.calendar_queries.entries(session_id=session_id)
            if not found:
                raise NotFound(SESSION_NOT_FOUND)
            return found[0]

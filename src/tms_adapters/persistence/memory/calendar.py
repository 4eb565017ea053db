"""The calendar in memory: feed tokens (as digests) and the feed's query."""

from __future__ import annotations

from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.calendar import CalendarEntry, FeedOwner, entry_of


class MemoryCalendarTokens:
    def __init__(self, state: State) -> None:
        self._s = state

    async def replace(self, user_id: int, token_hash: str, at: datetime) -> None:
        self._s.calendar_tokens[user_id] = (token_hash, at)

    async def revoke(self, user_id: int) -> bool:
        return self._s.calendar_tokens.pop(user_id, None) is not None

    async def owner(self, token_hash: str) -> FeedOwner | None:
        for user_id, (stored, _at) in self._s.calendar_tokens.items():
            user = self._s.users.get(user_id)
            if stored == token_hash and user is not None:
                return FeedOwner(user.id, user.role, user.name)
        return None


class MemoryCalendarQueries:
    def __init__(self, state: State) -> None:
        self._s = state

    async def entries(
        self,
        *,
        trainer_id: int | None = None,
        trainee_id: int | None = None,
        session_id: int | None = None,
    ) -> list[CalendarEntry]:
        found = []
        for session in self._s.sessions.values():
            if trainer_id is not None and session.trainer_id != trainer_id:
                continue
            if trainee_id is not None and (session.id, trainee_id) not in self._s.enrolments:
                continue
            if session_id is not None and session.id != session_id:
                continue
            trainer = self._s.users.get(session.trainer_id)
            found.append(entry_of(session, trainer.name if trainer else ""))
        return sorted(found, key=lambda entry: (entry.starts_at, entry.session_id))

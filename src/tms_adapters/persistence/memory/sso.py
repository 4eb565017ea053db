"""Single sign-on in memory: started sign-ins, linked identities, one-time codes."""

from __future__ import annotations

from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.accounts.sso import SsoAttempt
from tms_domain.kernel import Conflict


class MemorySsoAttempts:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, attempt: SsoAttempt) -> None:
        self._s.sso_attempts[attempt.state_hash] = attempt

    async def take(self, state_hash: str, now: datetime) -> SsoAttempt | None:
        attempts = self._s.sso_attempts
        found = attempts.pop(state_hash, None)
        for key in [k for k, a in attempts.items() if a.expires_at <= now]:
            del attempts[key]
        return found if found is not None and now < found.expires_at else None


class MemoryUserIdentities:
    def __init__(self, state: State) -> None:
        self._s = state

    async def user_for(self, issuer: str, subject: str) -> int | None:
        found = self._s.user_identities.get((issuer, subject))
        return found[0] if found else None

    async def link(self, issuer: str, subject: str, user_id: int, at: datetime) -> None:
        identities = self._s.user_identities
        if (issuer, subject) in identities or any(
            iss == issuer and uid == user_id for (iss, _), (uid, _) in identities.items()
        ):
            raise Conflict("That identity or account is linked already")
        identities[(issuer, subject)] = (user_id, at)

    async def is_linked(self, user_id: int) -> bool:
        return any(uid == user_id for uid, _ in self._s.user_identities.values())


class MemorySsoExchangeCodes:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, code_hash: str, user_id: int, expires_at: datetime) -> None:
        self._s.sso_exchange_codes[code_hash] = (user_id, expires_at)

    async def take(self, code_hash: str, now: datetime) -> int | None:
        codes = self._s.sso_exchange_codes
        found = codes.pop(code_hash, None)
        for key in [k for k, (_, until) in codes.items() if until <= now]:
            del codes[key]
        return found[0] if found is not None and now < found[1] else None

"""Single sign-on in SQL: started sign-ins, linked identities, one-time codes. A value
taken once is deleted, and only the statement that deleted it may use it: two requests
with the same state or code cannot both pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql.sso_tables import (
    sso_attempts,
    sso_exchange_codes,
    user_identities,
)
from tms_domain.accounts.sso import SsoAttempt
from tms_domain.kernel import Conflict


class SqlaSsoAttempts:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, attempt: SsoAttempt) -> None:
        await self._conn.execute(
            insert(sso_attempts).values(
                state_hash=attempt.state_hash,
                nonce=attempt.nonce,
                code_verifier=attempt.code_verifier,
                created_at=attempt.created_at,
                expires_at=attempt.expires_at,
            )
        )

    async def take(self, state_hash: str, now: datetime) -> SsoAttempt | None:
        a = sso_attempts
        row = (
            await self._conn.execute(
                select(a.c.nonce, a.c.code_verifier, a.c.created_at, a.c.expires_at).where(
                    a.c.state_hash == state_hash
                )
            )
        ).first()
        taken = await self._conn.execute(delete(a).where(a.c.state_hash == state_hash))
        await self._conn.execute(delete(a).where(a.c.expires_at <= now))
        if row is None or taken.rowcount != 1 or row.expires_at <= now:
            return None
        return SsoAttempt(state_hash, row.nonce, row.code_verifier, row.created_at, row.expires_at)


class SqlaUserIdentities:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def user_for(self, issuer: str, subject: str) -> int | None:
        i = user_identities
        found = await self._conn.scalar(
            select(i.c.user_id).where(i.c.issuer == issuer, i.c.subject == subject)
        )
        return int(found) if found is not None else None

    async def link(self, issuer: str, subject: str, user_id: int, at: datetime) -> None:
        try:
            await self._conn.execute(
                insert(user_identities).values(
                    issuer=issuer, subject=subject, user_id=user_id, linked_at=at
                )
            )
        except IntegrityError as error:
            raise Conflict("That identity or account is linked already") from error

    async def is_linked(self, user_id: int) -> bool:
        i = user_identities
        return (
            await self._conn.scalar(select(i.c.id).where(i.c.user_id == user_id).limit(1))
        ) is not None


class SqlaSsoExchangeCodes:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, code_hash: str, user_id: int, expires_at: datetime) -> None:
        await self._conn.execute(
            insert(sso_exchange_codes).values(
                code_hash=code_hash, user_id=user_id, expires_at=expires_at
            )
        )

    async def take(self, code_hash: str, now: datetime) -> int | None:
        c = sso_exchange_codes
        row = (
            await self._conn.execute(
                select(c.c.user_id, c.c.expires_at).where(c.c.code_hash == code_hash)
            )
        ).first()
        taken = await self._conn.execute(delete(c).where(c.c.code_hash == code_hash))
        await self._conn.execute(delete(c).where(c.c.expires_at <= now))
        if row is None or taken.rowcount != 1 or row.expires_at <= now:
            return None
        return int(row.user_id)

"""One-time set-password links on SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import insert_returning_ids
from tms_domain.accounts import LinkPurpose, PasswordLink


def _link(row: Any) -> PasswordLink:
    return PasswordLink(
        id=row.id,
        user_id=row.user_id,
        purpose=LinkPurpose(row.purpose),
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        ended_at=row.ended_at,
    )


def _values(link: PasswordLink) -> dict[str, Any]:
    return {
        "user_id": link.user_id,
        "purpose": link.purpose.value,
        "token_hash": link.token_hash,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "used_at": link.used_at,
        "ended_at": link.ended_at,
    }


class SqlaPasswordLinkRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, link: PasswordLink) -> PasswordLink:
        result = await self._conn.execute(insert(t.password_links).values(**_values(link)))
        link.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return link

    async def add_many(self, links: Sequence[PasswordLink]) -> list[PasswordLink]:
        rows = [_values(link) for link in links]
        ids = await insert_returning_ids(self._conn, t.password_links, rows, ["token_hash"])
        for link, link_id in zip(links, ids, strict=True):
            link.id = link_id
        return list(links)

    async def find(self, token_hash: str, *, for_update: bool = False) -> PasswordLink | None:
        query = select(t.password_links).where(t.password_links.c.token_hash == token_hash)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return None if row is None else _link(row)

    async def update(self, link: PasswordLink) -> None:
        await self._conn.execute(
            update(t.password_links)
            .where(t.password_links.c.id == link.id)
            .values(used_at=link.used_at, ended_at=link.ended_at)
        )

    async def end_all(
        self, user_id: int, at: datetime, *, purpose: LinkPurpose | None = None
    ) -> int:
        links = t.password_links
        query = (
            update(links)
            .where(
                links.c.user_id == user_id, links.c.used_at.is_(None), links.c.ended_at.is_(None)
            )
            .values(ended_at=at)
        )
        if purpose is not None:
            query = query.where(links.c.purpose == purpose.value)
        return int((await self._conn.execute(query)).rowcount)

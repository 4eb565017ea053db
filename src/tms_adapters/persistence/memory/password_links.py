"""One-time set-password links in memory, as the SQL table keeps them."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.accounts import LinkPurpose, PasswordLink


class MemoryPasswordLinkRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, link: PasswordLink) -> PasswordLink:
        if any(other.token_hash == link.token_hash for other in self._s.password_links.values()):
            raise ValueError("duplicate token hash")
        link.id = self._s.next_id("password_links")
        self._s.password_links[link.id] = copy.deepcopy(link)
        return link

    async def add_many(self, links: Sequence[PasswordLink]) -> list[PasswordLink]:
        return [await self.add(link) for link in links]

    async def find(self, token_hash: str, *, for_update: bool = False) -> PasswordLink | None:
        for link in self._s.password_links.values():
            if link.token_hash == token_hash:
                return copy.deepcopy(link)
        return None

    async def update(self, link: PasswordLink) -> None:
        if link.id in self._s.password_links:
            self._s.password_links[link.id] = copy.deepcopy(link)

    async def end_all(
        self, user_id: int, at: datetime, *, purpose: LinkPurpose | None = None
    ) -> int:
        ended = 0
        for link in self._s.password_links.values():
            if (
                link.user_id == user_id
                and link.used_at is None
                and link.ended_at is None
                and (purpose is None or link.purpose is purpose)
            ):
                link.ended_at = at
                ended += 1
        return ended

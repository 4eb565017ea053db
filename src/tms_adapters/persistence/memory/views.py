"""The read-side view ports in memory: the same structs as SQL's, from the records held."""

from __future__ import annotations

from collections.abc import Sequence

from tms_adapters.persistence.memory.state import State
from tms_adapters.persistence.views import UserView
from tms_domain.kernel import Role


class MemoryUserViews:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> Sequence[object]:
        users = sorted(self._s.users.values(), key=lambda u: u.id)
        if role is not None:
            users = [u for u in users if u.role is role]
        return [UserView.of(u) for u in users[skip : skip + limit]]

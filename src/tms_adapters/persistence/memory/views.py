"""The read-side view ports in memory: the same structs as SQL's, from the records held."""

from __future__ import annotations

from collections.abc import Sequence

from tms_adapters.persistence.memory.state import State
from tms_adapters.persistence.memory.training_queries import MemorySessionListing
from tms_adapters.persistence.views import SessionView, UserView
from tms_domain.kernel import Role
from tms_domain.training import SessionQuery


class MemoryUserViews:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> Sequence[object]:
        users = sorted(self._s.users.values(), key=lambda u: u.id)
        if role is not None:
            users = [u for u in users if u.role is role]
        return [UserView.of(u) for u in users[skip : skip + limit]]


class MemorySessionViews:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, query: SessionQuery, viewer_id: int) -> Sequence[object]:
        users = self._s.users
        shown: dict[int, UserView] = {}

        def view(user_id: int) -> UserView:
            found = shown.get(user_id)
            if found is None:
                found = shown[user_id] = UserView.of(users[user_id])
            return found

        return [
            SessionView.of(session, [view(i) for i in session.trainee_ids if i in users], viewer_id)
            for session in await MemorySessionListing(self._s).page(query)
        ]

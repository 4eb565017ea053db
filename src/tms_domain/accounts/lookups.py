"""Loading accounts the way every use case needs them."""

from __future__ import annotations

from typing import Protocol

from tms_domain.accounts.model import User
from tms_domain.accounts.ports import UserRepository
from tms_domain.kernel.errors import NotFound


class HasUsers(Protocol):
    @property
    def users(self) -> UserRepository: ...


async def existing_user(uow: HasUsers, user_id: int, *, for_update: bool = False) -> User:
    user = await uow.users.get(user_id, for_update=for_update)
    if user is None:
        raise NotFound("User not found")
    return user

"""Users, their roles, and sign-ins (the server-side record a token names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tms_domain.accounts.profiles import display_name
from tms_domain.kernel.access import Role
from tms_domain.kernel.events import INTERNAL_EVENT_PREFIX, Audience, DomainEvent


@dataclass
class User:
    """A person who signs in. ``password_hash`` never leaves the adapters' side of a port."""

    id: int
    username: str
    email: str
    role: Role
    first_name: str
    last_name: str
    password_hash: str
    is_temporary_password: bool
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass
class SignIn:
    """One sign-in: a token is valid only while its sign-in is neither revoked nor expired."""

    id: str
    user_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class Actor:
    """Who is asking: the signed-in user as loaded for this request."""

    user: User
    sign_in_id: str | None = None
    client_address: str | None = None
    expires_at: datetime | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def must_change_password(self) -> bool:
        return self.user.is_temporary_password

    @classmethod
    def system(cls, user: User) -> Actor:
        """An actor for work the system does on a user's behalf (CLI, bootstrap)."""
        return cls(user=user, sign_in_id=None, client_address="local")


SIGN_INS_ENDED = INTERNAL_EVENT_PREFIX + "sign_ins_ended"


def sign_ins_ended(
    user_id: int, *, sign_in_id: str | None = None, except_sign_in_id: str | None = None
) -> DomainEvent:
    """Tells every app process to close the live connections of the sign-ins that ended."""
    return DomainEvent(
        SIGN_INS_ENDED,
        {"user_id": user_id, "sign_in_id": sign_in_id, "except_sign_in_id": except_sign_in_id},
        Audience(),
    )


def user_payload(user: User) -> dict[str, Any]:
    """A user as events carry it: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role.value,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.name,
        "is_temporary_password": user.is_temporary_password,
        "created_at": user.created_at.isoformat(),
        "updated_at": user.updated_at.isoformat(),
    }

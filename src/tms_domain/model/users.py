"""Users, their roles, and sign-ins (the server-side record a token names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TRAINER = "trainer"
    TRAINEE = "trainee"


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
        return f"{self.first_name} {self.last_name}".strip()

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

    @classmethod
    def system(cls, user: User) -> Actor:
        """An actor for work the system does on a user's behalf (CLI, bootstrap)."""
        return cls(user=user, sign_in_id=None, client_address="local")

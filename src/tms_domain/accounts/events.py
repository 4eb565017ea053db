"""What happens to accounts. Each fact holds domain values; the edge words it for clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tms_domain.kernel.events import Audience, DomainEvent

if TYPE_CHECKING:
    from tms_domain.accounts.model import User


@dataclass(frozen=True)
class UserCreated(DomainEvent):
    user: User

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user.id}))


@dataclass(frozen=True)
class UserChanged(DomainEvent):
    """``user`` as it is now; ``assigned_trainer_ids``: the trainers of a trainee."""

    user: User
    assigned_trainer_ids: frozenset[int] = frozenset()

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user.id, *self.assigned_trainer_ids}))


@dataclass(frozen=True)
class UserDeleted(DomainEvent):
    user_id: int
    assigned_trainer_ids: frozenset[int] = frozenset()

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id, *self.assigned_trainer_ids}))


@dataclass(frozen=True)
class PasswordChanged(DomainEvent):
    """The user changed their own password."""

    user_id: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id}))


@dataclass(frozen=True)
class PasswordReset(DomainEvent):
    """An admin gave the user a new temporary password (the event never holds it)."""

    user_id: int
    reset_by: int

    @property
    def audience(self) -> Audience:
        return Audience(frozenset({self.user_id}))


@dataclass(frozen=True)
class UserLocked(DomainEvent):
    """Too many failed sign-ins in a row; admins only hear of it."""

    user_id: int
    locked_until: datetime | None
    failures: int


@dataclass(frozen=True)
class UserUnlocked(DomainEvent):
    user_id: int
    unlocked_by: int
    was_locked: bool


@dataclass(frozen=True)
class SignInsEnded(DomainEvent):
    """Sign-ins of a user ended: all of them, only ``sign_in_id``, or all but
    ``except_sign_in_id``. For the system (live connections close), never for a client."""

    user_id: int
    sign_in_id: str | None = None
    except_sign_in_id: str | None = None

    @property
    def audience(self) -> Audience:
        return Audience()

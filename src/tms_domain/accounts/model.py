"""Users, their roles, and sign-ins (the server-side record a token names)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tms_domain.accounts.events import PasswordChanged, PasswordReset
from tms_domain.accounts.profiles import display_name, normalize_username
from tms_domain.audit import diff
from tms_domain.kernel.access import Role
from tms_domain.kernel.events import DomainEvent

PROFILE_FIELDS = ("username", "email", "first_name", "last_name")


@dataclass(frozen=True)
class UserChanges:
    """Fields to change; None leaves a field as it is."""

    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: Role | None = None
    password: str | None = None
    is_temporary_password: bool | None = None


@dataclass
class User:
    """A person who signs in, the aggregate of their profile, role and password state.
    ``password_hash`` never leaves the adapters' side of a port."""

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
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)
    """What the user's changes raised, until the use case takes them (``pull_events``)."""

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def snapshot(self) -> User:
        """A copy that later changes to this user leave alone (events hold these)."""
        return replace(self, events=[])

    def pull_events(self) -> list[DomainEvent]:
        """The events raised so far, handed over once (take them before saving)."""
        events, self.events = self.events, []
        return events

    def audit_fields(self) -> dict[str, Any]:
        """The user as the audit trail records them (never the password hash)."""
        return {
            "username": self.username,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "role": self.role.value,
            "is_temporary_password": self.is_temporary_password,
        }

    def without_unchanged_login(self, changes: UserChanges) -> UserChanges:
        """The changes, normalised, without a username or email that is this user's
        already (one from before today's rules is accepted unchanged)."""
        username = None if changes.username is None else normalize_username(changes.username)
        email = None if changes.email is None else changes.email.strip()
        return replace(
            changes,
            username=None if username == self.username else username,
            email=None if email == self.email else email,
        )

    def changes_role(self, changes: UserChanges) -> bool:
        return changes.role is not None and changes.role != self.role

    def changes_privileges(self, changes: UserChanges) -> bool:
        """A new role or temporary-password flag (the unchanged values are no change)."""
        return self.changes_role(changes) or (
            changes.is_temporary_password is not None
            and changes.is_temporary_password != self.is_temporary_password
        )

    def apply(
        self, changes: UserChanges, password_hash: str | None, now: datetime
    ) -> tuple[dict[str, list[Any]], bool]:
        """Make the (checked) changes, ``password_hash`` standing for a new password.
        Answer what changed, as [before, after] per field (a password masked), and whether
        the user's sign-ins end: a new role or password does that. A new password is
        temporary unless the changes say otherwise."""
        before = self.audit_fields()
        for name in PROFILE_FIELDS:
            value = getattr(changes, name)
            if value is not None:
                setattr(self, name, value.strip())
        ends_sign_ins = self.changes_role(changes)
        if changes.role is not None:
            self.role = changes.role
        if password_hash is not None:
            self.set_password(password_hash, temporary=changes.is_temporary_password is not False)
            ends_sign_ins = True
        elif changes.is_temporary_password is not None:
            self.is_temporary_password = changes.is_temporary_password
        changed = diff(before, self.audit_fields())
        if password_hash is not None:
            changed["password"] = ["***", "***"]
        if changed:
            self.updated_at = now
        return changed, ends_sign_ins

    def set_password(self, password_hash: str, *, temporary: bool) -> None:
        """A temporary password must be changed at the next sign-in."""
        self.password_hash = password_hash
        self.is_temporary_password = temporary

    def change_password(self, password_hash: str, now: datetime) -> None:
        """The user chose a new password: no longer temporary."""
        self.set_password(password_hash, temporary=False)
        self.updated_at = now
        self.events.append(PasswordChanged(self.id))

    def reset_password(self, password_hash: str, reset_by: int, now: datetime) -> None:
        """An admin gave a new password, temporary until the user changes it."""
        self.set_password(password_hash, temporary=True)
        self.updated_at = now
        self.events.append(PasswordReset(self.id, reset_by))


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
    """Who is asking: the signed-in user as loaded for this request, or a partner's API
    client (``scopes`` set: it acts with an admin's rules within its scopes, and is named
    by ``user.username``, the client's name, in the audit)."""

    user: User
    sign_in_id: str | None = None
    client_address: str | None = None
    expires_at: datetime | None = None
    scopes: frozenset[str] | None = None

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

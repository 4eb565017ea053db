"""What the accounts endpoints read and write: users, sign-in, passwords, lockout."""

from __future__ import annotations

from typing import Annotated

import msgspec

from tms_domain.accounts import User
from tms_entrypoints.http.schemas import (
    RoleName,
    Secret,
    ShortText,
    Timestamp,
    iso,
)


class UserOut(msgspec.Struct):
    id: int
    username: str
    email: str
    role: RoleName
    first_name: str
    last_name: str
    name: str
    is_temporary_password: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, user: User) -> UserOut:
        # Positional and without helpers: listings build a thousand of these per request.
        return cls(
            user.id,
            user.username,
            user.email,
            user.role.value,
            user.first_name,
            user.last_name,
            user.name,
            user.is_temporary_password,
            iso(user.created_at),
            iso(user.updated_at),
        )


class LoginIn(msgspec.Struct):
    username: ShortText
    password: Secret


class LoginOut(msgspec.Struct):
    access_token: str
    user: UserOut
    force_password_change: bool
    token_type: str = "bearer"  # noqa: S105 - the scheme's name, not a secret


class ChangePasswordIn(msgspec.Struct):
    new_password: Secret
    current_password: Secret | None = None


class NewPasswordIn(msgspec.Struct):
    new_password: Secret


class UserCreateIn(msgspec.Struct):
    username: ShortText
    email: ShortText
    first_name: ShortText
    last_name: ShortText
    role: RoleName
    is_temporary_password: bool | None = None
    password: Secret | None = None
    invite: bool = False
    """Mail the user a link to choose their password (72 h) instead of answering a
    temporary password."""


class ForgotPasswordIn(msgspec.Struct):
    email: ShortText


class SetPasswordIn(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    """The token from the link in the mail (the part after ``#token=``)."""
    new_password: Secret


class UserCreateOut(msgspec.Struct, omit_defaults=True):
    user: UserOut
    message: str
    temporary_password: str | None = None


class UserUpdateIn(msgspec.Struct, forbid_unknown_fields=False):
    username: ShortText | None = None
    email: ShortText | None = None
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    role: RoleName | None = None
    password: Secret | None = None
    is_temporary_password: bool | None = None


class LockoutOut(msgspec.Struct):
    user_id: int
    failures: int
    locked: bool
    locked_until: Timestamp | None

"""HTTP DTOs (msgspec Structs): the contract's shapes. Never a hash or a token of anyone
but the caller's own fresh sign-in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from tms_domain.model import User

RoleName = Literal["admin", "trainer", "trainee"]
Timestamp = Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]
ShortText = Annotated[str, msgspec.Meta(max_length=256)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset, as the contract shows (``+00:00``)."""
    return moment.isoformat()


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
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            role=user.role.value,
            first_name=user.first_name,
            last_name=user.last_name,
            name=user.name,
            is_temporary_password=user.is_temporary_password,
            created_at=iso(user.created_at),
            updated_at=iso(user.updated_at),
        )


class MessageOut(msgspec.Struct):
    message: str


class ErrorOut(msgspec.Struct, omit_defaults=True):
    detail: str
    errors: list[dict[str, str]] | None = None


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


class HealthOut(msgspec.Struct):
    status: str
    database: str

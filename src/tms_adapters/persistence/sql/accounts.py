"""The accounts area in SQL: users and sign-ins, mapped to domain objects; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Column,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.common import chunks, conflict_for, insert_returning_ids
from tms_adapters.security.confusables import username_skeleton
from tms_domain.accounts import SignIn, User, login_key, login_keys, login_preference
from tms_domain.kernel import Role

_USER_COLUMNS: tuple[Column[Any], ...] = (
    t.users.c.id,
    t.users.c.username,
    t.users.c.email,
    t.users.c.role,
    t.users.c.first_name,
    t.users.c.last_name,
    t.users.c.password_hash,
    t.users.c.is_temporary_password,
    t.users.c.created_at,
    t.users.c.updated_at,
)
"""What a User is read from, in the order of its fields; a query selects these first (and
only these, not the lookup keys: listings map a thousand users per request)."""

_ROLES = {role.value: role for role in Role}
_AFTER_USER = len(_USER_COLUMNS)
"""Where a row's columns after ``_USER_COLUMNS`` begin."""

# Statements every sign-in or authenticated request runs, built once with bound parameters:
# building one (and its cache key) again per call cost more than running it.
_USER_ID = bindparam("user_id", type_=t.users.c.id.type)
_GET_USER = select(*_USER_COLUMNS).where(t.users.c.id == _USER_ID)
_GET_USER_FOR_UPDATE = _GET_USER.with_for_update()
_LOGIN_KEYS: BindParameter[str] = bindparam("keys", expanding=True)
_FIND_BY_LOGIN = select(*_USER_COLUMNS, t.users.c.username_key, t.users.c.email_key).where(
    or_(t.users.c.username_key.in_(_LOGIN_KEYS), t.users.c.email_key.in_(_LOGIN_KEYS))
)
_ADD_SIGN_IN = insert(t.sign_ins)
_SIGN_IN_WITH_USER = (
    select(
        *_USER_COLUMNS,
        t.sign_ins.c.id,
        t.sign_ins.c.user_id,
        t.sign_ins.c.created_at,
        t.sign_ins.c.expires_at,
        t.sign_ins.c.revoked_at,
    )
    .join(t.users, t.users.c.id == t.sign_ins.c.user_id)
    .where(t.sign_ins.c.id == bindparam("sign_in_id", type_=t.sign_ins.c.id.type))
)


def _user(row: Sequence[Any]) -> User:
    """From a row that starts with ``_USER_COLUMNS``. Read by position and built
    positionally: a row's attributes are looked up by name on every access, which costs as
    much again as fetching the row."""
    (
        user_id,
        username,
        email,
        role,
        first_name,
        last_name,
        password_hash,
        is_temporary_password,
        created_at,
        updated_at,
    ) = row[:10]
    return User(
        user_id,
        username,
        email,
        _ROLES[role],
        first_name,
        last_name,
        password_hash,
        bool(is_temporary_password),
        created_at,
        updated_at,
    )


USER_DUPLICATES = {
    "username_key": "A user with that username already exists",
    "username_skeleton": "That username looks too much like an existing one: choose another",
    "email_key": "A user with that email already exists",
}
"""Messages that name the clash, never the account clashed with."""


class SqlaUserRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    def values(self, user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "username_key": login_key(user.username),
            "username_skeleton": username_skeleton(user.username),
            "email": user.email,
            "email_key": login_key(user.email),
            "role": user.role.value,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "password_hash": user.password_hash,
            "is_temporary_password": user.is_temporary_password,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        }

    async def add(self, user: User) -> User:
        try:
            result = await self._conn.execute(insert(t.users).values(**self.values(user)))
        except IntegrityError as error:
            raise conflict_for(error, USER_DUPLICATES, "That user already exists") from error
        user.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return user

    async def add_many(self, users: Sequence[User]) -> list[User]:
        try:
            ids = await insert_returning_ids(
                self._conn, t.users, [self.values(user) for user in users], ["email_key"]
            )
        except IntegrityError as error:
            raise conflict_for(error, USER_DUPLICATES, "That user already exists") from error
        for user, user_id in zip(users, ids, strict=True):
            user.id = user_id
        return list(users)

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        query = _GET_USER_FOR_UPDATE if for_update else _GET_USER
        row = (await self._conn.execute(query, {"user_id": user_id})).first()
        return _user(row) if row else None

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        ids = sorted(set(user_ids))
        found: dict[int, User] = {}
        for chunk in chunks(ids):
            rows = await self._conn.execute(select(*_USER_COLUMNS).where(t.users.c.id.in_(chunk)))
            for row in rows.all():
                user = _user(row)
                found[user.id] = user
        return found

    async def find_by_login(self, login: str) -> User | None:
        keys = list(login_keys(login))
        rows = (await self._conn.execute(_FIND_BY_LOGIN, {"keys": keys})).all()
        if not rows:
            return None
        n = _AFTER_USER  # then username_key, email_key
        best = min(rows, key=lambda r: login_preference(login, r[n], r[n + 1]))
        return _user(best)

    async def taken_usernames(self, names: Iterable[str]) -> set[str]:
        keys = sorted({login_key(name) for name in names})
        taken: set[str] = set()
        for chunk in chunks(keys):
            rows = await self._conn.execute(
                select(t.users.c.username_key).where(t.users.c.username_key.in_(chunk))
            )
            taken.update(row[0] for row in rows.all())
        return taken

    async def find_by_emails(self, emails: Iterable[str]) -> dict[str, User]:
        keys = sorted({login_key(email) for email in emails})
        found: dict[str, User] = {}
        for chunk in chunks(keys):
            rows = await self._conn.execute(
                select(*_USER_COLUMNS).where(t.users.c.email_key.in_(chunk))
            )
            for row in rows.all():
                user = _user(row)
                found[login_key(user.email)] = user
        return found

    async def update(self, user: User) -> None:
        values = self.values(user)
        del values["created_at"]
        skeleton = values.pop("username_skeleton")
        users = t.users.c
        # A name that keeps its key keeps its skeleton, even none (one that looked like
        # another before keys existed); SET runs left to right on MySQL, so this goes first.
        keep_or_new = case(
            (users.username_key == values["username_key"], users.username_skeleton),
            else_=skeleton,
        )
        try:
            await self._conn.execute(
                update(t.users)
                .where(users.id == user.id)
                .ordered_values(
                    (users.username_skeleton, keep_or_new),
                    *((users[name], value) for name, value in values.items()),
                )
            )
        except IntegrityError as error:
            raise conflict_for(error, USER_DUPLICATES, "That user already exists") from error

    async def delete(self, user_id: int) -> None:
        await self._conn.execute(delete(t.users).where(t.users.c.id == user_id))

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        ids = sorted(set(user_ids))
        for chunk in chunks(ids):
            await self._conn.execute(
                select(t.users.c.id)
                .where(t.users.c.id.in_(chunk))
                .order_by(t.users.c.id)
                .with_for_update()
            )


class SqlaSignInRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, sign_in: SignIn) -> None:
        await self._conn.execute(
            _ADD_SIGN_IN,
            {
                "id": sign_in.id,
                "user_id": sign_in.user_id,
                "created_at": sign_in.created_at,
                "expires_at": sign_in.expires_at,
                "revoked_at": sign_in.revoked_at,
            },
        )

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None:
        row = (await self._conn.execute(_SIGN_IN_WITH_USER, {"sign_in_id": sign_in_id})).first()
        if row is None:
            return None
        sign_in_id, user_id, created_at, expires_at, revoked_at = row[_AFTER_USER:]
        sign_in = SignIn(
            id=sign_in_id,
            user_id=user_id,
            created_at=created_at,
            expires_at=expires_at,
            revoked_at=revoked_at,
        )
        return sign_in, _user(row)

    async def revoke(self, sign_in_id: str, at: datetime) -> None:
        await self._conn.execute(
            update(t.sign_ins)
            .where(t.sign_ins.c.id == sign_in_id, t.sign_ins.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        query = (
            update(t.sign_ins)
            .where(t.sign_ins.c.user_id == user_id, t.sign_ins.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if except_id is not None:
            query = query.where(t.sign_ins.c.id != except_id)
        result = await self._conn.execute(query)
        return int(result.rowcount)

    async def prune(self, before: datetime) -> int:
        result = await self._conn.execute(
            delete(t.sign_ins).where(t.sign_ins.c.expires_at < before)
        )
        return int(result.rowcount)


class SqlaUserDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]:
        query = select(*_USER_COLUMNS).order_by(t.users.c.id).offset(skip).limit(limit)
        if role is not None:
            query = query.where(t.users.c.role == role.value)
        return [_user(row) for row in (await self._conn.execute(query)).all()]

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        # The database picks the users: a listing's trainees are hundreds of ids, and an IN
        # list of them costs more to render and send than the rows cost to read. (Joining
        # users to the enrolments instead would read a user once per session: ten times
        # over on a page of 1,000 sessions.)
        e = t.enrolments
        found: dict[int, User] = {}
        for chunk in chunks(sorted(set(session_ids))):
            enrolled = select(e.c.trainee_id).where(e.c.session_id.in_(chunk))
            rows = await self._conn.execute(
                select(*_USER_COLUMNS).where(t.users.c.id.in_(enrolled))
            )
            for row in rows.all():
                user = _user(row)
                found[user.id] = user
        return found


class SqlaSignInHistory:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        s = t.sign_ins
        found: dict[int, datetime] = {}
        for chunk in chunks(sorted(set(user_ids))):
            rows = await self._conn.execute(
                select(s.c.user_id, func.max(s.c.created_at))
                .where(s.c.user_id.in_(chunk), s.c.created_at <= until)
                .group_by(s.c.user_id)
            )
            found.update((row[0], row[1]) for row in rows)
        return found

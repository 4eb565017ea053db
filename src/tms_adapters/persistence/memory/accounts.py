"""The accounts area in memory: users and sign-ins, as the SQL tables keep them."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_adapters.security.confusables import username_skeleton
from tms_domain.accounts import SignIn, User, login_key, login_keys, login_preference
from tms_domain.kernel import Conflict, Role


class MemoryUserRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _ensure_unique(self, user: User) -> str | None:
        """As the SQL tables' unique keys do. Returns the user's new skeleton: None when the
        name keeps its key, and so its skeleton."""
        before = self._s.users.get(user.id)
        renamed = before is None or login_key(before.username) != login_key(user.username)
        skeleton = username_skeleton(user.username) if renamed else None
        for other in self._s.users.values():
            if other.id == user.id:
                continue
            if login_key(other.username) == login_key(user.username):
                raise Conflict("A user with that username already exists")
            if skeleton is not None and self._s.skeletons.get(other.id) == skeleton:
                raise Conflict("That username looks too much like an existing one: choose another")
            if login_key(other.email) == login_key(user.email):
                raise Conflict("A user with that email already exists")
        return skeleton

    def _save(self, user: User, skeleton: str | None) -> None:
        self._s.users[user.id] = copy.deepcopy(user)
        if skeleton is not None:
            self._s.skeletons[user.id] = skeleton

    async def add(self, user: User) -> User:
        user.id = 0
        skeleton = self._ensure_unique(user)
        user.id = self._s.next_id("users")
        self._save(user, skeleton)
        return user

    async def add_many(self, users: Sequence[User]) -> list[User]:
        added: list[int] = []
        try:
            for user in users:
                await self.add(user)
                added.append(user.id)
        except Conflict:
            for user_id in added:
                self._s.users.pop(user_id, None)
                self._s.skeletons.pop(user_id, None)
            for user in users:
                user.id = 0
            raise
        return list(users)

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        user = self._s.users.get(user_id)
        return copy.deepcopy(user) if user else None

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        return {i: copy.deepcopy(self._s.users[i]) for i in set(user_ids) if i in self._s.users}

    async def find_by_login(self, login: str) -> User | None:
        keys = login_keys(login)
        found = [
            u
            for u in self._s.users.values()
            if login_key(u.username) in keys or login_key(u.email) in keys
        ]
        if not found:
            return None
        best = min(
            found, key=lambda u: login_preference(login, login_key(u.username), login_key(u.email))
        )
        return copy.deepcopy(best)

    async def taken_usernames(self, names: Iterable[str]) -> set[str]:
        keys = {login_key(name) for name in names}
        return {login_key(u.username) for u in self._s.users.values()} & keys

    async def find_by_emails(self, emails: Iterable[str]) -> dict[str, User]:
        keys = {login_key(email) for email in emails}
        return {
            login_key(u.email): copy.deepcopy(u)
            for u in self._s.users.values()
            if login_key(u.email) in keys
        }

    async def update(self, user: User) -> None:
        self._save(user, self._ensure_unique(user))

    async def delete(self, user_id: int) -> None:
        self._s.users.pop(user_id, None)
        self._s.skeletons.pop(user_id, None)
        s = self._s
        s.sign_ins = {k: v for k, v in s.sign_ins.items() if v.user_id != user_id}
        s.enrolments = {k: v for k, v in s.enrolments.items() if k[1] != user_id}
        s.waitlist = {k: v for k, v in s.waitlist.items() if k[1] != user_id}
        s.assignments = {
            k: v for k, v in s.assignments.items() if user_id not in (v.student_id, v.teacher_id)
        }
        s.attendance = {k: v for k, v in s.attendance.items() if v.trainee_id != user_id}
        # A course outlives its owner (left to admins); the trainee's enrolments and
        # completions go with them.
        for course in s.courses.values():
            if course.owner_id == user_id:
                course.owner_id = None
        s.course_enrolments = {k: v for k, v in s.course_enrolments.items() if k[1] != user_id}
        s.lesson_completions = {k: v for k, v in s.lesson_completions.items() if k[1] != user_id}
        s.files = {
            k: replace(v, created_by=None) if v.created_by == user_id else v
            for k, v in s.files.items()
        }
        s.calendar_tokens.pop(user_id, None)
        s.user_identities = {k: v for k, v in s.user_identities.items() if v[0] != user_id}
        s.sso_exchange_codes = {k: v for k, v in s.sso_exchange_codes.items() if v[0] != user_id}
        s.notifications = {k: v for k, v in s.notifications.items() if v.user_id != user_id}
        s.achievements = {k: v for k, v in s.achievements.items() if k[0] != user_id}
        s.notification_preferences.pop(user_id, None)

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        """The store's lock already serialises writers."""


class MemorySignInRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, sign_in: SignIn) -> None:
        self._s.sign_ins[sign_in.id] = replace(sign_in)

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None:
        sign_in = self._s.sign_ins.get(sign_in_id)
        if sign_in is None or sign_in.user_id not in self._s.users:
            return None
        return replace(sign_in), copy.deepcopy(self._s.users[sign_in.user_id])

    async def revoke(self, sign_in_id: str, at: datetime) -> None:
        sign_in = self._s.sign_ins.get(sign_in_id)
        if sign_in is not None and sign_in.revoked_at is None:
            sign_in.revoked_at = at

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        ended = 0
        for sign_in in self._s.sign_ins.values():
            if (
                sign_in.user_id == user_id
                and sign_in.revoked_at is None
                and sign_in.id != except_id
            ):
                sign_in.revoked_at = at
                ended += 1
        return ended

    async def prune(self, before: datetime) -> int:
        old = [k for k, v in self._s.sign_ins.items() if v.expires_at < before]
        for key in old:
            del self._s.sign_ins[key]
        return len(old)


class MemoryUserDirectory:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]:
        users = sorted(self._s.users.values(), key=lambda u: u.id)
        if role is not None:
            users = [u for u in users if u.role is role]
        return copy.deepcopy(users[skip : skip + limit])

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        wanted = set(session_ids)
        ids = {t for s, t in self._s.enrolments if s in wanted}
        return {i: copy.deepcopy(self._s.users[i]) for i in ids if i in self._s.users}


class MemorySignInHistory:
    def __init__(self, state: State) -> None:
        self._s = state

    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        wanted = set(user_ids)
        found: dict[int, datetime] = {}
        for sign_in in self._s.sign_ins.values():
            if sign_in.user_id not in wanted or sign_in.created_at > until:
                continue
            known = found.get(sign_in.user_id)
            if known is None or sign_in.created_at > known:
                found[sign_in.user_id] = sign_in.created_at
        return found

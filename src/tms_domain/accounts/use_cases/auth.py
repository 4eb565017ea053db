"""Use cases for signing in and out and for passwords."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from tms_domain.accounts.events import SignInsEnded, UserLocked, UserUnlocked
from tms_domain.accounts.lockout import LockoutPolicy, account_attempts_key
from tms_domain.accounts.lookups import existing_user
from tms_domain.accounts.model import Actor, SignIn, User
from tms_domain.accounts.passwords import PasswordPolicy, normalize_password
from tms_domain.accounts.ports import AttemptStore, PasswordHasher, TokenService
from tms_domain.accounts.profiles import login_key
from tms_domain.accounts.use_cases.links import enqueue_password_notice
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    AuthenticationFailed,
    InvalidInput,
    Permission,
    Target,
    Throttled,
    authorize,
)
from tms_domain.unit_of_work import Core, UnitOfWork

BAD_CREDENTIALS = "Incorrect username or password"
SESSION_ENDED = "Your sign-in has expired or ended: sign in again"
PROVIDER_ACCOUNT = "This account signs in through single sign-on: use your organisation's button"


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    user: User

    @property
    def force_password_change(self) -> bool:
        return self.user.is_temporary_password


class AuthService:
    def __init__(
        self,
        core: Core,
        hasher: PasswordHasher,
        tokens: TokenService,
        policy: PasswordPolicy,
        token_lifetime: timedelta,
        attempts: AttemptStore,
        lockout: LockoutPolicy,
        *,
        provider_accounts_use_passwords: bool = True,
    ) -> None:
        self._provider_accounts_use_passwords = provider_accounts_use_passwords
        self._attempts = attempts
        self._lockout = lockout
        self._core = core
        self._hasher = hasher
        self._tokens = tokens
        self._policy = policy
        self._lifetime = token_lifetime

    async def sign_in(
        self, login: str, password: str, client_address: str | None = None
    ) -> SignedIn:
        """Sign in by username or email (case-insensitive). A failure never says whether the
        account exists, and takes as long either way. After 5 failures in a row an account
        (known or not) is locked for a minute, twice as long for each further failure, up
        to an hour; while locked every attempt is refused, right password or not. A client
        address may fail only so often a minute across all accounts. A hash in an outdated
        format or with outdated parameters is replaced by a current one. With password
        sign-in turned off for provider accounts, an account linked to an identity at the
        provider is refused here even with the right password."""
        address_key = f"address:{client_address or 'unknown'}"
        if (
            await self._attempts.recent(address_key, 60)
            >= self._lockout.failures_per_address_per_minute
        ):
            raise Throttled("Too many failed sign-ins from your address: wait a minute", 60)
        signed_in = await self._sign_in_once(login, password, client_address, address_key)
        if signed_in is None:
            # The hash changed between the check and the sign-in's transaction. Mostly
            # another sign-in of the same account replaced an outdated hash: check the
            # password once more, against the hash that is there now.
            signed_in = await self._sign_in_once(login, password, client_address, address_key)
        if signed_in is None:
            raise AuthenticationFailed(BAD_CREDENTIALS)
        return signed_in

    async def _sign_in_once(
        self, login: str, password: str, client_address: str | None, address_key: str
    ) -> SignedIn | None:
        """None when the account's hash changed after it was checked."""
        async with self._core.uow(read_only=True) as uow:
            user = await uow.users.find_by_login(login)
        account_key = account_attempts_key(user.id) if user else f"login:{login_key(login)}"
        await self._refuse_while_locked(account_key)
        # One verification whatever the account and the password: the time a failure takes
        # tells nothing about either.
        if user is None:
            await self._hasher.burn(normalize_password(password))
            await self._failed(account_key, address_key, None)
        elif not await self._verify(user.password_hash, password):
            await self._failed(account_key, address_key, user)
        await self._attempts.clear(account_key)
        new_hash = (
            await self._hasher.hash(normalize_password(password))
            if self._hasher.needs_rehash(user.password_hash)
            else None
        )
        sign_in = self.new_sign_in(user.id)
        async with self._core.uow() as uow:
            # The password was checked outside this transaction: a reset, change or deletion
            # that came in meanwhile must not be outlived by this sign-in.
            fresh = await uow.users.get(user.id, for_update=True)
            if fresh is None:
                raise AuthenticationFailed(BAD_CREDENTIALS)
            if fresh.password_hash != user.password_hash:
                return None
            if not self._provider_accounts_use_passwords and await uow.user_identities.is_linked(
                user.id
            ):
                raise AuthenticationFailed(PROVIDER_ACCOUNT)
            if new_hash is not None:
                fresh.password_hash = new_hash
                await uow.users.update(fresh)
            await self.add_sign_in(uow, sign_in, fresh, "password", client_address)
            await uow.commit()
        return self.signed_in(sign_in, user)

    async def add_sign_in(
        self,
        uow: UnitOfWork,
        sign_in: SignIn,
        user: User,
        method: str,
        client_address: str | None = None,
    ) -> None:
        """Store a sign-in and audit it (``user.signed_in``, by the user themself: their
        activity timeline shows it). The token is never part of it."""
        await uow.sign_ins.add(sign_in)
        await record_audit(
            uow,
            Actor(user=user, sign_in_id=sign_in.id, client_address=client_address),
            "user.signed_in",
            "user",
            user.id,
            sign_in.created_at,
            {"method": [None, method]},
        )

    def new_sign_in(self, user_id: int) -> SignIn:
        """A sign-in of the user from now, for the unit of work to add (a password's, or
        a provider's)."""
        now = self._core.clock.now()
        return SignIn(
            id=secrets.token_urlsafe(24),
            user_id=user_id,
            created_at=now,
            expires_at=now + self._lifetime,
        )

    def signed_in(self, sign_in: SignIn, user: User) -> SignedIn:
        """The answer to a sign-in once it is stored: its token."""
        token = self._tokens.issue(
            user_id=user.id, sign_in_id=sign_in.id, expires_at=sign_in.expires_at
        )
        return SignedIn(access_token=token, user=user)

    async def _verify(self, password_hash: str, password: str) -> bool:
        """Passwords are hashed normalised, but hashes taken over from the earlier system
        were made over the password as typed."""
        if self._hasher.hashes_as_typed(password_hash):
            return await self._hasher.verify(password_hash, password)
        return await self._hasher.verify(password_hash, normalize_password(password))

    async def _refuse_while_locked(self, account_key: str) -> None:
        failures, last = await self._attempts.failures(account_key)
        until = self._lockout.locked_until(failures, last)
        now = self._core.clock.now()
        if until is not None and now < until:
            wait = max(1, math.ceil((until - now).total_seconds()))
            raise Throttled(
                f"Too many failed sign-ins: this account is locked, try again in {wait} seconds",
                wait,
            )

    async def _failed(self, account_key: str, address_key: str, user: User | None) -> NoReturn:
        now = self._core.clock.now()
        failures = await self._attempts.add_failure(account_key, now)
        await self._attempts.add_recent(address_key, 60)
        if user is not None and failures == self._lockout.threshold:
            until = self._lockout.locked_until(failures, now)
            async with self._core.uow() as uow:
                await record_audit(
                    uow,
                    None,
                    "user.locked",
                    "user",
                    user.id,
                    now,
                    {"locked_until": [None, until.isoformat() if until else None]},
                )
                uow.record(UserLocked(user.id, until, failures))
                await uow.commit()
        raise AuthenticationFailed(BAD_CREDENTIALS)

    async def lockout(self, actor: Actor, user_id: int) -> tuple[int, datetime | None]:
        """Admins see a user's failures in a row and until when the account is locked."""
        authorize(actor, Permission.UNLOCK_USER, Target(user_id=user_id))
        async with self._core.uow(read_only=True) as uow:
            await existing_user(uow, user_id)
        failures, last = await self._attempts.failures(account_attempts_key(user_id))
        until = self._lockout.locked_until(failures, last)
        return failures, until if until and until > self._core.clock.now() else None

    async def unlock(self, actor: Actor, user_id: int) -> None:
        """Admins lift a sign-in lockout; the count of failures starts again."""
        authorize(actor, Permission.UNLOCK_USER, Target(user_id=user_id))
        failures, last = await self._attempts.failures(account_attempts_key(user_id))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            await existing_user(uow, user_id)
            await self._attempts.clear(account_attempts_key(user_id))
            until = self._lockout.locked_until(failures, last)
            await record_audit(
                uow,
                actor,
                "user.unlocked",
                "user",
                user_id,
                now,
                {"failures": [failures, 0]},
            )
            uow.record(UserUnlocked(user_id, actor.id, was_locked=bool(until and until > now)))
            await uow.commit()

    async def authenticate(self, token: str, client_address: str | None = None) -> Actor:
        """The actor a token stands for, while its sign-in is active and its user exists."""
        user_id, sign_in_id = self._tokens.read(token)
        async with self._core.uow(read_only=True) as uow:
            found = await uow.sign_ins.get_with_user(sign_in_id)
        if found is None:
            raise AuthenticationFailed(SESSION_ENDED)
        sign_in, user = found
        if sign_in.user_id != user_id or not sign_in.is_active(self._core.clock.now()):
            raise AuthenticationFailed(SESSION_ENDED)
        return Actor(
            user=user,
            sign_in_id=sign_in.id,
            client_address=client_address,
            expires_at=sign_in.expires_at,
        )

    async def sign_out(self, actor: Actor) -> None:
        """End the caller's sign-in: its token stops working at once."""
        if actor.sign_in_id is None:
            return
        async with self._core.uow() as uow:
            await uow.sign_ins.revoke(actor.sign_in_id, self._core.clock.now())
            uow.record(SignInsEnded(actor.id, sign_in_id=actor.sign_in_id))
            await uow.commit()

    async def sign_out_everywhere(self, actor: Actor) -> int:
        """End every sign-in of the caller, this one included; returns how many ended."""
        async with self._core.uow() as uow:
            ended = await uow.sign_ins.revoke_all(actor.id, self._core.clock.now())
            uow.record(SignInsEnded(actor.id))
            await uow.commit()
        return ended

    async def change_password(
        self, actor: Actor, current_password: str | None, new_password: str
    ) -> None:
        """The caller changes their own password. The current one is required unless the
        password is temporary. The new one passes the policy. The caller's other sign-ins
        end; the one that made the change goes on, now with full rights."""
        authorize(actor, Permission.CHANGE_OWN_PASSWORD, Target(user_id=actor.id))
        user = actor.user
        if not user.is_temporary_password:
            if not current_password:
                raise InvalidInput.for_field("current_password", "Enter your current password")
            if not await self._verify(user.password_hash, current_password):
                raise InvalidInput.for_field(
                    "current_password", "Your current password is incorrect"
                )
        await self._set_password(actor, user.id, new_password, reset=False)

    async def change_admin_password(self, actor: Actor, new_password: str) -> None:
        """An admin sets their own password without giving the current one."""
        authorize(actor, Permission.RESET_PASSWORD)
        authorize(actor, Permission.CHANGE_OWN_PASSWORD, Target(user_id=actor.id))
        await self._set_password(actor, actor.id, new_password, reset=False)

    async def reset_password(self, actor: Actor, user_id: int, new_password: str) -> None:
        """An admin gives a user a new temporary password; every sign-in of that user ends."""
        authorize(actor, Permission.RESET_PASSWORD, Target(user_id=user_id))
        await self._set_password(actor, user_id, new_password, reset=True)

    async def _set_password(
        self, actor: Actor, user_id: int, new_password: str, *, reset: bool
    ) -> None:
        async with self._core.uow(read_only=True) as uow:
            user = await existing_user(uow, user_id)
        checked = self._policy.check(
            new_password,
            field="new_password",
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        password_hash = await self._hasher.hash(checked)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            user = await existing_user(uow, user_id, for_update=True)
            if reset:
                user.reset_password(password_hash, actor.id, now)
            else:
                user.change_password(password_hash, now)
            events = user.pull_events()
            await uow.users.update(user)
            keep = None if reset else actor.sign_in_id
            await uow.sign_ins.revoke_all(user.id, now, except_id=keep)
            if reset:
                await record_audit(uow, actor, "user.password_reset", "user", user.id, now)
            else:
                await record_audit(uow, actor, "user.password_changed", "user", user.id, now)
            # A link mailed earlier must not set a password over this one.
            await uow.password_links.end_all(user.id, now)
            enqueue_password_notice(uow, user, "reset" if reset else "changed", now)
            for event in events:
                uow.record(event)
            # After the event, so that the user's live connections hear of it before closing.
            uow.record(SignInsEnded(user.id, except_sign_in_id=keep))
            await uow.commit()

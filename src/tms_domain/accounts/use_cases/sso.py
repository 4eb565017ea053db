"""Use cases for single sign-on: starting a sign-in at the identity provider, finishing it
(the account found, linked or made), the one-time code the web client exchanges for a
sign-in, signing out at the provider, and making accounts at the provider."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from tms_domain.accounts.events import SignInsEnded, UserChanged, UserCreated
from tms_domain.accounts.model import User, UserChanges
from tms_domain.accounts.profiles import (
    USERNAME_PATTERN,
    login_key,
    normalize_username,
    profile_violations,
)
from tms_domain.accounts.sso import (
    ATTEMPT_LIFETIME,
    EXCHANGE_CODE_LIFETIME,
    ONE_TIME_PATTERN,
    UNUSABLE_PASSWORD,
    AccountToProvision,
    IdentityProvider,
    IdentityProvisioner,
    ProviderIdentity,
    ProviderInfo,
    RoleMap,
    SsoAttempt,
    one_time_digest,
    pkce_challenge,
)
from tms_domain.accounts.use_cases.auth import AuthService, SignedIn
from tms_domain.accounts.use_cases.users import ensure_role_can_change
from tms_domain.audit import record_audit
from tms_domain.kernel import AuthenticationFailed, Conflict, NotFound, Role
from tms_domain.unit_of_work import Core, UnitOfWork

NOT_CONFIGURED = "Single sign-on is not configured"
UNKNOWN_STATE = "This sign-in was not started here, was finished already or took too long"
UNKNOWN_CODE = "This sign-in code is unknown, used or expired: sign in again"
NO_EMAIL = "The identity provider gave no e-mail address for your account"
UNVERIFIED_EMAIL = (
    "An account here uses your e-mail address: verify the address at your identity provider"
    " to sign in to it"
)
LINKED_ELSEWHERE = "This account is linked to another identity at the provider"
_PROVIDER_ERROR = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class SsoSettings:
    """The provider as offered here, and the addresses of the flow."""

    provider_id: str
    provider_name: str
    login_url: str
    callback_url: str
    """Where the provider sends the browser back (GET /auth/oidc/callback)."""
    web_return_url: str
    """The web client's page that exchanges the one-time code (given in the fragment)."""
    signed_out_url: str
    """Where the browser lands after signing out at the provider."""
    roles_claim: str
    role_map: RoleMap


class SsoService:
    def __init__(
        self,
        core: Core,
        auth: AuthService,
        provider: IdentityProvider | None,
        settings: SsoSettings,
    ) -> None:
        self._core = core
        self._auth = auth
        self._provider = provider
        self._settings = settings

    def providers(self) -> list[ProviderInfo]:
        """What the sign-in page offers: the provider, when single sign-on is configured."""
        if self._provider is None:
            return []
        s = self._settings
        return [ProviderInfo(s.provider_id, s.provider_name, s.login_url)]

    def _configured(self) -> IdentityProvider:
        if self._provider is None:
            raise NotFound(NOT_CONFIGURED)
        return self._provider

    async def start(self) -> str:
        """Where to send the browser: the provider's sign-in, with a fresh state, nonce and
        PKCE verifier kept here (10 minutes, once) and never shown to the browser but the
        state and the verifier's S256 challenge."""
        provider = self._configured()
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)
        url = await provider.authorization_url(
            state=state,
            nonce=nonce,
            code_challenge=pkce_challenge(verifier),
            redirect_uri=self._settings.callback_url,
        )
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            await uow.sso_attempts.add(
                SsoAttempt(one_time_digest(state), nonce, verifier, now, now + ATTEMPT_LIFETIME)
            )
            await uow.commit()
        return url

    async def finish(self, *, code: str | None, state: str | None, error: str | None) -> str:
        """The provider's answer: the state must be one started here and not used (it is
        used up whatever follows); the code is redeemed and the ID token checked. The
        identity's account is found, or an account with its e-mail address is linked when
        the provider vouches for the address, or a new one is made, with the role the
        provider's roles map to (a trainee when none maps; an existing account takes a
        mapped role when its rules allow). Answers the web client's address with a one-time
        code (60 s) in its fragment. Any failure: AuthenticationFailed, nothing made."""
        provider = self._configured()
        if not state or not ONE_TIME_PATTERN.fullmatch(state):
            raise AuthenticationFailed(UNKNOWN_STATE)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            attempt = await uow.sso_attempts.take(one_time_digest(state), now)
            await uow.commit()
        if attempt is None:
            raise AuthenticationFailed(UNKNOWN_STATE)
        if error is not None or not code:
            said = error if error and _PROVIDER_ERROR.fullmatch(error) else "no code"
            raise AuthenticationFailed(f"The identity provider did not sign you in ({said})")
        claims = await provider.redeem(
            code=code,
            code_verifier=attempt.code_verifier,
            redirect_uri=self._settings.callback_url,
            nonce=attempt.nonce,
        )
        identity = ProviderIdentity.of(claims, self._settings.roles_claim)
        role = self._settings.role_map.role_for(identity.roles)
        exchange_code = secrets.token_urlsafe(32)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            user = await self._account_for(uow, identity, role)
            await uow.sso_exchange_codes.add(
                one_time_digest(exchange_code), user.id, now + EXCHANGE_CODE_LIFETIME
            )
            await uow.commit()
        return f"{self._settings.web_return_url}#code={exchange_code}"

    async def exchange(self, code: str) -> SignedIn:
        """The one-time code for a sign-in, as POST /auth/login answers it (once, 60 s)."""
        if not ONE_TIME_PATTERN.fullmatch(code):
            raise AuthenticationFailed(UNKNOWN_CODE)
        async with self._core.uow() as uow:
            user_id = await uow.sso_exchange_codes.take(
                one_time_digest(code), self._core.clock.now()
            )
            user = await uow.users.get(user_id) if user_id is not None else None
            if user is None:
                raise AuthenticationFailed(UNKNOWN_CODE)
            sign_in = self._auth.new_sign_in(user.id)
            await self._auth.add_sign_in(uow, sign_in, user, "sso")
            await uow.commit()
        return self._auth.signed_in(sign_in, user)

    async def sign_out_url(self) -> str:
        """Where to send the browser to sign out at the provider too (its end-session
        endpoint, when it has one; else the web client's sign-in page)."""
        provider = self._configured()
        back = self._settings.signed_out_url
        return await provider.end_session_url(post_logout_redirect_uri=back) or back

    async def _account_for(
        self, uow: UnitOfWork, identity: ProviderIdentity, role: Role | None
    ) -> User:
        user_id = await uow.user_identities.user_for(identity.issuer, identity.subject)
        if user_id is not None:
            user = await uow.users.get(user_id, for_update=True)
            if user is None:
                raise AuthenticationFailed(UNKNOWN_STATE)
            await self._take_role(uow, user, role)
            return user
        if identity.email is None:
            raise AuthenticationFailed(NO_EMAIL)
        holder = await uow.users.find_by_login(identity.email)
        if holder is not None and login_key(holder.email) == login_key(identity.email):
            if not identity.email_verified:
                raise AuthenticationFailed(UNVERIFIED_EMAIL)
            await self._link(uow, identity, holder)
            await self._take_role(uow, holder, role)
            return holder
        user = await self._provision(uow, identity, role or Role.TRAINEE)
        await self._link(uow, identity, user)
        return user

    async def _link(self, uow: UnitOfWork, identity: ProviderIdentity, user: User) -> None:
        now = self._core.clock.now()
        try:
            await uow.user_identities.link(identity.issuer, identity.subject, user.id, now)
        except Conflict:
            raise AuthenticationFailed(LINKED_ELSEWHERE) from None
        await record_audit(
            uow,
            None,
            "user.identity_linked",
            "user",
            user.id,
            now,
            {"issuer": [None, identity.issuer]},
        )

    async def _take_role(self, uow: UnitOfWork, user: User, role: Role | None) -> None:
        """The provider's role, when it maps to one and the account's rules allow the change
        (a trainer with sessions stays one until they are reassigned)."""
        if role is None or role is user.role:
            return
        try:
            await ensure_role_can_change(uow, user, role)
        except Conflict:
            return
        now = self._core.clock.now()
        changed, _ = user.apply(UserChanges(role=role), None, now)
        await uow.users.update(user)
        await record_audit(uow, None, "user.updated", "user", user.id, now, changed)
        uow.record(UserChanged(user.snapshot()))
        await uow.sign_ins.revoke_all(user.id, now)
        uow.record(SignInsEnded(user.id))

    async def _provision(self, uow: UnitOfWork, identity: ProviderIdentity, role: Role) -> User:
        """A new account for the identity: its preferred username (or its e-mail's local
        part) when free, else a generated one; no password signs in to it."""
        email = identity.email or ""
        local = email.partition("@")[0]
        if profile_violations(email=email):
            raise AuthenticationFailed("The identity provider's e-mail address is not valid here")
        first_name = (identity.given_name or identity.preferred_username or local)[:100]
        now = self._core.clock.now()
        candidates = [
            name
            for name in (identity.preferred_username, local)
            if name and USERNAME_PATTERN.fullmatch(normalize_username(name)) and "@" not in name
        ]
        candidates.append(f"user-{secrets.token_hex(5)}")
        for candidate in candidates:
            username = normalize_username(candidate)
            if await uow.users.find_by_login(username) is not None:
                continue
            try:
                user = await uow.users.add(
                    User(
                        id=0,
                        username=username,
                        email=email,
                        role=role,
                        first_name=first_name,
                        last_name=(identity.family_name or "")[:100],
                        password_hash=UNUSABLE_PASSWORD,
                        is_temporary_password=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
            except Conflict:
                continue
            break
        else:
            raise AuthenticationFailed("No account could be made for this identity")
        changes = {k: [None, v] for k, v in user.audit_fields().items()}
        changes["provisioned_by"] = [None, "single sign-on"]
        await record_audit(uow, None, "user.created", "user", user.id, now, changes)
        uow.record(UserCreated(user.snapshot()))
        return user


class IdentityProvisioning:
    """The job that makes an account created here at the identity provider too."""

    def __init__(self, core: Core, provisioner: IdentityProvisioner, role_map: RoleMap) -> None:
        self._core = core
        self._provisioner = provisioner
        self._role_map = role_map

    async def provision(self, user_id: int) -> None:
        """Make the account at the provider with the provider role its role maps to (a
        deleted account is left alone); the provisioner makes doing it twice harmless."""
        async with self._core.uow(read_only=True) as uow:
            user = await uow.users.get(user_id)
        if user is None:
            return
        await self._provisioner.provision(
            AccountToProvision(
                user_id=user.id,
                username=user.username,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                provider_role=self._role_map.provider_role_for(user.role),
            )
        )

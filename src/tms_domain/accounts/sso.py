"""Single sign-on through an OpenID Connect provider: what a sign-in there proves, how its
roles map onto ours, the one-time values the flow keeps server-side, and the ports it
needs (the provider, the stores, and provisioning accounts into the provider)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from tms_domain.kernel.access import Role

DEFAULT_ROLES_CLAIM = "realm_access.roles"
"""Keycloak's realm roles in its ID and access tokens."""
ATTEMPT_LIFETIME = timedelta(minutes=10)
"""How long a started sign-in waits for the provider's answer."""
EXCHANGE_CODE_LIFETIME = timedelta(seconds=60)
"""How long the one-time code handed to the web client stays good."""
UNUSABLE_PASSWORD = "!sso"  # noqa: S105 (no hash matches it: no password signs in)
"""The password hash of an account made by a sign-in at the provider."""
PROVISION_JOB = "accounts.provision_identity"
"""An account created here, created at the identity provider too (after the commit)."""
ONE_TIME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
"""A state or exchange code as issued here (URL-safe base64); anything else is unknown."""
_ROLE_RANK = {Role.TRAINEE: 0, Role.TRAINER: 1, Role.ADMIN: 2}


def one_time_digest(value: str) -> str:
    """How a state or exchange code is stored and looked up: its SHA-256 in hex (256 random
    bits need no salt or slow hash)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def pkce_challenge(verifier: str) -> str:
    """RFC 7636's S256 challenge: the verifier's SHA-256, base64url without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class RoleMapError(ValueError):
    """A role map setting that cannot be read; the message says where."""


@dataclass(frozen=True)
class RoleMap:
    """Provider roles to ours (``idp-role=tms-role,...``)."""

    pairs: tuple[tuple[str, Role], ...] = ()

    @classmethod
    def parse(cls, text: str) -> RoleMap:
        pairs = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            provider_role, sep, ours = (side.strip() for side in item.partition("="))
            if not sep or not provider_role:
                raise RoleMapError(f"{item!r} is not idp-role=tms-role")
            try:
                pairs.append((provider_role, Role(ours)))
            except ValueError:
                names = ", ".join(role.value for role in Role)
                raise RoleMapError(f"{ours!r} in {item!r} is not a role: use {names}") from None
        return cls(tuple(pairs))

    def role_for(self, provider_roles: tuple[str, ...]) -> Role | None:
        """The highest of our roles that the provider's roles map to; None when none does."""
        mapped = [ours for theirs, ours in self.pairs if theirs in provider_roles]
        return max(mapped, key=_ROLE_RANK.__getitem__, default=None)

    def provider_role_for(self, role: Role) -> str:
        """The provider role that grants ``role`` (the first mapped; else its own name)."""
        return next((theirs for theirs, ours in self.pairs if ours is role), role.value)


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path (``realm_access.roles``); None when any step is missing."""
    value: Any = claims
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


@dataclass(frozen=True)
class ProviderIdentity:
    """What a checked ID token says about who signed in."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    preferred_username: str | None
    given_name: str | None
    family_name: str | None
    roles: tuple[str, ...]

    @classmethod
    def of(cls, claims: Mapping[str, Any], roles_claim: str) -> ProviderIdentity:
        """From the verified claims; roles from the (dotted) ``roles_claim``, a list of
        names or one name."""
        raw_roles = claim_at(claims, roles_claim)
        if isinstance(raw_roles, str):
            raw_roles = [raw_roles]
        roles = tuple(r for r in raw_roles if isinstance(r, str)) if raw_roles else ()

        def text(name: str) -> str | None:
            value = claims.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return cls(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            email=text("email"),
            email_verified=claims.get("email_verified") is True,
            preferred_username=text("preferred_username"),
            given_name=text("given_name"),
            family_name=text("family_name"),
            roles=roles,
        )


@dataclass(frozen=True)
class SsoAttempt:
    """A sign-in started here and not yet answered by the provider: kept under the digest
    of its ``state``, taken once."""

    state_hash: str
    nonce: str
    code_verifier: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ProviderInfo:
    id: str
    name: str
    login_url: str


@dataclass(frozen=True)
class AccountToProvision:
    """An account as the identity provider is given it (never a password)."""

    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    provider_role: str


class IdentityProvider(Protocol):
    """An OpenID Connect provider, as the sign-in flow uses it. Every method raises
    AuthenticationFailed for an answer that proves nothing (a bad token, a refused code)
    and ProviderUnavailable when the provider cannot be reached."""

    async def authorization_url(
        self, *, state: str, nonce: str, code_challenge: str, redirect_uri: str
    ) -> str:
        """Where to send the browser to sign in (authorization code, PKCE S256)."""
        ...

    async def redeem(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> Mapping[str, Any]:
        """Exchange the code and check the ID token (signature from the provider's keys,
        issuer, audience, expiry, nonce); its claims."""
        ...

    async def end_session_url(self, *, post_logout_redirect_uri: str) -> str | None:
        """Where to sign out at the provider; None when it offers no end-session endpoint."""
        ...


class SsoAttempts(Protocol):
    async def add(self, attempt: SsoAttempt) -> None: ...

    async def take(self, state_hash: str, now: datetime) -> SsoAttempt | None:
        """The attempt with this state, removed (it works once); None when unknown, taken
        already or expired. Expired ones are forgotten on the way."""
        ...


class UserIdentities(Protocol):
    """Which account an identity at a provider (issuer, subject) is."""

    async def user_for(self, issuer: str, subject: str) -> int | None: ...

    async def link(self, issuer: str, subject: str, user_id: int, at: datetime) -> None:
        """Raise Conflict when the identity or the account is linked already."""
        ...

    async def is_linked(self, user_id: int) -> bool:
        """True when the account has an identity at any provider."""
        ...


class SsoExchangeCodes(Protocol):
    async def add(self, code_hash: str, user_id: int, expires_at: datetime) -> None: ...

    async def take(self, code_hash: str, now: datetime) -> int | None:
        """The user the code signs in, the code removed (it works once); None when unknown,
        used or expired."""
        ...


class IdentityProvisioner(Protocol):
    """Accounts made here, made at the identity provider too."""

    async def provision(self, account: AccountToProvision) -> None:
        """Create the account there (asked to set a password at its first sign-in) with the
        role, or find it made already: doing it twice does it once."""
        ...

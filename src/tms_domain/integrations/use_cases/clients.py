"""API clients for partners: created and rotated by admins, exchanged for tokens by the
partner (OAuth 2.0 client credentials), and the principal such a token stands for."""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.integrations.model import ApiClient, ApiClientChanged
from tms_domain.integrations.ports import ClientTokens, RequestCounter, SecretDigest
from tms_domain.integrations.rules import (
    client_name,
    new_client_id,
    new_client_secret,
    parse_scopes,
)
from tms_domain.kernel import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    Permission,
    Role,
    Throttled,
    authorize,
)
from tms_domain.unit_of_work import Core

INVALID_CLIENT = "Unknown client or wrong secret"
CLIENT_GONE = "This API client was revoked"
CLIENT_NOT_FOUND = "API client not found"
RATE_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class ClientPolicy:
    token_lifetime: timedelta = timedelta(hours=1)
    secret_grace: timedelta = timedelta(hours=24)
    """How long a rotated-out secret still works."""
    requests_per_minute: int = 600
    """Per client; 0 for no limit."""


@dataclass(frozen=True)
class ClientSecret:
    """Shown once, when a client is created or its secret rotated."""

    id: int
    client_id: str
    client_secret: str
    previous_valid_until: datetime | None = None


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


class ApiClientService:
    def __init__(
        self,
        core: Core,
        digest: SecretDigest,
        tokens: ClientTokens,
        counter: RequestCounter,
        policy: ClientPolicy,
    ) -> None:
        self._core = core
        self._digest = digest
        self._tokens = tokens
        self._counter = counter
        self._policy = policy

    async def create(self, actor: Actor, name: str, scopes: list[str]) -> ClientSecret:
        """An admin creates a client with a name and scopes; its secret is answered once and
        only its keyed digest is kept."""
        authorize(actor, Permission.MANAGE_API_CLIENTS)
        cleaned, granted = client_name(name), parse_scopes(scopes)
        secret, now = new_client_secret(), self._core.clock.now()
        async with self._core.uow() as uow:
            client = await uow.api_clients.add(
                ApiClient(
                    0, cleaned, new_client_id(), granted, self._digest.digest(secret), now, now
                )
            )
            await record_audit(
                uow,
                actor,
                "api_client.created",
                "api_client",
                client.id,
                now,
                {"name": [None, cleaned], "scopes": [None, sorted(granted)]},
            )
            uow.record(ApiClientChanged(client.id, cleaned, "created"))
            await uow.commit()
        return ClientSecret(client.id, client.client_id, secret)

    async def list_clients(self, actor: Actor) -> list[ApiClient]:
        authorize(actor, Permission.MANAGE_API_CLIENTS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.api_clients.all()

    async def rotate(self, actor: Actor, client_id: int) -> ClientSecret:
        """A new secret, answered once; the one it replaces works on for the grace period
        (a secret older than that stops at once)."""
        authorize(actor, Permission.MANAGE_API_CLIENTS)
        secret, now = new_client_secret(), self._core.clock.now()
        until = now + self._policy.secret_grace
        async with self._core.uow() as uow:
            client = await uow.api_clients.get(client_id, for_update=True)
            if client is None:
                raise NotFound(CLIENT_NOT_FOUND)
            client.previous_secret_digest = client.secret_digest
            client.previous_valid_until = until
            client.secret_digest = self._digest.digest(secret)
            client.updated_at = now
            await uow.api_clients.update(client)
            await record_audit(
                uow,
                actor,
                "api_client.rotated",
                "api_client",
                client.id,
                now,
                {"previous_secret_valid_until": [None, until.isoformat()]},
            )
            uow.record(ApiClientChanged(client.id, client.name, "rotated"))
            await uow.commit()
        return ClientSecret(client.id, client.client_id, secret, until)

    async def revoke(self, actor: Actor, client_id: int) -> None:
        """The client is gone: its secrets and every token it holds stop working at once."""
        authorize(actor, Permission.MANAGE_API_CLIENTS)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            client = await uow.api_clients.get(client_id, for_update=True)
            if client is None or not await uow.api_clients.remove(client_id):
                raise NotFound(CLIENT_NOT_FOUND)
            await record_audit(
                uow, actor, "api_client.revoked", "api_client", client_id, now,
                {"name": [client.name, None]},
            )  # fmt: skip
            uow.record(ApiClientChanged(client_id, client.name, "revoked"))
            await uow.commit()

    async def issue_token(
        self, client_id: str, client_secret: str, scope: str | None
    ) -> ClientToken:
        """Client credentials for a token. A wrong id or secret, a revoked client or a
        rotated-out secret past its grace: AuthenticationFailed. Scopes asked for
        (space-separated) must be the client's: InvalidInput; none asked: all of them."""
        now = self._core.clock.now()
        async with self._core.uow(read_only=True) as uow:
            client = await uow.api_clients.find(client_id)
        presented = self._digest.digest(client_secret)
        if client is None or not any(
            hmac.compare_digest(presented, stored) for stored in client.secret_digests(now)
        ):
            raise AuthenticationFailed(INVALID_CLIENT)
        wanted = client.scopes if not scope else parse_scopes(scope.split(), field_name="scope")
        if not wanted <= client.scopes:
            raise InvalidInput.for_field("scope", "The client was not given these scopes")
        granted = " ".join(sorted(wanted))
        lifetime = self._policy.token_lifetime
        token = self._tokens.issue_client(
            client_id=client.id, scopes=granted, expires_at=now + lifetime
        )
        return ClientToken(token, int(lifetime.total_seconds()), granted)

    async def authenticate(self, token: str, client_address: str | None = None) -> Actor:
        """The principal a client token stands for, while its client exists; Throttled
        past the client's requests per minute."""
        client_id, scopes = self._tokens.read_client(token)
        async with self._core.uow(read_only=True) as uow:
            client = await uow.api_clients.get(client_id)
        if client is None:
            raise AuthenticationFailed(CLIENT_GONE)
        await self._count(client)
        return client_actor(client, scopes & client.scopes, client_address)

    async def _count(self, client: ApiClient) -> None:
        limit = self._policy.requests_per_minute
        if limit <= 0:
            return
        now = self._core.clock.now().timestamp()
        window = math.floor(now / RATE_WINDOW_SECONDS)
        key = f"api_client:{client.id}:{window}"
        if await self._counter.add_recent(key, RATE_WINDOW_SECONDS) > limit:
            left = math.ceil((window + 1) * RATE_WINDOW_SECONDS - now)
            raise Throttled(f"This client may make {limit} requests a minute", max(left, 1))


def client_actor(client: ApiClient, scopes: frozenset[str], address: str | None) -> Actor:
    """A client acts with an admin's rules within its scopes; it is no user (id 0), and the
    audit names it by its name."""
    user = User(
        id=0,
        username=client.name[:50],
        email="",
        role=Role.ADMIN,
        first_name=client.name,
        last_name="",
        password_hash="",
        is_temporary_password=False,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )
    return Actor(user=user, client_address=address, scopes=scopes)

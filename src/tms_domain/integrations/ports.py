"""What the integrations area needs from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tms_domain.integrations.model import ApiClient, SendResult, Webhook, WebhookDelivery


class ApiClientRepository(Protocol):
    async def add(self, client: ApiClient) -> ApiClient:
        """Store a new client; the answer carries its id."""
        ...

    async def get(self, client_id: int, *, for_update: bool = False) -> ApiClient | None: ...

    async def find(self, client_id: str) -> ApiClient | None:
        """By the public ``client_id`` a partner presents."""
        ...

    async def update(self, client: ApiClient) -> None: ...

    async def remove(self, client_id: int) -> bool: ...

    async def all(self) -> list[ApiClient]:
        """Oldest first."""
        ...


class WebhookRepository(Protocol):
    async def add(self, webhook: Webhook) -> Webhook: ...

    async def get(self, webhook_id: int, *, for_update: bool = False) -> Webhook | None: ...

    async def update(self, webhook: Webhook) -> None: ...

    async def remove(self, webhook_id: int) -> bool:
        """Its delivery log goes with it."""
        ...

    async def all(self) -> list[Webhook]:
        """Oldest first."""
        ...

    async def enabled(self) -> list[Webhook]:
        """The subscriptions events are fanned out to."""
        ...


class WebhookDeliveryLog(Protocol):
    async def add(self, delivery: WebhookDelivery) -> WebhookDelivery: ...

    async def page(self, webhook_id: int, *, skip: int, limit: int) -> list[WebhookDelivery]:
        """Newest first."""
        ...


class SecretDigest(Protocol):
    """A keyed digest of a client secret (what is stored and compared)."""

    def digest(self, secret: str) -> str: ...


class ClientTokens(Protocol):
    def issue_client(self, *, client_id: int, scopes: str, expires_at: datetime) -> str:
        """``scopes``: space-separated, as OAuth writes them."""
        ...

    def read_client(self, token: str) -> tuple[int, frozenset[str]]:
        """(client id, scopes); AuthenticationFailed for any bad or expired token."""
        ...


class RequestCounter(Protocol):
    """Counts per key and fixed window (the per-client rate limit)."""

    async def add_recent(self, key: str, window_seconds: int) -> int: ...


class WebhookTargets(Protocol):
    """The SSRF guard: where a webhook may point."""

    async def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be a webhook target (a scheme other than http(s), a name
        that does not resolve, an address that is private, loopback, link-local, ...);
        None when it may."""
        ...


class WebhookSender(Protocol):
    async def send(
        self, url: str, secret: str, message_id: str, timestamp: int, body: bytes
    ) -> SendResult:
        """POST the signed message once (never raises: a failure is in the result)."""
        ...

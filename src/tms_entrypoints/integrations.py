"""The integrations area wired from the settings: API clients (their secrets' digest, the
tokens, the per-client rate limit) and webhooks (the SSRF guard, the sender, the delivery
job's handler)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from dependency_injector import containers, providers

from tms_adapters.security import JoseTokenService
from tms_adapters.security.client_secrets import HmacSecretDigest
from tms_adapters.webhooks import LIVE_EVENT_TYPES, AddressGuard, AiohttpWebhookSender
from tms_domain.integrations import DeliveryPolicy, RequestCounter
from tms_domain.integrations.use_cases.clients import ApiClientService, ClientPolicy
from tms_domain.integrations.use_cases.delivery import WebhookDeliveries
from tms_domain.integrations.use_cases.webhooks import WebhookService
from tms_domain.unit_of_work import Core
from tms_entrypoints.settings import Settings


def _client_policy(settings: Settings) -> ClientPolicy:
    return ClientPolicy(
        token_lifetime=timedelta(minutes=settings.api_client_token_minutes),
        secret_grace=timedelta(seconds=settings.api_client_secret_grace_seconds),
        requests_per_minute=settings.api_client_requests_per_minute,
    )


def _delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        first_backoff=timedelta(seconds=settings.webhook_retry_seconds),
        give_up_after=timedelta(hours=settings.webhook_retry_hours),
    )


async def _closed_at_shutdown(sender: AiohttpWebhookSender) -> AsyncIterator[AiohttpWebhookSender]:
    try:
        yield sender
    finally:
        await sender.close()


class IntegrationsContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    core = providers.Dependency(instance_of=Core)
    tokens: providers.Dependency[JoseTokenService] = providers.Dependency()
    """The JoseTokenService (it issues client tokens too)."""
    counter: providers.Dependency[RequestCounter] = providers.Dependency()
    """The attempt store, counting each client's requests."""

    digest = providers.Singleton(HmacSecretDigest, settings.provided.secret_key)
    clients = providers.Singleton(
        ApiClientService,
        core,
        digest,
        tokens,
        counter,
        providers.Callable(_client_policy, settings),
    )
    guard = providers.Singleton(AddressGuard, allow_private=settings.provided.webhook_allow_private)
    webhooks = providers.Singleton(WebhookService, core, guard, LIVE_EVENT_TYPES)
    sender = providers.Singleton(AiohttpWebhookSender, guard)
    sender_closed = providers.Resource(_closed_at_shutdown, sender)
    deliveries = providers.Singleton(
        WebhookDeliveries, core, sender, providers.Callable(_delivery_policy, settings)
    )

"""Integrations: partners' API clients (client credentials, scopes) and signed webhooks.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.integrations.model import (
    ApiClient,
    ApiClientChanged,
    DeliveryJob,
    DeliveryStatus,
    Scope,
    SendResult,
    Webhook,
    WebhookChanged,
    WebhookDelivery,
)
from tms_domain.integrations.ports import (
    ApiClientRepository,
    ClientTokens,
    RequestCounter,
    SecretDigest,
    WebhookDeliveryLog,
    WebhookRepository,
    WebhookSender,
    WebhookTargets,
)
from tms_domain.integrations.rules import DELIVERY_JOB, DeliveryPolicy

__all__ = [
    "DELIVERY_JOB",
    "ApiClient",
    "ApiClientChanged",
    "ApiClientRepository",
    "ClientTokens",
    "DeliveryJob",
    "DeliveryPolicy",
    "DeliveryStatus",
    "RequestCounter",
    "Scope",
    "SecretDigest",
    "SendResult",
    "Webhook",
    "WebhookChanged",
    "WebhookDelivery",
    "WebhookDeliveryLog",
    "WebhookRepository",
    "WebhookSender",
    "WebhookTargets",
]

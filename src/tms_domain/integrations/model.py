"""Partners' API clients (OAuth 2.0 client credentials with scopes) and webhook
subscriptions with their delivery log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tms_domain.kernel import DomainEvent


class Scope(StrEnum):
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    SESSIONS_READ = "sessions:read"
    SESSIONS_WRITE = "sessions:write"
    COURSES_READ = "courses:read"
    COURSES_WRITE = "courses:write"
    PROGRESS_READ = "progress:read"
    REPORTS_READ = "reports:read"


@dataclass
class ApiClient:
    """A partner's credentials. Only digests of its secrets are kept; after a rotation the
    previous secret still works until ``previous_valid_until``."""

    id: int
    name: str
    client_id: str
    scopes: frozenset[str]
    secret_digest: str
    created_at: datetime
    updated_at: datetime
    previous_secret_digest: str | None = None
    previous_valid_until: datetime | None = None

    def secret_digests(self, now: datetime) -> list[str]:
        """The digests a presented secret may match now."""
        digests = [self.secret_digest]
        if (
            self.previous_secret_digest
            and self.previous_valid_until is not None
            and now < self.previous_valid_until
        ):
            digests.append(self.previous_secret_digest)
        return digests


@dataclass
class Webhook:
    """A subscription: the event types it wants, where they go, and the signing secret
    (``whsec_`` + base64; kept as is, it signs every delivery)."""

    id: int
    url: str
    events: tuple[str, ...]
    secret: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    disabled_reason: str | None = None

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.events


class DeliveryStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    """What one POST to a receiver came to."""

    status_code: int | None
    duration_ms: float
    response_body: str
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class WebhookDelivery:
    """One attempt at delivering one message, as logged."""

    id: int
    webhook_id: int
    message_id: str
    event_type: str
    attempt: int
    status: DeliveryStatus
    status_code: int | None
    duration_ms: float
    response_body: str
    error: str | None
    at: datetime
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryJob:
    """A delivery job's payload: the message as first sent, and which try this is."""

    webhook_id: int
    message_id: str
    event_type: str
    body: dict[str, Any]
    attempt: int
    first_at: datetime

    def payload(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "message_id": self.message_id,
            "event_type": self.event_type,
            "body": self.body,
            "attempt": self.attempt,
            "first_at": self.first_at.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: Any) -> DeliveryJob:
        return cls(
            webhook_id=int(payload["webhook_id"]),
            message_id=str(payload["message_id"]),
            event_type=str(payload["event_type"]),
            body=dict(payload["body"]),
            attempt=int(payload["attempt"]),
            first_at=datetime.fromisoformat(str(payload["first_at"])),
        )


@dataclass(frozen=True)
class ApiClientChanged(DomainEvent):
    """An admin created, rotated or revoked an API client (admins hear of it)."""

    client_id: int
    name: str
    action: str


@dataclass(frozen=True)
class WebhookChanged(DomainEvent):
    """A subscription was created, changed, deleted, or disabled after failing for a day."""

    webhook_id: int
    url: str
    action: str
    reason: str | None = field(default=None)

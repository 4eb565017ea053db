"""Pure policies of the integrations area: scopes, secrets, retries, fan-out."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tms_domain.integrations.model import DeliveryJob, Scope, Webhook
from tms_domain.kernel import InvalidInput, StoredEvent

DELIVERY_JOB = "webhook.deliver"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the secrets' prefix, no secret)
SECRET_BYTES = 32
MIN_SECRET_BYTES = 24
"""Standard Webhooks asks for 24 to 64 random bytes."""
MAX_SECRET_BYTES = 64
CLIENT_SECRET_BYTES = 32
"""256 random bits: far beyond guessing, so a fast keyed hash is enough to store it."""
MAX_NAME_LENGTH = 100
MAX_URL_LENGTH = 2000
RESPONSE_BODY_KEPT = 1024
"""The part of a receiver's answer kept in the delivery log."""


def parse_scopes(values: Iterable[str], *, field_name: str = "scopes") -> frozenset[str]:
    known = {scope.value for scope in Scope}
    given = [value.strip() for value in values]
    unknown = sorted({value for value in given if value not in known})
    if unknown:
        raise InvalidInput.for_field(
            field_name, f"Unknown scopes: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    if not given:
        raise InvalidInput.for_field(field_name, "Give at least one scope")
    return frozenset(given)


def client_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput.for_field("name", f"Give a name of 1 to {MAX_NAME_LENGTH} characters")
    return cleaned


def new_client_id() -> str:
    return "tms_" + secrets.token_hex(12)


def new_client_secret() -> str:
    return secrets.token_urlsafe(CLIENT_SECRET_BYTES)


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def checked_webhook_secret(secret: str) -> str:
    """A secret an admin brings: ``whsec_`` + base64 of 24 to 64 bytes."""
    refusal = InvalidInput.for_field(
        "secret",
        f"The secret is {SECRET_PREFIX} followed by the base64 of"
        f" {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes",
    )
    if not secret.startswith(SECRET_PREFIX):
        raise refusal
    try:
        raw = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError as error:
        raise refusal from error
    if not MIN_SECRET_BYTES <= len(raw) <= MAX_SECRET_BYTES:
        raise refusal
    return secret


def checked_event_types(values: Sequence[str], known: frozenset[str]) -> tuple[str, ...]:
    unknown = sorted({value for value in values if value not in known})
    if unknown:
        raise InvalidInput.for_field("events", f"Unknown event types: {', '.join(unknown)}")
    if not values:
        raise InvalidInput.for_field("events", "Subscribe to at least one event type")
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class DeliveryPolicy:
    """Exponential backoff from ``first_backoff``, capped, for ``give_up_after`` from the
    first try; then the subscription is disabled."""

    first_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=2)
    give_up_after: timedelta = timedelta(days=1)

    def next_attempt(self, attempt: int, first_at: datetime, now: datetime) -> datetime | None:
        """When try ``attempt + 1`` runs, or None when it would fall past the window."""
        delay: timedelta = min(self.first_backoff * (2 ** max(attempt - 1, 0)), self.max_backoff)
        due = now + delay
        return due if due - first_at <= self.give_up_after else None


def message_body(event: StoredEvent) -> dict[str, Any]:
    """The event as a WebSocket client reads it: ``type``, ``data``, ``id``, ``ts``."""
    body: dict[str, Any] = {"type": event.type, "data": event.data}
    if event.id is not None:
        body["id"] = event.id
    if event.at is not None:
        body["ts"] = event.at.isoformat()
    return body


def delivery_jobs(
    events: Sequence[StoredEvent], webhooks: Sequence[Webhook], now: datetime
) -> list[tuple[DeliveryJob, str]]:
    """One first-try job (with its idempotency key) per stored event and subscription
    that wants it. The message id is the event's: the same on every try. A private event
    (one user's own notification) goes to no partner, whatever a subscription names."""
    jobs = []
    for event in events:
        if event.audience.private:
            continue
        targets = [hook for hook in webhooks if hook.wants(event.type)]
        if not targets or event.id is None:
            continue
        body = message_body(event)
        for hook in targets:
            job = DeliveryJob(hook.id, f"msg_{event.id}", event.type, body, 1, now)
            jobs.append((job, delivery_key(job)))
    return jobs


def delivery_key(job: DeliveryJob) -> str:
    """One job per subscription, message and try."""
    return f"webhook:{job.webhook_id}:{job.message_id}:{job.attempt}"

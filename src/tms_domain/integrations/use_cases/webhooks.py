"""Webhook subscriptions, managed by admins: each names the event types it wants and where
they go; the URL is checked against the SSRF guard when it is set (and again at each
delivery)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.integrations.model import DeliveryJob, Webhook, WebhookChanged, WebhookDelivery
from tms_domain.integrations.ports import WebhookTargets
from tms_domain.integrations.rules import (
    DELIVERY_JOB,
    MAX_URL_LENGTH,
    checked_event_types,
    checked_webhook_secret,
    delivery_key,
    new_webhook_secret,
)
from tms_domain.kernel import InvalidInput, NotFound, Page, Permission, authorize
from tms_domain.unit_of_work import Core, UnitOfWork

WEBHOOK_NOT_FOUND = "Webhook not found"
TEST_EVENT = "webhook.test"
"""The type of the message ``POST /webhooks/{id}/test`` sends (tried once, never retried)."""


@dataclass(frozen=True)
class WebhookChanges:
    url: str | None = None
    events: list[str] | None = None
    enabled: bool | None = None
    secret: str | None = None


class WebhookService:
    def __init__(self, core: Core, targets: WebhookTargets, event_types: frozenset[str]):
        self._core = core
        self._targets = targets
        self._event_types = event_types

    def event_types(self, actor: Actor) -> list[str]:
        """What a subscription may name: the events pushed live."""
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        return sorted(self._event_types)

    async def _checked_url(self, url: str) -> str:
        cleaned = url.strip()
        if not cleaned or len(cleaned) > MAX_URL_LENGTH:
            raise InvalidInput.for_field(
                "url", f"Give a URL of at most {MAX_URL_LENGTH} characters"
            )
        refusal = await self._targets.refusal(cleaned)
        if refusal is not None:
            raise InvalidInput.for_field("url", refusal)
        return cleaned

    async def create(
        self, actor: Actor, url: str, events: list[str], secret: str | None = None
    ) -> Webhook:
        """The answer carries the secret (given, or generated): shown this once."""
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        wanted = checked_event_types(events, self._event_types)
        signing = checked_webhook_secret(secret) if secret else new_webhook_secret()
        target, now = await self._checked_url(url), self._core.clock.now()
        async with self._core.uow() as uow:
            hook = await uow.webhooks.add(Webhook(0, target, wanted, signing, True, now, now))
            await record_audit(
                uow, actor, "webhook.created", "webhook", hook.id, now,
                {"url": [None, target], "events": [None, list(wanted)]},
            )  # fmt: skip
            uow.record(WebhookChanged(hook.id, target, "created"))
            await uow.commit()
        return hook

    async def list_webhooks(self, actor: Actor) -> list[Webhook]:
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.webhooks.all()

    async def update(self, actor: Actor, webhook_id: int, changes: WebhookChanges) -> Webhook:
        """Change the URL, the event types, the secret, or enable or disable it (enabling
        clears why it was disabled)."""
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        url = await self._checked_url(changes.url) if changes.url is not None else None
        wanted = (
            checked_event_types(changes.events, self._event_types)
            if changes.events is not None
            else None
        )
        secret = checked_webhook_secret(changes.secret) if changes.secret else None
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            hook = await _existing(uow, webhook_id)
            before = {"url": hook.url, "events": list(hook.events), "enabled": hook.enabled}
            hook.url = url or hook.url
            hook.events = wanted or hook.events
            hook.secret = secret or hook.secret
            if changes.enabled is not None:
                hook.enabled = changes.enabled
                hook.disabled_reason = None if changes.enabled else "Disabled by an admin"
            after = {"url": hook.url, "events": list(hook.events), "enabled": hook.enabled}
            changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
            if secret:
                changed["secret"] = ["***", "***"]
            hook.updated_at = now
            await uow.webhooks.update(hook)
            await record_audit(uow, actor, "webhook.updated", "webhook", hook.id, now, changed)
            uow.record(WebhookChanged(hook.id, hook.url, "updated"))
            await uow.commit()
        return hook

    async def delete(self, actor: Actor, webhook_id: int) -> None:
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            hook = await _existing(uow, webhook_id)
            await uow.webhooks.remove(webhook_id)
            await record_audit(
                uow, actor, "webhook.deleted", "webhook", webhook_id, now, {"url": [hook.url, None]}
            )
            uow.record(WebhookChanged(webhook_id, hook.url, "deleted"))
            await uow.commit()

    async def deliveries(self, actor: Actor, webhook_id: int, page: Page) -> list[WebhookDelivery]:
        """Newest first."""
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        async with self._core.uow(read_only=True) as uow:
            await _existing(uow, webhook_id, for_update=False)
            return await uow.webhook_deliveries.page(webhook_id, skip=page.skip, limit=page.limit)

    async def send_test(self, actor: Actor, webhook_id: int) -> str:
        """Queue one ``webhook.test`` message to the subscription (enabled or not); its
        outcome appears in the delivery log. Answers the message id."""
        authorize(actor, Permission.MANAGE_WEBHOOKS)
        now = self._core.clock.now()
        message_id = "msg_test_" + secrets.token_hex(8)
        async with self._core.uow() as uow:
            hook = await _existing(uow, webhook_id)
            body = {"type": TEST_EVENT, "data": {"webhook_id": hook.id}, "ts": now.isoformat()}
            job = DeliveryJob(hook.id, message_id, TEST_EVENT, body, 1, now)
            uow.jobs.enqueue(DELIVERY_JOB, job.payload(), idempotency_key=delivery_key(job))
            await record_audit(uow, actor, "webhook.tested", "webhook", hook.id, now)
            await uow.commit()
        return message_id


async def _existing(uow: UnitOfWork, webhook_id: int, *, for_update: bool = True) -> Webhook:
    hook = await uow.webhooks.get(webhook_id, for_update=for_update)
    if hook is None:
        raise NotFound(WEBHOOK_NOT_FOUND)
    return hook

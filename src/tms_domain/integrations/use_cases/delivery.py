"""Delivering webhook messages: the fan-out of committed events into delivery jobs (in the
transaction that stores the events), and the job that sends one message once, logs the
try, and schedules the next one or, after a day of failures, disables the subscription."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from tms_domain.audit import record_audit
from tms_domain.integrations.model import (
    DeliveryJob,
    DeliveryStatus,
    WebhookChanged,
    WebhookDelivery,
)
from tms_domain.integrations.ports import WebhookRepository, WebhookSender
from tms_domain.integrations.rules import (
    DELIVERY_JOB,
    RESPONSE_BODY_KEPT,
    DeliveryPolicy,
    delivery_jobs,
    delivery_key,
)
from tms_domain.integrations.use_cases.webhooks import TEST_EVENT
from tms_domain.kernel import Clock, Role, StoredEvent
from tms_domain.kernel.jobs import JobContext, JobQueue
from tms_domain.notifications import MailTemplate, NotificationKind
from tms_domain.notifications.use_cases.notify import notify_many
from tms_domain.unit_of_work import Core, UnitOfWork

DISABLED_REASON = "Deliveries failed for {window}: disabled"
WEBHOOKS_PATH = "/webhooks"
"""The web client's webhooks page (under /app), where an admin enables one again."""
ADMINS_TOLD_AT_MOST = 1000


class FansOut(Protocol):
    """A unit of work as the fan-out sees it."""

    @property
    def webhooks(self) -> WebhookRepository: ...

    @property
    def jobs(self) -> JobQueue: ...


async def fan_out(uow: FansOut, events: Sequence[StoredEvent], clock: Clock) -> None:
    """Called by a unit of work's commit once its events have their ids: a delivery job
    per event and subscription that wants it, stored by the same commit."""
    if not events:
        return
    hooks = await uow.webhooks.enabled()
    if not hooks:
        return
    for job, key in delivery_jobs(events, hooks, clock.now()):
        uow.jobs.enqueue(DELIVERY_JOB, job.payload(), idempotency_key=key)


def encoded(body: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookDeliveries:
    """The handler of ``webhook.deliver`` jobs."""

    def __init__(self, core: Core, sender: WebhookSender, policy: DeliveryPolicy) -> None:
        self._core = core
        self._sender = sender
        self._policy = policy

    async def __call__(self, context: JobContext) -> None:
        await self.deliver(DeliveryJob.from_payload(context.payload), context)

    async def deliver(
        self, job: DeliveryJob, context: JobContext | None = None
    ) -> WebhookDelivery | None:
        """Send once (no transaction is held while the receiver answers), then log the try,
        decide what follows and end the job (``context.complete_in``), in one commit: a
        worker killed before it sends again (same ``webhook-id``), never after. None when
        the subscription is gone or disabled (a test is sent either way)."""
        async with self._core.uow(read_only=True) as uow:
            hook = await uow.webhooks.get(job.webhook_id)
        is_test = job.event_type == TEST_EVENT
        if hook is None or not (hook.enabled or is_test):
            return None
        sent_at = self._core.clock.now()
        result = await self._sender.send(
            hook.url, hook.secret, job.message_id, int(sent_at.timestamp()), encoded(job.body)
        )
        now = self._core.clock.now()
        retry_at = None
        if not result.succeeded and not is_test:
            retry_at = self._policy.next_attempt(job.attempt, job.first_at, now)
        async with self._core.uow() as uow:
            hook = await uow.webhooks.get(job.webhook_id, for_update=True)
            if hook is None:
                return None
            delivery = await uow.webhook_deliveries.add(
                WebhookDelivery(
                    id=0,
                    webhook_id=hook.id,
                    message_id=job.message_id,
                    event_type=job.event_type,
                    attempt=job.attempt,
                    status=DeliveryStatus.SUCCEEDED if result.succeeded else DeliveryStatus.FAILED,
                    status_code=result.status_code,
                    duration_ms=round(result.duration_ms, 1),
                    response_body=result.response_body[:RESPONSE_BODY_KEPT],
                    error=result.error,
                    at=sent_at,
                    next_attempt_at=retry_at,
                )
            )
            if retry_at is not None:
                following = replace(job, attempt=job.attempt + 1)
                uow.jobs.enqueue(
                    DELIVERY_JOB,
                    following.payload(),
                    idempotency_key=delivery_key(following),
                    run_after=retry_at,
                )
            elif not result.succeeded and not is_test and hook.enabled:
                reason = DISABLED_REASON.format(window=self._policy.give_up_after)
                hook.enabled, hook.disabled_reason, hook.updated_at = False, reason, now
                await uow.webhooks.update(hook)
                await record_audit(
                    uow, None, "webhook.disabled", "webhook", hook.id, now,
                    {"enabled": [True, False]},
                )  # fmt: skip
                # The admins hear of it live (the event's audience), and each is told.
                uow.record(WebhookChanged(hook.id, hook.url, "disabled", reason))
                await self._tell_admins(uow, hook.id, hook.url, now)
            if context is not None:
                await context.complete_in(uow.jobs)
            await uow.commit()
        return delivery

    async def _tell_admins(self, uow: UnitOfWork, hook_id: int, url: str, now: datetime) -> None:
        """Every admin gets a ``webhook_disabled`` notification (and its mail), once per
        disabling: the key holds the time, so a subscription enabled again and disabled
        later is told again. The mail names the receiver's host only: a webhook URL may
        carry a token in its path or query, and mail is no place for one."""
        host = urlsplit(url).hostname or "?"
        admins = await uow.user_directory.page(skip=0, limit=ADMINS_TOLD_AT_MOST, role=Role.ADMIN)
        window = str(self._policy.give_up_after)
        await notify_many(
            uow,
            admins,
            NotificationKind.WEBHOOK_DISABLED,
            title="A webhook subscription was disabled",
            message=(
                f"Deliveries to webhook #{hook_id} at {host} failed for {window}:"
                " the subscription is disabled."
            ),
            link=WEBHOOKS_PATH,
            dedupe_key=f"webhook_disabled:{hook_id}:{now.isoformat()}",
            now=now,
            mail=MailTemplate.WEBHOOK_DISABLED,
            mail_context={"webhook_host": host, "webhook_id": hook_id, "window": window},
        )

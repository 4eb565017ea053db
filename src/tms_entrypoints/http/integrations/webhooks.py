"""/webhooks: subscriptions to the live events, signed deliveries and their log (admins)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from tms_domain.accounts import Actor
from tms_domain.integrations import Webhook, WebhookDelivery
from tms_domain.integrations.use_cases.webhooks import WebhookChanges, WebhookService
from tms_domain.kernel import Page
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut, Timestamp, iso

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
EventTypes = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=100)
]
Secret = Annotated[str, msgspec.Meta(max_length=200)]


class WebhookIn(msgspec.Struct):
    url: Url
    events: EventTypes
    secret: Secret | None = None
    """`whsec_` + base64 of 24 to 64 random bytes; generated when not given."""


class WebhookUpdateIn(msgspec.Struct):
    url: Url | None = None
    events: EventTypes | None = None
    enabled: bool | None = None
    secret: Secret | None = None


class WebhookOut(msgspec.Struct):
    id: int
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, hook: Webhook) -> WebhookOut:
        return cls(
            id=hook.id,
            url=hook.url,
            events=list(hook.events),
            enabled=hook.enabled,
            disabled_reason=hook.disabled_reason,
            created_at=iso(hook.created_at),
            updated_at=iso(hook.updated_at),
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = ""
    """Shown this once: verify the deliveries' signatures with it."""


class WebhookDeliveryOut(msgspec.Struct):
    id: int
    message_id: str
    event_type: str
    attempt: int
    status: str
    status_code: int | None
    duration_ms: float
    response_body: str
    """The receiver's answer, cut to 1 KiB."""
    error: str | None
    at: Timestamp
    next_attempt_at: Timestamp | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            attempt=delivery.attempt,
            status=delivery.status.value,
            status_code=delivery.status_code,
            duration_ms=delivery.duration_ms,
            response_body=delivery.response_body,
            error=delivery.error,
            at=iso(delivery.at),
            next_attempt_at=iso(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        )


class WebhookTestOut(msgspec.Struct):
    message_id: str


class WebhookEventTypesOut(msgspec.Struct):
    events: list[str]


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @get("/", operation_id="listWebhooks", responses=ERROR_RESPONSES)
    async def list_webhooks(
        self, actor: NamedDependency[Actor], webhooks: NamedDependency[WebhookService]
    ) -> list[WebhookOut]:
        """Admins: every subscription (never its secret)."""
        return [WebhookOut.of(hook) for hook in await webhooks.list_webhooks(actor)]

    @get("/event-types", operation_id="listWebhookEventTypes", responses=ERROR_RESPONSES)
    async def event_types(
        self, actor: NamedDependency[Actor], webhooks: NamedDependency[WebhookService]
    ) -> WebhookEventTypesOut:
        """The event types a subscription may name (the events pushed live)."""
        return WebhookEventTypesOut(webhooks.event_types(actor))

    @post("/", operation_id="createWebhook", status_code=201, responses=ERROR_RESPONSES)
    async def create_webhook(
        self,
        data: JSONBody[WebhookIn],
        actor: NamedDependency[Actor],
        webhooks: NamedDependency[WebhookService],
    ) -> Response[WebhookCreatedOut]:
        """Admins: subscribe a URL to event types. 422 when the URL is not http(s) or
        points at (or its name resolves to) a private, loopback or link-local address.
        The secret is answered this once."""
        hook = await webhooks.create(actor, data.url, list(data.events), data.secret)
        out = WebhookCreatedOut(**msgspec.structs.asdict(WebhookOut.of(hook)), secret=hook.secret)
        return Response(out, status_code=201, headers={"Cache-Control": "no-store"})

    @put("/{webhook_id:int}", operation_id="updateWebhook", responses=ERROR_RESPONSES)
    async def update_webhook(
        self,
        webhook_id: Id,
        data: JSONBody[WebhookUpdateIn],
        actor: NamedDependency[Actor],
        webhooks: NamedDependency[WebhookService],
    ) -> WebhookOut:
        """Admins: change the URL, event types or secret, or enable or disable it."""
        changes = WebhookChanges(
            url=data.url, events=data.events, enabled=data.enabled, secret=data.secret
        )
        return WebhookOut.of(await webhooks.update(actor, webhook_id, changes))

    @delete(
        "/{webhook_id:int}",
        operation_id="deleteWebhook",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def delete_webhook(
        self,
        webhook_id: Id,
        actor: NamedDependency[Actor],
        webhooks: NamedDependency[WebhookService],
    ) -> MessageOut:
        """Admins: the subscription and its delivery log are deleted."""
        await webhooks.delete(actor, webhook_id)
        return MessageOut("Webhook deleted")

    @get(
        "/{webhook_id:int}/deliveries",
        operation_id="listWebhookDeliveries",
        responses=ERROR_RESPONSES,
    )
    async def deliveries(
        self,
        webhook_id: Id,
        actor: NamedDependency[Actor],
        webhooks: NamedDependency[WebhookService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[WebhookDeliveryOut]:
        """Admins: every try, newest first, with status, duration and the answer's start."""
        found = await webhooks.deliveries(actor, webhook_id, Page(skip, limit))
        return [WebhookDeliveryOut.of(delivery) for delivery in found]

    @post(
        "/{webhook_id:int}/test",
        operation_id="testWebhook",
        status_code=202,
        responses=ERROR_RESPONSES,
    )
    async def test_webhook(
        self,
        webhook_id: Id,
        actor: NamedDependency[Actor],
        webhooks: NamedDependency[WebhookService],
    ) -> WebhookTestOut:
        """Admins: queue one `webhook.test` message (tried once); its outcome shows in the
        delivery log."""
        return WebhookTestOut(await webhooks.send_test(actor, webhook_id))

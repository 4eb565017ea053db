"""The integrations area in SQL: API clients, webhook subscriptions, the delivery log."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import integration_tables as t
from tms_domain.integrations import ApiClient, DeliveryStatus, Webhook, WebhookDelivery


def _client(row: Any) -> ApiClient:
    return ApiClient(
        id=row.id,
        name=row.name,
        client_id=row.client_id,
        scopes=frozenset(row.scopes),
        secret_digest=row.secret_digest,
        created_at=row.created_at,
        updated_at=row.updated_at,
        previous_secret_digest=row.previous_secret_digest,
        previous_valid_until=row.previous_valid_until,
    )


def _client_values(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "client_id": client.client_id,
        "scopes": sorted(client.scopes),
        "secret_digest": client.secret_digest,
        "previous_secret_digest": client.previous_secret_digest,
        "previous_valid_until": client.previous_valid_until,
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


class SqlaApiClientRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, client: ApiClient) -> ApiClient:
        result = await self._conn.execute(insert(t.api_clients).values(**_client_values(client)))
        return replace(client, id=int(result.inserted_primary_key[0]))  # type: ignore[index]

    async def get(self, client_id: int, *, for_update: bool = False) -> ApiClient | None:
        query = select(t.api_clients).where(t.api_clients.c.id == client_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _client(row) if row else None

    async def find(self, client_id: str) -> ApiClient | None:
        c = t.api_clients
        row = (await self._conn.execute(select(c).where(c.c.client_id == client_id))).first()
        return _client(row) if row else None

    async def update(self, client: ApiClient) -> None:
        c = t.api_clients
        await self._conn.execute(
            update(c).where(c.c.id == client.id).values(**_client_values(client))
        )

    async def remove(self, client_id: int) -> bool:
        c = t.api_clients
        result = await self._conn.execute(delete(c).where(c.c.id == client_id))
        return bool(result.rowcount)

    async def all(self) -> list[ApiClient]:
        c = t.api_clients
        return [_client(row) for row in await self._conn.execute(select(c).order_by(c.c.id))]


def _webhook(row: Any) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        events=tuple(row.events),
        secret=row.secret,
        enabled=bool(row.enabled),
        created_at=row.created_at,
        updated_at=row.updated_at,
        disabled_reason=row.disabled_reason,
    )


def _webhook_values(hook: Webhook) -> dict[str, Any]:
    return {
        "url": hook.url,
        "events": list(hook.events),
        "secret": hook.secret,
        "enabled": hook.enabled,
        "disabled_reason": hook.disabled_reason,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


# A delivery's statements, built once (each delivery reads its subscription twice and logs
# its try: building the statements cost more CPU than running them).
_HOOK = select(t.webhooks).where(t.webhooks.c.id == bindparam("webhook_id"))
_HOOK_FOR_UPDATE = _HOOK.with_for_update()
_LOG_DELIVERY = insert(t.webhook_deliveries)


class SqlaWebhookRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, webhook: Webhook) -> Webhook:
        result = await self._conn.execute(insert(t.webhooks).values(**_webhook_values(webhook)))
        return replace(webhook, id=int(result.inserted_primary_key[0]))  # type: ignore[index]

    async def get(self, webhook_id: int, *, for_update: bool = False) -> Webhook | None:
        query = _HOOK_FOR_UPDATE if for_update else _HOOK
        row = (await self._conn.execute(query, {"webhook_id": webhook_id})).first()
        return _webhook(row) if row else None

    async def update(self, webhook: Webhook) -> None:
        w = t.webhooks
        await self._conn.execute(
            update(w).where(w.c.id == webhook.id).values(**_webhook_values(webhook))
        )

    async def remove(self, webhook_id: int) -> bool:
        # The log goes first: SQLite enforces the foreign key only when asked to.
        d, w = t.webhook_deliveries, t.webhooks
        await self._conn.execute(delete(d).where(d.c.webhook_id == webhook_id))
        result = await self._conn.execute(delete(w).where(w.c.id == webhook_id))
        return bool(result.rowcount)

    async def all(self) -> list[Webhook]:
        w = t.webhooks
        return [_webhook(row) for row in await self._conn.execute(select(w).order_by(w.c.id))]

    async def enabled(self) -> list[Webhook]:
        w = t.webhooks
        rows = await self._conn.execute(select(w).where(w.c.enabled.is_(True)).order_by(w.c.id))
        return [_webhook(row) for row in rows]


class SqlaWebhookDeliveryLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, delivery: WebhookDelivery) -> WebhookDelivery:
        values = {
            "webhook_id": delivery.webhook_id,
            "message_id": delivery.message_id,
            "event_type": delivery.event_type,
            "attempt": delivery.attempt,
            "status": delivery.status.value,
            "status_code": delivery.status_code,
            "duration_ms": delivery.duration_ms,
            "response_body": delivery.response_body,
            "error": (delivery.error or "")[:500] or None,
            "at": delivery.at,
            "next_attempt_at": delivery.next_attempt_at,
        }
        result = await self._conn.execute(_LOG_DELIVERY, values)
        return replace(delivery, id=int(result.inserted_primary_key[0]))  # type: ignore[index]

    async def page(self, webhook_id: int, *, skip: int, limit: int) -> list[WebhookDelivery]:
        d = t.webhook_deliveries
        rows = await self._conn.execute(
            select(d)
            .where(d.c.webhook_id == webhook_id)
            .order_by(d.c.id.desc())
            .offset(skip)
            .limit(limit)
        )
        return [
            WebhookDelivery(
                id=row.id,
                webhook_id=row.webhook_id,
                message_id=row.message_id,
                event_type=row.event_type,
                attempt=row.attempt,
                status=DeliveryStatus(row.status),
                status_code=row.status_code,
                duration_ms=row.duration_ms,
                response_body=row.response_body,
                error=row.error,
                at=row.at,
                next_attempt_at=row.next_attempt_at,
            )
            for row in rows
        ]

"""The integrations area in memory: the same behaviour as the SQL adapters."""

from __future__ import annotations

import copy
from dataclasses import replace

from tms_adapters.persistence.memory.state import State
from tms_domain.integrations import ApiClient, Webhook, WebhookDelivery


class MemoryApiClientRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, client: ApiClient) -> ApiClient:
        stored = replace(client, id=self._s.next_id("api_clients"))
        self._s.api_clients[stored.id] = stored
        return copy.copy(stored)

    async def get(self, client_id: int, *, for_update: bool = False) -> ApiClient | None:
        found = self._s.api_clients.get(client_id)
        return copy.copy(found) if found else None

    async def find(self, client_id: str) -> ApiClient | None:
        for client in self._s.api_clients.values():
            if client.client_id == client_id:
                return copy.copy(client)
        return None

    async def update(self, client: ApiClient) -> None:
        if client.id in self._s.api_clients:
            self._s.api_clients[client.id] = copy.copy(client)

    async def remove(self, client_id: int) -> bool:
        return self._s.api_clients.pop(client_id, None) is not None

    async def all(self) -> list[ApiClient]:
        return [copy.copy(client) for _, client in sorted(self._s.api_clients.items())]


class MemoryWebhookRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, webhook: Webhook) -> Webhook:
        stored = replace(webhook, id=self._s.next_id("webhooks"))
        self._s.webhooks[stored.id] = stored
        return copy.copy(stored)

    async def get(self, webhook_id: int, *, for_update: bool = False) -> Webhook | None:
        found = self._s.webhooks.get(webhook_id)
        return copy.copy(found) if found else None

    async def update(self, webhook: Webhook) -> None:
        if webhook.id in self._s.webhooks:
            self._s.webhooks[webhook.id] = copy.copy(webhook)

    async def remove(self, webhook_id: int) -> bool:
        self._s.webhook_deliveries = [
            d for d in self._s.webhook_deliveries if d.webhook_id != webhook_id
        ]
        return self._s.webhooks.pop(webhook_id, None) is not None

    async def all(self) -> list[Webhook]:
        return [copy.copy(hook) for _, hook in sorted(self._s.webhooks.items())]

    async def enabled(self) -> list[Webhook]:
        return [hook for hook in await self.all() if hook.enabled]


class MemoryWebhookDeliveryLog:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, delivery: WebhookDelivery) -> WebhookDelivery:
        stored = replace(delivery, id=self._s.next_id("webhook_deliveries"))
        self._s.webhook_deliveries.append(stored)
        return stored

    async def page(self, webhook_id: int, *, skip: int, limit: int) -> list[WebhookDelivery]:
        mine = [d for d in reversed(self._s.webhook_deliveries) if d.webhook_id == webhook_id]
        return mine[skip : skip + limit]

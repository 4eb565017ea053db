"""The integrations ports' contract, kept alike by the in-memory, SQLite and MariaDB
adapters: API clients (found by their public id, updated, removed, times kept to the
microsecond), webhooks (enabled ones for the fan-out, deleted with their log), the
delivery log (newest first, paged), and the fan-out itself: a committed event becomes one
delivery job per subscription that wants it, in the same commit."""

from __future__ import annotations

from datetime import timedelta

from support import STORED_AT, add_admin
from tms_domain.integrations import (
    DELIVERY_JOB,
    ApiClient,
    DeliveryJob,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from tms_domain.kernel.jobs import JobStatus
from tms_domain.training.use_cases.rooms import NewRoom
from tms_entrypoints.container import Container


async def test_api_clients_are_stored_found_changed_and_removed(storage: Container) -> None:
    client = ApiClient(
        0, "Partner", "tms_abc", frozenset({"users:read"}), "d" * 64, STORED_AT, STORED_AT
    )
    async with storage.uow()() as uow:
        stored = await uow.api_clients.add(client)
        await uow.commit()
    assert stored.id > 0
    async with storage.uow()() as uow:
        found = await uow.api_clients.find("tms_abc")
        assert found == stored
        assert await uow.api_clients.find("tms_other") is None
        found.previous_secret_digest = found.secret_digest
        found.previous_valid_until = STORED_AT + timedelta(hours=1)
        found.secret_digest = "e" * 64
        await uow.api_clients.update(found)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        again = await uow.api_clients.get(stored.id)
        assert again == found
        assert again.secret_digests(STORED_AT) == ["e" * 64, "d" * 64]
        assert again.secret_digests(STORED_AT + timedelta(hours=2)) == ["e" * 64]
        assert [c.id for c in await uow.api_clients.all()] == [stored.id]
    async with storage.uow()() as uow:
        assert await uow.api_clients.remove(stored.id)
        assert not await uow.api_clients.remove(stored.id)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.api_clients.get(stored.id) is None


def a_webhook(url: str, *events: str, enabled: bool = True) -> Webhook:
    return Webhook(0, url, events, "whsec_" + "A" * 44, enabled, STORED_AT, STORED_AT)


def a_delivery(webhook_id: int, attempt: int) -> WebhookDelivery:
    return WebhookDelivery(
        id=0,
        webhook_id=webhook_id,
        message_id="msg_1",
        event_type="room_created",
        attempt=attempt,
        status=DeliveryStatus.FAILED,
        status_code=500,
        duration_ms=12.5,
        response_body="oops",
        error=None,
        at=STORED_AT,
        next_attempt_at=STORED_AT + timedelta(minutes=attempt),
    )


async def test_webhooks_and_their_log(storage: Container) -> None:
    async with storage.uow()() as uow:
        on = await uow.webhooks.add(a_webhook("https://a.example/h", "room_created"))
        off = await uow.webhooks.add(
            a_webhook("https://b.example/h", "room_created", enabled=False)
        )
        for attempt in (1, 2, 3):
            await uow.webhook_deliveries.add(a_delivery(on.id, attempt))
        await uow.webhook_deliveries.add(a_delivery(off.id, 1))
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert [h.id for h in await uow.webhooks.enabled()] == [on.id]
        assert [h.id for h in await uow.webhooks.all()] == [on.id, off.id]
        assert await uow.webhooks.get(on.id) == on
        page = await uow.webhook_deliveries.page(on.id, skip=0, limit=2)
        assert [d.attempt for d in page] == [3, 2]
        assert page[0].next_attempt_at == STORED_AT + timedelta(minutes=3)
        assert page[0].status is DeliveryStatus.FAILED
        assert page[0].duration_ms == 12.5
        assert [d.attempt for d in await uow.webhook_deliveries.page(on.id, skip=2, limit=5)] == [1]
    async with storage.uow()() as uow:
        off.enabled, off.events = True, ("room_created", "room_deleted")
        await uow.webhooks.update(off)
        assert await uow.webhooks.remove(on.id)
        await uow.commit()
    async with storage.uow()(read_only=True) as uow:
        assert await uow.webhooks.all() == [off]
        assert await uow.webhook_deliveries.page(on.id, skip=0, limit=10) == []
        assert len(await uow.webhook_deliveries.page(off.id, skip=0, limit=10)) == 1


async def test_a_committed_event_becomes_a_delivery_job_per_subscription(
    storage: Container,
) -> None:
    admin = await add_admin(storage)
    async with storage.uow()() as uow:
        first = await uow.webhooks.add(a_webhook("https://a.example/h", "room_created"))
        second = await uow.webhooks.add(
            a_webhook("https://b.example/h", "room_created", "room_deleted")
        )
        await uow.webhooks.add(a_webhook("https://c.example/h", "room_deleted"))
        await uow.webhooks.add(a_webhook("https://d.example/h", "room_created", enabled=False))
        await uow.commit()
    await storage.rooms().create_room(admin, NewRoom(name="Blue", capacity=8))
    async with storage.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(JobStatus.QUEUED, skip=0, limit=10)
        event = next(e for e in await uow.events.since(0, limit=10) if e.type == "room_created")
    deliveries = [
        DeliveryJob.from_payload(job.handler_payload) for job in jobs if job.kind == DELIVERY_JOB
    ]
    assert sorted(d.webhook_id for d in deliveries) == [first.id, second.id]
    assert {d.message_id for d in deliveries} == {f"msg_{event.id}"}
    assert all(d.body["data"] == event.data and d.body["id"] == event.id for d in deliveries)

"""How deliveries flow through the job workers (memory, SQLite, MariaDB): several due jobs
claimed by one statement, each once; the in-app workers fill their slots and no more; a
handler that ends its job in its own commit (a webhook delivery: the log row, the next try
and the release together); a delivery that meets a connection error is logged and tried
again; at most a few messages in flight per receiver; over HTTPS, the pinned address
reached under the URL's name (Host, SNI, certificate); the shared HTTP client closed when
the app stops; the SSRF guard's answers reused briefly, still checked each time."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from conftest import FakeClock, free_port, fresh_mariadb_database, make_settings, require_mariadb
from smtp_server import self_signed_certificate, server_tls_context
from tms_adapters.jobs import Foreground, JobExecutor, PollingJobWorkers
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.webhooks import AddressGuard, AiohttpWebhookSender, TargetRefused
from tms_adapters.webhooks.guard import IpAddress
from tms_domain.integrations import DELIVERY_JOB, DeliveryJob, Webhook
from tms_domain.integrations.rules import delivery_key
from tms_domain.jobs.use_cases.processing import JobProcessing
from tms_domain.kernel.jobs import Job, JobContext, JobHandlers, JobStatus, RetryPolicy
from tms_entrypoints.container import Container, build_container, running
from webhook_receiver import Receiver, receiving

POLICY = RetryPolicy(max_attempts=3, backoff=timedelta(seconds=10), lease=timedelta(seconds=30))
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@contextlib.asynccontextmanager
async def container_over(kind: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Container]:
    """The app's container (webhooks may reach loopback), its clock the test's."""
    clock.current = datetime.now(UTC)  # receivers refuse a timestamp 5 minutes off
    if kind == "memory":
        settings = make_settings(storage="memory", webhook_allow_private=True)
        container = build_container(settings)
        container.clock.override(clock)
        async with running(container):
            yield container
        return
    if kind == "mariadb":
        require_mariadb()
        async with fresh_mariadb_database() as url:
            await schema.upgrade(url)
            container = build_container(make_settings(database_url=url, webhook_allow_private=True))
            container.clock.override(clock)
            async with running(container):
                yield container
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    container = build_container(make_settings(database_url=url, webhook_allow_private=True))
    container.clock.override(clock)
    async with running(container):
        yield container


@pytest.fixture(params=["memory", "sqlite", "mariadb"])
async def container(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Container]:
    async with container_over(str(request.param), clock, tmp_path) as built:
        yield built


async def enqueue(container: Container, kind: str, count: int, **payload: Any) -> None:
    async with container.uow()() as uow:
        for number in range(count):
            uow.jobs.enqueue(kind, {**payload, "n": number}, idempotency_key=f"{kind}:{number}")
        await uow.commit()


async def all_jobs(container: Container) -> list[Job]:
    async with container.uow()(read_only=True) as uow:
        return sorted(await uow.jobs.page(None, skip=0, limit=1000), key=lambda job: job.id)


async def test_due_jobs_are_claimed_together_in_order_each_once(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, "test.a", 5)
    async with container.uow()() as uow:
        uow.jobs.enqueue("test.later", {}, run_after=clock.now() + timedelta(hours=1))
        await uow.commit()
    processing = JobProcessing(container.core(), JobHandlers(), POLICY)

    first = await processing.claim_due("one", limit=3)
    assert [job.payload["n"] for job in first] == [0, 1, 2]
    assert {(job.status, job.attempts) for job in first} == {(JobStatus.RUNNING, 1)}
    rest = await processing.claim_due("two", limit=10)
    assert [job.payload["n"] for job in rest] == [3, 4], "the later job is not due"
    assert await processing.claim_due("three", limit=10) == []

    await enqueue(container, "test.b", 8)
    batches = await asyncio.gather(*(processing.claim_due(f"w{n}", limit=3) for n in range(4)))
    claimed = [job.id for batch in batches for job in batch]
    assert len(claimed) == len(set(claimed)), "racing claims never share a job"
    # A claimer may pass rows another holds locked (SKIP LOCKED): the next claim has them.
    claimed += [job.id for job in await processing.claim_due("late", limit=10)]
    assert len(claimed) == len(set(claimed)) == 8


async def test_the_workers_fill_their_slots_and_no_more(container: Container) -> None:
    running_now, most, done = 0, 0, []

    async def slow(job: JobContext) -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await asyncio.sleep(0.05)
        running_now -= 1
        done.append(job.payload["n"])

    handlers = JobHandlers()
    handlers.register("test.slow", slow)
    executor = JobExecutor(JobProcessing(container.core(), handlers, POLICY))
    await enqueue(container, "test.slow", 12)
    workers = PollingJobWorkers(executor, workers=3, poll_interval=0.05)
    await workers.start()
    try:
        async with asyncio.timeout(30):
            while len(done) < 12 or workers.running:
                await asyncio.sleep(0.02)
    finally:
        await workers.stop()
    assert sorted(done) == list(range(12))
    assert most == 3
    assert {job.status for job in await all_jobs(container)} == {JobStatus.SUCCEEDED}


async def test_requests_in_flight_hold_new_jobs_back_to_a_quarter_of_the_slots(
    container: Container,
) -> None:
    running_now, most, done = 0, 0, []
    release = asyncio.Event()

    async def held(job: JobContext) -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await release.wait()
        running_now -= 1
        done.append(job.payload["n"])

    handlers = JobHandlers()
    handlers.register("test.held", held)
    executor = JobExecutor(JobProcessing(container.core(), handlers, POLICY))
    await enqueue(container, "test.held", 12)
    foreground = Foreground()
    foreground.begin()  # a request in flight
    workers = PollingJobWorkers(executor, workers=8, poll_interval=0.05, foreground=foreground)
    await workers.start()
    try:
        # Two start, however slow the machine; then, given time to take more, no more do.
        async with asyncio.timeout(10):
            while most < 2:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)
        assert (workers.running, most) == (2, 2)
        foreground.end()  # the request answered: the other slots fill
        async with asyncio.timeout(10):
            while workers.running < 8:
                await asyncio.sleep(0.02)
        release.set()
        async with asyncio.timeout(30):
            while len(done) < 12 or workers.running:
                await asyncio.sleep(0.02)
    finally:
        await workers.stop()
    assert most == 8
    assert sorted(done) == list(range(12))


async def test_a_handler_ends_its_job_in_its_own_commit_or_not_at_all(
    container: Container,
) -> None:
    async def writes_then_ends(job: JobContext) -> None:
        async with container.uow()() as uow:
            uow.jobs.enqueue("test.followed", {}, idempotency_key=f"after:{job.payload['n']}")
            assert await job.complete_in(uow.jobs)
            if job.payload["n"] == 1:
                raise RuntimeError("the commit never happens")
            await uow.commit()

    handlers = JobHandlers()
    handlers.register("test.ends", writes_then_ends)
    executor = JobExecutor(JobProcessing(container.core(), handlers, POLICY))
    await enqueue(container, "test.ends", 2)
    assert await executor.run_next()
    assert await executor.run_next()

    jobs = await all_jobs(container)
    by_key = {job.idempotency_key: job for job in jobs}
    assert by_key["test.ends:0"].status is JobStatus.SUCCEEDED
    assert by_key["test.ends:0"].finished_at is not None
    assert "after:0" in by_key, "the handler's write and the release are one commit"
    failed = by_key["test.ends:1"]
    assert (failed.status, failed.finished_at) == (JobStatus.QUEUED, None)
    assert failed.last_error == "RuntimeError: the commit never happens"
    assert "after:1" not in by_key


async def add_hook(container: Container, url: str) -> Webhook:
    now = container.clock().now()
    async with container.uow()() as uow:
        hook = await uow.webhooks.add(Webhook(0, url, ("room_created",), SECRET, True, now, now))
        await uow.commit()
    return hook


async def enqueue_delivery(container: Container, hook: Webhook, message: str) -> None:
    job = DeliveryJob(
        hook.id, message, "room_created", {"type": "room_created"}, 1, hook.created_at
    )
    async with container.uow()() as uow:
        uow.jobs.enqueue(DELIVERY_JOB, job.payload(), idempotency_key=delivery_key(job))
        await uow.commit()


async def deliveries(container: Container, hook: Webhook) -> list[Any]:
    async with container.uow()(read_only=True) as uow:
        return await uow.webhook_deliveries.page(hook.id, skip=0, limit=100)


@pytest.mark.parametrize("kind", ["sqlite", "mariadb"])
async def test_a_delivery_takes_two_write_transactions(
    kind: str, clock: FakeClock, tmp_path: Path
) -> None:
    """The claim, then the log row with the job's release; the pre-read writes nothing."""
    async with container_over(kind, clock, tmp_path) as container:
        with receiving(Receiver(secret=SECRET)) as receiver:
            hook = await add_hook(container, receiver.url)
            await enqueue_delivery(container, hook, "msg_1")
            statements: list[str] = []

            def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
                statements.append(statement.split()[0].upper())

            engine = container.engine().sync_engine
            event.listen(engine, "before_cursor_execute", seen)
            try:
                assert await container.jobs.executor().run_next()
            finally:
                event.remove(engine, "before_cursor_execute", seen)
            assert [item.verified for item in receiver.wait_for(1)] == [True]
        [job] = await all_jobs(container)
        assert job.status is JobStatus.SUCCEEDED
        [logged] = await deliveries(container, hook)
        assert (logged.status, logged.status_code) == ("succeeded", 204)
        writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
        assert writes == ["UPDATE", "INSERT", "UPDATE"], statements


async def test_a_delivery_meeting_a_connection_error_is_logged_and_tried_again(
    container: Container, clock: FakeClock
) -> None:
    hook = await add_hook(container, f"http://127.0.0.1:{free_port()}/hooks")
    await enqueue_delivery(container, hook, "msg_7")
    executor = container.jobs.executor()
    assert await executor.run_next()

    [logged] = await deliveries(container, hook)
    assert (logged.status, logged.status_code, logged.attempt) == ("failed", None, 1)
    assert logged.error.startswith("ClientConnectorError")
    assert logged.next_attempt_at is not None
    jobs = await all_jobs(container)
    assert [(job.status, job.payload["attempt"]) for job in jobs] == [
        (JobStatus.SUCCEEDED, 1),
        (JobStatus.QUEUED, 2),
    ]
    assert not await executor.run_next(), "the next try waits for its backoff"
    clock.advance(seconds=31)
    assert await executor.run_next()
    assert [d.attempt for d in await deliveries(container, hook)] == [2, 1]


async def test_at_most_a_few_messages_are_in_flight_to_one_receiver() -> None:
    sender = AiohttpWebhookSender(AddressGuard(allow_private=True), total_timeout=1, per_host=2)
    try:
        with receiving(Receiver(secret=SECRET, mode="hang")) as receiver:
            began = time.monotonic()
            sending = [
                asyncio.create_task(sender.send(receiver.url, SECRET, f"msg_{n}", 0, b"{}"))
                for n in range(5)
            ]
            await asyncio.sleep(0.6)
            assert len(receiver.received) == 2
            results = await asyncio.gather(*sending)
            assert len(receiver.received) == 5
            assert all(result.error == "No answer within 1 s" for result in results)
            assert time.monotonic() - began >= 2.9, "three turns of two, two and one"
    finally:
        await sender.close()


async def test_over_https_the_pinned_address_answers_for_the_url_s_name(
    tmp_path: Path,
) -> None:
    """The guard's address is the one connected to; the URL's host goes in the Host header
    and TLS's SNI, and the certificate must be valid for it: a name the certificate does
    not hold is refused before anything is sent."""
    cert, key = self_signed_certificate(tmp_path)  # localhost and 127.0.0.1
    trusted = ssl.create_default_context(cafile=str(cert))
    guard = CountingGuard(["127.0.0.1"], allow_private=True)
    sender = AiohttpWebhookSender(guard, tls=trusted, total_timeout=5)
    tls = server_tls_context(cert, key)
    try:
        with receiving(Receiver(secret=SECRET), tls=tls, host="localhost") as receiver:
            result = await sender.send(receiver.url, SECRET, "msg_tls", int(time.time()), b"{}")
            assert (result.status_code, result.error) == (204, None)
            [message] = receiver.received
            assert message.verified
            port = receiver.url.split(":")[2].split("/")[0]
            assert message.headers["host"] == f"localhost:{port}"

            other = receiver.url.replace("localhost", "partner.example")
            refused = await sender.send(other, SECRET, "msg_other", int(time.time()), b"{}")
            assert refused.status_code is None
            assert refused.error is not None
            assert "certificate" in refused.error.lower()
            assert len(receiver.received) == 1, "nothing sent to a name the certificate lacks"
            assert guard.asked == 2, "each name resolved by the guard, never by the client"
    finally:
        await sender.close()


async def test_the_shared_http_client_is_closed_when_the_app_stops(
    clock: FakeClock, tmp_path: Path
) -> None:
    async with container_over("memory", clock, tmp_path) as container:
        sender = container.integrations.sender()
        assert sender is container.integrations.sender(), "one client for every delivery"
        assert not sender.closed
    assert sender.closed


class CountingGuard(AddressGuard):
    """The guard, with a resolver that says what the test wants and counts the questions."""

    def __init__(self, answers: list[str], **options: Any) -> None:
        super().__init__(**options)
        self.answers = answers
        self.asked = 0

    async def _resolve(self, host: str, port: int) -> list[IpAddress]:
        import ipaddress

        self.asked += 1
        return [ipaddress.ip_address(answer) for answer in self.answers]


async def test_the_guard_reuses_a_name_s_addresses_briefly_and_still_checks_them() -> None:
    guard = CountingGuard(["93.184.215.14"], kept_seconds=0.3)
    first = await guard.resolve("https://partner.example/hooks")
    again = await guard.resolve("https://partner.example/other")
    assert str(first.address) == str(again.address) == "93.184.215.14"
    assert guard.asked == 1
    await asyncio.sleep(0.35)
    guard.answers = ["10.0.0.5"]
    with pytest.raises(TargetRefused):
        await guard.resolve("https://partner.example/hooks")
    assert guard.asked == 2
    with pytest.raises(TargetRefused):
        await guard.resolve("https://partner.example/hooks")
    assert guard.asked == 2, "a refused answer is kept too, and refused each time"

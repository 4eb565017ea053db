"""The job store and its processing, one suite on memory, SQLite and MariaDB: stored by the
commit, idempotent enqueueing, leases, retries with backoff, dead letters with an event
for admins, the relay's hand-off, and the admin API (listing, retry, audit)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import job_handlers
from conftest import (
    FakeClock,
    container_on,
    fresh_mariadb_database,
    make_settings,
    require_mariadb,
)
from support import PASSWORD, add_admin, add_user, api_client, bearer, login
from tms_adapters.jobs import JobExecutor, PollingJobWorkers
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.tracing import REQUEST_ID
from tms_domain.accounts import Actor
from tms_domain.audit import AuditQuery
from tms_domain.jobs.use_cases.processing import JobProcessing
from tms_domain.kernel import Conflict, Forbidden, NotFound, Page, Role
from tms_domain.kernel.jobs import Job, JobContext, JobHandlers, JobStatus, Lease, RetryPolicy
from tms_entrypoints.container import Container, build_container

POLICY = RetryPolicy(max_attempts=3, backoff=timedelta(seconds=10), lease=timedelta(seconds=30))


@pytest.fixture(params=["memory", "sqlite", "mariadb"])
async def container(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Container]:
    """Every use case over memory, SQLite or MariaDB, with a clock the test moves."""
    if request.param == "memory":
        container = build_container(make_settings(storage="memory"))
        container.clock.override(clock)
        try:
            yield container
        finally:
            container.hasher().shutdown()
        return
    if request.param == "mariadb":
        require_mariadb()
        async with fresh_mariadb_database() as url:
            await schema.upgrade(url)
            async with container_on(url, clock) as container:
                yield container
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    async with container_on(url, clock) as container:
        yield container


def processing(container: Container) -> JobProcessing:
    handlers = JobHandlers()
    job_handlers.register(handlers)
    return JobProcessing(container.core(), handlers, POLICY)


async def enqueue(container: Container, kind: str, key: str | None = None, **payload: Any) -> None:
    async with container.uow()() as uow:
        uow.jobs.enqueue(kind, payload, idempotency_key=key)
        await uow.commit()


async def all_jobs(container: Container, status: JobStatus | None = None) -> list[Job]:
    async with container.uow()(read_only=True) as uow:
        return await uow.jobs.page(status, skip=0, limit=100)


async def test_a_job_is_stored_by_the_commit_and_only_then(container: Container) -> None:
    async with container.uow()() as uow:
        uow.jobs.enqueue("mail", {"to": 1}, idempotency_key="left")
    async with container.uow()() as uow:
        uow.jobs.enqueue("mail", {"to": 2}, idempotency_key="rolled-back")
        await uow.rollback()
        await uow.commit()
    await enqueue(container, "mail", "kept", to=3)

    [job] = await all_jobs(container)
    assert (job.kind, job.payload, job.idempotency_key) == ("mail", {"to": 3}, "kept")
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)


async def test_enqueueing_the_same_kind_and_key_again_is_a_no_op(container: Container) -> None:
    async with container.uow()() as uow:
        uow.jobs.enqueue("mail", {"n": 1}, idempotency_key="k")
        uow.jobs.enqueue("mail", {"n": 2}, idempotency_key="k")
        await uow.commit()
    await enqueue(container, "mail", "k", n=3)
    await enqueue(container, "webhook", "k", n=4)
    await enqueue(container, "mail", None, n=5)
    await enqueue(container, "mail", None, n=6)

    stored = sorted((job.kind, job.payload["n"]) for job in await all_jobs(container))
    assert stored == [("mail", 1), ("mail", 5), ("mail", 6), ("webhook", 4)]


async def test_a_claim_holds_until_its_lease_ends_then_the_job_is_claimed_again(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, "mail", "a")
    later = clock.now() + timedelta(minutes=5)
    async with container.uow()() as uow:
        uow.jobs.enqueue("mail", {}, idempotency_key="later", run_after=later)
        await uow.commit()

    async def claim(token: str) -> Job | None:
        async with container.uow()() as uow:
            now = clock.now()
            job = await uow.jobs.claim_next(now, Lease(token, now + timedelta(seconds=30)))
            await uow.commit()
            return job

    first = await claim("one")
    assert first is not None
    assert (first.idempotency_key, first.attempts, first.status) == ("a", 1, JobStatus.RUNNING)
    assert await claim("two") is None

    clock.advance(seconds=31)
    second = await claim("two")
    assert second is not None
    assert (second.id, second.attempts) == (first.id, 2)
    async with container.uow()() as uow:
        first.succeed(clock.now())
        assert not await uow.jobs.release(first, "one")
        assert not await uow.jobs.renew(first.id, Lease("one", clock.now()))
        assert await uow.jobs.renew(first.id, Lease("two", clock.now() + timedelta(seconds=30)))
        second.succeed(clock.now())
        assert await uow.jobs.release(second, "two")
        await uow.commit()

    clock.advance(minutes=5)
    third = await claim("three")
    assert third is not None
    assert third.idempotency_key == "later"


async def test_a_handler_that_succeeds_finishes_the_job(
    container: Container, tmp_path: Any
) -> None:
    effects_file = tmp_path / "effects.db"
    await enqueue(container, job_handlers.EFFECT, "once", effects=str(effects_file))
    executor = JobExecutor(processing(container))

    assert await executor.run_next()
    assert not await executor.run_next()

    [job] = await all_jobs(container)
    assert (job.status, job.attempts, job.finished_at is not None) == (JobStatus.SUCCEEDED, 1, True)
    assert job_handlers.effects(effects_file)[1] == [("once", 1)]


async def test_a_failing_job_is_retried_with_backoff_then_dead_lettered_and_admins_told(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, job_handlers.FAILING, "f")
    executor = JobExecutor(processing(container))
    waits = []
    for _ in range(POLICY.max_attempts):
        assert await executor.run_next()
        [job] = await all_jobs(container)
        waits.append((job.run_after - clock.now()).total_seconds())
        assert not await executor.run_next(), "not due before its backoff"
        clock.advance(seconds=waits[-1])

    [job] = await all_jobs(container, JobStatus.FAILED)
    assert waits[:2] == [10, 20]
    assert job.attempts == POLICY.max_attempts
    assert job.last_error == "RuntimeError: failing on attempt 3"
    async with container.uow()(read_only=True) as uow:
        events = await uow.events.since(0, limit=10)
    [event] = [e for e in events if e.type == "job_failed"]
    assert event.data == {
        "job_id": job.id,
        "kind": job_handlers.FAILING,
        "attempts": 3,
        "error": job.last_error,
    }
    assert event.audience.user_ids == frozenset(), "admins only"


async def test_a_permanent_failure_or_an_unknown_kind_is_dead_lettered_at_once(
    container: Container,
) -> None:
    await enqueue(container, job_handlers.REFUSED, "r")
    await enqueue(container, "nobody.handles.this", "u")
    executor = JobExecutor(processing(container))
    assert await executor.run_next()
    assert await executor.run_next()

    failed = {job.kind: job for job in await all_jobs(container, JobStatus.FAILED)}
    assert failed[job_handlers.REFUSED].attempts == 1
    assert failed[job_handlers.REFUSED].last_error == "the recipient was refused for good"
    assert failed["nobody.handles.this"].last_error == (
        "No handler for job kind 'nobody.handles.this'"
    )


async def test_a_job_whose_workers_keep_dying_is_dead_lettered(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, job_handlers.EFFECT, "dies")
    jobs = processing(container)
    for attempt in range(1, POLICY.max_attempts + 1):
        job = await jobs.claim_next(f"worker-{attempt}")
        assert job is not None
        assert job.attempts == attempt
        clock.advance(seconds=31)  # the worker died: its lease runs out

    assert await jobs.claim_next("last") is None
    [job] = await all_jobs(container, JobStatus.FAILED)
    assert job.last_error is not None
    assert "stopped before it finished" in job.last_error


async def test_the_relay_hands_a_due_job_off_once_per_lease(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, "mail", "h")
    jobs = processing(container)

    [job_id] = await jobs.hand_off(limit=10)
    assert await jobs.hand_off(limit=10) == []
    clock.advance(seconds=31)
    assert await jobs.hand_off(limit=10) == [job_id]

    claimed = await jobs.claim(job_id, "w")
    assert claimed is not None
    assert await jobs.claim(job_id, "again") is None, "a second hand-off runs nothing"


async def test_admins_list_dead_letters_and_retry_them_audited(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, job_handlers.REFUSED, "r")
    await enqueue(container, "mail", "m")
    executor = JobExecutor(processing(container))
    await executor.run_next()
    admin = await add_admin(container)
    trainer = Actor(user=await add_user(container, "trainer", Role.TRAINER))
    service = container.jobs.admin()

    [failed] = await service.list_jobs(admin, JobStatus.FAILED, Page())
    assert failed.kind == job_handlers.REFUSED
    assert len(await service.list_jobs(admin, None, Page())) == 2
    with pytest.raises(Forbidden):
        await service.list_jobs(trainer, None, Page())
    with pytest.raises(Forbidden):
        await service.retry(trainer, failed.id)
    with pytest.raises(NotFound):
        await service.retry(admin, 999)

    clock.advance(minutes=1)
    retried = await service.retry(admin, failed.id)
    assert (retried.status, retried.attempts, retried.run_after) == (
        JobStatus.QUEUED,
        0,
        clock.now(),
    )
    with pytest.raises(Conflict):
        await service.retry(admin, failed.id)
    [entry] = await container.audit().entries(admin, AuditQuery(action="job.retried"), Page())
    assert (entry.target_type, entry.target_id, entry.actor_id) == ("job", failed.id, admin.id)
    assert entry.changes == {"status": ["failed", "queued"], "attempts": [1, 0]}


async def test_a_job_cut_short_by_a_stopping_worker_is_handed_back_due_at_once(
    container: Container, tmp_path: Path
) -> None:
    effects_file = tmp_path / "effects.db"
    await enqueue(
        container, job_handlers.HOLD_ONCE, "cut", effects=str(effects_file), hold_seconds=600
    )
    workers = PollingJobWorkers(JobExecutor(processing(container)), workers=1, poll_interval=0.05)
    await workers.start()
    try:
        async with asyncio.timeout(10):
            while not (effects_file.exists() and job_handlers.effects(effects_file)[0]):
                await asyncio.sleep(0.05)
    finally:
        await workers.stop()

    [job] = await all_jobs(container)
    # Queued, due now, the interrupted attempt not counted: the next worker takes it at once
    # (not after the lease), and a worker stopping again and again never dead-letters it.
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    assert await JobExecutor(processing(container)).run_next()
    [job] = await all_jobs(container)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)
    runs, made = job_handlers.effects(effects_file)
    assert (len(runs), made) == (2, [("cut", 1)])


async def test_only_the_lease_holder_hands_a_job_back(
    container: Container, clock: FakeClock
) -> None:
    await enqueue(container, "mail", "held")
    jobs = processing(container)
    job = await jobs.claim_next("holder")
    assert job is not None
    assert not await jobs.hand_back(job, "someone-else")
    assert await jobs.hand_back(job, "holder")
    assert not await jobs.hand_back(job, "holder")  # no longer running
    [stored] = await all_jobs(container)
    assert (stored.status, stored.attempts, stored.run_after) == (
        JobStatus.QUEUED,
        0,
        clock.now(),
    )


async def test_job_counts_by_status(container: Container) -> None:
    for key in ("a", "b", "c"):
        await enqueue(container, "mail", key)
    await enqueue(container, job_handlers.REFUSED, "dead")
    executor = JobExecutor(processing(container))
    while await executor.run_next():
        pass  # "mail" has no handler: all four are dead-lettered
    await enqueue(container, "mail", "d")
    jobs = processing(container)
    assert await jobs.claim_next("w") is not None
    await enqueue(container, "mail", "e")
    async with container.uow()(read_only=True) as uow:
        counts = await uow.jobs.counts([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED])
    assert counts == {JobStatus.QUEUED: 1, JobStatus.RUNNING: 1, JobStatus.FAILED: 4}


async def test_a_job_carries_the_request_that_enqueued_it_into_its_run(
    container: Container, clock: FakeClock
) -> None:
    marker = REQUEST_ID.set("request-that-enqueued")
    try:
        await enqueue(container, "traced", "t", value=1)
    finally:
        REQUEST_ID.reset(marker)
    seen: list[tuple[dict[str, Any], str | None]] = []

    async def handler(job: JobContext) -> None:
        seen.append((dict(job.payload), REQUEST_ID.get()))

    handlers = JobHandlers()
    handlers.register("traced", handler)
    assert await JobExecutor(JobProcessing(container.core(), handlers, POLICY)).run_next()

    # The handler sees its own payload; the request is bound while it runs, and only then.
    assert seen == [({"value": 1}, "request-that-enqueued")]
    assert REQUEST_ID.get() is None
    [job] = await all_jobs(container)
    assert job.request_id == "request-that-enqueued"


async def test_a_job_whose_effect_was_recorded_is_completed_not_run_again(
    container: Container, clock: FakeClock
) -> None:
    """The worker dies after the effect was made and marked, before the release: the next
    claim completes the job without its handler, even with its attempts used up."""
    runs: list[int] = []

    async def send(job: JobContext) -> None:
        runs.append(job.attempt)
        await job.record_effect()
        raise asyncio.CancelledError  # killed right after the marker's commit

    handlers = JobHandlers()
    handlers.register("mail", send)
    jobs = JobProcessing(container.core(), handlers, POLICY)
    await enqueue(container, "mail", "sent-once")
    executor = JobExecutor(jobs)
    killed = await jobs.claim_next("dies")
    assert killed is not None
    with pytest.raises(asyncio.CancelledError):
        await executor._run(killed, "dies", None)  # no hand-back: a kill -9 leaves the lease
    [marked] = await all_jobs(container)
    assert (marked.status, marked.effect_at) == (JobStatus.RUNNING, clock.now())
    for _ in range(POLICY.max_attempts - 1):  # the next workers die too, before running it
        clock.advance(seconds=31)
        again = await jobs.claim_next("dies too")
        assert again is not None
        assert again.effect_at == marked.effect_at

    clock.advance(seconds=31)
    assert await executor.run_next()
    [job] = await all_jobs(container)
    assert (job.status, job.attempts, runs) == (JobStatus.SUCCEEDED, POLICY.max_attempts + 1, [1])
    assert job.last_error is None


async def test_an_effect_claimed_then_refused_is_forgotten_and_made_on_the_next_attempt(
    container: Container, clock: FakeClock
) -> None:
    """A handler claims its effect before making it (at most once); refused right after
    (a mail server's 451 to the whole message), it forgets the claim, so the job's next
    attempt runs its handler again instead of completing it unmade."""
    runs: list[int] = []

    async def send(job: JobContext) -> None:
        runs.append(job.attempt)
        await job.claim_effect(lambda: None)
        if job.attempt == 1:
            await job.forget_effect()
            raise RuntimeError("451 Try again later")

    handlers = JobHandlers()
    handlers.register("mail", send)
    jobs = JobProcessing(container.core(), handlers, POLICY)
    await enqueue(container, "mail", "refused-once")
    executor = JobExecutor(jobs)
    assert await executor.run_next()
    [refused] = await all_jobs(container)
    assert (refused.status, refused.effect_at) == (JobStatus.QUEUED, None)
    clock.advance(seconds=60)
    assert await executor.run_next()
    [job] = await all_jobs(container)
    assert (job.status, runs) == (JobStatus.SUCCEEDED, [1, 2])
    assert job.effect_at == clock.now()


async def test_two_workers_racing_for_one_job_run_it_once(container: Container) -> None:
    await enqueue(container, "mail", "race")
    jobs = processing(container)
    claims = await asyncio.gather(*(jobs.claim_next(f"w{n}") for n in range(4)))
    assert len([job for job in claims if job is not None]) == 1


async def test_the_jobs_api_lists_failed_jobs_and_retries_them(container: Container) -> None:
    await enqueue(container, job_handlers.REFUSED, "r")
    await JobExecutor(processing(container)).run_next()
    await add_user(container, "boss", Role.ADMIN)
    await add_user(container, "teacher", Role.TRAINER)
    async with api_client(container) as client:
        admin = bearer(await login(client, "boss", PASSWORD))
        trainer = bearer(await login(client, "teacher", PASSWORD))

        listed = await client.get("/jobs/?status=failed&skip=0&limit=10", headers=admin)
        assert listed.status_code == 200, listed.text
        [job] = listed.json()
        assert set(job) == {
            "id",
            "kind",
            "status",
            "attempts",
            "idempotency_key",
            "run_after",
            "created_at",
            "updated_at",
            "finished_at",
            "last_error",
        }
        assert (job["status"], job["kind"]) == ("failed", job_handlers.REFUSED)
        assert (await client.get("/jobs?status=queued", headers=admin)).json() == []
        assert (await client.get("/jobs/?status=lost", headers=admin)).status_code == 422
        assert (await client.get("/jobs/?limit=0", headers=admin)).status_code == 422
        assert (await client.get("/jobs/", headers=trainer)).status_code == 403
        assert (await client.post(f"/jobs/{job['id']}/retry", headers=trainer)).status_code == 403

        retried = await client.post(f"/jobs/{job['id']}/retry", headers=admin)
        assert retried.status_code == 200, retried.text
        assert (retried.json()["status"], retried.json()["attempts"]) == ("queued", 0)
        assert (await client.post(f"/jobs/{job['id']}/retry", headers=admin)).status_code == 409
        assert (await client.post("/jobs/9999/retry", headers=admin)).status_code == 404

"""The steps a worker takes, each in a unit of work of its own: claim a job, keep the
lease, record the outcome. Running the handler between them (and the timing around it) is
the worker adapter's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tms_domain.jobs.events import JobFailed
from tms_domain.kernel.jobs import Completes, Job, JobHandlers, Lease, RetryPolicy
from tms_domain.unit_of_work import Core, UnitOfWork

LOST_WORKER = "the worker running it stopped before it finished, on each of its attempts"


def _lost(job: Job, policy: RetryPolicy) -> bool:
    """Its attempts are used up by claims alone (each worker died mid-run), and its effect
    was never recorded (a job whose effect was made is completed instead)."""
    return job.attempts > policy.max_attempts and job.effect_at is None


class JobProcessing:
    def __init__(self, core: Core, handlers: JobHandlers, policy: RetryPolicy) -> None:
        self._core = core
        self.handlers = handlers
        self.policy = policy

    def lease(self, token: str) -> Lease:
        return Lease(token, self._core.clock.now() + self.policy.lease)

    async def claim_next(self, token: str) -> Job | None:
        """The next due job, now held by ``token``; None when none is due. A job whose
        previous holders all died mid-run (attempts used up by claims alone) is
        dead-lettered here rather than run once more."""
        while True:
            async with self._core.uow() as uow:
                now = self._core.clock.now()
                job = await uow.jobs.claim_next(now, Lease(token, now + self.policy.lease))
                if job is None or not _lost(job, self.policy):
                    await uow.commit()
                    return job
                await self._dead_letter(uow, job, token, LOST_WORKER)

    async def claim_due(self, token: str, *, limit: int) -> list[Job]:
        """Up to ``limit`` due jobs, now held by ``token``, in one transaction (a worker with
        several free slots fills them with one claim). Lost jobs are dead-lettered in it,
        as ``claim_next`` does, and left out."""
        async with self._core.uow() as uow:
            now = self._core.clock.now()
            jobs = await uow.jobs.claim_due(now, Lease(token, now + self.policy.lease), limit=limit)
            kept = []
            for job in jobs:
                if not _lost(job, self.policy):
                    kept.append(job)
                    continue
                job.fail(LOST_WORKER, now, self.policy, permanent=True)
                if await uow.jobs.release(job, token):
                    uow.record(JobFailed(job))
            await uow.commit()
            return kept

    async def claim(self, job_id: int, token: str) -> Job | None:
        """That job, now held by ``token``, when it is due (handed over by a queue)."""
        async with self._core.uow() as uow:
            now = self._core.clock.now()
            job = await uow.jobs.claim(job_id, now, Lease(token, now + self.policy.lease))
            if job is not None and _lost(job, self.policy):
                await self._dead_letter(uow, job, token, LOST_WORKER)
                return None
            await uow.commit()
            return job

    async def renew(self, job: Job, token: str) -> bool:
        async with self._core.uow() as uow:
            held = await uow.jobs.renew(job.id, self.lease(token))
            await uow.commit()
            return held

    async def record_effect(self, job: Job, then: Callable[[], None] | None = None) -> None:
        """The handler's effect is made (or, with ``then``, about to be): marked on the job
        at once, in a short commit of its own, before the handler returns and the job is
        released. ``then`` is called as soon as the commit returns, before the unit of work
        is closed (a round trip to the database): the effect follows its marker with nothing
        awaited in between."""
        async with self._core.uow() as uow:
            now = self._core.clock.now()
            await uow.jobs.record_effect(job.id, now)
            await uow.commit()
            job.effect_at = now
            if then is not None:
                then()

    async def forget_effect(self, job: Job) -> None:
        """The effect claimed was refused: the job may make it on a later attempt."""
        async with self._core.uow() as uow:
            await uow.jobs.forget_effect(job.id)
            await uow.commit()
            job.effect_at = None

    async def succeeded(self, job: Job, token: str) -> None:
        async with self._core.uow() as uow:
            job.succeed(self._core.clock.now())
            await uow.jobs.release(job, token)
            await uow.commit()

    async def complete_in(self, jobs: Completes, job: Job, token: str) -> bool:
        """Release the job as succeeded within the handler's unit of work (whose commit
        stores it); ``job`` itself is left as it was, for the worker to record a failure
        on when that commit does not happen."""
        done = replace(job)
        done.succeed(self._core.clock.now())
        return await jobs.release(done, token)

    async def failed(self, job: Job, token: str, error: str, *, permanent: bool) -> bool:
        """Record a failed attempt: queued again after a backoff, or dead-lettered (and
        admins told). True when dead-lettered."""
        async with self._core.uow() as uow:
            dead = job.fail(error, self._core.clock.now(), self.policy, permanent=permanent)
            if await uow.jobs.release(job, token) and dead:
                uow.record(JobFailed(job))
            await uow.commit()
            return dead

    async def hand_back(self, job: Job, token: str) -> bool:
        """Give a running job back to the queue unfinished, for another worker to take at
        once; True when it was still this worker's."""
        async with self._core.uow() as uow:
            handed = await uow.jobs.hand_back(job.id, token, self._core.clock.now())
            await uow.commit()
            return handed

    async def hand_off(self, *, limit: int) -> list[int]:
        """Due jobs for an external queue, not handed to it again within a lease."""
        async with self._core.uow() as uow:
            now = self._core.clock.now()
            ids = await uow.jobs.hand_off(now, now + self.policy.lease, limit=limit)
            await uow.commit()
            return ids

    async def _dead_letter(self, uow: UnitOfWork, job: Job, token: str, error: str) -> None:
        job.fail(error, self._core.clock.now(), self.policy, permanent=True)
        if await uow.jobs.release(job, token):
            uow.record(JobFailed(job))
        await uow.commit()

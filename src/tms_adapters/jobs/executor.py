"""Running one claimed job: its handler under a lease kept alive while it runs, then the
outcome recorded. Both backends run jobs through this."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

from tms_adapters.tracing import REQUEST_ID
from tms_domain.jobs.use_cases.processing import JobProcessing
from tms_domain.kernel.jobs import Completes, Job, JobContext, PermanentJobFailure

log = logging.getLogger("tms.jobs")

Beat = Callable[[], Awaitable[None]]
HAND_BACK_SECONDS = 5.0
"""The longest a stopping worker tries to give its job back (past it the lease expires)."""


def new_token() -> str:
    return secrets.token_hex(16)


class JobExecutor:
    def __init__(self, processing: JobProcessing) -> None:
        self.processing = processing

    @property
    def renew_every(self) -> float:
        """A third of the lease: two renewals can fail before another worker may take over."""
        return self.processing.policy.lease.total_seconds() / 3

    async def run_next(self) -> bool:
        """Claim and run the job due first; False when none was due."""
        token = new_token()
        job = await self.processing.claim_next(token)
        if job is None:
            return False
        await self.run(job, token)
        return True

    async def claim_due(self, limit: int) -> list[tuple[Job, str]]:
        """Up to ``limit`` due jobs claimed in one transaction, each with the token that
        holds it, for the caller to run (``run``) at once."""
        token = new_token()
        return [(job, token) for job in await self.processing.claim_due(token, limit=limit)]

    async def run_by_id(self, job_id: int, beat: Beat | None = None) -> None:
        """Run that job when it is still due (a queue may hand a job over twice)."""
        token = new_token()
        job = await self.processing.claim(job_id, token)
        if job is not None:
            await self.run(job, token, beat)

    async def run(self, job: Job, token: str, beat: Beat | None = None) -> None:
        """Run the job with the id of the request that caused it bound (its log lines name
        it). Cancelled (the process is stopping), it is handed back to the queue unfinished
        for another worker, and the cancellation goes on."""
        marker = REQUEST_ID.set(job.request_id)
        try:
            await self._run(job, token, beat)
        except asyncio.CancelledError:
            await self._hand_back(job, token)
            raise
        finally:
            REQUEST_ID.reset(marker)

    async def _run(self, job: Job, token: str, beat: Beat | None) -> None:
        handler = self.processing.handlers.get(job.kind)
        fields = {"job_id": job.id, "job_kind": job.kind, "attempt": job.attempts}
        if job.effect_at is not None:
            # Its effect was made by an earlier attempt whose worker stopped before the
            # release: done, without making the effect twice.
            await self.processing.succeeded(job, token)
            log.info(
                "job %s (%s) completed: its effect was made at %s already",
                job.id,
                job.kind,
                job.effect_at.isoformat(),
                extra=fields,
            )
            return
        if handler is None:
            await self._failed(job, token, f"No handler for job kind {job.kind!r}", True)
            return

        effects = _Effects(self.processing, job, token)
        context = JobContext(
            job.id,
            job.kind,
            job.handler_payload,
            job.idempotency_key,
            job.attempts,
            effects.record,
            effects.claim,
            effects.forget,
            effects.complete_in,
        )
        log.info("job %s (%s) attempt %s started", job.id, job.kind, job.attempts, extra=fields)
        keeper = asyncio.create_task(self._keep_lease(job, token, beat))
        try:
            await handler(context)
        except PermanentJobFailure as error:
            await self._failed(job, token, str(error) or type(error).__name__, True)
        except Exception as error:
            log.warning(
                "job %s (%s) attempt %s failed",
                job.id,
                job.kind,
                job.attempts,
                exc_info=True,
                extra=fields,
            )
            await self._failed(job, token, f"{type(error).__name__}: {error}", False)
        else:
            if not effects.completed:
                # Unless the handler's own commit released it already.
                await self.processing.succeeded(job, token)
            log.info("job %s (%s) succeeded", job.id, job.kind, extra=fields)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _hand_back(self, job: Job, token: str) -> None:
        try:
            async with asyncio.timeout(HAND_BACK_SECONDS):
                handed = await self.processing.hand_back(job, token)
        except Exception:
            # Its lease still ends: the job runs again then.
            log.warning("job %s (%s) could not be handed back", job.id, job.kind, exc_info=True)
            return
        if handed:
            log.info(
                "job %s (%s) handed back to the queue: this worker is stopping",
                job.id,
                job.kind,
                extra={"job_id": job.id, "job_kind": job.kind},
            )

    async def _failed(self, job: Job, token: str, error: str, permanent: bool) -> None:
        if await self.processing.failed(job, token, error, permanent=permanent):
            log.error(
                "job %s (%s) dead-lettered: %s",
                job.id,
                job.kind,
                error,
                extra={"job_id": job.id, "job_kind": job.kind, "attempt": job.attempts},
            )

    async def _keep_lease(self, job: Job, token: str, beat: Beat | None) -> None:
        while True:
            await asyncio.sleep(self.renew_every)
            try:
                if not await self.processing.renew(job, token):
                    log.warning("job %s: lease lost to another worker", job.id)
                    return
                if beat is not None:
                    await beat()
            except Exception:
                log.warning("job %s: renewing the lease failed", job.id, exc_info=True)


class _Effects:
    """What a handler tells its worker about its effect (see ``JobContext``)."""

    def __init__(self, processing: JobProcessing, job: Job, token: str) -> None:
        self._processing, self._job, self._token = processing, job, token
        self.completed = False

    async def record(self) -> None:
        try:
            await self._processing.record_effect(self._job)
        except Exception:
            # The release still records the job as done; if it fails too, the job runs
            # again (at least once).
            log.warning("job %s: recording its effect failed", self._job.id, exc_info=True)

    async def claim(self, make: Callable[[], None]) -> None:
        # Raises when the marker is not committed: the handler makes no effect.
        await self._processing.record_effect(self._job, then=make)

    async def forget(self) -> None:
        await self._processing.forget_effect(self._job)

    async def complete_in(self, jobs: Completes) -> bool:
        self.completed = await self._processing.complete_in(jobs, self._job, self._token)
        return self.completed

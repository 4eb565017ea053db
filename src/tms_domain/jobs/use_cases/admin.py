"""Admins look after background jobs: list them (the dead letters first of all) and give a
failed one another run."""

from __future__ import annotations

from tms_domain.accounts import Actor
from tms_domain.audit import record_audit
from tms_domain.kernel import NotFound, Page, Permission, authorize
from tms_domain.kernel.jobs import Job, JobStatus
from tms_domain.unit_of_work import Core


class JobAdminService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_jobs(self, actor: Actor, status: JobStatus | None, page: Page) -> list[Job]:
        """Admins: jobs newest first, of one status when given (``failed``: the dead
        letters)."""
        authorize(actor, Permission.LIST_JOBS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.jobs.page(status, skip=page.skip, limit=page.limit)

    async def retry(self, actor: Actor, job_id: int) -> Job:
        """Admins: a failed job is queued again, due now, with a full set of attempts (409
        for a job in any other state); audited as ``job.retried``."""
        authorize(actor, Permission.RETRY_JOB)
        async with self._core.uow() as uow:
            # Locked: two retries at once must not both reset a job a worker took between.
            job = await uow.jobs.get(job_id, for_update=True)
            if job is None:
                raise NotFound("Job not found")
            attempts = job.attempts
            now = self._core.clock.now()
            job.retry(now)
            await uow.jobs.update(job)
            await record_audit(
                uow,
                actor,
                "job.retried",
                "job",
                job.id,
                now,
                {
                    "status": [JobStatus.FAILED.value, job.status.value],
                    "attempts": [attempts, job.attempts],
                },
            )
            await uow.commit()
        return job

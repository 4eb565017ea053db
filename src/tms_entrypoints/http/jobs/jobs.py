"""/jobs: background jobs for admins, the dead letters above all."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from tms_domain.accounts import Actor
from tms_domain.jobs.use_cases.admin import JobAdminService
from tms_domain.kernel import Page
from tms_domain.kernel.jobs import Job, JobStatus
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import Timestamp, iso

JobStatusName = Literal["queued", "running", "succeeded", "failed"]


class JobOut(msgspec.Struct):
    """A job as admins see it; its payload stays inside (it may carry addresses, tokens)."""

    id: int
    kind: str
    status: JobStatusName
    attempts: int
    idempotency_key: str
    run_after: Timestamp
    created_at: Timestamp
    updated_at: Timestamp
    finished_at: Timestamp | None
    last_error: str | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status.value,
            attempts=job.attempts,
            idempotency_key=job.idempotency_key,
            run_after=iso(job.run_after),
            created_at=iso(job.created_at),
            updated_at=iso(job.updated_at),
            finished_at=iso(job.finished_at) if job.finished_at else None,
            last_error=job.last_error,
        )


class JobsController(Controller):
    path = "/jobs"
    tags = ["jobs"]

    @get("/", operation_id="listJobs", responses=ERROR_RESPONSES)
    async def list_jobs(
        self,
        actor: NamedDependency[Actor],
        jobs: NamedDependency[JobAdminService],
        skip: Skip = 0,
        limit: Limit = 100,
        status: Annotated[JobStatusName | None, QueryParameter()] = None,
    ) -> list[JobOut]:
        """Admins: background jobs, newest first; `status=failed` lists the dead letters
        (attempts used up, or failed for good), each with its last error."""
        found = await jobs.list_jobs(
            actor, JobStatus(status) if status else None, Page(skip, limit)
        )
        return [JobOut.of(job) for job in found]

    @post(
        "/{job_id:int}/retry",
        operation_id="retryJob",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def retry_job(
        self, job_id: Id, actor: NamedDependency[Actor], jobs: NamedDependency[JobAdminService]
    ) -> JobOut:
        """Admins: a failed job is queued again, due now, with a full set of attempts
        (409 for a job that has not failed); audited as `job.retried`."""
        return JobOut.of(await jobs.retry(actor, job_id))

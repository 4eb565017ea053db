"""Background jobs as an area: processing them (for the workers) and looking after the
dead letters (for admins). The port, the Job and the handler registry are in the kernel,
where every area that enqueues work can reach them."""

from tms_domain.jobs.events import JobFailed
from tms_domain.kernel.jobs import (
    Job,
    JobContext,
    JobHandler,
    JobHandlers,
    JobStatus,
    Lease,
    PermanentJobFailure,
    RetryPolicy,
)

__all__ = [
    "Job",
    "JobContext",
    "JobFailed",
    "JobHandler",
    "JobHandlers",
    "JobStatus",
    "Lease",
    "PermanentJobFailure",
    "RetryPolicy",
]

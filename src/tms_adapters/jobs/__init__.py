"""Running background jobs: in the app's own workers over the database, or on SAQ over
Redis with `tms worker` processes. Either way the job row, written with its cause, stays
the record: claims, attempts, outcomes and dead letters live there."""

from tms_adapters.jobs.executor import JobExecutor
from tms_adapters.jobs.plugins import load_job_plugins
from tms_adapters.jobs.polling import Foreground, PollingJobWorkers

__all__ = ["Foreground", "JobExecutor", "PollingJobWorkers", "load_job_plugins"]

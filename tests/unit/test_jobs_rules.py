"""Job rules on their own: backoff, dead-lettering, retry by an admin, the registry, plugins,
the settings, and who may see jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import job_handlers
from tms_adapters.jobs import load_job_plugins
from tms_adapters.jobs.plugins import JobPluginError
from tms_domain.kernel import MATRIX, Conflict, Permission, Role
from tms_domain.kernel.jobs import MAX_ERROR_LENGTH, Job, JobHandlers, JobStatus, RetryPolicy
from tms_entrypoints.settings import Settings, SettingsError

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(
    max_attempts=4, backoff=timedelta(seconds=10), max_backoff=timedelta(seconds=50)
)


def running_job(attempts: int) -> Job:
    return Job(1, "mail", {}, "k", JobStatus.RUNNING, attempts, NOW, NOW, NOW)


def test_the_backoff_doubles_up_to_its_cap() -> None:
    assert [POLICY.delay(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 50, 50]


def test_a_failure_queues_the_job_again_until_its_attempts_are_used_up() -> None:
    job = running_job(2)
    assert not job.fail("boom", NOW, POLICY, permanent=False)
    assert (job.status, job.run_after) == (JobStatus.QUEUED, NOW + timedelta(seconds=20))

    last = running_job(4)
    assert last.fail("x" * 5000, NOW, POLICY, permanent=False)
    assert (last.status, last.finished_at) == (JobStatus.FAILED, NOW)
    assert last.last_error == "x" * MAX_ERROR_LENGTH

    assert running_job(1).fail("refused", NOW, POLICY, permanent=True)


def test_only_a_failed_job_is_retried_with_a_full_set_of_attempts() -> None:
    job = running_job(4)
    with pytest.raises(Conflict):
        job.retry(NOW)
    job.fail("boom", NOW, POLICY, permanent=False)
    later = NOW + timedelta(hours=1)
    job.retry(later)
    assert (job.status, job.attempts, job.run_after, job.finished_at) == (
        JobStatus.QUEUED,
        0,
        later,
        None,
    )


def test_handlers_register_once_per_kind_and_plugins_add_theirs() -> None:
    handlers = load_job_plugins(JobHandlers(), ["job_handlers"])
    assert job_handlers.EFFECT in handlers.kinds
    with pytest.raises(ValueError, match="registered already"):
        handlers.register(job_handlers.EFFECT, job_handlers.make_effect)
    with pytest.raises(JobPluginError, match="cannot be imported"):
        load_job_plugins(JobHandlers(), ["no_such_module_here"])
    with pytest.raises(JobPluginError, match="no register"):
        load_job_plugins(JobHandlers(), ["json"])


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TMS_JOBS_BACKEND": "celery"}, "TMS_JOBS_BACKEND must be database or saq"),
        ({"TMS_JOBS_BACKEND": "saq"}, "TMS_JOBS_BACKEND=saq needs TMS_REDIS_URL"),
        ({"TMS_JOBS_LEASE_SECONDS": "0"}, "TMS_JOBS_LEASE_SECONDS must be at least 1"),
        ({"TMS_JOBS_MAX_ATTEMPTS": "0"}, "TMS_JOBS_MAX_ATTEMPTS must be at least 1"),
        ({"TMS_JOBS_WORKERS": "-1"}, "TMS_JOBS_WORKERS must be 0 or more"),
    ],
)
def test_bad_job_settings_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ=environ, env_file=None)


def test_job_plugins_are_a_comma_separated_list() -> None:
    settings = Settings.from_env(environ={"TMS_JOB_PLUGINS": "a.b, c"}, env_file=None)
    assert settings.job_plugins == ("a.b", "c")


def test_only_admins_see_and_retry_jobs() -> None:
    for permission in (Permission.LIST_JOBS, Permission.RETRY_JOB):
        assert set(MATRIX[permission]) == {Role.ADMIN}

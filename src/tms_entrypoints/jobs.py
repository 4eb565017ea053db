"""Background jobs wired from the settings: the handler registry (with plugins), the retry
policy, what runs in the app process and what `tms worker` runs."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from tms_adapters.jobs import Foreground, JobExecutor, PollingJobWorkers, load_job_plugins
from tms_adapters.jobs.saq import SaqJobRelay, saq_queue
from tms_adapters.mail import MailDelivery
from tms_domain.accounts.sso import PROVISION_JOB
from tms_domain.accounts.use_cases.links import RESET_REQUESTED_JOB, PasswordLinkService
from tms_domain.accounts.use_cases.sso import IdentityProvisioning
from tms_domain.cohorts.imports.use_cases import IMPORT_JOB, UserImportService
from tms_domain.integrations import DELIVERY_JOB
from tms_domain.integrations.use_cases.delivery import WebhookDeliveries
from tms_domain.jobs.use_cases.admin import JobAdminService
from tms_domain.jobs.use_cases.processing import JobProcessing
from tms_domain.kernel.files import DELETE_BYTES_JOB, FileStorage, deleting_bytes
from tms_domain.kernel.jobs import JobContext, JobHandler, JobHandlers, RetryPolicy
from tms_domain.notifications import MAIL_JOB
from tms_domain.notifications.use_cases.certificate_expiry import (
    CERTIFICATE_EXPIRING_JOB,
    CertificateExpiryReminders,
)
from tms_domain.notifications.use_cases.course_due import COURSE_DUE_JOB, CourseDueNotices
from tms_domain.notifications.use_cases.reminders import SESSION_REMINDER_JOB, SessionReminders
from tms_domain.unit_of_work import Core
from tms_entrypoints.settings import Settings


def _reset_link_sender(links: PasswordLinkService) -> JobHandler:
    async def send_reset_link(job: JobContext) -> None:
        await links.send_reset_link(str(job.payload["email"]), job.idempotency_key)

    return send_reset_link


def _provisioner(provisioning: IdentityProvisioning) -> JobHandler:
    async def provision_identity(job: JobContext) -> None:
        await provisioning.provision(int(job.payload["user_id"]))

    return provision_identity


def _handlers(
    plugins: tuple[str, ...],
    core: Core,
    files: FileStorage,
    mail: MailDelivery,
    links: PasswordLinkService,
    provisioning: IdentityProvisioning | None,
    imports: UserImportService,
    webhooks: WebhookDeliveries,
) -> JobHandlers:
    """The areas' handlers, then the plugins'."""
    handlers = JobHandlers()
    handlers.register(DELIVERY_JOB, webhooks)
    handlers.register(DELETE_BYTES_JOB, deleting_bytes(files))
    handlers.register(MAIL_JOB, mail)
    handlers.register(RESET_REQUESTED_JOB, _reset_link_sender(links))
    if provisioning is not None:
        handlers.register(PROVISION_JOB, _provisioner(provisioning))
    handlers.register(IMPORT_JOB, imports.handler())
    handlers.register(SESSION_REMINDER_JOB, SessionReminders(core))
    handlers.register(COURSE_DUE_JOB, CourseDueNotices(core))
    handlers.register(CERTIFICATE_EXPIRING_JOB, CertificateExpiryReminders(core))
    return load_job_plugins(handlers, plugins)


def _policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.jobs_max_attempts,
        backoff=timedelta(seconds=settings.jobs_backoff_seconds),
        lease=timedelta(seconds=settings.jobs_lease_seconds),
    )


def _seconds(milliseconds: int) -> float:
    return milliseconds / 1000


class JobsContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    core = providers.Dependency(instance_of=Core)
    files: providers.Dependency[FileStorage] = providers.Dependency()
    """The FileStorage (forgotten files' bytes are deleted by a job)."""

    mail_delivery = providers.Dependency(instance_of=MailDelivery)
    password_links = providers.Dependency(instance_of=PasswordLinkService)
    identity_provisioning: providers.Dependency[IdentityProvisioning | None] = (
        providers.Dependency()
    )
    """Accounts made at the identity provider too (None without provisioning)."""
    imports = providers.Dependency(instance_of=UserImportService)
    webhook_deliveries = providers.Dependency(instance_of=WebhookDeliveries)

    handlers = providers.Singleton(
        _handlers,
        settings.provided.job_plugins,
        core,
        files,
        mail_delivery,
        password_links,
        identity_provisioning,
        imports,
        webhook_deliveries,
    )
    policy = providers.Singleton(_policy, settings)
    processing = providers.Singleton(JobProcessing, core, handlers, policy)
    executor = providers.Singleton(JobExecutor, processing)
    admin = providers.Singleton(JobAdminService, core)
    poll_interval = providers.Callable(_seconds, settings.provided.jobs_poll_ms)
    saq_queue = providers.Singleton(saq_queue, settings.provided.redis_url)

    foreground = providers.Singleton(Foreground)
    """The requests this process serves now: the app counts them, its job workers defer."""

    in_app = providers.Selector(
        settings.provided.jobs_backend,
        database=providers.Singleton(
            PollingJobWorkers,
            executor,
            workers=settings.provided.jobs_workers,
            poll_interval=poll_interval,
            foreground=foreground,
        ),
        saq=providers.Singleton(SaqJobRelay, executor, saq_queue, poll_interval=poll_interval),
    )
    """What each app process runs: database workers, or the relay to SAQ."""

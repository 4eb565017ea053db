"""The one composition root: settings -> adapters -> use cases.

Everything with a lifecycle is a Resource: ``await container.init_resources()`` starts it
all and ``await container.shutdown_resources()`` stops it all, in dependency order
(``running`` does both). What the use cases hold (storage, the Redis attempt counters) is
built by a Singleton and closed by a Resource beside it: an async Resource makes every
provider that depends on it asynchronous, and getting a use case should never need an
await. The password hasher and the report threads are Resources themselves (they stop
synchronously).

``Container`` is what every entry point needs (CLI, tests, the server); ``ServerContainer``
adds what only a serving process runs (live events, its share of background jobs, the
health and readiness probes, the rate-limit counters) and starts and stops the core's
resources with its own.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol, TypeVar

from dependency_injector import containers, providers
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore as MemoryCounterStore
from litestar.stores.redis import RedisStore

from tms_adapters import bootstrap
from tms_adapters.calendar import IcsWriter
from tms_adapters.clock import SystemClock
from tms_adapters.identity import JoserfcOidcProvider, KeycloakProvisioner
from tms_adapters.imports import StoredSheetReader
from tms_adapters.mail import (
    AiosmtplibMailer,
    MailComposer,
    MailDelivery,
    OutboxMailer,
    SmtpSecurity,
)
from tms_adapters.persistence.sql.probe import SchemaProbe, StorageProbe
from tms_adapters.realtime.channels import (
    ChannelsEventPublisher,
    ChannelsRelay,
    EventChannels,
    build_channels,
)
from tms_adapters.realtime.hub import EventHub
from tms_adapters.redis_probe import RedisProbe
from tms_adapters.reports.certificate_pdf import FpdfCertificateRenderer
from tms_adapters.security import JoseTokenService
from tms_adapters.security.throttle import MemoryAttemptStore, RedisAttemptStore
from tms_domain.accounts import LockoutPolicy
from tms_domain.accounts.sso import RoleMap
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.links import ForgotPasswordLimits, PasswordLinkService
from tms_domain.accounts.use_cases.sso import IdentityProvisioning, SsoService, SsoSettings
from tms_domain.accounts.use_cases.users import UserService
from tms_domain.audit.use_cases.audit_log import AuditService
from tms_domain.calendar.use_cases.feeds import CalendarService
from tms_domain.cohorts.imports.use_cases import ImportLimits, UserImportService
from tms_domain.cohorts.use_cases.batches import BatchService
from tms_domain.kernel import Clock
from tms_domain.learning.use_cases.courses import CourseService
from tms_domain.learning.use_cases.enrolments import CourseEnrolmentService
from tms_domain.legacy.use_cases import LegacyImport
from tms_domain.notifications import Mailer
from tms_domain.notifications.use_cases.inbox import NotificationService
from tms_domain.reporting.use_cases.analytics import AnalyticsService
from tms_domain.reporting.use_cases.reports import ReportLimits, ReportService
from tms_domain.skills.use_cases.achievements import AchievementService
from tms_domain.skills.use_cases.activity import ActivityService
from tms_domain.skills.use_cases.attempts import AttemptService
from tms_domain.skills.use_cases.certificates import CertificateService
from tms_domain.skills.use_cases.compliance import ComplianceService
from tms_domain.skills.use_cases.matrix import SkillMatrixService
from tms_domain.skills.use_cases.skills import SkillService
from tms_domain.training.use_cases.assignments import AssignmentService
from tms_domain.training.use_cases.attendance import AttendanceService
from tms_domain.training.use_cases.booking import BookingService
from tms_domain.training.use_cases.progress import ProgressService
from tms_domain.training.use_cases.rooms import RoomService
from tms_domain.training.use_cases.sessions import SessionService
from tms_domain.unit_of_work import Core
from tms_entrypoints.integrations import IntegrationsContainer
from tms_entrypoints.jobs import JobsContainer
from tms_entrypoints.settings import Settings


class Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


async def closed_at_shutdown(thing: C) -> AsyncIterator[C]:
    try:
        yield thing
    finally:
        await thing.close()


def _storage_url(settings: Settings) -> str:
    return bootstrap.MEMORY if settings.storage == "memory" else settings.database_url


def _attempt_store(redis_url: str) -> MemoryAttemptStore | RedisAttemptStore:
    return RedisAttemptStore(redis_url) if redis_url else MemoryAttemptStore()


def _lockout(settings: Settings) -> LockoutPolicy:
    return LockoutPolicy(
        threshold=settings.lockout_threshold,
        base=timedelta(seconds=settings.lockout_base_seconds),
        cap=timedelta(seconds=settings.lockout_max_seconds),
        failures_per_address_per_minute=settings.failed_signins_per_address_per_minute,
    )


def _mailer(settings: Settings, clock: Clock) -> Mailer:
    """SMTP when a server is named; otherwise the outbox folder, so that nothing is needed."""
    if not settings.smtp_host:
        return OutboxMailer(settings.outbox_path, sender=settings.mail_from, clock=clock)
    return AiosmtplibMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=SmtpSecurity(settings.smtp_security),
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.mail_from,
        clock=clock,
        timeout=settings.smtp_timeout_seconds,
        tls_context=ssl.create_default_context(cafile=settings.smtp_ca_file or None),
    )


def _oidc_provider(settings: Settings, clock: Clock) -> JoserfcOidcProvider | None:
    """The OpenID Connect provider when single sign-on is configured."""
    if not settings.oidc_enabled:
        return None
    return JoserfcOidcProvider(
        settings.oidc_issuer,
        settings.oidc_client_id,
        settings.oidc_client_secret,
        clock=clock.now,
        scopes=settings.oidc_scopes,
    )


def _sso_settings(settings: Settings) -> SsoSettings:
    base = settings.public_url.rstrip("/")
    return SsoSettings(
        provider_id="oidc",
        provider_name=settings.oidc_provider_name,
        login_url=f"{base}/auth/oidc/login",
        callback_url=f"{base}/auth/oidc/callback",
        web_return_url=f"{base}/app/sso",
        signed_out_url=f"{base}/app/login",
        roles_claim=settings.oidc_roles_claim,
        role_map=RoleMap.parse(settings.oidc_role_map),
    )


def _keycloak(settings: Settings) -> KeycloakProvisioner | None:
    """Keycloak's admin API when provisioning into it is configured."""
    if not settings.keycloak_enabled:
        return None
    return KeycloakProvisioner(
        settings.keycloak_admin_url,
        settings.keycloak_realm,
        settings.keycloak_admin_client_id,
        settings.keycloak_admin_client_secret,
    )


def _identity_provisioning(
    core: Core, provisioner: KeycloakProvisioner | None, settings: Settings
) -> IdentityProvisioning | None:
    if provisioner is None:
        return None
    return IdentityProvisioning(core, provisioner, RoleMap.parse(settings.oidc_role_map))


async def closed_if_any(thing: C | None) -> AsyncIterator[C | None]:
    """``thing``, closed at shutdown when there is one (an optional adapter)."""
    try:
        yield thing
    finally:
        if thing is not None:
            await thing.close()


def _forgot_password_limits(settings: Settings) -> ForgotPasswordLimits:
    return ForgotPasswordLimits(
        per_address=settings.forgot_password_per_address,
        per_email=settings.forgot_password_per_email,
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    channels = providers.Singleton(build_channels, settings.provided.redis_url)
    publisher = providers.Singleton(ChannelsEventPublisher, channels)

    storage = providers.Singleton(
        bootstrap.storage_at,
        providers.Callable(_storage_url, settings),
        clock=clock,
        publisher=publisher,
        pool_size=settings.provided.db_pool_size,
        pool_timeout=settings.provided.db_pool_timeout_seconds,
        timeout=settings.provided.db_timeout_seconds,
        # At most one connection per report in progress.
        report_connections=settings.provided.reports_max_concurrent,
    )
    database = providers.Resource(closed_at_shutdown, storage)
    uow = storage.provided.uow
    engine = storage.provided.engine
    """The SQL engine (None in memory)."""
    report_queries = storage.provided.report_queries
    """What reports read, outside any unit of work."""
    memory_store = storage.provided.memory
    """The in-memory data (None over SQL)."""

    hasher = providers.Resource(
        bootstrap.argon2_hasher,
        time_cost=settings.provided.argon2_time_cost,
        memory_kib=settings.provided.argon2_memory_kib,
        parallelism=settings.provided.argon2_parallelism,
        workers=settings.provided.hash_workers,
    )
    tokens = providers.Singleton(
        JoseTokenService,
        secret_key=settings.provided.secret_key,
        algorithm=settings.provided.jwt_algorithm,
        clock=clock.provided.now,
    )
    password_policy = providers.Singleton(
        bootstrap.password_policy,
        min_length=settings.provided.password_min_length,
        max_length=settings.provided.password_max_length,
    )
    token_lifetime = providers.Callable(
        lambda minutes: timedelta(minutes=minutes), settings.provided.token_lifetime_minutes
    )
    attempts = providers.Singleton(_attempt_store, settings.provided.redis_url)
    attempts_closed = providers.Resource(closed_at_shutdown, attempts)
    lockout = providers.Singleton(_lockout, settings)

    core = providers.Singleton(Core, uow=uow, clock=clock)
    auth = providers.Singleton(
        AuthService,
        core,
        hasher,
        tokens,
        password_policy,
        token_lifetime,
        attempts,
        lockout,
        provider_accounts_use_passwords=settings.provided.oidc_password_sign_in,
    )
    users = providers.Singleton(
        UserService,
        core,
        hasher,
        password_policy,
        attempts,
        provision_at_provider=settings.provided.keycloak_enabled,
    )
    oidc_provider = providers.Singleton(_oidc_provider, settings, clock)
    """The identity provider (None without single sign-on)."""
    oidc_provider_closed = providers.Resource(closed_if_any, oidc_provider)
    sso = providers.Singleton(
        SsoService, core, auth, oidc_provider, providers.Singleton(_sso_settings, settings)
    )
    keycloak = providers.Singleton(_keycloak, settings)
    """Keycloak's admin API (None without provisioning)."""
    keycloak_closed = providers.Resource(closed_if_any, keycloak)
    identity_provisioning = providers.Singleton(_identity_provisioning, core, keycloak, settings)
    sessions = providers.Singleton(SessionService, core)
    bookings = providers.Singleton(BookingService, core)
    rooms = providers.Singleton(RoomService, core)
    calendar = providers.Singleton(CalendarService, core)
    legacy_import = providers.Singleton(LegacyImport, core)
    notifications = providers.Singleton(NotificationService, core)
    ics = providers.Singleton(IcsWriter, settings.provided.public_url)
    assignments = providers.Singleton(AssignmentService, core)
    attendance = providers.Singleton(AttendanceService, core)
    progress = providers.Singleton(ProgressService, core)
    analytics = providers.Singleton(AnalyticsService, core)
    audit = providers.Singleton(AuditService, core)
    content_renderer = providers.Singleton(bootstrap.content_renderer)
    courses = providers.Singleton(CourseService, core, content_renderer)
    course_enrolments = providers.Singleton(CourseEnrolmentService, core)
    batches = providers.Singleton(BatchService, core)
    skills = providers.Singleton(SkillService, core)
    assessments = providers.Singleton(AttemptService, core)
    achievements = providers.Singleton(AchievementService, core)
    activity = providers.Singleton(ActivityService, core)
    certificates = providers.Singleton(CertificateService, core)
    compliance = providers.Singleton(ComplianceService, core)
    certificate_renderer = providers.Singleton(
        FpdfCertificateRenderer,
        settings.provided.public_url,
        settings.provided.organisation_name,
    )
    report_runner = providers.Resource(bootstrap.report_threads)
    report_limits = providers.Singleton(
        ReportLimits,
        total=settings.provided.reports_max_concurrent,
        per_user=settings.provided.reports_max_per_user,
    )
    reports = providers.Singleton(ReportService, core, report_runner, report_queries, report_limits)
    skill_matrix = providers.Singleton(SkillMatrixService, core, report_runner)
    files = providers.Singleton(
        bootstrap.file_storage_at,
        settings.provided.files_url,
        endpoint_url=settings.provided.s3_endpoint_url,
    )
    """Where uploaded files' bytes go (a folder under the data directory, or S3)."""
    files_closed = providers.Resource(closed_at_shutdown, files)
    content = providers.Singleton(bootstrap.content_renderer)
    """Markdown to safe HTML."""
    password_links = providers.Singleton(
        PasswordLinkService,
        core,
        hasher,
        password_policy,
        attempts,
        providers.Singleton(_forgot_password_limits, settings),
    )
    mailer = providers.Singleton(_mailer, settings, clock)
    mail_composer = providers.Singleton(
        MailComposer, settings.provided.organisation_name, settings.provided.public_url
    )
    mail_delivery = providers.Singleton(
        MailDelivery, mail_composer, mailer, settings.provided.mail_from, ics
    )
    sheet_reader = providers.Singleton(StoredSheetReader, files)
    imports = providers.Singleton(
        UserImportService,
        core,
        sheet_reader,
        hasher,
        course_enrolments,
        providers.Singleton(ImportLimits, max_rows=settings.provided.import_max_rows),
        settings.provided.keycloak_enabled,
    )
    integrations = providers.Container(
        IntegrationsContainer, settings=settings, core=core, tokens=tokens, counter=attempts
    )
    jobs = providers.Container(
        JobsContainer,
        settings=settings,
        core=core,
        mail_delivery=mail_delivery,
        password_links=password_links,
        identity_provisioning=identity_provisioning,
        files=files,
        imports=imports,
        webhook_deliveries=integrations.deliveries,
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings.with_secret_key())


Entered = TypeVar("Entered", EventChannels, Store)


async def entered(thing: Entered) -> AsyncIterator[Entered]:
    """``thing`` as an async context manager, left at shutdown."""
    async with thing:
        yield thing


async def _running_hub(
    storage: bootstrap.Storage, clock: Clock, settings: Settings
) -> AsyncIterator[EventHub]:
    """The hub polls and prunes the store: it stops before the store closes."""
    hub = EventHub(
        storage.uow,
        clock,
        poll_interval=settings.event_poll_ms / 1000,
        retention=timedelta(hours=settings.event_retention_hours),
        queue_size=settings.ws_queue_size,
        replay_limit=settings.ws_replay_limit,
        replays_per_minute=settings.ws_replays_per_minute,
        sockets_per_user=settings.ws_max_sockets_per_user,
        sockets_per_address=settings.ws_max_sockets_per_address,
        messages_per_second=settings.ws_messages_per_second,
    )
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


async def _relaying(channels: EventChannels, hub: EventHub) -> AsyncIterator[ChannelsRelay]:
    """What other processes publish, fed into this process's hub."""
    relay = ChannelsRelay(channels, hub)
    await relay.start()
    try:
        yield relay
    finally:
        await relay.stop()


class InAppJobs(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def _working(
    container: JobsContainer, _storage: bootstrap.Storage
) -> AsyncIterator[InAppJobs]:
    """This process's share of background work: database workers, or the relay to SAQ.
    It depends on the store so that it stops before the store closes."""
    jobs: InAppJobs = container.in_app()
    await jobs.start()
    try:
        yield jobs
    finally:
        await jobs.stop()


def _rate_limit_counters(settings: Settings) -> Store:
    """The general rate limit's counters: shared through Redis when it is configured."""
    if settings.rate_limit_per_minute > 0 and settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="tms_rate_limit")
    return MemoryCounterStore()


class ServerContainer(containers.DeclarativeContainer):
    core = providers.DependenciesContainer()

    channels = providers.Resource(entered, core.channels)
    hub = providers.Resource(_running_hub, core.database, core.clock, core.settings)
    relay = providers.Resource(_relaying, channels, hub)
    jobs = providers.Resource(_working, core.jobs, core.database)
    probe = providers.Singleton(StorageProbe, core.engine)
    schema_probe = providers.Singleton(SchemaProbe, core.engine)
    redis_probe = providers.Singleton(RedisProbe, core.settings.provided.redis_url)
    redis_probe_closed = providers.Resource(closed_at_shutdown, redis_probe)
    rate_limit_counters = providers.Singleton(_rate_limit_counters, core.settings)
    rate_limit_counters_open = providers.Resource(entered, rate_limit_counters)


ContainerT = TypeVar("ContainerT", Container, ServerContainer)


async def _done(step: Awaitable[None] | None) -> None:
    # Either call returns None when no Resource needs an await.
    if step is not None:
        await step


@asynccontextmanager
async def running(container: ContainerT) -> AsyncIterator[ContainerT]:
    """The container with its resources started; they stop on leaving, whatever happens."""
    await _done(container.init_resources())
    try:
        yield container
    finally:
        await _done(container.shutdown_resources())

"""The one composition root: settings -> adapters -> use cases."""

from __future__ import annotations

import os
from datetime import timedelta

from dependency_injector import containers, providers

from tms_adapters.clock import SystemClock
from tms_adapters.concurrency import ThreadRunner
from tms_adapters.persistence.memory import (
    MemoryReportQueries,
    MemoryStore,
    MemoryUnitOfWorkFactory,
)
from tms_adapters.persistence.sql import SqlaReportQueries, SqlaUnitOfWorkFactory, create_engine
from tms_adapters.realtime.channels import ChannelsEventPublisher, build_channels
from tms_adapters.realtime.hub import EventHub
from tms_adapters.security import (
    Argon2PasswordHasher,
    JoseTokenService,
    ZxcvbnGuessEstimator,
    load_common_passwords,
)
from tms_adapters.security.throttle import MemoryAttemptStore, RedisAttemptStore
from tms_domain.accounts import LockoutPolicy, PasswordPolicy
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.users import UserService
from tms_domain.audit.use_cases.audit_log import AuditService
from tms_domain.reporting.use_cases.analytics import AnalyticsService
from tms_domain.reporting.use_cases.reports import ReportLimits, ReportService
from tms_domain.training.use_cases.assignments import AssignmentService
from tms_domain.training.use_cases.attendance import AttendanceService
from tms_domain.training.use_cases.progress import ProgressService
from tms_domain.training.use_cases.sessions import SessionService
from tms_domain.unit_of_work import Core
from tms_entrypoints.jobs import JobsContainer
from tms_entrypoints.settings import Settings


def _workers(configured: int) -> int:
    return configured or os.cpu_count() or 2


def _attempt_store(redis_url: str) -> MemoryAttemptStore | RedisAttemptStore:
    return RedisAttemptStore(redis_url) if redis_url else MemoryAttemptStore()


def _lockout(settings: Settings) -> LockoutPolicy:
    return LockoutPolicy(
        threshold=settings.lockout_threshold,
        base=timedelta(seconds=settings.lockout_base_seconds),
        cap=timedelta(seconds=settings.lockout_max_seconds),
        failures_per_address_per_minute=settings.failed_signins_per_address_per_minute,
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    channels = providers.Singleton(build_channels, settings.provided.redis_url)
    publisher = providers.Singleton(ChannelsEventPublisher, channels)

    engine = providers.Singleton(
        create_engine,
        url=settings.provided.database_url,
        pool_size=settings.provided.db_pool_size,
        pool_timeout=settings.provided.db_pool_timeout_seconds,
        timeout=settings.provided.db_timeout_seconds,
    )
    memory_store = providers.Singleton(MemoryStore)
    uow = providers.Selector(
        settings.provided.storage,
        sql=providers.Singleton(SqlaUnitOfWorkFactory, engine, clock, publisher),
        memory=providers.Singleton(MemoryUnitOfWorkFactory, memory_store, clock, publisher),
    )

    hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.argon2_time_cost,
        memory_cost=settings.provided.argon2_memory_kib,
        parallelism=settings.provided.argon2_parallelism,
        max_workers=providers.Callable(_workers, settings.provided.hash_workers),
    )
    tokens = providers.Singleton(
        JoseTokenService,
        secret_key=settings.provided.secret_key,
        algorithm=settings.provided.jwt_algorithm,
        clock=clock.provided.now,
    )
    password_policy = providers.Singleton(
        PasswordPolicy,
        min_length=settings.provided.password_min_length,
        max_length=settings.provided.password_max_length,
        common_passwords=providers.Callable(load_common_passwords),
        guess_estimator=providers.Singleton(ZxcvbnGuessEstimator),
    )
    token_lifetime = providers.Callable(
        lambda minutes: timedelta(minutes=minutes), settings.provided.token_lifetime_minutes
    )

    hub = providers.Singleton(
        EventHub,
        uow,
        clock,
        poll_interval=providers.Callable(lambda ms: ms / 1000, settings.provided.event_poll_ms),
        retention=providers.Callable(
            lambda hours: timedelta(hours=hours), settings.provided.event_retention_hours
        ),
        queue_size=settings.provided.ws_queue_size,
        replay_limit=settings.provided.ws_replay_limit,
        replays_per_minute=settings.provided.ws_replays_per_minute,
        sockets_per_user=settings.provided.ws_max_sockets_per_user,
        sockets_per_address=settings.provided.ws_max_sockets_per_address,
        messages_per_second=settings.provided.ws_messages_per_second,
    )

    attempts = providers.Singleton(_attempt_store, settings.provided.redis_url)
    lockout = providers.Singleton(_lockout, settings)

    core = providers.Singleton(Core, uow=uow, clock=clock)
    auth = providers.Singleton(
        AuthService, core, hasher, tokens, password_policy, token_lifetime, attempts, lockout
    )
    users = providers.Singleton(UserService, core, hasher, password_policy, attempts)
    sessions = providers.Singleton(SessionService, core)
    assignments = providers.Singleton(AssignmentService, core)
    attendance = providers.Singleton(AttendanceService, core)
    progress = providers.Singleton(ProgressService, core)
    analytics = providers.Singleton(AnalyticsService, core)
    audit = providers.Singleton(AuditService, core)
    report_runner = providers.Singleton(ThreadRunner, max_workers=2, name="tms-report")
    report_limits = providers.Singleton(
        ReportLimits,
        total=settings.provided.reports_max_concurrent,
        per_user=settings.provided.reports_max_per_user,
    )
    # Reports read outside any unit of work, a connection per batch, at most one per report
    # in progress.
    report_queries = providers.Selector(
        settings.provided.storage,
        sql=providers.Singleton(
            SqlaReportQueries, engine, connections=settings.provided.reports_max_concurrent
        ),
        memory=providers.Singleton(MemoryReportQueries, memory_store),
    )
    reports = providers.Singleton(ReportService, core, report_runner, report_queries, report_limits)
    jobs = providers.Container(JobsContainer, settings=settings, core=core)


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings.with_secret_key())
    return container

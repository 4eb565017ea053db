"""A ready domain over memory or SQL, chosen by URL: what a partner embeds.

    async with open_domain("sqlite+aiosqlite:///tms.db", migrate=True) as tms:
        admin = await tms.users.ensure_admin("admin", "admin@example.org", password)

``memory://`` keeps everything in the process; ``sqlite+aiosqlite:///path`` and
``mysql+asyncmy://user:password@host:3306/name`` use the same schema as the server, so a
partner and a TMS server may share one database. The use cases are the server's own, with
the same access rules: every call names the acting user.

The pieces are public too: the server's container (tms_entrypoints) builds its storage and
its thread pools with them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tms_adapters.clock import SystemClock
from tms_adapters.concurrency import ThreadRunner
from tms_adapters.content import MarkdownItRenderer
from tms_adapters.persistence.memory import (
    MemoryReportQueries,
    MemoryStore,
    MemoryUnitOfWorkFactory,
)
from tms_adapters.persistence.sql import SqlaReportQueries, SqlaUnitOfWorkFactory, create_engine
from tms_adapters.persistence.sql import migrations as schema
from tms_adapters.security import (
    Argon2PasswordHasher,
    JoseTokenService,
    ZxcvbnGuessEstimator,
    load_common_passwords,
)
from tms_adapters.security.hashing import (
    DEFAULT_MEMORY_KIB,
    DEFAULT_PARALLELISM,
    DEFAULT_TIME_COST,
)
from tms_adapters.security.throttle import MemoryAttemptStore
from tms_adapters.storage import file_storage_at
from tms_domain.accounts import LockoutPolicy, PasswordPolicy
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.users import UserService
from tms_domain.audit.use_cases.audit_log import AuditService
from tms_domain.cohorts.use_cases.batches import BatchService
from tms_domain.kernel import Clock, EventPublisher, StoredEvent
from tms_domain.kernel.content import ContentRenderer
from tms_domain.kernel.files import FileStorage
from tms_domain.learning.use_cases.courses import CourseService
from tms_domain.learning.use_cases.enrolments import CourseEnrolmentService
from tms_domain.reporting import ReportQueries
from tms_domain.reporting.use_cases.analytics import AnalyticsService
from tms_domain.reporting.use_cases.reports import ReportLimits, ReportService
from tms_domain.training.use_cases.assignments import AssignmentService
from tms_domain.training.use_cases.attendance import AttendanceService
from tms_domain.training.use_cases.booking import BookingService
from tms_domain.training.use_cases.progress import ProgressService
from tms_domain.training.use_cases.rooms import RoomService
from tms_domain.training.use_cases.sessions import SessionService
from tms_domain.unit_of_work import Core, UnitOfWorkFactory

MEMORY = "memory://"
REPORT_THREADS = 2
DEFAULT_FILES_URL = "var/files"
"""Where uploaded files go unless told otherwise: a folder, made when the first is written."""

__all__ = [
    "DEFAULT_FILES_URL",
    "MEMORY",
    "Domain",
    "Storage",
    "argon2_hasher",
    "content_renderer",
    "file_storage_at",
    "open_domain",
    "password_policy",
    "report_threads",
    "storage_at",
]


def is_memory(url: str) -> bool:
    return url in (MEMORY, "memory")


@dataclass(frozen=True)
class Storage:
    """Where the use cases keep their data: memory, or the SQL database of a URL."""

    uow: UnitOfWorkFactory
    report_queries: ReportQueries
    """Reports read outside any unit of work, a connection per batch."""
    engine: AsyncEngine | None = None
    """The SQL engine; None in memory."""
    memory: MemoryStore | None = None
    """The in-memory data; None over SQL."""

    async def close(self) -> None:
        """Close the database connections (nothing to do in memory)."""
        if self.engine is not None:
            await self.engine.dispose()


def storage_at(
    url: str,
    *,
    clock: Clock,
    publisher: EventPublisher,
    pool_size: int = 10,
    pool_timeout: float = 10,
    timeout: float | None = None,
    report_connections: int = 4,
) -> Storage:
    """Storage for ``url`` (``memory://`` or an SQLAlchemy async URL); nothing is connected
    yet. ``report_connections``: at most one connection per report in progress."""
    if is_memory(url):
        store = MemoryStore()
        return Storage(
            MemoryUnitOfWorkFactory(store, clock, publisher),
            MemoryReportQueries(store),
            memory=store,
        )
    engine = create_engine(url, pool_size=pool_size, pool_timeout=pool_timeout, timeout=timeout)
    return Storage(
        SqlaUnitOfWorkFactory(engine, clock, publisher),
        SqlaReportQueries(engine, connections=report_connections),
        engine=engine,
    )


@contextmanager
def argon2_hasher(
    *,
    time_cost: int = DEFAULT_TIME_COST,
    memory_kib: int = DEFAULT_MEMORY_KIB,
    parallelism: int = DEFAULT_PARALLELISM,
    workers: int = 0,
) -> Iterator[Argon2PasswordHasher]:
    """The password hasher; its threads (``workers``, 0: one per CPU) stop on leaving."""
    hasher = Argon2PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        max_workers=workers or os.cpu_count() or 2,
    )
    try:
        yield hasher
    finally:
        hasher.shutdown()


@contextmanager
def report_threads(workers: int = REPORT_THREADS) -> Iterator[ThreadRunner]:
    """The threads reports are rendered in, off the event loop; they stop on leaving."""
    runner = ThreadRunner(max_workers=workers, name="tms-report")
    try:
        yield runner
    finally:
        runner.shutdown()


def password_policy(min_length: int = 8, max_length: int = 128) -> PasswordPolicy:
    return PasswordPolicy(
        min_length=min_length,
        max_length=max_length,
        common_passwords=load_common_passwords(),
        guess_estimator=ZxcvbnGuessEstimator(),
    )


def content_renderer() -> ContentRenderer:
    """Markdown to safe HTML (markdown-it-py, then the nh3 allowlist)."""
    return MarkdownItRenderer()


class StoredEventsOnly:
    """The publisher where no live listener runs in the process: committed events stay in
    the event store, from which a TMS server sharing the database delivers them."""

    async def publish(self, events: Sequence[StoredEvent]) -> None:
        return None


@dataclass(frozen=True)
class Domain:
    """The use cases, ready to call."""

    users: UserService
    auth: AuthService
    sessions: SessionService
    bookings: BookingService
    rooms: RoomService
    assignments: AssignmentService
    attendance: AttendanceService
    progress: ProgressService
    analytics: AnalyticsService
    audit: AuditService
    reports: ReportService
    courses: CourseService
    course_enrolments: CourseEnrolmentService
    batches: BatchService
    clock: Clock
    files: FileStorage
    """Where uploaded files' bytes go (tms_domain.kernel.files; what is known of each is
    ``uow.files``)."""
    content: ContentRenderer
    """Markdown to safe HTML."""


@asynccontextmanager
async def open_domain(
    url: str = MEMORY,
    *,
    migrate: bool = False,
    secret_key: str | None = None,
    clock: Clock | None = None,
    token_lifetime: timedelta = timedelta(hours=8),
    files_url: str = DEFAULT_FILES_URL,
    s3_endpoint_url: str | None = None,
) -> AsyncIterator[Domain]:
    """The domain over ``url``, with its database connections and threads released on
    leaving. ``migrate``: bring an SQL database's schema up to date first (it is created
    when it does not exist yet). ``secret_key`` (32 bytes or more) signs the access tokens
    of ``auth``; without one, a key is made that lasts as long as this domain.
    ``files_url``: where uploaded files go, a folder or ``s3://bucket/prefix`` (at
    ``s3_endpoint_url`` when that is not AWS)."""
    if migrate and not is_memory(url):
        await schema.upgrade(url)
    clock = clock or SystemClock()
    storage = storage_at(url, clock=clock, publisher=StoredEventsOnly())
    files = file_storage_at(files_url, endpoint_url=s3_endpoint_url)
    try:
        with ExitStack() as threads:
            hasher = threads.enter_context(argon2_hasher())
            runner = threads.enter_context(report_threads())
            core = Core(uow=storage.uow, clock=clock)
            policy = password_policy()
            attempts = MemoryAttemptStore()
            tokens = JoseTokenService(secret_key or secrets.token_urlsafe(48), clock=clock.now)
            yield Domain(
                users=UserService(core, hasher, policy, attempts),
                auth=AuthService(
                    core, hasher, tokens, policy, token_lifetime, attempts, LockoutPolicy()
                ),
                sessions=SessionService(core),
                bookings=BookingService(core),
                rooms=RoomService(core),
                assignments=AssignmentService(core),
                attendance=AttendanceService(core),
                progress=ProgressService(core),
                analytics=AnalyticsService(core),
                audit=AuditService(core),
                reports=ReportService(core, runner, storage.report_queries, ReportLimits()),
                courses=CourseService(core, content_renderer()),
                course_enrolments=CourseEnrolmentService(core),
                batches=BatchService(core),
                clock=clock,
                files=files,
                content=content_renderer(),
            )
    finally:
        await files.close()
        await storage.close()

"""The SQL unit of work: one connection, one transaction, events stored before commit."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tms_adapters.persistence.sql.accounts import (
    SqlaSignInHistory,
    SqlaSignInRepository,
    SqlaUserDirectory,
    SqlaUserRepository,
)
from tms_adapters.persistence.sql.achievements import (
    SqlaAchievementRepository,
    SqlaActivityTimeline,
    SqlaAttendanceFacts,
)
from tms_adapters.persistence.sql.analytics import SqlaAnalyticsQueries
from tms_adapters.persistence.sql.assessments import SqlaAttemptRepository
from tms_adapters.persistence.sql.audit import SqlaAuditHistory, SqlaAuditLog
from tms_adapters.persistence.sql.calendar import SqlaCalendarQueries, SqlaCalendarTokens
from tms_adapters.persistence.sql.certificates import (
    SqlaCertificateRepository,
    SqlaComplianceQueries,
)
from tms_adapters.persistence.sql.cohorts import SqlaBatchListing, SqlaBatchRepository
from tms_adapters.persistence.sql.engine import WRITE_OPTION
from tms_adapters.persistence.sql.event_store import SqlaEventStore
from tms_adapters.persistence.sql.files import SqlaStoredFileRepository
from tms_adapters.persistence.sql.imports import SqlaImportRepository
from tms_adapters.persistence.sql.integrations import (
    SqlaApiClientRepository,
    SqlaWebhookDeliveryLog,
    SqlaWebhookRepository,
)
from tms_adapters.persistence.sql.jobs import SqlaJobs
from tms_adapters.persistence.sql.learning import (
    SqlaCourseEnrolmentRepository,
    SqlaCourseRepository,
    SqlaLessonCompletionRepository,
)
from tms_adapters.persistence.sql.learning_queries import SqlaCourseListing, SqlaEnrolmentListing
from tms_adapters.persistence.sql.legacy import SqlaLegacyImportStore
from tms_adapters.persistence.sql.notifications import (
    SqlaNotificationRepository,
    SqlaPreferencesRepository,
)
from tms_adapters.persistence.sql.password_links import SqlaPasswordLinkRepository
from tms_adapters.persistence.sql.request_scope import SharedReads, current_shared_reads
from tms_adapters.persistence.sql.skills import (
    SqlaCourseSkillRepository,
    SqlaSkillMatrixQueries,
    SqlaSkillRepository,
    SqlaUserSkillRepository,
)
from tms_adapters.persistence.sql.sso import (
    SqlaSsoAttempts,
    SqlaSsoExchangeCodes,
    SqlaUserIdentities,
)
from tms_adapters.persistence.sql.training import (
    SqlaAssignmentRepository,
    SqlaAttendanceRepository,
    SqlaRoomRepository,
    SqlaSessionRepository,
)
from tms_adapters.persistence.sql.training_queries import (
    SqlaAssignmentListing,
    SqlaAttendanceListing,
    SqlaRoomListing,
    SqlaSessionListing,
    SqlaTraineeActivity,
    SqlaTrainingProgress,
)
from tms_adapters.persistence.sql.views import SqlaSessionViews, SqlaUserViews
from tms_adapters.realtime.wire import to_wire
from tms_domain.accounts import (
    PasswordLinkRepository,
    SignInHistory,
    SignInRepository,
    UserDirectory,
    UserRepository,
    UserViews,
)
from tms_domain.accounts.sso import SsoAttempts, SsoExchangeCodes, UserIdentities
from tms_domain.audit import AuditHistory, AuditLog
from tms_domain.calendar import CalendarQueries, CalendarTokens
from tms_domain.cohorts import BatchListing, BatchRepository
from tms_domain.cohorts.imports import ImportRepository
from tms_domain.integrations import ApiClientRepository, WebhookDeliveryLog, WebhookRepository
from tms_domain.integrations.use_cases.delivery import fan_out
from tms_domain.kernel import (
    Clock,
    DomainEvent,
    EventHandlers,
    EventPublisher,
    EventStore,
    StorageUnavailable,
)
from tms_domain.kernel.files import StoredFileRepository
from tms_domain.kernel.jobs import Jobs
from tms_domain.learning import (
    CourseEnrolmentRepository,
    CourseListing,
    CourseRepository,
    EnrolmentListing,
    LessonCompletionRepository,
)
from tms_domain.legacy import LegacyImportStore
from tms_domain.notifications import NotificationRepository, PreferencesRepository
from tms_domain.reactions import REACTIONS
from tms_domain.reporting import AnalyticsQueries
from tms_domain.skills import (
    AchievementRepository,
    ActivityTimeline,
    AttemptRepository,
    AttendanceFacts,
    CourseSkillRepository,
    SkillMatrixQueries,
    SkillRepository,
    UserSkillRepository,
)
from tms_domain.skills.ports_certs import CertificateRepository, ComplianceQueries
from tms_domain.training import (
    AssignmentListing,
    AssignmentRepository,
    AttendanceListing,
    AttendanceRepository,
    RoomListing,
    RoomRepository,
    SessionListing,
    SessionRepository,
    TraineeActivity,
    TrainingProgress,
)
from tms_domain.training.views import SessionViews
from tms_domain.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

STORAGE_DOWN = "The database is unavailable right now: try again shortly"


def storage_error(error: BaseException) -> bool:
    """Faults of the store itself (unreachable, restarting, timed out, no connection free in
    the pool), not of the request: a bad statement or value is a bug to see as such, not a
    503."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(
        error, PoolTimeout | DisconnectionError | TimeoutError | OSError | ConnectionError
    )


class SqlaUnitOfWork:
    """Its repositories and queries are typed as their ports, which the type checker then
    holds each adapter to."""

    users: UserRepository
    sign_ins: SignInRepository
    password_links: PasswordLinkRepository
    sessions: SessionRepository
    rooms: RoomRepository
    assignments: AssignmentRepository
    attendance: AttendanceRepository
    courses: CourseRepository
    course_enrolments: CourseEnrolmentRepository
    lesson_completions: LessonCompletionRepository
    batches: BatchRepository
    audit: AuditLog
    events: EventStore
    user_directory: UserDirectory
    user_views: UserViews
    session_views: SessionViews
    sign_in_history: SignInHistory
    session_listing: SessionListing
    room_listing: RoomListing
    assignment_listing: AssignmentListing
    attendance_listing: AttendanceListing
    progress: TrainingProgress
    trainee_activity: TraineeActivity
    analytics: AnalyticsQueries
    audit_history: AuditHistory
    course_listing: CourseListing
    enrolment_listing: EnrolmentListing
    batch_listing: BatchListing
    jobs: Jobs
    files: StoredFileRepository
    calendar_tokens: CalendarTokens
    imports: ImportRepository
    calendar_queries: CalendarQueries
    legacy_import: LegacyImportStore
    sso_attempts: SsoAttempts
    user_identities: UserIdentities
    sso_exchange_codes: SsoExchangeCodes
    api_clients: ApiClientRepository
    webhooks: WebhookRepository
    webhook_deliveries: WebhookDeliveryLog
    notifications: NotificationRepository
    notification_preferences: PreferencesRepository
    skills: SkillRepository
    user_skills: UserSkillRepository
    course_skills: CourseSkillRepository
    skill_matrix: SkillMatrixQueries
    assessment_attempts: AttemptRepository
    achievements: AchievementRepository
    attendance_facts: AttendanceFacts
    activity: ActivityTimeline
    certificates: CertificateRepository
    compliance: ComplianceQueries

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        publisher: EventPublisher,
        *,
        read_only: bool,
        reactions: EventHandlers = REACTIONS,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._publisher = publisher
        self._read_only = read_only
        self._reactions = reactions
        self._conn: AsyncConnection | None = None
        self._shared: SharedReads | None = None
        self._pending: list[DomainEvent] = []

    async def _connect(self) -> AsyncConnection:
        """Its own connection, or the request's shared read connection (request_scope.py)."""
        scope = current_shared_reads()
        if scope is not None:
            if self._read_only and scope.available(self._engine):
                self._shared = scope
                return await scope.acquire(self._engine)
            if not self._read_only:
                # What this write changes must be seen by the request's later reads.
                await scope.end()
        conn = await self._engine.connect()
        if not self._read_only:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
        await conn.begin()
        return conn

    async def __aenter__(self) -> Self:
        try:
            conn = await self._connect()
        except Exception as error:
            if storage_error(error):
                log.warning("database unavailable: %s", error)
                raise StorageUnavailable(STORAGE_DOWN) from error
            raise
        self._conn = conn
        self.users = SqlaUserRepository(conn)
        self.sign_ins = SqlaSignInRepository(conn)
        self.password_links = SqlaPasswordLinkRepository(conn)
        self.sessions = SqlaSessionRepository(conn)
        self.rooms = SqlaRoomRepository(conn)
        self.assignments = SqlaAssignmentRepository(conn)
        self.attendance = SqlaAttendanceRepository(conn)
        self.courses = SqlaCourseRepository(conn)
        self.course_enrolments = SqlaCourseEnrolmentRepository(conn)
        self.lesson_completions = SqlaLessonCompletionRepository(conn)
        self.batches = SqlaBatchRepository(conn)
        self.batch_listing = SqlaBatchListing(conn)
        self.audit = SqlaAuditLog(conn)
        self.events = SqlaEventStore(conn, self._clock)
        self.user_directory = SqlaUserDirectory(conn)
        self.sign_in_history = SqlaSignInHistory(conn)
        self.session_listing = SqlaSessionListing(conn)
        self.room_listing = SqlaRoomListing(conn)
        self.assignment_listing = SqlaAssignmentListing(conn)
        self.attendance_listing = SqlaAttendanceListing(conn)
        self.progress = SqlaTrainingProgress(conn)
        self.trainee_activity = SqlaTraineeActivity(conn)
        self.analytics = SqlaAnalyticsQueries(conn)
        self.audit_history = SqlaAuditHistory(conn)
        self.course_listing = SqlaCourseListing(conn)
        self.enrolment_listing = SqlaEnrolmentListing(conn)
        self.files = SqlaStoredFileRepository(conn)
        self.calendar_tokens = SqlaCalendarTokens(conn)
        self.imports = SqlaImportRepository(conn)
        self.calendar_queries = SqlaCalendarQueries(conn)
        self.sso_attempts = SqlaSsoAttempts(conn)
        self.user_identities = SqlaUserIdentities(conn)
        self.sso_exchange_codes = SqlaSsoExchangeCodes(conn)
        self.notifications = SqlaNotificationRepository(conn)
        self.notification_preferences = SqlaPreferencesRepository(conn)
        self.assessment_attempts = SqlaAttemptRepository(conn)
        self.user_views = SqlaUserViews(conn)
        self.session_views = SqlaSessionViews(conn)
        self.legacy_import = SqlaLegacyImportStore(conn)
        self.api_clients = SqlaApiClientRepository(conn)
        self.webhooks = SqlaWebhookRepository(conn)
        self.webhook_deliveries = SqlaWebhookDeliveryLog(conn)
        self.skills = SqlaSkillRepository(conn)
        self.user_skills = SqlaUserSkillRepository(conn)
        self.course_skills = SqlaCourseSkillRepository(conn)
        self.skill_matrix = SqlaSkillMatrixQueries(conn)
        self.achievements = SqlaAchievementRepository(conn)
        self.attendance_facts = SqlaAttendanceFacts(conn)
        self.activity = SqlaActivityTimeline(conn)
        self.certificates = SqlaCertificateRepository(conn)
        self.compliance = SqlaComplianceQueries(conn)
        self.jobs = self._jobs = SqlaJobs(conn, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        shared, self._shared = self._shared, None
        if shared is not None:
            await shared.release(failed=exc is not None and storage_error(exc))
        elif conn is not None:
            # Closing rolls back whatever was not committed, in one round trip: an explicit
            # rollback first would be followed by the pool's own on return.
            try:
                await conn.close()
            except Exception:
                log.warning("closing a connection failed", exc_info=True)
        if exc is not None and storage_error(exc):
            log.warning("database unavailable: %s", exc)
            raise StorageUnavailable(STORAGE_DOWN) from exc

    def record(self, event: DomainEvent) -> None:
        self._pending.append(event)

    async def commit(self) -> None:
        assert self._conn is not None, "commit outside the unit of work"  # noqa: S101
        # Other areas' reactions first: what they change and record is part of this commit.
        await self._reactions.dispatch(self, self._pending, self._clock.now())
        recorded, self._pending = self._pending, []
        events = [to_wire(event) for event in recorded]
        await self.events.append(events)
        # Webhook deliveries are jobs of the same commit: none is lost when it succeeds.
        await fan_out(self, events, self._clock)
        await self._jobs.flush()
        await self._conn.commit()
        if events:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        if self._conn is not None:
            await self._conn.rollback()
            self.jobs = self._jobs = SqlaJobs(self._conn, self._clock)
        self._pending.clear()


class SqlaUnitOfWorkFactory(UnitOfWorkFactory):
    """Declared a UnitOfWorkFactory so that the type checker holds every repository and query
    of the unit of work it makes to its port."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        publisher: EventPublisher,
        reactions: EventHandlers = REACTIONS,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._publisher = publisher
        self._reactions = reactions

    def __call__(self, *, read_only: bool = False) -> SqlaUnitOfWork:
        return SqlaUnitOfWork(
            self._engine,
            self._clock,
            self._publisher,
            read_only=read_only,
            reactions=self._reactions,
        )

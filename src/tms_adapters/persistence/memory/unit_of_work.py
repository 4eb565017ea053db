"""The in-memory unit of work.

A writing unit of work holds the store's lock from start to end (as SQLite's write lock
does) and works on a copy of the state that replaces the store's only on commit, so leaving
without a commit changes nothing.
"""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Self

from tms_adapters.persistence.memory.accounts import (
    MemorySignInHistory,
    MemorySignInRepository,
    MemoryUserDirectory,
    MemoryUserRepository,
)
from tms_adapters.persistence.memory.achievements import (
    MemoryAchievementRepository,
    MemoryActivityTimeline,
    MemoryAttendanceFacts,
)
from tms_adapters.persistence.memory.analytics import MemoryAnalyticsQueries
from tms_adapters.persistence.memory.assessments import MemoryAttemptRepository
from tms_adapters.persistence.memory.audit import MemoryAuditHistory, MemoryAuditLog
from tms_adapters.persistence.memory.calendar import MemoryCalendarQueries, MemoryCalendarTokens
from tms_adapters.persistence.memory.certificates import (
    MemoryCertificateRepository,
    MemoryComplianceQueries,
)
from tms_adapters.persistence.memory.cohorts import MemoryBatchListing, MemoryBatchRepository
from tms_adapters.persistence.memory.events import MemoryEventStore
from tms_adapters.persistence.memory.files import MemoryStoredFileRepository
from tms_adapters.persistence.memory.imports import MemoryImportRepository
from tms_adapters.persistence.memory.integrations import (
    MemoryApiClientRepository,
    MemoryWebhookDeliveryLog,
    MemoryWebhookRepository,
)
from tms_adapters.persistence.memory.jobs import MemoryJobs
from tms_adapters.persistence.memory.learning import (
    MemoryCourseEnrolmentRepository,
    MemoryCourseRepository,
    MemoryLessonCompletionRepository,
)
from tms_adapters.persistence.memory.learning_queries import (
    MemoryCourseListing,
    MemoryEnrolmentListing,
)
from tms_adapters.persistence.memory.legacy import MemoryLegacyImportStore
from tms_adapters.persistence.memory.notifications import (
    MemoryNotificationRepository,
    MemoryPreferencesRepository,
)
from tms_adapters.persistence.memory.password_links import MemoryPasswordLinkRepository
from tms_adapters.persistence.memory.skills import (
    MemoryCourseSkillRepository,
    MemorySkillMatrixQueries,
    MemorySkillRepository,
    MemoryUserSkillRepository,
)
from tms_adapters.persistence.memory.sso import (
    MemorySsoAttempts,
    MemorySsoExchangeCodes,
    MemoryUserIdentities,
)
from tms_adapters.persistence.memory.state import MemoryStore, State
from tms_adapters.persistence.memory.training import (
    MemoryAssignmentRepository,
    MemoryAttendanceRepository,
    MemoryRoomRepository,
    MemorySessionRepository,
)
from tms_adapters.persistence.memory.training_queries import (
    MemoryAssignmentListing,
    MemoryAttendanceListing,
    MemoryRoomListing,
    MemorySessionListing,
    MemoryTraineeActivity,
    MemoryTrainingProgress,
)
from tms_adapters.persistence.memory.views import MemorySessionViews, MemoryUserViews
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


class MemoryUnitOfWork:
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
        store: MemoryStore,
        clock: Clock,
        publisher: EventPublisher,
        *,
        read_only: bool,
        reactions: EventHandlers = REACTIONS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher
        self._read_only = read_only
        self._reactions = reactions
        self._pending: list[DomainEvent] = []
        self._holds_lock = False

    def _bind(self, state: State) -> None:
        self._state = state
        self.users = MemoryUserRepository(state)
        self.sign_ins = MemorySignInRepository(state)
        self.password_links = MemoryPasswordLinkRepository(state)
        self.sessions = MemorySessionRepository(state)
        self.rooms = MemoryRoomRepository(state)
        self.assignments = MemoryAssignmentRepository(state)
        self.attendance = MemoryAttendanceRepository(state)
        self.courses = MemoryCourseRepository(state)
        self.course_enrolments = MemoryCourseEnrolmentRepository(state)
        self.lesson_completions = MemoryLessonCompletionRepository(state)
        self.batches = MemoryBatchRepository(state)
        self.batch_listing = MemoryBatchListing(state)
        self.audit = MemoryAuditLog(state)
        self.events = MemoryEventStore(state, self._clock)
        self.jobs = self._jobs = MemoryJobs(state.jobs, self._clock)
        self.user_directory = MemoryUserDirectory(state)
        self.sign_in_history = MemorySignInHistory(state)
        self.session_listing = MemorySessionListing(state)
        self.room_listing = MemoryRoomListing(state)
        self.assignment_listing = MemoryAssignmentListing(state)
        self.attendance_listing = MemoryAttendanceListing(state)
        self.progress = MemoryTrainingProgress(state)
        self.trainee_activity = MemoryTraineeActivity(state)
        self.analytics = MemoryAnalyticsQueries(state)
        self.audit_history = MemoryAuditHistory(state)
        self.course_listing = MemoryCourseListing(state)
        self.enrolment_listing = MemoryEnrolmentListing(state)
        self.files = MemoryStoredFileRepository(state)
        self.calendar_tokens = MemoryCalendarTokens(state)
        self.imports = MemoryImportRepository(state)
        self.calendar_queries = MemoryCalendarQueries(state)
        self.sso_attempts = MemorySsoAttempts(state)
        self.user_identities = MemoryUserIdentities(state)
        self.sso_exchange_codes = MemorySsoExchangeCodes(state)
        self.notifications = MemoryNotificationRepository(state)
        self.notification_preferences = MemoryPreferencesRepository(state)
        self.assessment_attempts = MemoryAttemptRepository(state)
        self.user_views = MemoryUserViews(state)
        self.session_views = MemorySessionViews(state)
        self.legacy_import = MemoryLegacyImportStore(state)
        self.api_clients = MemoryApiClientRepository(state)
        self.webhooks = MemoryWebhookRepository(state)
        self.webhook_deliveries = MemoryWebhookDeliveryLog(state)
        self.skills = MemorySkillRepository(state)
        self.user_skills = MemoryUserSkillRepository(state)
        self.course_skills = MemoryCourseSkillRepository(state)
        self.skill_matrix = MemorySkillMatrixQueries(state)
        self.achievements = MemoryAchievementRepository(state)
        self.attendance_facts = MemoryAttendanceFacts(state)
        self.activity = MemoryActivityTimeline(state)
        self.certificates = MemoryCertificateRepository(state)
        self.compliance = MemoryComplianceQueries(state)

    async def __aenter__(self) -> Self:
        if not self._read_only:
            await self._store.lock.acquire()
            self._holds_lock = True
        # Readers see the committed state as it is; the repositories hand out copies.
        state = self._store.state if self._read_only else copy.deepcopy(self._store.state)
        self._bind(state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pending.clear()
        if self._holds_lock:
            self._holds_lock = False
            self._store.lock.release()

    def record(self, event: DomainEvent) -> None:
        self._pending.append(event)

    async def commit(self) -> None:
        # Other areas' reactions first: what they change and record is part of this commit.
        await self._reactions.dispatch(self, self._pending, self._clock.now())
        recorded, self._pending = self._pending, []
        events = [to_wire(event) for event in recorded]
        await self.events.append(events)
        # Webhook deliveries are jobs of the same commit: none is lost when it succeeds.
        await fan_out(self, events, self._clock)
        await self._jobs.flush()
        if not self._read_only:
            self._store.state = self._state
            self._bind(copy.deepcopy(self._state))
        if events:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        self._pending.clear()
        self._bind(copy.deepcopy(self._store.state))


class MemoryUnitOfWorkFactory(UnitOfWorkFactory):
    """Declared a UnitOfWorkFactory so that the type checker holds every repository and query
    of the unit of work it makes to its port."""

    def __init__(
        self,
        store: MemoryStore,
        clock: Clock,
        publisher: EventPublisher,
        reactions: EventHandlers = REACTIONS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher
        self._reactions = reactions

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(
            self._store,
            self._clock,
            self._publisher,
            read_only=read_only,
            reactions=self._reactions,
        )

"""The unit of work: one transaction over every area's write repositories and the read-side
queries the use cases need, and what every use case is given to open one."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

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
from tms_domain.integrations.ports import (
    ApiClientRepository,
    WebhookDeliveryLog,
    WebhookRepository,
)
from tms_domain.kernel import Clock, DomainEvent, EventStore
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
from tms_domain.reporting import AnalyticsQueries
from tms_domain.skills import (
    AttemptRepository,
    CourseSkillRepository,
    SkillMatrixQueries,
    SkillRepository,
    UserSkillRepository,
)
from tms_domain.skills.ports_achieve import (
    AchievementRepository,
    ActivityTimeline,
    AttendanceFacts,
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


class UnitOfWork(Protocol):
    """One transaction. Leaving it without ``commit()`` rolls back.

    The write side is one repository per aggregate (named for it, in the plural); the read
    side, one query port per question asked (listings, progress, activity, figures)."""

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
    jobs: Jobs
    """Background work stored by ``commit()``, run after it."""
    files: StoredFileRepository
    """What is known of uploaded files (their bytes are in the FileStorage)."""
    calendar_tokens: CalendarTokens
    sso_attempts: SsoAttempts
    user_identities: UserIdentities
    sso_exchange_codes: SsoExchangeCodes
    imports: ImportRepository
    api_clients: ApiClientRepository
    webhooks: WebhookRepository
    webhook_deliveries: WebhookDeliveryLog
    notifications: NotificationRepository
    notification_preferences: PreferencesRepository
    skills: SkillRepository
    user_skills: UserSkillRepository
    course_skills: CourseSkillRepository
    assessment_attempts: AttemptRepository
    achievements: AchievementRepository
    certificates: CertificateRepository

    user_directory: UserDirectory
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
    calendar_queries: CalendarQueries
    user_views: UserViews
    session_views: SessionViews
    skill_matrix: SkillMatrixQueries
    legacy_import: LegacyImportStore
    """Bulk writes of the earlier system's rows, and the map of their ids to ours."""
    attendance_facts: AttendanceFacts
    activity: ActivityTimeline
    compliance: ComplianceQueries

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def record(self, event: DomainEvent) -> None:
        """Keep an event to store at commit and publish after it."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


@dataclass(frozen=True)
class Core:
    """The ports every use case needs."""

    uow: UnitOfWorkFactory
    clock: Clock

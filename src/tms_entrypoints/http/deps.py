"""Bridges from the containers into Litestar: one small typed provider function for each
dependency a handler can ask for, no @inject. (No handler opens a unit of work itself:
each use case opens its own.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from tms_adapters.calendar import IcsWriter
from tms_adapters.persistence.sql.probe import SchemaProbe, StorageProbe
from tms_adapters.persistence.sql.request_scope import lost_connection
from tms_adapters.realtime.hub import EventHub
from tms_adapters.redis_probe import RedisProbe
from tms_adapters.reports.certificate_pdf import FpdfCertificateRenderer
from tms_domain.accounts import Actor
from tms_domain.accounts.use_cases.auth import AuthService
from tms_domain.accounts.use_cases.links import PasswordLinkService
from tms_domain.accounts.use_cases.sso import SsoService
from tms_domain.accounts.use_cases.users import UserService
from tms_domain.audit.use_cases.audit_log import AuditService
from tms_domain.calendar.use_cases.feeds import CalendarService
from tms_domain.cohorts.imports.use_cases import UserImportService
from tms_domain.cohorts.use_cases.batches import BatchService
from tms_domain.integrations.use_cases.clients import ApiClientService
from tms_domain.integrations.use_cases.webhooks import WebhookService
from tms_domain.jobs.use_cases.admin import JobAdminService
from tms_domain.kernel import AuthenticationFailed, Clock, StorageUnavailable
from tms_domain.kernel.content import ContentRenderer
from tms_domain.kernel.files import FileStorage
from tms_domain.learning.use_cases.courses import CourseService
from tms_domain.learning.use_cases.enrolments import CourseEnrolmentService
from tms_domain.notifications.use_cases.inbox import NotificationService
from tms_domain.reporting.use_cases.analytics import AnalyticsService
from tms_domain.reporting.use_cases.reports import ReportService
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
from tms_entrypoints.container import Container, ServerContainer

NOT_AUTHENTICATED = "Not authenticated"

# The containers, as dependencies of the providers below. Not checked against their type: a
# declarative container's instances are dependency-injector DynamicContainers.
Core: TypeAlias = NamedDependency[SkipValidation[Container]]
Server: TypeAlias = NamedDependency[SkipValidation[ServerContainer]]


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(NOT_AUTHENTICATED)
    return token.strip()


def client_address(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


async def provide_actor(
    request: Request[Any, Any, Any],
    auth: NamedDependency[AuthService],
    api_clients: NamedDependency[ApiClientService],
) -> Actor:
    """The signed-in caller, or a partner's API client; 401 when the token is missing, bad,
    expired or revoked (a client's: when the client was revoked).

    The token check is a request's first statement: when the pooled connection it was given
    had died (a database restart; pools do not ping before each use), it runs once more on
    a fresh connection rather than failing the request."""
    token, address = bearer_token(request), client_address(request)
    try:
        return await _authenticate(token, address, auth, api_clients)
    except StorageUnavailable as error:
        if not lost_connection(error):
            raise
        return await _authenticate(token, address, auth, api_clients)


async def _authenticate(
    token: str, address: str | None, auth: AuthService, api_clients: ApiClientService
) -> Actor:
    try:
        return await auth.authenticate(token, address)
    except AuthenticationFailed as refused:
        # Not a person's token: perhaps a client's (refused before any database read).
        try:
            return await api_clients.authenticate(token, address)
        except AuthenticationFailed:
            raise refused from None


def provide_auth(core: Core) -> AuthService:
    return core.auth()


def provide_sso(core: Core) -> SsoService:
    return core.sso()


def provide_api_clients(core: Core) -> ApiClientService:
    service: ApiClientService = core.integrations.clients()
    return service


def provide_webhooks(core: Core) -> WebhookService:
    service: WebhookService = core.integrations.webhooks()
    return service


def provide_users(core: Core) -> UserService:
    return core.users()


def provide_password_links(core: Core) -> PasswordLinkService:
    return core.password_links()


def provide_sessions(core: Core) -> SessionService:
    return core.sessions()


def provide_bookings(core: Core) -> BookingService:
    return core.bookings()


def provide_rooms(core: Core) -> RoomService:
    return core.rooms()


def provide_calendar(core: Core) -> CalendarService:
    return core.calendar()


def provide_notifications(core: Core) -> NotificationService:
    return core.notifications()


def provide_ics(core: Core) -> IcsWriter:
    return core.ics()


def provide_assignments(core: Core) -> AssignmentService:
    return core.assignments()


def provide_attendance(core: Core) -> AttendanceService:
    return core.attendance()


def provide_progress(core: Core) -> ProgressService:
    return core.progress()


def provide_analytics(core: Core) -> AnalyticsService:
    return core.analytics()


def provide_audit(core: Core) -> AuditService:
    return core.audit()


def provide_reports(core: Core) -> ReportService:
    return core.reports()


def provide_courses(core: Core) -> CourseService:
    return core.courses()


def provide_course_enrolments(core: Core) -> CourseEnrolmentService:
    return core.course_enrolments()


def provide_batches(core: Core) -> BatchService:
    return core.batches()


def provide_skills(core: Core) -> SkillService:
    return core.skills()


def provide_skill_matrix(core: Core) -> SkillMatrixService:
    return core.skill_matrix()


def provide_assessments(core: Core) -> AttemptService:
    return core.assessments()


def provide_achievements(core: Core) -> AchievementService:
    return core.achievements()


def provide_activity(core: Core) -> ActivityService:
    return core.activity()


def provide_certificates(core: Core) -> CertificateService:
    return core.certificates()


def provide_compliance(core: Core) -> ComplianceService:
    return core.compliance()


def provide_certificate_renderer(core: Core) -> FpdfCertificateRenderer:
    renderer: FpdfCertificateRenderer = core.certificate_renderer()
    return renderer


def provide_imports(core: Core) -> UserImportService:
    return core.imports()


def provide_jobs(core: Core) -> JobAdminService:
    admin: JobAdminService = core.jobs.admin()
    return admin


def provide_file_storage(core: Core) -> FileStorage:
    storage: FileStorage = core.files()
    return storage


def provide_content_renderer(core: Core) -> ContentRenderer:
    renderer: ContentRenderer = core.content()
    return renderer


def provide_clock(core: Core) -> Clock:
    clock: Clock = core.clock()
    return clock


def provide_upload_max_bytes(core: Core) -> int:
    limit: int = core.settings().upload_max_bytes
    return limit


async def provide_hub(server: Server) -> EventHub:
    """The running hub (started with the server's resources)."""
    return await server.hub.async_()


def provide_probe(server: Server) -> StorageProbe:
    return server.probe()


def provide_schema_probe(server: Server) -> SchemaProbe:
    return server.schema_probe()


def provide_redis_probe(server: Server) -> RedisProbe:
    return server.redis_probe()


def dependencies(server: ServerContainer, core: Container) -> dict[str, Provide]:
    """Every dependency, for the app's ``dependencies=``. The services and the hub live as
    long as the process: each is asked of the container once."""

    def provide_core() -> Container:
        return core

    def provide_server() -> ServerContainer:
        return server

    def once(provider: Callable[..., Any]) -> Provide:
        return Provide(provider, use_cache=True, sync_to_thread=False)

    return {
        "core": once(provide_core),
        "server": once(provide_server),
        "auth": once(provide_auth),
        "sso": once(provide_sso),
        "users": once(provide_users),
        "api_clients": once(provide_api_clients),
        "webhooks": once(provide_webhooks),
        "password_links": once(provide_password_links),
        "sessions": once(provide_sessions),
        "bookings": once(provide_bookings),
        "rooms": once(provide_rooms),
        "calendar": once(provide_calendar),
        "ics": once(provide_ics),
        "notifications": once(provide_notifications),
        "assignments": once(provide_assignments),
        "attendance": once(provide_attendance),
        "progress": once(provide_progress),
        "analytics": once(provide_analytics),
        "audit": once(provide_audit),
        "reports": once(provide_reports),
        "jobs": once(provide_jobs),
        "imports": once(provide_imports),
        "courses": once(provide_courses),
        "course_enrolments": once(provide_course_enrolments),
        "batches": once(provide_batches),
        "skills": once(provide_skills),
        "skill_matrix": once(provide_skill_matrix),
        "assessments": once(provide_assessments),
        "achievements": once(provide_achievements),
        "activity": once(provide_activity),
        "certificates": once(provide_certificates),
        "compliance": once(provide_compliance),
        "certificate_renderer": once(provide_certificate_renderer),
        "file_storage": once(provide_file_storage),
        "content_renderer": once(provide_content_renderer),
        "upload_max_bytes": once(provide_upload_max_bytes),
        "clock": once(provide_clock),
        "hub": Provide(provide_hub, use_cache=True),
        "probe": once(provide_probe),
        "schema_probe": once(provide_schema_probe),
        "redis_probe": once(provide_redis_probe),
        "actor": Provide(provide_actor),
    }

"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.stores.base import Store
from litestar.types import Message

from tms_entrypoints.container import Container, ServerContainer, build_container, running
from tms_entrypoints.http import resolution
from tms_entrypoints.http.access import REQUEST_ID_HEADER, RequestEdge
from tms_entrypoints.http.accounts.auth import AuthController
from tms_entrypoints.http.accounts.sso import SsoController
from tms_entrypoints.http.accounts.users import UsersController
from tms_entrypoints.http.audit.audit import list_audit
from tms_entrypoints.http.calendar.feeds import (
    calendar_feed,
    create_calendar_token,
    revoke_calendar_token,
    session_ics,
)
from tms_entrypoints.http.cohorts.batches import BatchesController
from tms_entrypoints.http.cohorts.imports import ImportsController
from tms_entrypoints.http.deps import dependencies
from tms_entrypoints.http.docs import (
    DOCS_CSP,
    LocalRedocRenderPlugin,
    LocalSwaggerRenderPlugin,
    docs_assets,
)
from tms_entrypoints.http.errors import EXCEPTION_HANDLERS, ApiRequest
from tms_entrypoints.http.health import health, health_head, health_live, health_ready
from tms_entrypoints.http.integrations.clients import ApiClientsController, issue_client_token
from tms_entrypoints.http.integrations.webhooks import WebhooksController
from tms_entrypoints.http.jobs.jobs import JobsController
from tms_entrypoints.http.learning.assessments import AttemptsController, LessonAttemptsController
from tms_entrypoints.http.learning.courses import (
    CoursesController,
    LessonsController,
    ModulesController,
)
from tms_entrypoints.http.learning.enrolments import (
    CourseEnrolmentsController,
    LessonCompletionController,
    trainee_courses,
)
from tms_entrypoints.http.learning.files import download_file, upload_lesson_file
from tms_entrypoints.http.metrics import (
    ForegroundRequests,
    RequestMetrics,
    count_pool_checkouts,
    metrics,
    process_ended,
)
from tms_entrypoints.http.notifications.inbox import (
    NotificationsController,
    PreferencesController,
)
from tms_entrypoints.http.reporting.analytics import AnalyticsController
from tms_entrypoints.http.reporting.reports import generate_report
from tms_entrypoints.http.scope import SharedReadsPerRequest
from tms_entrypoints.http.skills.achieve import user_achievements, user_activity
from tms_entrypoints.http.skills.certificates import (
    CertificatesController,
    compliance_report,
    list_compliance,
    verify_certificate,
)
from tms_entrypoints.http.skills.report import skill_matrix_report
from tms_entrypoints.http.skills.skills import (
    SkillsController,
    award_user_skill,
    list_user_skills,
)
from tms_entrypoints.http.training.assignments import AssignmentsController
from tms_entrypoints.http.training.attendance import AttendanceController
from tms_entrypoints.http.training.booking import BookingController
from tms_entrypoints.http.training.progress import (
    trainee_progress,
    trainer_progress,
    trainer_trainees,
)
from tms_entrypoints.http.training.rooms import RoomsController
from tms_entrypoints.http.training.sessions import SessionsController, join_session
from tms_entrypoints.http.web import web_client_routes
from tms_entrypoints.http.ws import events_socket
from tms_entrypoints.settings import Settings

log = logging.getLogger("tms")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; "
    # Video lessons embed these two players (the web client builds only these embed URLs).
    "frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
)
DOCS_PATHS = ("/docs", "/redoc", "/schema")


def _content_security_policy(path: str) -> str:
    if path.startswith(DOCS_PATHS):
        return DOCS_CSP
    if path == "/app" or path.startswith("/app/"):
        return WEB_CSP
    return API_CSP


async def security_headers(message: Message, scope: Any) -> None:
    """Headers every response carries, whatever produced it."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", _content_security_policy(scope.get("path", "")))


RATE_LIMIT_STORE = "rate_limit"


def _rate_limit(
    settings: Settings, server: ServerContainer
) -> tuple[list[DefineMiddleware], dict[str, Store]]:
    """The general per-address request limit, when one is set: 429 with Retry-After past
    it; /health (live, ready) and /metrics are never limited. Counters are shared through
    Redis when it is configured."""
    if settings.rate_limit_per_minute <= 0:
        return [], {}
    config = RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_per_minute),
        exclude=["^/health", "^/metrics$"],
        store=RATE_LIMIT_STORE,
    )
    return [config.middleware], {RATE_LIMIT_STORE: server.rate_limit_counters()}


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    if container is None:
        container = build_container(settings or Settings.from_env())
    settings = container.settings()
    server = ServerContainer(core=container)
    resolution.install()

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        try:
            async with running(server):
                yield
        finally:
            process_ended()

    rate_limit, stores = _rate_limit(settings, server)
    api = Router(
        path="/",
        route_handlers=[
            AuthController,
            SsoController,
            UsersController,
            SessionsController,
            BookingController,
            join_session,
            RoomsController,
            session_ics,
            create_calendar_token,
            revoke_calendar_token,
            calendar_feed,
            NotificationsController,
            PreferencesController,
            AssignmentsController,
            AttendanceController,
            trainee_progress,
            trainer_progress,
            trainer_trainees,
            CoursesController,
            ModulesController,
            LessonsController,
            CourseEnrolmentsController,
            LessonCompletionController,
            LessonAttemptsController,
            AttemptsController,
            trainee_courses,
            BatchesController,
            SkillsController,
            list_user_skills,
            award_user_skill,
            skill_matrix_report,
            user_achievements,
            user_activity,
            CertificatesController,
            verify_certificate,
            list_compliance,
            compliance_report,
            upload_lesson_file,
            download_file,
            AnalyticsController,
            list_audit,
            JobsController,
            ImportsController,
            ApiClientsController,
            issue_client_token,
            WebhooksController,
            generate_report,
            health,
            health_head,
            health_live,
            health_ready,
            metrics,
            events_socket,
        ],
    )
    app = Litestar(
        route_handlers=[api, docs_assets(), *web_client_routes(settings.web_dist_path)],
        dependencies=dependencies(server, container),
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=["Content-Disposition", "Retry-After", REQUEST_ID_HEADER],
        ),
        openapi_config=OpenAPIConfig(
            title="Training Management System API",
            version="1.0.0",
            description="Users, training sessions, attendance, progress, analytics and reports."
            " A sign-in with a temporary password (`force_password_change`) gets 403 on"
            " everything but its own user record and signing out until it changes the"
            " password with POST /auth/change-password.",
            path="/schema",
            render_plugins=[
                LocalSwaggerRenderPlugin(path="/swagger"),
                LocalRedocRenderPlugin(path="/redoc"),
            ],
        ),
        request_max_body_size=settings.max_body_bytes,
        request_class=ApiRequest,
        middleware=rate_limit,
        stores=stores,
        before_send=[security_headers],
        lifespan=[lifespan],
        debug=False,
    )
    # Metrics see the whole request; its reads share one connection inside (scope.py).
    # Requests in flight hold back the in-app job workers (tms_adapters/jobs/polling.py).
    app.asgi_handler = RequestEdge(
        RequestMetrics(
            ForegroundRequests(SharedReadsPerRequest(app.asgi_handler), container.jobs.foreground())
        )
    )
    count_pool_checkouts(container.engine())
    return app

"""/analytics: figures for admins."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from tms_domain.accounts import Actor
from tms_domain.reporting.use_cases.analytics import AnalyticsService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.reporting.schemas import (
    CourseFiguresOut,
    OverviewOut,
    TrainerFiguresOut,
    UpcomingOut,
)
from tms_entrypoints.http.schemas import iso


class AnalyticsController(Controller):
    path = "/analytics"
    tags = ["analytics"]

    @get("/users", operation_id="usersByRole", responses=ERROR_RESPONSES)
    async def users_by_role(
        self, actor: NamedDependency[Actor], analytics: NamedDependency[AnalyticsService]
    ) -> dict[str, int]:
        """Users per role."""
        counts = await analytics.users_by_role(actor)
        return {role.value: count for role, count in counts.items()}

    @get("/sessions", operation_id="sessionsByStatus", responses=ERROR_RESPONSES)
    async def sessions_by_status(
        self, actor: NamedDependency[Actor], analytics: NamedDependency[AnalyticsService]
    ) -> dict[str, int]:
        """Sessions per status."""
        counts = await analytics.sessions_by_status(actor)
        return {status.value: count for status, count in counts.items()}

    @get("/overview", operation_id="analyticsOverview", responses=ERROR_RESPONSES)
    async def overview(
        self, actor: NamedDependency[Actor], analytics: NamedDependency[AnalyticsService]
    ) -> OverviewOut:
        """Users by role, sessions by status, attendance rates, the next 7 days, courses."""
        figures = await analytics.overview(actor)
        return OverviewOut(
            users_by_role={r.value: n for r, n in figures.users_by_role.items()},
            sessions_by_status={s.value: n for s, n in figures.sessions_by_status.items()},
            attendance_rate=figures.attendance_rate,
            trainers=[
                TrainerFiguresOut(t.trainer_id, t.name, t.sessions, t.hours, t.attendance_rate)
                for t in figures.trainers
            ],
            upcoming=[
                UpcomingOut(s.id, s.title, iso(s.scheduled_date), s.trainer_id, list(s.trainee_ids))
                for s in figures.upcoming
            ],
            trainees_without_sessions=figures.trainees_without_sessions,
            courses=CourseFiguresOut(
                figures.courses.published,
                figures.courses.enrolments,
                figures.courses.completion_rate,
            ),
        )

"""Use cases for the admins' figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tms_domain.accounts import Actor
from tms_domain.kernel import Permission, Role, authorize, hours, percentage
from tms_domain.learning import EnrolmentStatus
from tms_domain.training import SessionQuery, SessionStatus, TrainingSession
from tms_domain.unit_of_work import Core

UPCOMING_WINDOW = timedelta(days=7)
UPCOMING_LIMIT = 100


@dataclass(frozen=True)
class TrainerFigures:
    trainer_id: int
    name: str
    sessions: int
    """Sessions not cancelled."""
    hours: float
    """Hours of completed sessions."""
    attendance_rate: float


@dataclass(frozen=True)
class CourseFigures:
    published: int
    """Courses published now."""
    enrolments: int
    """Course enrolments, in courses of every status."""
    completion_rate: float
    """Completed enrolments over enrolments, 0..100."""


@dataclass(frozen=True)
class Overview:
    users_by_role: dict[Role, int]
    sessions_by_status: dict[SessionStatus, int]
    attendance_rate: float
    trainers: list[TrainerFigures]
    upcoming: list[TrainingSession]
    trainees_without_sessions: int
    courses: CourseFigures


class AnalyticsService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def users_by_role(self, actor: Actor) -> dict[Role, int]:
        authorize(actor, Permission.READ_ANALYTICS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.analytics.count_by_role()

    async def sessions_by_status(self, actor: Actor) -> dict[SessionStatus, int]:
        authorize(actor, Permission.READ_ANALYTICS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.analytics.count_by_status()

    async def overview(self, actor: Actor) -> Overview:
        """Attendance rate: present marks over enrolments of completed sessions. Upcoming:
        scheduled sessions starting in the next 7 days, by start. Every trainer and admin
        who delivers sessions is listed. Courses: those published, the course enrolments,
        and the share of those completed."""
        authorize(actor, Permission.READ_ANALYTICS)
        now = self._core.clock.now()
        async with self._core.uow(read_only=True) as uow:
            users_by_role = await uow.analytics.count_by_role()
            sessions_by_status = await uow.analytics.count_by_status()
            enrolled, attended, per_trainer = await uow.analytics.attendance_rates()
            stats = await uow.analytics.trainer_stats()
            upcoming = await uow.session_listing.page(
                SessionQuery(
                    status=SessionStatus.SCHEDULED,
                    starts_from=now,
                    starts_before=now + UPCOMING_WINDOW,
                    limit=UPCOMING_LIMIT,
                )
            )
            without = await uow.analytics.count_trainees_without_sessions()
            published = await uow.analytics.count_published_courses()
            course_enrolments = await uow.analytics.count_course_enrolments()
            trainer_users = await uow.users.get_many(set(stats) | set(per_trainer))
            trainer_users.update(
                (u.id, u)
                for u in await uow.user_directory.page(skip=0, limit=1000, role=Role.TRAINER)
            )
        trainers = []
        for trainer_id in sorted(trainer_users):
            user = trainer_users[trainer_id]
            sessions, minutes = stats.get(trainer_id, (0, 0))
            total, present = per_trainer.get(trainer_id, (0, 0))
            trainers.append(
                TrainerFigures(
                    trainer_id=trainer_id,
                    name=user.name,
                    sessions=sessions,
                    hours=hours(minutes),
                    attendance_rate=percentage(present, total),
                )
            )
        return Overview(
            users_by_role=users_by_role,
            sessions_by_status=sessions_by_status,
            attendance_rate=percentage(attended, enrolled),
            trainers=trainers,
            upcoming=upcoming,
            trainees_without_sessions=without,
            courses=course_figures(published, course_enrolments),
        )


def course_figures(published: int, enrolments: dict[EnrolmentStatus, int]) -> CourseFigures:
    """The completion rate: completed enrolments over all enrolments. Each enrolment's
    stored status is the one its trainee sees (kept in step with ``progress_of``), so the
    figure costs a count of enrolments rather than a read of every completion."""
    total = sum(enrolments.values())
    completed = enrolments.get(EnrolmentStatus.COMPLETED, 0)
    return CourseFigures(published, total, percentage(completed, total))

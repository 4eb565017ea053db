"""Use cases for trainees' progress and trainers' view of their trainees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tms_domain.accounts import Actor, User
from tms_domain.kernel import (
    BadRequest,
    NotFound,
    Permission,
    Role,
    Target,
    authorize,
    percentage,
)
from tms_domain.training.model import TrainingSession
from tms_domain.unit_of_work import Core, UnitOfWork

ACTIVE_WINDOW = timedelta(days=30)
"""Activity within this long makes a trainee active; sign-ins are kept this long after they
end, as the record of it."""


@dataclass(frozen=True)
class Progress:
    """Enrolled sessions (cancelled ones left out) and those attended (marked present)."""

    trainee: User
    total_sessions: int
    attended_sessions: int

    @property
    def percentage(self) -> float:
        return percentage(self.attended_sessions, self.total_sessions)


@dataclass(frozen=True)
class TraineeOverview:
    trainee: User
    sessions: list[TrainingSession]
    last_active: datetime | None
    active: bool


class ProgressService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def trainee_progress(self, actor: Actor, trainee_id: int) -> Progress:
        """Admins, the trainee's assigned trainers, and the trainee themself."""
        async with self._core.uow(read_only=True) as uow:
            teachers = await uow.assignments.teacher_ids_of(trainee_id)
            authorize(
                actor,
                Permission.READ_TRAINEE_PROGRESS,
                Target(user_id=trainee_id, assigned_trainer_ids=frozenset(teachers)),
            )
            trainee = await uow.users.get(trainee_id)
            if trainee is None:
                raise NotFound("User not found")
            if trainee.role is not Role.TRAINEE:
                raise BadRequest(f"{trainee.name} is not a trainee")
            total, attended = (await uow.progress.progress([trainee_id])).get(trainee_id, (0, 0))
        return Progress(trainee, total, attended)

    async def trainer_progress(self, actor: Actor, trainer_id: int) -> list[Progress]:
        """Admins and that trainer: the progress of each of the trainer's trainees (assigned
        to them or enrolled in their sessions), by trainee id."""
        async with self._core.uow(read_only=True) as uow:
            trainees = await self._trainees_of(uow, actor, trainer_id)
            counts = await uow.progress.progress([t.id for t in trainees])
        return [Progress(t, *counts.get(t.id, (0, 0))) for t in trainees]

    async def trainer_trainees(self, actor: Actor, trainer_id: int) -> list[TraineeOverview]:
        """Admins and that trainer: each trainee with the trainer's sessions they are in and
        when they were last active: the latest sign-in, enrolment in any session, present
        mark, or start of a session of theirs that was not cancelled, up to now. Active
        means within the last 30 days."""
        now = self._core.clock.now()
        async with self._core.uow(read_only=True) as uow:
            trainees = await self._trainees_of(uow, actor, trainer_id)
            ids = [t.id for t in trainees]
            sessions = await uow.session_listing.sessions_of_trainees(ids)
            activity = await uow.trainee_activity.last_activity(ids, now)
            sign_ins = await uow.sign_in_history.last_signed_in(ids, now)
        overviews = []
        for trainee in trainees:
            moments = [m for m in (activity.get(trainee.id), sign_ins.get(trainee.id)) if m]
            last_active = max(moments) if moments else None
            overviews.append(
                TraineeOverview(
                    trainee=trainee,
                    sessions=[
                        s for s in sessions.get(trainee.id, []) if s.trainer_id == trainer_id
                    ],
                    last_active=last_active,
                    active=last_active is not None and now - last_active <= ACTIVE_WINDOW,
                )
            )
        return overviews

    async def _trainees_of(self, uow: UnitOfWork, actor: Actor, trainer_id: int) -> list[User]:
        authorize(actor, Permission.READ_TRAINER_OVERVIEW, Target(trainer_id=trainer_id))
        trainer = await uow.users.get(trainer_id)
        if trainer is None:
            raise NotFound("User not found")
        assigned = await uow.assignments.student_ids_of(trainer_id)
        enrolled = await uow.progress.trainee_ids_trained_by(trainer_id)
        users = await uow.users.get_many({*assigned, *enrolled})
        return [users[i] for i in sorted(users) if users[i].role is Role.TRAINEE]

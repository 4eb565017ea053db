"""/progress and /trainers: how trainees are doing."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from tms_domain.accounts import Actor
from tms_domain.training.use_cases.progress import Progress, ProgressService
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id
from tms_entrypoints.http.schemas import iso
from tms_entrypoints.http.training.schemas import (
    SessionBriefOut,
    TraineeProgressOut,
    TrainerTraineeOut,
)


def _progress(progress: Progress) -> TraineeProgressOut:
    return TraineeProgressOut(
        trainee_id=progress.trainee.id,
        trainee=UserOut.of(progress.trainee),
        total_sessions=progress.total_sessions,
        attended_sessions=progress.attended_sessions,
        progress_percentage=progress.percentage,
    )


@get(
    "/progress/trainee/{trainee_id:int}",
    operation_id="traineeProgress",
    tags=["progress"],
    responses=ERROR_RESPONSES,
)
async def trainee_progress(
    trainee_id: Id, actor: NamedDependency[Actor], progress: NamedDependency[ProgressService]
) -> TraineeProgressOut:
    """Admins, an assigned trainer, or the trainee themself. Cancelled sessions are left out
    of both counts."""
    return _progress(await progress.trainee_progress(actor, trainee_id))


@get(
    "/progress/trainer/{trainer_id:int}",
    operation_id="trainerProgress",
    tags=["progress"],
    responses=ERROR_RESPONSES,
)
async def trainer_progress(
    trainer_id: Id, actor: NamedDependency[Actor], progress: NamedDependency[ProgressService]
) -> list[TraineeProgressOut]:
    """Admins and that trainer: the progress of each of their trainees."""
    return [_progress(p) for p in await progress.trainer_progress(actor, trainer_id)]


@get(
    "/trainers/{trainer_id:int}/trainees",
    operation_id="trainerTrainees",
    tags=["progress"],
    responses=ERROR_RESPONSES,
)
async def trainer_trainees(
    trainer_id: Id, actor: NamedDependency[Actor], progress: NamedDependency[ProgressService]
) -> list[TrainerTraineeOut]:
    """Admins and that trainer: their trainees, the sessions with them, and whether each was
    active (a session of theirs started) in the last 30 days."""
    return [
        TrainerTraineeOut(
            trainee=UserOut.of(o.trainee),
            sessions=[SessionBriefOut(s.id, s.title, iso(s.created_at)) for s in o.sessions],
            sessions_count=len(o.sessions),
            last_active=iso(o.last_active) if o.last_active else None,
            status="active" if o.active else "inactive",
        )
        for o in await progress.trainer_trainees(actor, trainer_id)
    ]

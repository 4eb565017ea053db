"""The double-booking rule, shared by every use case that places people in time."""

from __future__ import annotations

from collections.abc import Sequence

from tms_domain.errors import Conflict
from tms_domain.model import SessionStatus, TrainingSession
from tms_domain.ports import UnitOfWork


async def ensure_no_double_booking(
    uow: UnitOfWork,
    session: TrainingSession,
    *,
    trainer_id: int | None,
    trainee_ids: Sequence[int],
) -> None:
    """A scheduled session must not overlap another scheduled session of its trainer or of
    any of the given trainees. The people's rows are locked first, so two requests racing
    to book the same person are serialised and the second sees the first's booking."""
    if session.status is not SessionStatus.SCHEDULED:
        return
    people = sorted({*([trainer_id] if trainer_id is not None else []), *trainee_ids})
    if not people:
        return
    await uow.users.lock_many(people)
    clashes = await uow.sessions.find_overlapping(
        session.scheduled_date,
        session.ends_at,
        trainer_id=trainer_id,
        trainee_ids=trainee_ids,
        exclude_session_id=session.id or None,
    )
    if not clashes:
        return
    clash = clashes[0]
    when = clash.scheduled_date.isoformat()
    if trainer_id is not None and clash.trainer_id == trainer_id:
        raise Conflict(
            f'The trainer is already booked for session {clash.id} "{clash.title}" at {when}'
        )
    busy = sorted(set(trainee_ids) & set(clash.trainee_ids))
    who = f"trainee {busy[0]}" if busy else "a trainee"
    raise Conflict(
        f'Double booking: {who} is already enrolled in session {clash.id} "{clash.title}" at {when}'
    )

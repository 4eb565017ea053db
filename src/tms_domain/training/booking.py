"""The double-booking rule, shared by every use case that places people in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tms_domain.accounts import UserRepository
from tms_domain.training.model import SessionStatus, TrainingSession
from tms_domain.training.ports import SessionRepository
from tms_domain.training.rules import Clash, DoubleBooking, Person


class BookingStore(Protocol):
    """A unit of work, as far as the double-booking rule is concerned."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...


async def ensure_no_double_booking(
    uow: BookingStore,
    session: TrainingSession,
    *,
    trainer_id: int | None,
    trainee_ids: Sequence[int],
) -> None:
    """A scheduled session must not overlap another scheduled session of its trainer or of
    any of the given trainees. The people's rows are locked first, so two requests racing
    to book the same person are serialised and the second sees the first's booking.
    DoubleBooking (a Conflict) names every overlapping session found and who is in both."""
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
    booked = set(trainee_ids)
    involved = {
        i for c in clashes for i in (c.trainer_id, *c.trainee_ids) if i == trainer_id or i in booked
    }
    users = await uow.users.get_many(involved)

    def person(user_id: int) -> Person:
        user = users.get(user_id)
        return Person(user_id, user.name if user else f"user {user_id}")

    raise DoubleBooking(
        [
            Clash(
                session_id=clash.id,
                title=clash.title,
                scheduled_date=clash.scheduled_date,
                duration_minutes=clash.duration_minutes,
                trainer=person(clash.trainer_id)
                if trainer_id is not None and clash.trainer_id == trainer_id
                else None,
                trainees=tuple(person(i) for i in sorted(booked & set(clash.trainee_ids))),
            )
            for clash in clashes
        ]
    )

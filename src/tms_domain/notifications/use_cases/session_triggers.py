"""What people are told when their sessions change: reactions to training's facts, run in
the unit of work of the change (``tms_domain.reactions``), so what they are told is kept
with the change or not at all.

- enrolled (by staff, by booking, from the waitlist, by the join link, or listed when the
  session is made or changed): ``session_assigned``, with the .ics (METHOD:REQUEST);
- the time, place (room) or join link changed: ``session_updated`` to each trainee and the
  trainer, with the .ics (the SEQUENCE bumped);
- cancelled, or deleted before it ended: ``session_cancelled`` to each trainee and the
  trainer, with the reason when given, and the .ics (METHOD:CANCEL);
- taken out by staff (or by a change of the list): ``session_removed``.

A trainee who gives up their own place is not told: they did it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tms_domain.calendar import entry_of
from tms_domain.notifications.mail import MailTemplate
from tms_domain.notifications.model import NotificationKind
from tms_domain.notifications.use_cases.notify import (
    CalendarInvite,
    CalendarMethod,
    notify_many,
)
from tms_domain.training import (
    SessionBooked,
    SessionChanged,
    SessionDeleted,
    SessionScheduled,
    SessionStatus,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeWithdrawn,
    TrainingSession,
    WaitlistPromoted,
)
from tms_domain.unit_of_work import UnitOfWork

MOVING_FIELDS = ("scheduled_date", "duration_minutes", "class_link", "session_link", "room_id")
"""What makes a change worth telling the session's people: when, where, how to join."""


def session_path(session: TrainingSession) -> str:
    """The session's page in the web client."""
    return f"/sessions/{session.id}"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Told:
    kind: NotificationKind
    title: str
    message: str
    cause: str
    method: CalendarMethod | None = None
    """The .ics to attach, if any."""


async def _place(uow: UnitOfWork, session: TrainingSession) -> str:
    if session.room_id is None:
        return ""
    room = await uow.rooms.get(session.room_id)
    if room is None:
        return ""
    return f"{room.name}, {room.location}" if room.location else room.name


async def tell(
    uow: UnitOfWork,
    session: TrainingSession,
    user_ids: Iterable[int],
    told: Told,
    now: datetime,
    **extra: Any,
) -> None:
    """Tell each user (once each, in the order given) about ``session`` as it is now."""
    recipients = list(dict.fromkeys(user_ids))
    if not recipients:
        return
    trainer = await uow.users.get(session.trainer_id)
    trainer_name = trainer.name if trainer is not None else ""
    place = await _place(uow, session)
    entry = entry_of(session, trainer_name)
    context = {
        "session_title": session.title,
        "starts_at": session.scheduled_date.isoformat(),
        "duration_minutes": session.duration_minutes,
        "trainer_name": trainer_name,
        "place": place,
        "reason": "",
        "was_at": "",
        **extra,
    }
    invite = CalendarInvite(entry, told.method) if told.method is not None else None
    users = await uow.users.get_many(recipients)
    await notify_many(
        uow,
        [users[user_id] for user_id in recipients if user_id in users],
        told.kind,
        title=told.title,
        message=told.message,
        link=session_path(session),
        dedupe_key=told.cause,
        now=now,
        mail=MailTemplate(told.kind.value),
        mail_context=context,
        calendar=invite,
    )


def _assigned(session: TrainingSession, at: datetime) -> Told:
    return Told(
        NotificationKind.SESSION_ASSIGNED,
        "You were enrolled in a session",
        f"{session.title} on {when(session.scheduled_date)}",
        f"session_assigned:{session.id}:{at.isoformat()}",
        CalendarMethod.REQUEST,
    )


def _removed(session: TrainingSession, at: datetime) -> Told:
    return Told(
        NotificationKind.SESSION_REMOVED,
        "You were removed from a session",
        f"{session.title} on {when(session.scheduled_date)}",
        f"session_removed:{session.id}:{at.isoformat()}",
    )


def _cancelled(session: TrainingSession, reason: str | None, cause: str) -> Told:
    message = f"{session.title} on {when(session.scheduled_date)} was cancelled"
    return Told(
        NotificationKind.SESSION_CANCELLED,
        "A session was cancelled",
        f"{message}: {reason}" if reason else message,
        cause,
        CalendarMethod.CANCEL,
    )


def _told_of_enrolment(session: TrainingSession) -> bool:
    """Only a session still to be held is worth an invitation."""
    return session.status is SessionStatus.SCHEDULED


async def on_scheduled(uow: UnitOfWork, event: SessionScheduled, now: datetime) -> None:
    session = event.session
    if _told_of_enrolment(session):
        await tell(uow, session, session.trainee_ids, _assigned(session, session.created_at), now)


async def on_enrolled(uow: UnitOfWork, event: TraineeEnrolled, now: datetime) -> None:
    if _told_of_enrolment(event.session):
        await tell(uow, event.session, [event.trainee_id], _assigned(event.session, event.at), now)


async def on_joined(uow: UnitOfWork, event: TraineeJoinedByLink, now: datetime) -> None:
    session = event.session
    await tell(uow, session, [event.trainee_id], _assigned(session, session.updated_at), now)


async def on_booked(uow: UnitOfWork, event: SessionBooked, now: datetime) -> None:
    if event.booking == "enrolled":
        await tell(uow, event.session, [event.trainee_id], _assigned(event.session, event.at), now)


async def on_promoted(uow: UnitOfWork, event: WaitlistPromoted, now: datetime) -> None:
    await tell(uow, event.session, [event.trainee_id], _assigned(event.session, event.at), now)


async def on_withdrawn(uow: UnitOfWork, event: TraineeWithdrawn, now: datetime) -> None:
    await tell(uow, event.session, [event.trainee_id], _removed(event.session, event.at), now)


async def on_changed(uow: UnitOfWork, event: SessionChanged, now: datetime) -> None:
    before, after = event.before, event.session
    at = after.updated_at
    kept = [i for i in after.trainee_ids if i in before.trainee_ids]
    added = [i for i in after.trainee_ids if i not in before.trainee_ids]
    gone = [i for i in before.trainee_ids if i not in after.trainee_ids]
    await tell(uow, before, gone, _removed(before, at), now)
    if after.status is SessionStatus.CANCELLED and before.status is not SessionStatus.CANCELLED:
        reason = event.cancellation_reason
        cause = f"session_cancelled:{after.id}:{after.sequence}"
        told = _cancelled(after, reason, cause)
        people = [*after.trainee_ids, after.trainer_id]
        await tell(uow, after, people, told, now, reason=reason or "")
        return
    if after.status is not SessionStatus.SCHEDULED:
        return
    await tell(uow, after, added, _assigned(after, at), now)
    reopened = before.status is SessionStatus.CANCELLED
    moved = any(getattr(before, name) != getattr(after, name) for name in MOVING_FIELDS)
    if not (moved or reopened):
        return
    told = Told(
        NotificationKind.SESSION_UPDATED,
        "A session changed",
        f"{after.title} is now on {when(after.scheduled_date)}",
        f"session_updated:{after.id}:{after.sequence}",
        CalendarMethod.REQUEST,
    )
    moved_in_time = before.scheduled_date != after.scheduled_date
    was_at = before.scheduled_date.isoformat() if moved_in_time else ""
    await tell(uow, after, [*kept, after.trainer_id], told, now, was_at=was_at)


async def on_deleted(uow: UnitOfWork, event: SessionDeleted, now: datetime) -> None:
    """A scheduled session deleted before it ended is, for its people, cancelled."""
    session = event.session
    if session.status is not SessionStatus.SCHEDULED or session.ends_at <= now:
        return
    gone = replace(session, status=SessionStatus.CANCELLED, sequence=session.sequence + 1)
    told = _cancelled(gone, None, f"session_cancelled:{session.id}:deleted")
    await tell(uow, gone, [*session.trainee_ids, session.trainer_id], told, now)

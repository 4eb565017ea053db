"""Reminders before a session starts: one per trainee and offset in the trainee's
``reminder_minutes`` (default 24 h and 1 h), sent once per (session, start, trainee, offset).

How they are kept (docs/notifications.md, "Reminders"): one background job per (session,
start, offset), due at ``start - offset``, enqueued in the unit of work of whatever made it
needed (a trainee enrolled or booked, a session scheduled, moved or scheduled again, a
trainee choosing another offset). Its idempotency key holds the session, its start and the
offset, so enqueueing again (another trainee with the same offset, the same change handled
twice) stores nothing, and a session moved to another start gets jobs of its own. When the
job runs it looks at the session as it is then and fans out to every trainee still enrolled
who still chooses that offset, through ``notify`` (stored, pushed live, mailed when the
``reminders`` preference allows it); the notification's dedupe key (user, session, start,
offset) makes a job that runs twice (a worker killed mid-job) tell each trainee once.

A job finds nothing to do, and does nothing, when the session is gone, is no longer
scheduled, has moved to another start, or has started; a trainee no longer enrolled, or
who no longer chooses the offset, is left out. A reminder whose moment has passed when it
becomes needed (enrolled 30 minutes before the start: no 1-hour reminder) is not enqueued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from tms_domain.kernel.jobs import JobContext
from tms_domain.notifications.model import NotificationKind, Preferences
from tms_domain.notifications.use_cases.session_triggers import Told, tell, when
from tms_domain.training import (
    SessionBooked,
    SessionChanged,
    SessionQuery,
    SessionScheduled,
    SessionStatus,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TrainingSession,
    WaitlistPromoted,
)
from tms_domain.unit_of_work import Core, UnitOfWork

SESSION_REMINDER_JOB = "notifications.session_reminder"
_PAGE = 500
"""Sessions read at a time when a trainee's offsets change."""
BATCH = 50
"""Trainees reminded per transaction."""


def reminder_key(session_id: int, starts_at: datetime, minutes: int) -> str:
    """The job's idempotency key, and the cause of each trainee's notification."""
    return f"session_reminder:{session_id}:{starts_at.isoformat()}:{minutes}"


def _enqueue(
    uow: UnitOfWork, session: TrainingSession, minutes: Iterable[int], now: datetime
) -> None:
    """A job per offset whose moment is still ahead, for a scheduled session."""
    if session.status is not SessionStatus.SCHEDULED:
        return
    for offset in sorted(set(minutes), reverse=True):
        due = session.scheduled_date - timedelta(minutes=offset)
        if due <= now:
            continue
        uow.jobs.enqueue(
            SESSION_REMINDER_JOB,
            {
                "session_id": session.id,
                "starts_at": session.scheduled_date.isoformat(),
                "minutes": offset,
            },
            idempotency_key=reminder_key(session.id, session.scheduled_date, offset),
            run_after=due,
        )


def _offsets(preferences: Iterable[Preferences]) -> set[int]:
    return {minutes for p in preferences for minutes in p.reminder_minutes}


async def plan_for(
    uow: UnitOfWork, session: TrainingSession, trainee_ids: Sequence[int], now: datetime
) -> None:
    """Enqueue the reminders ``trainee_ids`` need for ``session`` (one read of their
    preferences, at most one job per distinct offset)."""
    if not trainee_ids or session.status is not SessionStatus.SCHEDULED:
        return
    chosen = await uow.notification_preferences.get_many(trainee_ids)
    _enqueue(uow, session, _offsets(chosen.values()), now)


async def on_session_scheduled(uow: UnitOfWork, event: SessionScheduled, now: datetime) -> None:
    await plan_for(uow, event.session, event.session.trainee_ids, now)


async def on_session_changed(uow: UnitOfWork, event: SessionChanged, now: datetime) -> None:
    """Moved, or scheduled again after a cancellation: every trainee's reminders for the
    start it has now (those for the old start find it moved and do nothing). Otherwise the
    trainees it gained."""
    before, after = event.before, event.session
    if (
        after.scheduled_date != before.scheduled_date
        or before.status is not SessionStatus.SCHEDULED
    ):
        await plan_for(uow, after, after.trainee_ids, now)
        return
    gained = [i for i in after.trainee_ids if i not in before.trainee_ids]
    await plan_for(uow, after, gained, now)


async def on_trainee_added(
    uow: UnitOfWork,
    event: TraineeEnrolled | TraineeJoinedByLink | WaitlistPromoted | SessionBooked,
    now: datetime,
) -> None:
    """Enrolled by staff, by the join link, by booking a place, or from the waitlist."""
    if isinstance(event, SessionBooked) and event.booking != "enrolled":
        return
    await plan_for(uow, event.session, [event.trainee_id], now)


async def plan_for_new_offsets(
    uow: UnitOfWork, before: Preferences, after: Preferences, now: datetime
) -> None:
    """The user chose other offsets: reminders at the new ones for each scheduled session
    they are enrolled in that has not started (an offset they dropped is skipped when its
    job runs)."""
    added = set(after.reminder_minutes) - set(before.reminder_minutes)
    if not added:
        return
    skip = 0
    while True:
        page = await uow.session_listing.page(
            SessionQuery(
                status=SessionStatus.SCHEDULED,
                trainee_id=after.user_id,
                starts_from=now,
                skip=skip,
                limit=_PAGE,
            )
        )
        for session in page:
            _enqueue(uow, session, added, now)
        if len(page) < _PAGE:
            return
        skip += _PAGE


def _minutes(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "1 day" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class SessionReminders:
    """The ``notifications.session_reminder`` job: remind the session's trainees who chose
    the offset, if the session is still as it was planned."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def __call__(self, job: JobContext) -> None:
        await self.remind(
            int(job.payload["session_id"]),
            datetime.fromisoformat(str(job.payload["starts_at"])),
            int(job.payload["minutes"]),
        )

    async def remind(self, session_id: int, starts_at: datetime, minutes: int) -> None:
        """Tell each trainee due a reminder, ``BATCH`` trainees per transaction (a session
        of 500 never holds the database's write lock for seconds). Running twice, or again
        after a crash midway, tells no one twice (``notify``'s dedupe key). Each batch
        looks at the session again."""
        now = self._core.clock.now()
        seen: set[int] = set()
        while True:
            async with self._core.uow() as uow:
                session = await uow.sessions.get(session_id)
                if (
                    session is None
                    or session.status is not SessionStatus.SCHEDULED
                    or session.scheduled_date != starts_at
                    or now >= session.scheduled_date
                ):
                    return
                batch = [i for i in session.trainee_ids if i not in seen][:BATCH]
                chosen = await uow.notification_preferences.get_many(batch)
                due = [i for i in batch if minutes in chosen[i].reminder_minutes]
                await tell(uow, session, due, _reminder(session, minutes), now)
                await uow.commit()
            seen.update(batch)
            if len(batch) < BATCH:
                return


def _reminder(session: TrainingSession, minutes: int) -> Told:
    """What the reminder says: the mail's subject is its title and the session's."""
    return Told(
        NotificationKind.SESSION_REMINDER,
        f"A session starts in {_minutes(minutes)}",
        f"{session.title} starts on {when(session.scheduled_date)}",
        reminder_key(session.id, session.scheduled_date, minutes),
    )

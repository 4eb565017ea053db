"""Use cases for booking live sessions: trainees browse the sessions open to them, book a
place or a place on the waitlist, and cancel; a place that comes free goes at once to the
first on the waitlist who is free at that time.

Races are settled by the database: every change to a session's trainees or waitlist first
locks the session's row (``get(for_update=True)``; SQLite serialises writers), so two
bookings of the last place, or a cancellation and a booking, are decided one after the
other on what the previous one committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.kernel import NotFound, Page, Permission, authorize
from tms_domain.training.booking import ensure_no_double_booking
from tms_domain.training.model import Booking, TrainingSession
from tms_domain.training.rules import DoubleBooking
from tms_domain.unit_of_work import Core, UnitOfWork

SESSION_NOT_FOUND = "Session not found"


@dataclass(frozen=True)
class BookableSession:
    """A session open to the trainee, with its trainer (for the name), and whether it still
    takes bookings (one the trainee holds a place in stays listed after it closes)."""

    session: TrainingSession
    trainer: User | None
    booking_open: bool


@dataclass(frozen=True)
class BookingResult:
    session: TrainingSession
    booking: Booking
    waitlist_position: int | None


async def fill_free_places(
    uow: UnitOfWork, actor: Actor, session: TrainingSession, now: datetime
) -> list[int]:
    """Give each free place of the session to the first on its waitlist who is not booked
    elsewhere at that time (those who are keep their place in line); answer who was
    promoted. The session must be locked by the caller's unit of work; the caller saves it."""
    promoted: list[int] = []
    for trainee_id in session.waiting_for_a_place(now):
        if session.is_full:
            break
        try:
            await ensure_no_double_booking(uow, session, trainer_id=None, trainee_ids=[trainee_id])
        except DoubleBooking:
            continue
        session.promote(trainee_id, now)
        promoted.append(trainee_id)
        await record_audit(
            uow,
            actor,
            "session.waitlist_promoted",
            "session",
            session.id,
            now,
            {"trainee_id": [None, trainee_id]},
        )
    return promoted


class BookingService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def available(self, actor: Actor, page: Page) -> list[BookableSession]:
        """Trainees: the scheduled sessions open to self-booking that have not started, by
        start, whose booking has not closed, and those the trainee holds a booking or a
        waitlist place in (so that they can cancel it)."""
        authorize(actor, Permission.BOOK_SESSION, denial="Only trainees book sessions")
        now = self._core.clock.now()
        async with self._core.uow(read_only=True) as uow:
            found = await uow.session_listing.open_for_booking(
                actor.id, now, skip=page.skip, limit=page.limit
            )
            trainers = await uow.users.get_many({s.trainer_id for s in found})
            return [
                BookableSession(s, trainers.get(s.trainer_id), s.is_open_for_booking(now))
                for s in found
            ]

    async def book(self, actor: Actor, session_id: int) -> BookingResult:
        """A trainee books a place in a scheduled session open to self-booking (otherwise
        404) until its booking closes (409): enrolled while places are left, else last on
        its waitlist. 409 when already booked or waiting, or booked in an overlapping
        session (a double booking)."""
        authorize(actor, Permission.BOOK_SESSION, denial="Only trainees book sessions")
        async with self._core.uow() as uow:
            session = await uow.sessions.get(session_id, for_update=True)
            if session is None:
                raise NotFound(SESSION_NOT_FOUND)
            now = self._core.clock.now()
            booking = session.book(actor.id, now)
            events = session.pull_events()
            await ensure_no_double_booking(uow, session, trainer_id=None, trainee_ids=[actor.id])
            await uow.sessions.update(session)
            await record_audit(
                uow,
                actor,
                "session.booked",
                "session",
                session.id,
                now,
                {"trainee_id": [None, actor.id], "booking": [None, booking.value]},
            )
            for event in events:
                uow.record(event)
            await uow.commit()
            return BookingResult(session, booking, session.waitlist_position(actor.id))

    async def cancel(self, actor: Actor, session_id: int) -> Booking:
        """A trainee gives up their place or their place on the waitlist, until the session
        starts (409 after); 404 when they hold neither. A place given up goes to the first
        on the waitlist who is free at that time."""
        authorize(actor, Permission.BOOK_SESSION, denial="Only trainees book sessions")
        async with self._core.uow() as uow:
            session = await uow.sessions.get(session_id, for_update=True)
            if session is None:
                raise NotFound(SESSION_NOT_FOUND)
            now = self._core.clock.now()
            booking = session.cancel_booking(actor.id, now)
            await record_audit(
                uow,
                actor,
                "session.booking_cancelled",
                "session",
                session.id,
                now,
                {"trainee_id": [actor.id, None], "booking": [booking.value, None]},
            )
            await fill_free_places(uow, actor, session, now)
            for event in session.pull_events():
                uow.record(event)
            await uow.sessions.update(session)
            await uow.commit()
            return booking

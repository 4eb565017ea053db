"""/sessions/available and /sessions/{id}/book: trainees book live sessions."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.training import Booking
from tms_domain.training.use_cases.booking import BookingService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut
from tms_entrypoints.http.training.schemas import BookableSessionOut, BookingOut

BOOK_RESPONSES = {
    **ERROR_RESPONSES,
    202: ResponseSpec(BookingOut, description="The session is full: waitlisted"),
}


class BookingController(Controller):
    path = "/sessions"
    tags = ["booking"]

    @get("/available", operation_id="listAvailableSessions", responses=ERROR_RESPONSES)
    async def available(
        self,
        actor: NamedDependency[Actor],
        bookings: NamedDependency[BookingService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[BookableSessionOut]:
        """Trainees: scheduled sessions open to self-booking that have not started, by
        start, whose booking has not closed, with the caller's own booking; sessions the
        caller holds a place or a waitlist place in stay listed until they start."""
        found = await bookings.available(actor, Page(skip, limit))
        return [
            BookableSessionOut.of(b.session, b.trainer, actor.id, booking_open=b.booking_open)
            for b in found
        ]

    @post(
        "/{session_id:int}/book",
        operation_id="bookSession",
        status_code=201,
        responses=BOOK_RESPONSES,
    )
    async def book(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        bookings: NamedDependency[BookingService],
    ) -> Response[BookingOut]:
        """Book a place: 201 enrolled, 202 waitlisted when the session is full. 409 when
        already booked or waiting, booked in an overlapping session (a double booking), or
        after booking closed; 404 for a session not open to self-booking."""
        result = await bookings.book(actor, session_id)
        title = result.session.title
        if result.booking is Booking.ENROLLED:
            return Response(
                BookingOut(f"You are booked into {title}", session_id, "enrolled", None),
                status_code=201,
            )
        position = result.waitlist_position
        return Response(
            BookingOut(
                f"{title} is full: you are number {position} on its waitlist",
                session_id,
                "waitlisted",
                position,
            ),
            status_code=202,
        )

    @delete(
        "/{session_id:int}/book",
        operation_id="cancelBooking",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def cancel(
        self,
        session_id: Id,
        actor: NamedDependency[Actor],
        bookings: NamedDependency[BookingService],
    ) -> MessageOut:
        """Give up a place or a place on the waitlist (until the session starts; 409
        after); 404 when the caller holds neither. A place given up goes at once to the
        first on the waitlist who is free at that time."""
        cancelled = await bookings.cancel(actor, session_id)
        if cancelled is Booking.ENROLLED:
            return MessageOut("Your booking is cancelled")
        return MessageOut("You left the waitlist")

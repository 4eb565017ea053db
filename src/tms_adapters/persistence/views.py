"""What the read-side view ports return: listings as the client is shown them, msgspec
structs built straight from stored rows (SQL) or records (memory), with no domain object
in between, and sent by the HTTP edge as they are.

Each struct has the fields, in the order, of the HTTP contract's shape (the DTO of the same
name in ``tms_entrypoints/http``): msgspec encodes a struct by its fields, so the JSON is
byte for byte the same (tests/contract/test_views.py compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from tms_domain.accounts import User
from tms_domain.training import TrainingSession

TIMESTAMP_TEXTS_KEPT = 200_000
_timestamp_texts: dict[object, str] = {}


def timestamp_text(value: datetime | str) -> str:
    """A stored UTC time as the contract shows it (ISO 8601 with ``+00:00``, as
    ``datetime.isoformat`` writes an aware time): from a naive datetime (MariaDB) or the
    text SQLite keeps. Listings show the same stored times on every request: each text is
    made once and remembered (a bounded cache, emptied when full)."""
    text = _timestamp_texts.get(value)
    if text is None:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if len(_timestamp_texts) >= TIMESTAMP_TEXTS_KEPT:
            _timestamp_texts.clear()
        text = _timestamp_texts[value] = moment.isoformat()
    return text


class UserView(msgspec.Struct):
    """A user in a listing: the contract's User (``UserOut``)."""

    id: int
    username: str
    email: str
    role: str
    first_name: str
    last_name: str
    name: str
    is_temporary_password: bool
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, user: User) -> UserView:
        """From an aggregate (the memory adapter, which holds them)."""
        return cls(
            user.id,
            user.username,
            user.email,
            user.role.value,
            user.first_name,
            user.last_name,
            user.name,
            user.is_temporary_password,
            timestamp_text(user.created_at),
            timestamp_text(user.updated_at),
        )


class SessionView(msgspec.Struct):
    """A session in a listing, with its trainees and the caller's booking: the contract's
    Session (``SessionOut``)."""

    id: int
    title: str
    description: str | None
    trainer_id: int
    trainees: list[UserView]
    scheduled_date: str
    duration_minutes: int
    status: str
    class_link: str | None
    session_link: str
    created_at: str
    updated_at: str
    capacity: int | None
    self_booking: bool
    booking_closes_at: str | None
    room_id: int | None
    places_left: int | None
    waitlist_count: int
    booking: str | None
    waitlist_position: int | None

    @classmethod
    def of(cls, session: TrainingSession, trainees: list[UserView], viewer_id: int) -> SessionView:
        """From an aggregate (the memory adapter, which holds them), as ``viewer_id`` sees
        it."""
        booking = session.booking_of(viewer_id)
        return cls(
            session.id,
            session.title,
            session.description,
            session.trainer_id,
            trainees,
            timestamp_text(session.scheduled_date),
            session.duration_minutes,
            session.status.value,
            session.class_link,
            session.session_link,
            timestamp_text(session.created_at),
            timestamp_text(session.updated_at),
            session.capacity,
            session.self_booking,
            timestamp_text(session.booking_closes_at) if session.booking_closes_at else None,
            session.room_id,
            session.places_left,
            len(session.waitlist_ids),
            booking.value if booking else None,
            session.waitlist_position(viewer_id),
        )

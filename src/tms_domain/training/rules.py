"""Pure rules for training sessions: field bounds, status moves, overlaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from tms_domain.kernel import Conflict

MAX_TITLE_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000
MIN_DURATION_MINUTES = 1
MAX_DURATION_MINUTES = 1440
MAX_LINK_LENGTH = 2000
MAX_TRAINEES_PER_SESSION = 1000
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(9999, 1, 1, tzinfo=UTC)
"""Starts outside [EARLIEST_START, LATEST_START) are refused: no calendar arithmetic on
them (the end time, a time zone shift) can overflow."""


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class Clash:
    """A scheduled session that overlaps the one being booked, and who is in both: its
    trainer (when that is the trainer being booked) and the trainees being booked."""

    session_id: int
    title: str
    scheduled_date: datetime
    duration_minutes: int
    trainer: Person | None
    trainees: tuple[Person, ...]
    room: Person | None = None
    """The room both are held in, for a clash of rooms (``RoomTaken``)."""

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_date + timedelta(minutes=self.duration_minutes)

    def describe(self) -> str:
        """One sentence, the start in UTC with its offset (clients show local time from the
        structured clashes)."""
        where = (
            f'session {self.session_id} "{self.title}" starting {self.scheduled_date.isoformat()}'
        )
        if self.room is not None:
            return f'the room "{self.room.name}" is already booked for {where}'
        if self.trainer is not None:
            busy = f"the trainer {self.trainer.name} is already booked for {where}"
            if not self.trainees:
                return busy
            return f"{busy}, and {_names(self.trainees)} already enrolled in it"
        return f"{_names(self.trainees)} already enrolled in {where}"


def _names(trainees: tuple[Person, ...]) -> str:
    named = [f"trainee {p.id} ({p.name})" for p in trainees]
    verb = "is" if len(named) == 1 else "are"
    if not named:
        return "a trainee is"
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"{listed} {verb}"


class DoubleBooking(Conflict):
    """The booking overlaps scheduled sessions of the same people; ``clashes`` lists each of
    those sessions with who is in both."""

    SHOWN = 3
    """Clashes spelled out in the message; the rest are counted (all are in ``clashes``)."""
    HEADLINE = "Double booking: "

    def __init__(self, clashes: list[Clash]) -> None:
        sentences = [clash.describe() for clash in clashes[: self.SHOWN]]
        more = len(clashes) - self.SHOWN
        if more > 0:
            sentences.append(f"{more} more overlapping session{'s' if more > 1 else ''}")
            # Every trainee in the way is named, those of the sessions not spelled out too.
            everyone = sorted({p for c in clashes for p in c.trainees}, key=lambda p: p.id)
            if everyone:
                sentences.append(f"in all, {_names(tuple(everyone))} booked elsewhere")
        super().__init__(self.HEADLINE + "; ".join(sentences))
        self.clashes = clashes


class RoomTaken(DoubleBooking):
    """The session's room holds another scheduled session at an overlapping time; the
    clashes name those sessions and the room (a 409 shaped like a double booking)."""

    HEADLINE = "Room taken: "


MIN_CAPACITY = 1
MAX_CAPACITY = MAX_TRAINEES_PER_SESSION
MAX_ROOM_NAME_LENGTH = 100
MAX_ROOM_LOCATION_LENGTH = 200
MAX_ROOM_CAPACITY = 100_000


def booking_violations(
    *, capacity: int | None = None, booking_closes_at: datetime | None = None
) -> list[tuple[str, str]]:
    """Check the booking fields given (None: not being set)."""
    errors: list[tuple[str, str]] = []
    if capacity is not None and not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        errors.append(
            ("capacity", f"Capacity must be {MIN_CAPACITY} to {MAX_CAPACITY} (or null: no limit)")
        )
    if booking_closes_at is not None and booking_closes_at.tzinfo is None:
        errors.append(("booking_closes_at", "Booking closing time must carry a time zone"))
    elif booking_closes_at is not None and not (EARLIEST_START <= booking_closes_at < LATEST_START):
        errors.append(
            (
                "booking_closes_at",
                f"Booking closing time must be in the years {EARLIEST_START.year} to "
                f"{LATEST_START.year - 1}",
            )
        )
    return errors


def room_violations(
    *, name: str | None = None, location: str | None = None, capacity: int | None = None
) -> list[tuple[str, str]]:
    """Check the room fields given (None: not being set) and list every violation."""
    errors: list[tuple[str, str]] = []
    if name is not None and not 1 <= len(name.strip()) <= MAX_ROOM_NAME_LENGTH:
        errors.append(("name", f"Name must be 1 to {MAX_ROOM_NAME_LENGTH} characters"))
    if location is not None and len(location) > MAX_ROOM_LOCATION_LENGTH:
        errors.append(
            ("location", f"Location must be at most {MAX_ROOM_LOCATION_LENGTH} characters")
        )
    if capacity is not None and not MIN_CAPACITY <= capacity <= MAX_ROOM_CAPACITY:
        errors.append(("capacity", f"Capacity must be {MIN_CAPACITY} to {MAX_ROOM_CAPACITY}"))
    return errors


def session_violations(
    *,
    title: str | None = None,
    description: str | None = None,
    duration_minutes: int | None = None,
    class_link: str | None = None,
    scheduled_date: datetime | None = None,
    trainee_count: int | None = None,
) -> list[tuple[str, str]]:
    """Check the given fields (None: not being set) and list every violation."""
    errors: list[tuple[str, str]] = []
    if title is not None and not 1 <= len(title.strip()) <= MAX_TITLE_LENGTH:
        errors.append(("title", f"Title must be 1 to {MAX_TITLE_LENGTH} characters"))
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors.append(
            ("description", f"Description must be at most {MAX_DESCRIPTION_LENGTH} characters")
        )
    if duration_minutes is not None and not (
        MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES
    ):
        errors.append(
            (
                "duration_minutes",
                f"Duration must be {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes",
            )
        )
    if class_link and not is_web_link(class_link):
        errors.append(("class_link", "Class link must be an http or https URL"))
    if scheduled_date is not None and scheduled_date.tzinfo is None:
        errors.append(("scheduled_date", "Scheduled date must carry a time zone"))
    elif scheduled_date is not None and not EARLIEST_START <= scheduled_date < LATEST_START:
        errors.append(
            (
                "scheduled_date",
                f"Scheduled date must be in the years {EARLIEST_START.year} to "
                f"{LATEST_START.year - 1}",
            )
        )
    if trainee_count is not None and trainee_count > MAX_TRAINEES_PER_SESSION:
        errors.append(
            ("trainees", f"A session can have at most {MAX_TRAINEES_PER_SESSION} trainees")
        )
    return errors


def is_web_link(link: str) -> bool:
    if len(link) > MAX_LINK_LENGTH or any(c.isspace() for c in link):
        return False
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc)

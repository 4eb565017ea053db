"""What the training endpoints read and write: sessions, enrolment, assignments,
attendance, progress."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from tms_domain.accounts import User
from tms_domain.training import MAX_CAPACITY, MIN_CAPACITY, Attendance, Room, TrainingSession
from tms_domain.training.rules import MAX_ROOM_CAPACITY
from tms_entrypoints.http.accounts.schemas import (
    UserOut,
)
from tms_entrypoints.http.schemas import (
    Link,
    LongText,
    PersonOut,
    PositiveId,
    ShortText,
    StatusName,
    Timestamp,
    Title,
    TraineeIds,
    iso,
)
from tms_entrypoints.http.timestamps import TimestampIn

BookingName = Literal["enrolled", "waitlisted"]
Capacity = Annotated[int, msgspec.Meta(ge=MIN_CAPACITY, le=MAX_CAPACITY)]
CancellationReason = Annotated[str, msgspec.Meta(max_length=1000)]


class SessionOut(msgspec.Struct):
    id: int
    title: str
    description: str | None
    trainer_id: int
    trainees: list[UserOut]
    scheduled_date: Timestamp
    duration_minutes: int
    status: StatusName
    class_link: str | None
    session_link: str
    created_at: Timestamp
    updated_at: Timestamp
    capacity: int | None
    """The most trainees it takes; null: no limit."""
    self_booking: bool
    booking_closes_at: Timestamp | None
    """When self-booking ends; null: at the start."""
    room_id: int | None
    places_left: int | None
    """Null: no limit."""
    waitlist_count: int
    booking: BookingName | None
    """The caller's own booking: enrolled, waitlisted or none."""
    waitlist_position: int | None
    """The caller's place on the waitlist (1: next in line)."""

    @classmethod
    def of(
        cls,
        session: TrainingSession,
        trainees: list[User],
        shown: dict[int, UserOut] | None = None,
        *,
        viewer_id: int | None = None,
    ) -> SessionOut:
        """``shown``: users already converted (for a listing, where trainees recur);
        ``viewer_id``: the caller, whose booking it shows."""
        if shown is None:
            shown = {}
        people = []
        for trainee in trainees:
            person = shown.get(trainee.id)
            if person is None:
                person = shown[trainee.id] = UserOut.of(trainee)
            people.append(person)
        return cls(
            id=session.id,
            title=session.title,
            description=session.description,
            trainer_id=session.trainer_id,
            trainees=people,
            scheduled_date=iso(session.scheduled_date),
            duration_minutes=session.duration_minutes,
            status=session.status.value,
            class_link=session.class_link,
            session_link=session.session_link,
            created_at=iso(session.created_at),
            updated_at=iso(session.updated_at),
            **booking_fields(session, viewer_id),
        )


def booking_fields(session: TrainingSession, viewer_id: int | None) -> dict[str, Any]:
    booking = session.booking_of(viewer_id) if viewer_id is not None else None
    return {
        "capacity": session.capacity,
        "self_booking": session.self_booking,
        "booking_closes_at": iso(session.booking_closes_at) if session.booking_closes_at else None,
        "room_id": session.room_id,
        "places_left": session.places_left,
        "waitlist_count": len(session.waitlist_ids),
        "booking": booking.value if booking else None,
        "waitlist_position": (
            session.waitlist_position(viewer_id) if viewer_id is not None else None
        ),
    }


class BookableSessionOut(msgspec.Struct):
    """A session open to the caller's booking, as a trainee browsing sees it: who else is
    in it is not theirs to know, nor its join link; the class link once they are enrolled."""

    id: int
    title: str
    description: str | None
    trainer: PersonOut
    scheduled_date: Timestamp
    duration_minutes: int
    status: StatusName
    class_link: str | None
    capacity: int | None
    self_booking: bool
    booking_closes_at: Timestamp | None
    room_id: int | None
    places_left: int | None
    waitlist_count: int
    booking: BookingName | None
    waitlist_position: int | None
    booking_open: bool
    """Whether booking is still open (a session the caller holds a place in stays listed
    after it closes, so that they can cancel)."""

    @classmethod
    def of(
        cls, session: TrainingSession, trainer: User | None, viewer_id: int, *, booking_open: bool
    ) -> BookableSessionOut:
        fields = booking_fields(session, viewer_id)
        return cls(
            id=session.id,
            title=session.title,
            description=session.description,
            trainer=PersonOut(
                session.trainer_id, trainer.name if trainer else f"user {session.trainer_id}"
            ),
            scheduled_date=iso(session.scheduled_date),
            duration_minutes=session.duration_minutes,
            status=session.status.value,
            class_link=session.class_link if fields["booking"] == "enrolled" else None,
            booking_open=booking_open,
            **fields,
        )


class BookingOut(msgspec.Struct):
    message: str
    session_id: int
    booking: BookingName
    waitlist_position: int | None
    """1: next in line; null when enrolled."""


class RoomOut(msgspec.Struct):
    id: int
    name: str
    location: str | None
    capacity: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, room: Room) -> RoomOut:
        return cls(
            id=room.id,
            name=room.name,
            location=room.location,
            capacity=room.capacity,
            created_at=iso(room.created_at),
            updated_at=iso(room.updated_at),
        )


RoomCapacity = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROOM_CAPACITY)]


class RoomCreateIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(max_length=1000)]
    capacity: RoomCapacity
    location: ShortText | None = None


class RoomUpdateIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    capacity: RoomCapacity | None = None
    location: ShortText | None = None
    """An empty location clears it."""


class SessionSummaryOut(msgspec.Struct):
    """A session without its trainees (as the attendance listing carries it)."""

    id: int
    title: str
    description: str | None
    trainer_id: int
    scheduled_date: Timestamp
    duration_minutes: int
    status: StatusName
    class_link: str | None
    session_link: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, session: TrainingSession) -> SessionSummaryOut:
        return cls(
            id=session.id,
            title=session.title,
            description=session.description,
            trainer_id=session.trainer_id,
            scheduled_date=iso(session.scheduled_date),
            duration_minutes=session.duration_minutes,
            status=session.status.value,
            class_link=session.class_link,
            session_link=session.session_link,
            created_at=iso(session.created_at),
            updated_at=iso(session.updated_at),
        )


class SessionCreateIn(msgspec.Struct):
    title: Title
    trainer_id: PositiveId
    scheduled_date: TimestampIn
    duration_minutes: int
    description: LongText | None = None
    trainees: TraineeIds = msgspec.field(default_factory=list)
    status: StatusName | None = None
    class_link: Link | None = None
    session_link: ShortText | None = None
    capacity: Capacity | None = None
    """Null: no limit (in a room: as many as it seats)."""
    self_booking: bool = False
    booking_closes_at: TimestampIn | None = None
    """Null: booking closes at the start."""
    room_id: PositiveId | None = None
    batch_ids: TraineeIds = msgspec.field(default_factory=list)
    """Every member of these batches is enrolled too."""


class SessionUpdateIn(msgspec.Struct):
    title: Title | None = None
    description: LongText | None = None
    trainer_id: PositiveId | None = None
    trainees: TraineeIds | None = None
    scheduled_date: TimestampIn | None = None
    duration_minutes: int | None = None
    status: StatusName | None = None
    class_link: Link | None = None
    session_link: ShortText | None = None
    capacity: Capacity | msgspec.UnsetType | None = msgspec.UNSET
    """Null: no limit (in a room: as many as it seats); left out: unchanged."""
    self_booking: bool | None = None
    booking_closes_at: TimestampIn | msgspec.UnsetType | None = msgspec.UNSET
    """Null: booking closes at the start; left out: unchanged."""
    room_id: PositiveId | msgspec.UnsetType | None = msgspec.UNSET
    """Null: no room; left out: unchanged."""
    batch_ids: TraineeIds = msgspec.field(default_factory=list)
    """The members of these batches join the trainees."""
    cancellation_reason: CancellationReason | None = None
    """With `status` "cancelled" only: why, told to the session's trainees and trainer in
    the `session_cancelled` notification and its mail (not stored on the session)."""


class JoinedSessionOut(msgspec.Struct, omit_defaults=True):
    id: int
    title: str
    class_link: str | None = None


class JoinOut(msgspec.Struct, omit_defaults=True):
    message: str
    session: JoinedSessionOut
    redirect_to: str | None = None


class AssignmentIn(msgspec.Struct):
    student_id: PositiveId
    teacher_id: PositiveId


class AssignmentCreatedOut(msgspec.Struct):
    id: int
    student_id: int
    teacher_id: int
    assigned_date: Timestamp


class AssignmentOut(msgspec.Struct):
    id: int
    student: UserOut
    teacher: UserOut
    assigned_date: Timestamp


class AttendanceIn(msgspec.Struct):
    session_id: PositiveId
    trainee_id: PositiveId
    present: bool
    marked_at: TimestampIn | None = None


class AttendanceUpdateIn(msgspec.Struct):
    present: bool


class AttendanceOut(msgspec.Struct):
    id: int
    session_id: int
    trainee_id: int
    present: bool
    marked_at: Timestamp

    @classmethod
    def of(cls, record: Attendance) -> AttendanceOut:
        return cls(
            id=record.id,
            session_id=record.session_id,
            trainee_id=record.trainee_id,
            present=record.present,
            marked_at=iso(record.marked_at),
        )


class AttendanceListingOut(msgspec.Struct):
    id: int
    session: SessionSummaryOut
    trainee: UserOut
    present: bool
    marked_at: Timestamp


class TraineeProgressOut(msgspec.Struct):
    trainee_id: int
    trainee: UserOut
    total_sessions: int
    attended_sessions: int
    progress_percentage: float


class SessionBriefOut(msgspec.Struct):
    id: int
    title: str
    created_at: Timestamp


class TrainerTraineeOut(msgspec.Struct):
    trainee: UserOut
    sessions: list[SessionBriefOut]
    sessions_count: int
    last_active: Timestamp | None
    status: Literal["active", "inactive"]

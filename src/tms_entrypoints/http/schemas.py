"""HTTP DTOs (msgspec Structs): the contract's shapes. Never a hash or a token of anyone
but the caller's own fresh sign-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec

from tms_domain.accounts import User
from tms_domain.training import Attendance, Clash, TrainingSession
from tms_entrypoints.http.timestamps import TimestampIn

RoleName = Literal["admin", "trainer", "trainee"]
Timestamp = Annotated[str, msgspec.Meta(extra_json_schema={"extra": {"format": "date-time"}})]
"""A time in an answer, as ``iso`` writes it (Litestar reads the schema's format from "extra")."""
ShortText = Annotated[str, msgspec.Meta(max_length=256)]
Secret = Annotated[str, msgspec.Meta(max_length=1024)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]


ISO_TEXTS_KEPT = 1 << 15
"""At most this many UTC moments' texts are remembered (a few MiB); then they start over."""
_iso_texts: dict[datetime, str] = {}


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset, as the contract shows (``+00:00``).

    A UTC moment's text is remembered: formatting with an offset costs more than the rest
    of a DTO, and listings show the same stored timestamps on every request. Two UTC
    datetimes that compare equal have equal fields, hence the same text."""
    if type(moment) is not datetime or moment.tzinfo is not UTC:
        return moment.isoformat()
    text = _iso_texts.get(moment)
    if text is None:
        if len(_iso_texts) >= ISO_TEXTS_KEPT:
            _iso_texts.clear()
        text = _iso_texts[moment] = moment.isoformat()
    return text


class UserOut(msgspec.Struct):
    id: int
    username: str
    email: str
    role: RoleName
    first_name: str
    last_name: str
    name: str
    is_temporary_password: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, user: User) -> UserOut:
        # Positional and without helpers: listings build a thousand of these per request.
        return cls(
            user.id,
            user.username,
            user.email,
            user.role.value,
            user.first_name,
            user.last_name,
            user.name,
            user.is_temporary_password,
            iso(user.created_at),
            iso(user.updated_at),
        )


class MessageOut(msgspec.Struct):
    message: str


class LoginIn(msgspec.Struct):
    username: ShortText
    password: Secret


class LoginOut(msgspec.Struct):
    access_token: str
    user: UserOut
    force_password_change: bool
    token_type: str = "bearer"  # noqa: S105 - the scheme's name, not a secret


class ChangePasswordIn(msgspec.Struct):
    new_password: Secret
    current_password: Secret | None = None


class NewPasswordIn(msgspec.Struct):
    new_password: Secret


class UserCreateIn(msgspec.Struct):
    username: ShortText
    email: ShortText
    first_name: ShortText
    last_name: ShortText
    role: RoleName
    is_temporary_password: bool | None = None
    password: Secret | None = None


class UserCreateOut(msgspec.Struct, omit_defaults=True):
    user: UserOut
    message: str
    temporary_password: str | None = None


class UserUpdateIn(msgspec.Struct, forbid_unknown_fields=False):
    username: ShortText | None = None
    email: ShortText | None = None
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    role: RoleName | None = None
    password: Secret | None = None
    is_temporary_password: bool | None = None


class LockoutOut(msgspec.Struct):
    user_id: int
    failures: int
    locked: bool
    locked_until: Timestamp | None


class HealthOut(msgspec.Struct):
    status: str
    database: str


StatusName = Literal["scheduled", "completed", "cancelled"]
Title = Annotated[str, msgspec.Meta(max_length=1000)]
MAX_ID = 2**63 - 1
"""The largest id a database column can hold; a larger one names nothing."""
PositiveId = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]
TraineeIds = Annotated[list[PositiveId], msgspec.Meta(max_length=1000)]
Link = Annotated[str, msgspec.Meta(max_length=4000)]


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

    @classmethod
    def of(
        cls,
        session: TrainingSession,
        trainees: list[User],
        shown: dict[int, UserOut] | None = None,
    ) -> SessionOut:
        """``shown``: users already converted (for a listing, where trainees recur)."""
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
        )


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


class PersonOut(msgspec.Struct):
    id: int
    name: str


class ConflictOut(msgspec.Struct):
    """One session a booking clashes with, and who is in both (a 409's `conflicts`)."""

    session_id: int
    title: str
    scheduled_date: Timestamp
    ends_at: Timestamp
    trainer: PersonOut | None
    trainees: list[PersonOut]

    @classmethod
    def of(cls, clash: Clash) -> ConflictOut:
        return cls(
            session_id=clash.session_id,
            title=clash.title,
            scheduled_date=iso(clash.scheduled_date),
            ends_at=iso(clash.ends_at),
            trainer=PersonOut(clash.trainer.id, clash.trainer.name) if clash.trainer else None,
            trainees=[PersonOut(p.id, p.name) for p in clash.trainees],
        )


class FieldErrorOut(msgspec.Struct):
    field: str
    message: str


class ErrorOut(msgspec.Struct, omit_defaults=True):
    """The one shape of every error answer."""

    detail: str
    errors: list[FieldErrorOut] = msgspec.field(default_factory=list)
    """Each field at fault (a 422 names them)."""


class DoubleBookingOut(ErrorOut, omit_defaults=True):
    """A 409 for a double booking: each clash as data a client can show in its own zone."""

    conflicts: list[ConflictOut] = msgspec.field(default_factory=list)


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


class TrainerFiguresOut(msgspec.Struct):
    trainer_id: int
    name: str
    sessions: int
    hours: float
    attendance_rate: float


class UpcomingOut(msgspec.Struct):
    id: int
    title: str
    scheduled_date: Timestamp
    trainer_id: int
    trainees: list[int]


class OverviewOut(msgspec.Struct):
    users_by_role: dict[str, int]
    sessions_by_status: dict[str, int]
    attendance_rate: float
    trainers: list[TrainerFiguresOut]
    upcoming: list[UpcomingOut]
    trainees_without_sessions: int

"""What the training endpoints read and write: sessions, enrolment, assignments,
attendance, progress."""

from __future__ import annotations

from typing import Literal

import msgspec

from tms_domain.accounts import User
from tms_domain.training import Attendance, TrainingSession
from tms_entrypoints.http.accounts.schemas import (
    UserOut,
)
from tms_entrypoints.http.schemas import (
    Link,
    LongText,
    PositiveId,
    ShortText,
    StatusName,
    Timestamp,
    Title,
    TraineeIds,
    iso,
)
from tms_entrypoints.http.timestamps import TimestampIn


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

"""The one wire mapper: typed domain events in the shapes clients read (docs/api.md, the
table of WebSocket events), and the audience as stored beside them.

The outbox stores events in this form, so what a live connection, a replay and another
process see is the same JSON. Times are ISO 8601 in UTC with an offset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tms_domain.accounts import (
    PasswordChanged,
    PasswordReset,
    SignInsEnded,
    User,
    UserChanged,
    UserCreated,
    UserDeleted,
    UserLocked,
    UserUnlocked,
)
from tms_domain.integrations import ApiClientChanged, WebhookChanged
from tms_domain.jobs import JobFailed
from tms_domain.kernel import Audience, DomainEvent, StoredEvent
from tms_domain.learning import (
    Course,
    CourseChanged,
    CourseCompleted,
    CourseCreated,
    CourseDeleted,
    CourseProgressChanged,
    LessonCompleted,
    TraineeEnrolledInCourse,
    TraineeLeftCourse,
)
from tms_domain.notifications import Notification, NotificationCreated, NotificationsRead
from tms_domain.training import (
    AttendanceChanged,
    AttendanceDeleted,
    AttendanceMarked,
    BookingCancelled,
    Room,
    RoomAdded,
    RoomChanged,
    RoomRemoved,
    SessionBooked,
    SessionChanged,
    SessionDeleted,
    SessionScheduled,
    TraineeAssigned,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeUnassigned,
    TraineeWithdrawn,
    TrainingSession,
    WaitlistPromoted,
)

INTERNAL_PREFIX = "internal."
"""Types of events for the system itself, never sent to a client."""
SIGN_INS_ENDED = INTERNAL_PREFIX + "sign_ins_ended"

Shape = tuple[str, dict[str, Any]]
E = TypeVar("E", bound=DomainEvent)
_SHAPES: dict[type[DomainEvent], Callable[[Any], Shape]] = {}


def shapes(kind: type[E]) -> Callable[[Callable[[E], Shape]], Callable[[E], Shape]]:
    """Registers the function as the wire shape of ``kind``'s events."""

    def register(shape: Callable[[E], Shape]) -> Callable[[E], Shape]:
        _SHAPES[kind] = shape
        return shape

    return register


def to_wire(event: DomainEvent) -> StoredEvent:
    """The event as the outbox keeps it and clients read it, with its audience."""
    shape = _SHAPES.get(type(event))
    if shape is None:
        raise TypeError(f"{type(event).__name__} has no wire shape")
    kind, data = shape(event)
    return StoredEvent(kind, data, event.audience)


def wire_types() -> dict[type[DomainEvent], Callable[[Any], Shape]]:
    """Every event type the mapper knows (for tests)."""
    return dict(_SHAPES)


def is_internal(event: StoredEvent) -> bool:
    return event.type.startswith(INTERNAL_PREFIX)


def sign_ins_ended(event: StoredEvent) -> SignInsEnded | None:
    """The stored event read back as the fact, when it is one of ended sign-ins."""
    if event.type != SIGN_INS_ENDED:
        return None
    data = event.data
    return SignInsEnded(data["user_id"], data.get("sign_in_id"), data.get("except_sign_in_id"))


def audience_json(audience: Audience) -> dict[str, Any]:
    if audience.private:
        return {"users": sorted(audience.user_ids), "private": True}
    return {"users": sorted(audience.user_ids)}


def audience_from_json(value: dict[str, Any]) -> Audience:
    return Audience(
        frozenset(int(user_id) for user_id in value.get("users", [])),
        private=bool(value.get("private", False)),
    )


def user_json(user: User) -> dict[str, Any]:
    """A user as events carry it: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": user.role.value,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.name,
        "is_temporary_password": user.is_temporary_password,
        "created_at": user.created_at.isoformat(),
        "updated_at": user.updated_at.isoformat(),
    }


@shapes(UserCreated)
def _user_created(event: UserCreated) -> Shape:
    user = event.user
    return "user_created", {"user_id": user.id, "action": "created", "user": user_json(user)}


@shapes(UserChanged)
def _user_changed(event: UserChanged) -> Shape:
    user = event.user
    return "user_updated", {"user_id": user.id, "action": "updated", "user": user_json(user)}


@shapes(UserDeleted)
def _user_deleted(event: UserDeleted) -> Shape:
    return "user_deleted", {"user_id": event.user_id, "action": "deleted"}


@shapes(PasswordChanged)
def _password_changed(event: PasswordChanged) -> Shape:
    return "password_changed", {
        "user_id": event.user_id,
        "action": "changed",
        "message": "Password changed",
    }


@shapes(PasswordReset)
def _password_reset(event: PasswordReset) -> Shape:
    return "password_reset", {
        "user_id": event.user_id,
        "reset_by": event.reset_by,
        "message": "Your password was reset by an administrator",
    }


@shapes(UserLocked)
def _user_locked(event: UserLocked) -> Shape:
    until = event.locked_until
    return "user_locked", {
        "user_id": event.user_id,
        "locked_until": until.isoformat() if until else None,
        "failures": event.failures,
    }


@shapes(UserUnlocked)
def _user_unlocked(event: UserUnlocked) -> Shape:
    return "user_unlocked", {
        "user_id": event.user_id,
        "unlocked_by": event.unlocked_by,
        "was_locked": event.was_locked,
    }


@shapes(SignInsEnded)
def _sign_ins_ended(event: SignInsEnded) -> Shape:
    return SIGN_INS_ENDED, {
        "user_id": event.user_id,
        "sign_in_id": event.sign_in_id,
        "except_sign_in_id": event.except_sign_in_id,
    }


@shapes(SessionScheduled)
def _session_scheduled(event: SessionScheduled) -> Shape:
    session = event.session
    return "session_created", {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "trainer": session.trainer_id,
        "trainees": list(session.trainee_ids),
        # The earlier client reads startTime; scheduled_date names the same moment.
        "startTime": session.scheduled_date.isoformat(),
        "scheduled_date": session.scheduled_date.isoformat(),
        "duration_minutes": session.duration_minutes,
        "status": session.status.value,
        "class_link": session.class_link,
        "created_at": session.created_at.isoformat(),
        "updated_at": session.updated_at.isoformat(),
    }


@shapes(SessionChanged)
def _session_changed(event: SessionChanged) -> Shape:
    session = event.session
    return "session_updated", {
        "session_id": session.id,
        "status": session.status.value,
        "updated_at": session.updated_at.isoformat(),
        "trainees": list(session.trainee_ids),
        "trainer": session.trainer_id,
        "startTime": session.scheduled_date.isoformat(),
        "scheduled_date": session.scheduled_date.isoformat(),
    }


@shapes(SessionDeleted)
def _session_deleted(event: SessionDeleted) -> Shape:
    return "session_deleted", {"session_id": event.session.id}


def _enrolment(session: TrainingSession, trainee_id: int, at: Any) -> dict[str, Any]:
    return {"session_id": session.id, "trainee_id": trainee_id, "updated_at": at.isoformat()}


@shapes(TraineeEnrolled)
def _trainee_enrolled(event: TraineeEnrolled) -> Shape:
    return "trainee_added_to_session", _enrolment(event.session, event.trainee_id, event.at)


@shapes(TraineeWithdrawn)
def _trainee_withdrawn(event: TraineeWithdrawn) -> Shape:
    return "trainee_removed_from_session", _enrolment(event.session, event.trainee_id, event.at)


@shapes(TraineeJoinedByLink)
def _trainee_joined_by_link(event: TraineeJoinedByLink) -> Shape:
    return "trainee_joined_via_link", {
        "session_id": event.session.id,
        "trainee_id": event.trainee_id,
        "message": f"{event.trainee_name} joined {event.session.title}",
    }


@shapes(SessionBooked)
def _session_booked(event: SessionBooked) -> Shape:
    session = event.session
    return "session_booked", {
        "session_id": session.id,
        "trainee_id": event.trainee_id,
        "booking": event.booking,
        "waitlist_position": session.waitlist_position(event.trainee_id),
        "places_left": session.places_left,
        "waitlist_count": len(session.waitlist_ids),
        "updated_at": event.at.isoformat(),
    }


@shapes(BookingCancelled)
def _booking_cancelled(event: BookingCancelled) -> Shape:
    session = event.session
    return "booking_cancelled", {
        "session_id": session.id,
        "trainee_id": event.trainee_id,
        "booking": event.booking,
        "places_left": session.places_left,
        "waitlist_count": len(session.waitlist_ids),
        "updated_at": event.at.isoformat(),
    }


@shapes(WaitlistPromoted)
def _waitlist_promoted(event: WaitlistPromoted) -> Shape:
    session = event.session
    return "waitlist_promoted", {
        "session_id": session.id,
        "trainee_id": event.trainee_id,
        "title": session.title,
        "scheduled_date": session.scheduled_date.isoformat(),
        "updated_at": event.at.isoformat(),
    }


def room_json(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "location": room.location,
        "capacity": room.capacity,
    }


@shapes(RoomAdded)
def _room_added(event: RoomAdded) -> Shape:
    return "room_created", {"room_id": event.room.id, "room": room_json(event.room)}


@shapes(RoomChanged)
def _room_changed(event: RoomChanged) -> Shape:
    return "room_updated", {"room_id": event.room.id, "room": room_json(event.room)}


@shapes(RoomRemoved)
def _room_removed(event: RoomRemoved) -> Shape:
    return "room_deleted", {"room_id": event.room.id}


@shapes(TraineeAssigned)
def _trainee_assigned(event: TraineeAssigned) -> Shape:
    return "student_assigned", {
        "assignment_id": event.assignment_id,
        "student_id": event.student_id,
        "teacher_id": event.teacher_id,
        "assigned_date": event.assigned_at.isoformat(),
    }


@shapes(TraineeUnassigned)
def _trainee_unassigned(event: TraineeUnassigned) -> Shape:
    return "student_unassigned", {"student_id": event.student_id, "teacher_id": event.teacher_id}


@shapes(AttendanceMarked)
def _attendance_marked(event: AttendanceMarked) -> Shape:
    mark = event.attendance
    return "attendance_marked", {
        "session_id": mark.session_id,
        "trainee_id": mark.trainee_id,
        "present": mark.present,
        "marked_at": mark.marked_at.isoformat(),
    }


@shapes(AttendanceChanged)
def _attendance_changed(event: AttendanceChanged) -> Shape:
    mark = event.attendance
    return "attendance_updated", {
        "attendance_id": mark.id,
        "present": mark.present,
        "marked_at": mark.marked_at.isoformat(),
        "session_id": mark.session_id,
        "trainee_id": mark.trainee_id,
    }


@shapes(AttendanceDeleted)
def _attendance_deleted(event: AttendanceDeleted) -> Shape:
    mark = event.attendance
    return "attendance_deleted", {
        "attendance_id": mark.id,
        "session_id": mark.session_id,
        "trainee_id": mark.trainee_id,
    }


@shapes(JobFailed)
def _job_failed(event: JobFailed) -> Shape:
    job = event.job
    return "job_failed", {
        "job_id": job.id,
        "kind": job.kind,
        "attempts": job.attempts,
        "error": job.last_error,
    }


@shapes(ApiClientChanged)
def _api_client_changed(event: ApiClientChanged) -> Shape:
    return "api_client_changed", {"id": event.client_id, "name": event.name, "action": event.action}


@shapes(WebhookChanged)
def _webhook_changed(event: WebhookChanged) -> Shape:
    return "webhook_changed", {
        "id": event.webhook_id,
        "url": event.url,
        "action": event.action,
        "reason": event.reason,
    }


INTEGRATION_EVENTS = frozenset({"api_client_changed", "webhook_changed"})
"""The integrations' own events: pushed live to admins, never to webhooks."""


def _course(course: Course) -> dict[str, Any]:
    return {
        "course_id": course.id,
        "code": course.code,
        "title": course.title,
        "status": course.status.value,
        "owner_id": course.owner_id,
        "updated_at": course.updated_at.isoformat(),
    }


@shapes(CourseCreated)
def _course_created(event: CourseCreated) -> Shape:
    return "course_created", _course(event.course)


@shapes(CourseChanged)
def _course_changed(event: CourseChanged) -> Shape:
    return "course_updated", _course(event.course)


@shapes(CourseDeleted)
def _course_deleted(event: CourseDeleted) -> Shape:
    return "course_deleted", {"course_id": event.course.id}


@shapes(TraineeEnrolledInCourse)
def _course_enrolled(event: TraineeEnrolledInCourse) -> Shape:
    return "course_enrolled", {
        "course_id": event.course_id,
        "trainee_id": event.trainee_id,
        "assigned_at": event.assigned_at.isoformat(),
        "due_date": event.due_date.isoformat() if event.due_date else None,
    }


@shapes(TraineeLeftCourse)
def _course_unenrolled(event: TraineeLeftCourse) -> Shape:
    return "course_unenrolled", {"course_id": event.course_id, "trainee_id": event.trainee_id}


@shapes(LessonCompleted)
def _lesson_completed(event: LessonCompleted) -> Shape:
    return "lesson_completed", {
        "course_id": event.course_id,
        "lesson_id": event.lesson_id,
        "trainee_id": event.trainee_id,
        "source": event.source,
        "completed_at": event.completed_at.isoformat(),
    }


@shapes(CourseProgressChanged)
def _course_progress(event: CourseProgressChanged) -> Shape:
    progress = event.progress
    return "course_progress", {
        "course_id": event.course_id,
        "trainee_id": event.trainee_id,
        "completed_lessons": progress.completed_lessons,
        "total_lessons": progress.total_lessons,
        "progress_percentage": progress.progress_percentage,
        "status": progress.status.value,
    }


@shapes(CourseCompleted)
def _course_completed(event: CourseCompleted) -> Shape:
    return "course_completed", {
        "course_id": event.course_id,
        "trainee_id": event.trainee_id,
        "completed_at": event.completed_at.isoformat(),
    }


def notification_json(notification: Notification) -> dict[str, Any]:
    """A notification as the API and the ``notification`` event show it."""
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "title": notification.title,
        "message": notification.message,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


@shapes(NotificationCreated)
def _notification_created(event: NotificationCreated) -> Shape:
    # ``type`` is what the earlier client's bell matches on: the notification's kind.
    n = event.notification
    return "notification", {
        "type": n.kind.value,
        **notification_json(n),
        "user_id": n.user_id,
        "timestamp": n.created_at.isoformat(),
    }


@shapes(NotificationsRead)
def _notifications_read(event: NotificationsRead) -> Shape:
    return "notifications_read", {
        "user_id": event.user_id,
        "notification_id": event.notification_id,
        "unread": event.unread,
    }


# The cohorts' shapes (batches, imports) and the skills area's (skills, assessments,
# certificates, achievements) live in modules of their own, registered here.
from tms_adapters.realtime import (  # noqa: E402, F401
    wire_achieve,
    wire_assess,
    wire_certs,
    wire_cohorts,
    wire_skills,
)

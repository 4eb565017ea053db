"""The wire mapper against the contract: every row of the table of WebSocket events in
docs/api.md is produced, from a typed domain event, with exactly the data keys the row lists
and for exactly the audience it names; every typed event has a wire shape."""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tms_domain.accounts
import tms_domain.cohorts
import tms_domain.cohorts.imports
import tms_domain.integrations
import tms_domain.jobs
import tms_domain.learning
import tms_domain.notifications
import tms_domain.skills
import tms_domain.training
from tms_adapters.realtime.hub import Listener
from tms_adapters.realtime.wire import (
    INTEGRATION_EVENTS,
    audience_from_json,
    audience_json,
    is_internal,
    sign_ins_ended,
    to_wire,
    wire_types,
)
from tms_adapters.webhooks import LIVE_EVENT_TYPES
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
from tms_domain.cohorts import (
    Batch,
    BatchChanged,
    BatchCreated,
    BatchDeleted,
    TraineeLeftBatch,
    TraineesJoinedBatch,
)
from tms_domain.cohorts.imports import (
    ImportFinished,
    ImportKind,
    ImportOptions,
    ImportProgressed,
    ImportStatus,
    SheetFormat,
    UserImport,
)
from tms_domain.integrations import ApiClientChanged, WebhookChanged
from tms_domain.jobs import Job, JobFailed, JobStatus
from tms_domain.kernel import DomainEvent, Role
from tms_domain.learning import (
    Course,
    CourseChanged,
    CourseCompleted,
    CourseCreated,
    CourseDeleted,
    CourseProgressChanged,
    CourseStatus,
    LessonCompleted,
    TraineeEnrolledInCourse,
    TraineeLeftCourse,
    progress_of,
)
from tms_domain.notifications import (
    Notification,
    NotificationCreated,
    NotificationKind,
    NotificationsRead,
)
from tms_domain.skills import (
    AchievementAwarded,
    AttemptGraded,
    AttemptSubmitted,
    Certificate,
    CertificateIssued,
    CertificateRenewed,
    CertificateRevoked,
    Skill,
    SkillAwarded,
    SkillChanged,
    SkillCreated,
    SkillDeleted,
    SkillSource,
)
from tms_domain.training import (
    Attendance,
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
    SessionStatus,
    TraineeAssigned,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeUnassigned,
    TraineeWithdrawn,
    TrainingSession,
    WaitlistPromoted,
)

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

# The cast: trainee 3 (assigned to trainer 5) in session 10 of trainer 2 with trainee 4;
# before a change the session was trainer 9's with trainees 4 and 6; trainee 7 is enrolled
# by staff, trainee 8 withdrawn, admin 1 acts.
TRAINEE = User(
    id=3,
    username="tara",
    email="tara@example.org",
    role=Role.TRAINEE,
    first_name="Tara",
    last_name="Trainee",
    password_hash="$argon2id$secret-hash",
    is_temporary_password=False,
    created_at=NOW,
    updated_at=NOW,
)


def session(trainer_id: int = 2, trainee_ids: tuple[int, ...] = (3, 4)) -> TrainingSession:
    return TrainingSession(
        id=10,
        title="Safety",
        description=None,
        trainer_id=trainer_id,
        trainee_ids=list(trainee_ids),
        scheduled_date=NOW,
        duration_minutes=60,
        status=SessionStatus.SCHEDULED,
        class_link=None,
        session_link="a" * 32,
        created_at=NOW,
        updated_at=NOW,
    )


FAILED_JOB = Job(
    id=40,
    kind="mail.send",
    payload={"to": "tara@example.org"},
    idempotency_key="welcome-3",
    status=JobStatus.FAILED,
    attempts=5,
    run_after=NOW,
    created_at=NOW,
    updated_at=NOW,
    last_error="SMTP refused",
)

COURSE = Course(
    id=50,
    code="CRS-0050",
    title="Safety basics",
    description=None,
    category=None,
    difficulty=None,
    estimated_minutes=None,
    status=CourseStatus.PUBLISHED,
    owner_id=2,
    created_at=NOW,
    updated_at=NOW,
)
# Trainee 3 (assigned to trainer 5) in course 50 of owner 2, with trainee 4 also enrolled.
IN_COURSE = {"course_id": 50, "trainee_id": 3, "owner_id": 2, "trainer_ids": frozenset({5})}
IN_ATTEMPT = {
    **IN_COURSE,
    "attempt_id": 90,
    "lesson_id": 60,
    "score": 75.0,
    "passed": True,
    "graded": True,
}
ROOM = Room(id=50, name="Lab 1", location="Building A", capacity=12, created_at=NOW, updated_at=NOW)

# Batch 70 followed by trainer 2, with trainees 3 and 4; trainee 8 leaves it.
BATCH = Batch(70, "B-70", "Spring", None, None, None, NOW, NOW, (2,), 2)
IN_BATCH = {"batch": BATCH, "member_ids": frozenset({3, 4}), "trainer_ids": frozenset({2})}

MARK = Attendance(id=20, session_id=10, trainee_id=3, present=True, marked_at=NOW)

IMPORT = UserImport(
    id=70,
    kind=ImportKind.USERS,
    file_id=71,
    file_name="people.csv",
    sha256="0" * 64,
    format=SheetFormat.CSV,
    options=ImportOptions(),
    status=ImportStatus.RUNNING,
    total_rows=10,
    created_by=1,
    created_at=NOW,
    processed_rows=5,
)

# Skill 90, held by trainee 3 (whose assigned trainer is 5).
SKILL = Skill(90, "SQL", "Data", None, NOW, NOW)
CERTIFICATE = Certificate(
    id=9,
    code="7KQ2-M9XD-4HTB-R0ZC-8WAE",
    course_id=1,
    course_title="Fire safety",
    trainee_id=3,
    trainee_name="Tina Trainee",
    issued_at=NOW,
)

SAMPLES: dict[str, DomainEvent] = {
    "user_created": UserCreated(TRAINEE),
    "user_updated": UserChanged(TRAINEE, frozenset({5})),
    "user_deleted": UserDeleted(3, frozenset({5})),
    "password_changed": PasswordChanged(3),
    "password_reset": PasswordReset(3, reset_by=1),
    "user_locked": UserLocked(3, NOW, 5),
    "user_unlocked": UserUnlocked(3, 1, was_locked=True),
    "session_created": SessionScheduled(session()),
    "session_updated": SessionChanged(session(9, (4, 6)), session()),
    "session_deleted": SessionDeleted(session()),
    "trainee_added_to_session": TraineeEnrolled(session(2, (3, 4, 7)), 7, NOW),
    "trainee_removed_from_session": TraineeWithdrawn(session(), 8, NOW),
    "trainee_joined_via_link": TraineeJoinedByLink(session(), 3, "Tara Trainee"),
    "notification": NotificationCreated(
        Notification(
            id=70,
            user_id=7,
            kind=NotificationKind.SESSION_ASSIGNED,
            title="You were enrolled in a session",
            message="Safety on 2026-05-01 09:00 UTC",
            link="/sessions/10",
            created_at=NOW,
            dedupe_key="7:session_assigned:10:2026-05-01T09:00:00+00:00",
        )
    ),
    "notifications_read": NotificationsRead(7, 70, 0),
    "student_assigned": TraineeAssigned(30, 3, 5, NOW),
    "student_unassigned": TraineeUnassigned(3, 5),
    "attendance_marked": AttendanceMarked(MARK, 2),
    "attendance_updated": AttendanceChanged(MARK, 2),
    "attendance_deleted": AttendanceDeleted(MARK, 2),
    "session_booked": SessionBooked(session(), 3, "enrolled", NOW),
    "booking_cancelled": BookingCancelled(session(), 3, "waitlisted", NOW),
    "waitlist_promoted": WaitlistPromoted(session(), 3, NOW),
    "room_created": RoomAdded(ROOM),
    "room_updated": RoomChanged(ROOM),
    "room_deleted": RoomRemoved(ROOM),
    "job_failed": JobFailed(FAILED_JOB),
    "course_created": CourseCreated(COURSE),
    "course_updated": CourseChanged(COURSE, frozenset({3, 4})),
    "course_deleted": CourseDeleted(COURSE),
    "course_enrolled": TraineeEnrolledInCourse(**IN_COURSE, assigned_at=NOW, due_date=None),
    "course_unenrolled": TraineeLeftCourse(**IN_COURSE),
    "lesson_completed": LessonCompleted(
        **IN_COURSE, lesson_id=60, source="trainee", completed_at=NOW
    ),
    "course_progress": CourseProgressChanged(**IN_COURSE, progress=progress_of(1, 4)),
    "course_completed": CourseCompleted(**IN_COURSE, completed_at=NOW),
    "assessment_attempted": AttemptSubmitted(**IN_ATTEMPT),
    "assessment_graded": AttemptGraded(**IN_ATTEMPT),
    "batch_created": BatchCreated(**IN_BATCH),
    "batch_updated": BatchChanged(**IN_BATCH),
    "batch_deleted": BatchDeleted(**IN_BATCH),
    "batch_trainees_added": TraineesJoinedBatch(**IN_BATCH, trainee_ids=(4,)),
    "batch_trainee_removed": TraineeLeftBatch(**IN_BATCH, trainee_id=8),
    "import_progress": ImportProgressed(IMPORT),
    "import_finished": ImportFinished(IMPORT),
    "api_client_changed": ApiClientChanged(4, "Partner LMS", "created"),
    "webhook_changed": WebhookChanged(5, "https://example.org/hook", "disabled", "failing"),
    "skill_created": SkillCreated(SKILL),
    "skill_updated": SkillChanged(SKILL),
    "skill_deleted": SkillDeleted(SKILL),
    "skill_awarded": SkillAwarded(3, SKILL, 3, 2, SkillSource.COURSE, NOW, frozenset({5})),
    "achievement_awarded": AchievementAwarded(3, "ten_sessions_attended", "Ten sessions", NOW),
    "certificate_issued": CertificateIssued(CERTIFICATE, frozenset({5})),
    "certificate_revoked": CertificateRevoked(CERTIFICATE, frozenset({5})),
    "certificate_renewed": CertificateRenewed(CERTIFICATE, frozenset({5})),
}

AUDIENCES: dict[str, set[int]] = {
    "the user": {3},
    "the user; for a trainee, their assigned trainers": {3, 5},
    "admins only": set(),
    "the session's trainer and trainees": {2, 3, 4},
    "the trainer and trainees before and after the change": {2, 3, 4, 6, 9},
    "the session's trainer and trainees, the added one included": {2, 3, 4, 7},
    "the session's trainer and trainees, the removed one included": {2, 3, 4, 8},
    "only the user it is addressed to (`user_id`), not admins": {7},
    "only the user (`user_id`), not admins": {7},
    "the trainee and the trainer": {3, 5},
    "the session's trainer and the trainee": {2, 3},
    "the course's owner": {2},
    "the course's owner; once it is published, its enrolled trainees": {2, 3, 4},
    "the trainee, the course's owner and the trainee's assigned trainers": {2, 3, 5},
    "the batch's trainers and members": {2, 3, 4},
    "the batch's trainers and members (trainers taken off it included)": {2, 3, 4},
    "the batch's trainers and members, the removed one included": {2, 3, 4, 8},
    "the importer only (other admins do not)": {1},
    "the holder and their assigned trainers": {3, 5},
}
"""What each "received by" of the table means for the cast above (besides admins)."""


def event_rows() -> list[tuple[str, str, str]]:
    """(type, data, received by) of each row of the table under "### Events"."""
    text = API_MD.read_text(encoding="utf-8")
    section = text.split("### Events", 1)[1].split("\n### ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[1], cells[2]))
    return rows


def listed_data(cell: str) -> dict[str, str | None]:
    """The keys a data cell lists, with the value it fixes (``action: "created"``) if any;
    words in parentheses explain, they are not keys."""
    plain = re.sub(r"\([^)]*\)", "", cell)
    keys: dict[str, str | None] = {}
    for quoted in re.findall(r"`([^`]*)`", plain):
        for item in quoted.split(","):
            name, _, value = item.partition(":")
            keys[name.strip()] = value.strip().strip('"') or None
    return keys


ROWS = event_rows()


def test_the_table_is_read_whole() -> None:
    assert len(ROWS) == len(SAMPLES)
    assert {row[0] for row in ROWS} == set(SAMPLES)


@pytest.mark.parametrize(("kind", "data", "received_by"), ROWS, ids=[row[0] for row in ROWS])
def test_each_row_is_what_the_mapper_builds(kind: str, data: str, received_by: str) -> None:
    stored = to_wire(SAMPLES[kind])
    assert stored.type == kind
    listed = listed_data(data)
    assert set(stored.data) == set(listed)
    for key, value in listed.items():
        if value is not None:
            assert stored.data[key] == value
    assert set(stored.audience.user_ids) == AUDIENCES[received_by]
    assert not is_internal(stored)
    text = json.dumps(stored.data)
    assert TRAINEE.password_hash not in text
    assert "session_link" not in text


def test_session_events_carry_the_start_under_both_names() -> None:
    for kind in ("session_created", "session_updated"):
        data = to_wire(SAMPLES[kind]).data
        assert data["startTime"] == data["scheduled_date"] == "2026-05-01T09:00:00+00:00"
    assert to_wire(SAMPLES["notification"]).data["type"] == "session_assigned"


def test_a_users_notifications_are_theirs_alone() -> None:
    admin = Listener(user_id=1, sees_everything=True, sign_in_id="a")
    owner = Listener(user_id=7, sees_everything=False, sign_in_id="b")
    for kind in ("notification", "notifications_read"):
        stored = to_wire(SAMPLES[kind])
        assert owner.wants(stored)
        assert not admin.wants(stored)
        assert audience_from_json(audience_json(stored.audience)) == stored.audience


def test_every_typed_event_has_a_wire_shape() -> None:
    declared = {
        cls
        for area in (
            tms_domain.accounts,
            tms_domain.training,
            tms_domain.jobs,
            tms_domain.learning,
            tms_domain.cohorts,
            tms_domain.cohorts.imports,
            tms_domain.integrations,
            tms_domain.notifications,
            tms_domain.skills,
        )
        for _, cls in inspect.getmembers(area, inspect.isclass)
        if issubclass(cls, DomainEvent) and cls is not DomainEvent
    }
    assert declared == set(wire_types())
    assert {type(event) for event in SAMPLES.values()} | {SignInsEnded} == declared


def test_webhooks_may_subscribe_to_every_live_event_but_the_integrations_own() -> None:
    """And but a user's own (private) events: a partner never receives one person's
    notifications, nor what they read, nor how their import goes."""
    private = {name for name, event in SAMPLES.items() if to_wire(event).audience.private}
    assert private == {"notification", "notifications_read", "import_progress", "import_finished"}
    assert set(SAMPLES) - INTEGRATION_EVENTS - private == LIVE_EVENT_TYPES


def test_ended_sign_ins_stay_inside_the_system() -> None:
    stored = to_wire(SignInsEnded(3, except_sign_in_id="keep"))
    assert is_internal(stored)
    assert stored.audience.user_ids == frozenset()
    assert sign_ins_ended(stored) == SignInsEnded(3, None, "keep")
    assert sign_ins_ended(to_wire(SAMPLES["user_deleted"])) is None
    admin = Listener(user_id=1, sees_everything=True, sign_in_id="a")
    assert not admin.wants(stored)

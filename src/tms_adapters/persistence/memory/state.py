"""The in-memory store: one state that every in-memory adapter reads and writes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from tms_adapters.persistence.memory.jobs import JobTable
from tms_domain.accounts import PasswordLink, SignIn, User
from tms_domain.accounts.sso import SsoAttempt
from tms_domain.audit import AuditEntry
from tms_domain.cohorts import Batch
from tms_domain.cohorts.imports import Rejection, UserImport
from tms_domain.integrations import ApiClient, Webhook, WebhookDelivery
from tms_domain.kernel import StoredEvent
from tms_domain.kernel.files import StoredFile
from tms_domain.learning import Course, CourseEnrolment, LessonCompletion
from tms_domain.notifications import Notification, Preferences
from tms_domain.skills import Achievement, Attempt, Skill, SkillSource
from tms_domain.skills.certificates import Certificate
from tms_domain.training import Assignment, Attendance, Room, TrainingSession


class Enrolment(NamedTuple):
    """Ordered by id first: a session's trainees come in enrolment order."""

    id: int
    enrolled_at: datetime


@dataclass
class State:
    users: dict[int, User] = field(default_factory=dict)
    skeletons: dict[int, str] = field(default_factory=dict)
    """user id -> the key of look-alike usernames (the SQL users.username_skeleton)."""
    sign_ins: dict[str, SignIn] = field(default_factory=dict)
    sessions: dict[int, TrainingSession] = field(default_factory=dict)
    enrolments: dict[tuple[int, int], Enrolment] = field(default_factory=dict)
    """(session id, trainee id) -> enrolment; the session objects keep no trainee list."""
    waitlist: dict[tuple[int, int], Enrolment] = field(default_factory=dict)
    """(session id, trainee id) -> place on the waitlist, ordered by id; the session objects
    keep no waitlist."""
    rooms: dict[int, Room] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    attendance: dict[int, Attendance] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    events: list[StoredEvent] = field(default_factory=list)
    """In id order."""
    events_for: dict[int, list[StoredEvent]] = field(default_factory=dict)
    """user id -> the events whose audience lists the user, in id order (the same objects)."""
    last_event_id: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    jobs: JobTable = field(default_factory=JobTable)
    courses: dict[int, Course] = field(default_factory=dict)
    """Each course with its modules and lessons in order (the aggregate as saved)."""
    course_enrolments: dict[tuple[int, int], CourseEnrolment] = field(default_factory=dict)
    """(course id, trainee id) -> enrolment."""
    lesson_completions: dict[tuple[int, int], LessonCompletion] = field(default_factory=dict)
    """(lesson id, trainee id) -> completion: one per lesson and trainee."""
    files: dict[int, StoredFile] = field(default_factory=dict)
    """Uploaded files by id (their bytes are in the file storage)."""

    batches: dict[int, Batch] = field(default_factory=dict)
    batch_members: dict[int, dict[int, int]] = field(default_factory=dict)
    """batch id -> {trainee id -> order of joining}."""
    batch_courses: dict[int, dict[int, datetime]] = field(default_factory=dict)
    """batch id -> {course id -> when the batch was enrolled in it}."""

    password_links: dict[int, PasswordLink] = field(default_factory=dict)
    calendar_tokens: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    """user id -> (the digest of their calendar feed token, when it was issued)."""
    legacy_ids: dict[str, dict[int, int]] = field(default_factory=dict)
    """kind -> legacy id -> our id: the earlier system's rows brought over."""
    sso_attempts: dict[str, SsoAttempt] = field(default_factory=dict)
    """state digest -> a sign-in started at the identity provider."""
    user_identities: dict[tuple[str, str], tuple[int, datetime]] = field(default_factory=dict)
    """(issuer, subject) -> (user id, when linked)."""
    sso_exchange_codes: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    """code digest -> (user id, expiry)."""
    imports: dict[int, UserImport] = field(default_factory=dict)
    import_rejections: dict[int, dict[int, Rejection]] = field(default_factory=dict)
    """import id -> row number -> the row it did not bring in."""
    api_clients: dict[int, ApiClient] = field(default_factory=dict)
    webhooks: dict[int, Webhook] = field(default_factory=dict)
    webhook_deliveries: list[WebhookDelivery] = field(default_factory=list)
    """In id order."""
    notifications: dict[int, Notification] = field(default_factory=dict)
    notification_preferences: dict[int, Preferences] = field(default_factory=dict)
    """user id -> their choices (none: the defaults)."""
    skills: dict[int, Skill] = field(default_factory=dict)
    user_skills: dict[tuple[int, int], tuple[int, SkillSource, datetime]] = field(
        default_factory=dict
    )
    """(user id, skill id) -> (level, source, awarded at)."""
    course_skills: dict[int, dict[int, int]] = field(default_factory=dict)
    """course id -> {skill id -> level granted on completion}."""
    assessment_attempts: dict[int, Attempt] = field(default_factory=dict)
    achievements: dict[tuple[int, str], Achievement] = field(default_factory=dict)
    """(user id, kind) -> the milestone: each kind once per user."""
    certificates: dict[int, Certificate] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


class MemoryStore:
    def __init__(self) -> None:
        self.state = State()
        self.lock = asyncio.Lock()

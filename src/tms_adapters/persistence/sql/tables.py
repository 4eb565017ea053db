"""One schema for SQLite and MySQL/MariaDB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (microseconds kept), read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None]:
        """What process_result_value does, in one call per value rather than three (the
        decorator's wrappers): listings read thousands of timestamps per request. The aware
        value is built by the constructor, which costs half of what ``replace`` does."""
        parse = self.load_dialect_impl(dialect).result_processor(dialect, coltype)
        utc = UTC

        def attach_utc(value: datetime | None) -> datetime | None:
            if value is None:
                return None
            return datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                utc,
            )

        if parse is None:
            return attach_utc

        def parse_and_attach_utc(value: Any) -> datetime | None:
            return attach_utc(parse(value))

        return parse_and_attach_utc


def _key() -> String:
    """A case-folded lookup key, compared byte for byte on every database."""
    return String(254).with_variant(mysql.VARCHAR(254, collation="utf8mb4_bin"), "mysql", "mariadb")


def _long_text() -> Text:
    """Text of up to 16 MiB on MySQL/MariaDB (TEXT stops at 64 KiB), TEXT elsewhere."""
    return Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}
NEVER_REUSED_IDS: dict[str, Any] = {"sqlite_autoincrement": True}
"""SQLite otherwise gives a new row the id of the highest deleted one: a new user would
inherit the deleted user's events and counters. (InnoDB keeps its counter, across restarts
too, since MariaDB 10.2.4 and MySQL 8.0.)"""

Id = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(50), nullable=False),
    Column("username_key", _key(), nullable=False, unique=True),
    # Null only for users whose name already looked like an earlier user's when keys were
    # introduced (migration 0003 names them); any new name gets one.
    Column("username_skeleton", _key(), nullable=True, unique=True),
    Column("email", String(254), nullable=False),
    Column("email_key", _key(), nullable=False, unique=True),
    Column("role", String(16), nullable=False, index=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_temporary_password", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

sign_ins = Table(
    "sign_ins",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    **MYSQL_OPTIONS,
)

training_sessions = Table(
    "training_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", String(100), nullable=False),
    Column("description", Text, nullable=True),
    Column("trainer_id", Id, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("scheduled_date", UtcDateTime, nullable=False, index=True),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("class_link", String(2000), nullable=True),
    Column("session_link", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Booking and rooms (migration 0007): null capacity is no limit, null closing time
    # closes booking at the start; a deleted room leaves its past sessions without one.
    Column("capacity", Integer, nullable=True),
    Column("self_booking", Boolean, nullable=False, server_default=text("0")),
    Column("booking_closes_at", UtcDateTime, nullable=True),
    Column("room_id", Id, ForeignKey("rooms.id", ondelete="SET NULL"), nullable=True),
    Index("ix_training_sessions_trainer_start", "trainer_id", "scheduled_date"),
    Index("ix_training_sessions_status_start", "status", "scheduled_date"),
    Index("ix_training_sessions_room_start", "room_id", "scheduled_date"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "session_id",
        Id,
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "trainee_id"),
    Index("ix_enrolments_trainee_session", "trainee_id", "session_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("student_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("teacher_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("assigned_date", UtcDateTime, nullable=False),
    UniqueConstraint("student_id", "teacher_id"),
    Index("ix_assignments_teacher_student", "teacher_id", "student_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

attendance = Table(
    "attendance",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "session_id",
        Id,
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("present", Boolean, nullable=False),
    Column("marked_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "trainee_id"),
    Index("ix_attendance_trainee", "trainee_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False, index=True),
    Column("actor_id", Id, nullable=True, index=True),
    Column("actor", String(50), nullable=True),
    Column("action", String(40), nullable=False, index=True),
    Column("target_type", String(20), nullable=False),
    Column("target_id", Id, nullable=True),
    Column("client_address", String(64), nullable=True),
    Column("changes", JSON, nullable=False),
    # Whom the entry is about (migration 0021): a user's activity timeline, newest first.
    Column("subject_id", Id, nullable=True),
    Index("ix_audit_log_target", "target_type", "target_id"),
    Index("ix_audit_log_subject_id_id", "subject_id", "id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("audience", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False, index=True),
    **MYSQL_OPTIONS,
)

event_audience = Table(
    "event_audience",
    metadata,
    Column(
        "event_id",
        Id,
        ForeignKey("events.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("user_id", Id, primary_key=True, autoincrement=False),
    # A resume reads one user's events after an id: a range of this index. No foreign key
    # to users: the events of a deleted user stay until they are pruned.
    Index("ix_event_audience_user_event", "user_id", "event_id"),
    **MYSQL_OPTIONS,
)
"""Who an event is for (admins hear every event and are not listed), one row per user."""

event_sequence = Table(
    "event_sequence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", Id, nullable=False),
    **MYSQL_OPTIONS,
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(100), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("run_after", UtcDateTime, nullable=False),
    Column("lease_token", String(64), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("handed_off_until", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    # The handler's effect was made (a mail server accepted the message): never again.
    Column("effect_at", UtcDateTime, nullable=True),
    # Enqueueing the same work twice stores it once.
    UniqueConstraint("kind", "idempotency_key"),
    # Workers look for queued jobs that are due and for running ones whose lease expired.
    Index("ix_jobs_status_run_after", "status", "run_after"),
    Index("ix_jobs_status_lease_until", "status", "lease_until"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""Background jobs, written in the transaction of their cause (see tms_domain.kernel.jobs)."""

# --- Learning: courses of modules and lessons, course enrolments, lesson completions ------

courses = Table(
    "courses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False),
    # The code, case-folded: "crs-0007" and "CRS-0007" are one code.
    Column("code_key", _key(), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("category", String(100), nullable=True, index=True),
    Column("difficulty", String(16), nullable=True),
    Column("estimated_minutes", Integer, nullable=True),
    Column("status", String(16), nullable=False, index=True),
    # A course outlives its author: whoever deletes the owner leaves the course to admins.
    Column("owner_id", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Column("certificate_valid_months", Integer, nullable=True),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

course_modules = Table(
    "course_modules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_course_modules_course_position", "course_id", "position"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

lessons = Table(
    "lessons",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("module_id", Id, ForeignKey("course_modules.id", ondelete="CASCADE"), nullable=False),
    # Kept beside the module so that a course's lessons are one range of an index.
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    # Up to 100,000 characters of Markdown and its rendering: more than MySQL's TEXT holds.
    Column("body", _long_text(), nullable=True),
    Column("body_html", _long_text(), nullable=True),
    Column("video_url", String(2000), nullable=True),
    # The stored file of a `file` lesson (see the files table, which names its owner).
    Column("file_id", Id, nullable=True, index=True),
    Column("duration_minutes", Integer, nullable=True),
    Column("position", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("assessment", JSON, nullable=True),  # an assessment's questions (migration 0019)
    Index("ix_lessons_course_module_position", "course_id", "module_id", "position"),
    Index("ix_lessons_module_position", "module_id", "position"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

lesson_sessions = Table(
    "lesson_sessions",
    metadata,
    Column(
        "lesson_id",
        Id,
        ForeignKey("lessons.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "session_id",
        Id,
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # Marking attendance asks which lessons a session delivers.
    Index("ix_lesson_sessions_session", "session_id", "lesson_id"),
    **MYSQL_OPTIONS,
)
"""The live sessions that deliver a `session` lesson: attending any one completes it."""

course_enrolments = Table(
    "course_enrolments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # The batch (cohort) that brought the trainee in, if any: a plain id, no foreign key, so
    # that the enrolment outlives the batch (leaving or deleting it keeps the enrolment).
    Column("batch_id", Id, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("assigned_at", UtcDateTime, nullable=False),
    # The overview counts completed enrolments: one range of an index, not a table scan.
    Column("status", String(16), nullable=False, index=True),
    Column("completed_at", UtcDateTime, nullable=True),
    UniqueConstraint("course_id", "trainee_id"),
    Index("ix_course_enrolments_trainee_course", "trainee_id", "course_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

lesson_completions = Table(
    "lesson_completions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("lesson_id", Id, ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # "trainee" (marked complete), "attendance" (present at a session that delivers it),
    # "assessment" (passed).
    Column("source", String(16), nullable=False),
    Column("completed_at", UtcDateTime, nullable=False),
    # Two completions of one lesson at once keep one record.
    UniqueConstraint("lesson_id", "trainee_id"),
    Index("ix_lesson_completions_course_trainee", "course_id", "trainee_id"),
    Index("ix_lesson_completions_trainee_course", "trainee_id", "course_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

# Uploaded files (tms_domain.kernel.files): what is known of each; the bytes are in the
# file storage under storage_key.

stored_files = Table(
    "stored_files",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("storage_key", String(200), nullable=False, unique=True),
    Column("sha256", String(64), nullable=False),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_stored_files_created_by", "created_by"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)


# Booking live sessions and rooms (migration 0007).

rooms = Table(
    "rooms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("location", String(200), nullable=True),
    Column("capacity", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

session_waitlist = Table(
    "session_waitlist",
    metadata,
    # The order of arrival: ids only grow (never reused), so the first in line has the
    # session's lowest id.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "session_id",
        Id,
        ForeignKey("training_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("joined_at", UtcDateTime, nullable=False),
    UniqueConstraint("session_id", "trainee_id"),
    Index("ix_session_waitlist_trainee_session", "trainee_id", "session_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""Trainees waiting for a place in a full session, first come first."""

# Accounts by e-mail --------------------------------------------------------------------

password_links = Table(
    "password_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # "invitation" or "password_reset".
    Column("purpose", String(16), nullable=False),
    # SHA-256 (hex) of the link's token; the token itself is never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Index("ix_password_links_user_purpose", "user_id", "purpose"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""One-time links that set a password: invitations (72 h) and resets (1 h)."""
# --- Calendar feeds -------------------------------------------------------------------------

training_sessions.append_column(
    # The calendar's SEQUENCE: bumped when the session's time, place, join link or status
    # changes, so calendar apps replace their copy of the event.
    Column("sequence", Integer, nullable=False, server_default="0", default=0)
)

case_folded_key = _key
# Bringing people in (bulk imports, the legacy import's map), batches, the integrations,
# the notifications and calendar feeds, and the skills area have their tables in modules of
# their own, on this metadata.
from tms_adapters.persistence.sql import (  # noqa: E402, F401
    certificate_tables,
    import_tables,
    integration_tables,
    notification_tables,
    tables_achieve,
    tables_assess,
    tables_cohorts,
    tables_skills,
)

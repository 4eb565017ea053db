"""The notifications area's tables (migration 0010): what the system told each user, and
their choices; and the calendar feeds' tokens (migration 0009). Kept beside ``tables`` on
the same metadata, which imports this module so that the schema is whole wherever the
metadata is read."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, String, Table, Text, text

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("link", String(500), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    # The user's id and the cause ("7:session_assigned:12"): a cause notifies a user once.
    Column("dedupe_key", String(191), nullable=True, unique=True),
    Index("ix_notifications_user_id_id", "user_id", "id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""What the system told each user, newest first by id."""

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column(
        "user_id",
        Id,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("email_session_changes", Boolean, nullable=False, server_default=text("1")),
    Column("email_reminders", Boolean, nullable=False, server_default=text("1")),
    Column("email_course_updates", Boolean, nullable=False, server_default=text("1")),
    # Minutes before a session's start, largest first, e.g. [1440, 60].
    Column("reminder_minutes", JSON, nullable=False),
    **MYSQL_OPTIONS,
)
"""A user's choices once they made any (no row: the defaults)."""


calendar_tokens = Table(
    "calendar_tokens",
    metadata,
    # One feed URL per user: a new token replaces the row, revoking deletes it.
    Column(
        "user_id",
        Id,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # The SHA-256 of the token, in hex: the token itself is never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
)
"""Each user's secret calendar feed token, stored hashed."""

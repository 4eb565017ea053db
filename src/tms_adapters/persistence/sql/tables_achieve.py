"""The achievements' table (migration 0021). Kept beside ``tables`` on the same metadata,
which imports this module so that the schema is whole wherever the metadata is read."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

achievements = Table(
    "achievements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("awarded_at", UtcDateTime, nullable=False),
    # Each kind once per user: two awards that race keep one row.
    UniqueConstraint("user_id", "kind"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""The milestones each user reached."""

achievement_holds = Table(
    "achievement_holds",
    metadata,
    Column(
        "user_id",
        Id,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    **MYSQL_OPTIONS,
)
"""One row per user whose milestones were weighed, locked while they are weighed: marks of
one trainee that race are weighed one after the other. (Not the user's own row: inserting
attendance takes a shared lock on it, and two such marks would deadlock upgrading it.)"""

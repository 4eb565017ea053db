"""The cohorts area's tables (migration 0013): batches, their members, trainers and the
courses they are enrolled in. Kept beside ``tables`` on the same metadata, which imports
this module so that the schema is whole wherever the metadata is read."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    case_folded_key,
    metadata,
)

batches = Table(
    "batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False),
    # The code case-folded: unique, so "BATCH-1" and "batch-1" cannot both exist.
    Column("code_key", case_folded_key(), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("starts_on", Date, nullable=True),
    Column("ends_on", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

batch_members = Table(
    "batch_members",
    metadata,
    # The order of joining: ids only grow.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("joined_at", UtcDateTime, nullable=False),
    UniqueConstraint("batch_id", "trainee_id"),
    Index("ix_batch_members_trainee_batch", "trainee_id", "batch_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

batch_trainers = Table(
    "batch_trainers",
    metadata,
    Column(
        "batch_id",
        Id,
        ForeignKey("batches.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "trainer_id",
        Id,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Index("ix_batch_trainers_trainer_batch", "trainer_id", "batch_id"),
    **MYSQL_OPTIONS,
)

batch_courses = Table(
    "batch_courses",
    metadata,
    Column(
        "batch_id",
        Id,
        ForeignKey("batches.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "course_id",
        Id,
        ForeignKey("courses.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Index("ix_batch_courses_course_batch", "course_id", "batch_id"),
    **MYSQL_OPTIONS,
)
"""The courses a batch is enrolled in: whoever joins the batch is enrolled in them."""

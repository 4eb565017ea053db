"""The assessments' tables (migration 0019): attempts, each keeping the questions as it
showed them. An assessment's questions are a JSON column of ``lessons`` (see ``tables``)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    UniqueConstraint,
)

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

assessment_attempts = Table(
    "assessment_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("lesson_id", Id, ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False),
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # 1, 2, ... per trainee and lesson: unique, so two starts at once cannot both count.
    Column("number", Integer, nullable=False),
    Column("assessment", JSON, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=True),
    Column("submitted_at", UtcDateTime, nullable=True),
    Column("answers", JSON, nullable=False),
    Column("score", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("graded", Boolean, nullable=False),
    Column("expired", Boolean, nullable=False),
    Column("graded_by", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("graded_at", UtcDateTime, nullable=True),
    UniqueConstraint("lesson_id", "trainee_id", "number"),
    Index("ix_assessment_attempts_course_graded", "course_id", "graded"),
    Index("ix_assessment_attempts_graded_id", "graded", "id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

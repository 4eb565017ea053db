"""The skills catalogue's tables (migration 0018): skills, the levels users hold and the
skills courses grant. Kept beside ``tables`` on the same metadata, which imports this
module so that the schema is whole wherever the metadata is read."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, SmallInteger, String, Table, Text

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    case_folded_key,
    metadata,
)

skills = Table(
    "skills",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    # The name case-folded: unique, so "Python" and "python" cannot both exist.
    Column("name_key", case_folded_key(), nullable=False, unique=True),
    Column("category", String(100), nullable=True),
    Column("description", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

user_skills = Table(
    "user_skills",
    metadata,
    Column(
        "user_id",
        Id,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "skill_id",
        Id,
        ForeignKey("skills.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("level", SmallInteger, nullable=False),
    Column("source", String(20), nullable=False),
    Column("awarded_at", UtcDateTime, nullable=False),
    Index("ix_user_skills_skill_user", "skill_id", "user_id"),
    **MYSQL_OPTIONS,
)
"""One row per user and skill: the level held now (the audit keeps how it got there)."""

course_skills = Table(
    "course_skills",
    metadata,
    Column(
        "course_id",
        Id,
        ForeignKey("courses.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column(
        "skill_id",
        Id,
        ForeignKey("skills.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("level", SmallInteger, nullable=False),
    Index("ix_course_skills_skill_course", "skill_id", "course_id"),
    **MYSQL_OPTIONS,
)
"""The skills a course grants on completion, at a level each."""

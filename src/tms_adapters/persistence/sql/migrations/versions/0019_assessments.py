"""assessments

Revision ID: 0019
Revises: 0010
Create Date: 2026-12-07 05:50:00

An assessment lesson's questions (a JSON column of lessons), and the attempts at it, each
keeping the questions as it showed them (its own option order).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def _fk(column: str, referred: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_assessment_attempts_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    with op.batch_alter_table("lessons") as batch:
        batch.add_column(sa.Column("assessment", sa.JSON(), nullable=True))
    op.create_table(
        "assessment_attempts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("lesson_id", Id, nullable=False),
        sa.Column("course_id", Id, nullable=False),
        sa.Column("trainee_id", Id, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=True),
        sa.Column("submitted_at", UtcDateTime(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("graded", sa.Boolean(), nullable=False),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("graded_by", Id, nullable=True),
        sa.Column("graded_at", UtcDateTime(), nullable=True),
        _fk("lesson_id", "lessons"),
        _fk("course_id", "courses"),
        _fk("trainee_id", "users"),
        _fk("graded_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_attempts")),
        sa.UniqueConstraint(
            "lesson_id",
            "trainee_id",
            "number",
            name=op.f("uq_assessment_attempts_lesson_id_trainee_id_number"),
        ),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index(
        "ix_assessment_attempts_course_graded", "assessment_attempts", ["course_id", "graded"]
    )
    op.create_index("ix_assessment_attempts_graded_id", "assessment_attempts", ["graded", "id"])


def downgrade() -> None:
    op.drop_table("assessment_attempts")
    with op.batch_alter_table("lessons") as batch:
        batch.drop_column("assessment")

"""batches

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-07 02:40:00

Batches (cohorts): their fields, members (in the order they joined), trainers, and the
courses each is enrolled in (whoever joins is enrolled in them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0013"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "code_key", tms_adapters.persistence.sql.tables.case_folded_key(), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("code_key", name=op.f("uq_batches_code_key")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_table(
        "batch_members",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("batch_id", Id, nullable=False),
        sa.Column("trainee_id", Id, nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        _fk("batch_members", "batch_id", "batches"),
        _fk("batch_members", "trainee_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_members")),
        sa.UniqueConstraint(
            "batch_id", "trainee_id", name=op.f("uq_batch_members_batch_id_trainee_id")
        ),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index(
        "ix_batch_members_trainee_batch", "batch_members", ["trainee_id", "batch_id"], unique=False
    )
    op.create_table(
        "batch_trainers",
        sa.Column("batch_id", Id, autoincrement=False, nullable=False),
        sa.Column("trainer_id", Id, autoincrement=False, nullable=False),
        _fk("batch_trainers", "batch_id", "batches"),
        _fk("batch_trainers", "trainer_id", "users"),
        sa.PrimaryKeyConstraint("batch_id", "trainer_id", name=op.f("pk_batch_trainers")),
        **MYSQL,
    )
    op.create_index(
        "ix_batch_trainers_trainer_batch",
        "batch_trainers",
        ["trainer_id", "batch_id"],
        unique=False,
    )
    op.create_table(
        "batch_courses",
        sa.Column("batch_id", Id, autoincrement=False, nullable=False),
        sa.Column("course_id", Id, autoincrement=False, nullable=False),
        sa.Column("enrolled_at", UtcDateTime(), nullable=False),
        _fk("batch_courses", "batch_id", "batches"),
        _fk("batch_courses", "course_id", "courses"),
        sa.PrimaryKeyConstraint("batch_id", "course_id", name=op.f("pk_batch_courses")),
        **MYSQL,
    )
    op.create_index(
        "ix_batch_courses_course_batch", "batch_courses", ["course_id", "batch_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("batch_courses")
    op.drop_table("batch_trainers")
    op.drop_table("batch_members")
    op.drop_table("batches")

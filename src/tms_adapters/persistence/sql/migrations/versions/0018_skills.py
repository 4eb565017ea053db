"""skills

Revision ID: 0018
Revises: 0010
Create Date: 2026-12-07 05:45:00

The skill catalogue (names unique case aside), the level each user holds in a skill, and
the skills each course grants on completion.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0018"
down_revision: str | None = "0010"
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
        "skills",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "name_key", tms_adapters.persistence.sql.tables.case_folded_key(), nullable=False
        ),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name_key", name=op.f("uq_skills_name_key")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_table(
        "user_skills",
        sa.Column("user_id", Id, autoincrement=False, nullable=False),
        sa.Column("skill_id", Id, autoincrement=False, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("awarded_at", UtcDateTime(), nullable=False),
        _fk("user_skills", "user_id", "users"),
        _fk("user_skills", "skill_id", "skills"),
        sa.PrimaryKeyConstraint("user_id", "skill_id", name=op.f("pk_user_skills")),
        **MYSQL,
    )
    op.create_index(
        "ix_user_skills_skill_user", "user_skills", ["skill_id", "user_id"], unique=False
    )
    op.create_table(
        "course_skills",
        sa.Column("course_id", Id, autoincrement=False, nullable=False),
        sa.Column("skill_id", Id, autoincrement=False, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        _fk("course_skills", "course_id", "courses"),
        _fk("course_skills", "skill_id", "skills"),
        sa.PrimaryKeyConstraint("course_id", "skill_id", name=op.f("pk_course_skills")),
        **MYSQL,
    )
    op.create_index(
        "ix_course_skills_skill_course", "course_skills", ["skill_id", "course_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("course_skills")
    op.drop_table("user_skills")
    op.drop_table("skills")

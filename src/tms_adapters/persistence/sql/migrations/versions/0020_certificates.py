"""certificates

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-07 05:40:00

Certificates issued when a course is completed (a unique code; at most one current per
trainee and course, kept by the unique current_key), and the courses' certificate validity.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0020"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("course_id", Id, nullable=False),
        sa.Column("trainee_id", Id, nullable=False),
        sa.Column("course_title", sa.String(length=200), nullable=False),
        sa.Column("trainee_name", sa.String(length=300), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("renewed_at", UtcDateTime(), nullable=True),
        sa.Column("current_key", sa.String(length=48), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_certificates_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["users.id"],
            name=op.f("fk_certificates_trainee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("current_key", name=op.f("uq_certificates_current_key")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index(
        "ix_certificates_trainee_course", "certificates", ["trainee_id", "course_id"], unique=False
    )
    op.create_index("ix_certificates_course_id", "certificates", ["course_id"], unique=False)
    op.create_index("ix_certificates_issued_at", "certificates", ["issued_at"], unique=False)
    with op.batch_alter_table("courses") as batch:
        batch.add_column(sa.Column("certificate_valid_months", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("certificate_valid_months")
    op.drop_table("certificates")

"""bulk imports

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-07 02:30:00

Bulk imports of users: each import's record and counts (the uploaded file is a stored file,
its bytes in the file storage), and the rows it did not bring in, for errors.csv.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0014"
down_revision: str | None = "0016"
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
        "imports",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_id", Id, nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("invite", sa.Boolean(), nullable=False),
        sa.Column("batch_id", Id, nullable=True),
        sa.Column("course_id", Id, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("running_key", sa.String(length=80), nullable=True),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_imports_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_imports_file_id_stored_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("running_key", name=op.f("uq_imports_running_key")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index("ix_imports_created_by", "imports", ["created_by"], unique=False)
    op.create_index("ix_imports_file_id", "imports", ["file_id"], unique=False)
    op.create_table(
        "import_rejections",
        sa.Column("import_id", Id, nullable=False),
        sa.Column("row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_rejections_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "row", name=op.f("pk_import_rejections")),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("import_rejections")
    op.drop_table("imports")

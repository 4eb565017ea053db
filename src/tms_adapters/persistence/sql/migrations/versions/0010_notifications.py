"""notifications

Revision ID: 0010
Revises: 0017
Create Date: 2026-12-07 02:30:00

Notifications stored per user (a cause notifies a user once: the unique dedupe_key), and
each user's notification preferences (no row: the defaults).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0010"
down_revision: str | None = "0017"
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
        "notifications",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=191), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", Id, autoincrement=False, nullable=False),
        sa.Column(
            "email_session_changes", sa.Boolean(), server_default=sa.text("1"), nullable=False
        ),
        sa.Column("email_reminders", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "email_course_updates", sa.Boolean(), server_default=sa.text("1"), nullable=False
        ),
        sa.Column("reminder_minutes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_table("notifications")

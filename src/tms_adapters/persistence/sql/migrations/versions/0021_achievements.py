"""achievements and activity

Revision ID: 0021
Revises: 0010
Create Date: 2026-12-07 05:30:00

The milestones each user reached (each kind once per user), a row per user to hold while
their milestones are weighed, and whom each audit entry is
about (``audit_log.subject_id``, indexed with the id: a user's activity timeline, newest
first). Entries already kept are given their subject as new ones are: the trainee or user
their changes name, the user they target, or their actor; attendance entries that name no
trainee take the one of the mark they concern.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables
from tms_domain.audit import AuditEntry

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}
BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "achievements",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("awarded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_achievements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievements")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_achievements_user_id_kind")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_table(
        "achievement_holds",
        sa.Column("user_id", Id, autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_achievement_holds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_achievement_holds")),
        **MYSQL,
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("subject_id", Id, nullable=True))
    op.create_index("ix_audit_log_subject_id_id", "audit_log", ["subject_id", "id"], unique=False)
    _backfill_subjects()


def _backfill_subjects() -> None:
    conn = op.get_bind()
    log = sa.table(
        "audit_log",
        sa.column("id", Id),
        sa.column("at", UtcDateTime()),
        sa.column("actor_id", Id),
        sa.column("action", sa.String(40)),
        sa.column("target_type", sa.String(20)),
        sa.column("target_id", Id),
        sa.column("changes", sa.JSON()),
        sa.column("subject_id", Id),
    )
    mark_trainee: dict[int, int] = {}
    last = 0
    while True:
        rows = conn.execute(
            sa.select(
                log.c.id,
                log.c.at,
                log.c.actor_id,
                log.c.action,
                log.c.target_type,
                log.c.target_id,
                log.c.changes,
            )
            .where(log.c.id > last)
            .order_by(log.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        updates: list[dict[str, Any]] = []
        for row in rows:
            changes = row.changes if isinstance(row.changes, dict) else {}
            entry = AuditEntry(
                action=row.action,
                target_type=row.target_type,
                target_id=row.target_id,
                actor_id=row.actor_id,
                actor=None,
                at=row.at,
                changes=changes,
            )
            subject = entry.subject_id
            if row.target_type == "attendance" and row.target_id is not None:
                if "trainee_id" in changes and subject is not None:
                    mark_trainee[row.target_id] = subject
                else:
                    subject = mark_trainee.get(row.target_id, subject)
            if subject is not None:
                updates.append({"entry_id": row.id, "subject": subject})
        if updates:
            conn.execute(
                sa.update(log)
                .where(log.c.id == sa.bindparam("entry_id"))
                .values(subject_id=sa.bindparam("subject")),
                updates,
            )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject_id_id", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("subject_id")
    op.drop_table("achievement_holds")
    op.drop_table("achievements")

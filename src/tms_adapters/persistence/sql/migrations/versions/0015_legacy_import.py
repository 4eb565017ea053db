"""legacy import

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-07 02:00:00

The map of the earlier system's row ids to ours, per kind of row, so that bringing its
database over twice changes nothing the second time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "legacy_ids",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("legacy_id", Id, nullable=False),
        sa.Column("new_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_ids")),
        sa.UniqueConstraint("kind", "legacy_id", name=op.f("uq_legacy_ids_kind_legacy_id")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )


def downgrade() -> None:
    op.drop_table("legacy_ids")

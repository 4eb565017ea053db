"""job effects

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-07 02:30:00

When a job's effect outside the database was made (a mail server accepted the message),
committed by the handler before the job is released: a job claimed again after its worker
was killed in between is completed without sending the message twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tms_adapters.persistence.sql.tables

revision: str = "0012"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("effect_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("effect_at")

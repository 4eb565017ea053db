"""event audience index

Who each event is for, one row per user, indexed by (user, event): a resume reads the
caller's own events instead of the whole store. Filled for the events already stored from
their audience column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 09:00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_audience",
        sa.Column("event_id", Id, autoincrement=False, nullable=False),
        sa.Column("user_id", Id, autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_audience_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_event_audience")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_ci",
        mysql_engine="InnoDB",
    )
    op.create_index(
        "ix_event_audience_user_event", "event_audience", ["user_id", "event_id"], unique=False
    )
    _fill()


def _fill() -> None:
    """The audience of every stored event, read in batches by id."""
    connection = op.get_bind()
    events = sa.table("events", sa.column("id", Id), sa.column("audience", sa.JSON))
    audience = sa.table("event_audience", sa.column("event_id", Id), sa.column("user_id", Id))
    after = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.audience)
            .where(events.c.id > after)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        listed = [
            {"event_id": event_id, "user_id": int(user_id)}
            for event_id, value in rows
            for user_id in set(_users(value))
        ]
        if listed:
            connection.execute(sa.insert(audience), listed)
        after = rows[-1][0]


def _users(value: Any) -> list[Any]:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return list(value.get("users", [])) if isinstance(value, dict) else []


def downgrade() -> None:
    op.drop_table("event_audience")

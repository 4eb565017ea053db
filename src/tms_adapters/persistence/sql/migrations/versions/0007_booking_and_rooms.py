"""booking live sessions and rooms

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:30:00

- rooms: where sessions held in person take place (names unique).
- training_sessions gains capacity (null: no limit), self_booking (false for every existing
  session), booking_closes_at (null: at the start) and room_id (null; a deleted room leaves
  its sessions without one).
- session_waitlist: trainees waiting for a place, in order of arrival (the id).
Ids are never reused (AUTOINCREMENT on SQLite).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

import tms_adapters.persistence.sql.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}
ROOM_FK = "fk_training_sessions_room_id_rooms"
ROOM_INDEX = "ix_training_sessions_room_start"


@contextmanager
def _sessions_rebuilt() -> Iterator[BatchOperations]:
    """training_sessions altered; on SQLite rebuilt, keeping its next id where it was (a
    rebuilt table's counter would restart after its highest row, and give a deleted
    session's id again)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    sequence = (
        bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'training_sessions'")
        ).scalar()
        if sqlite
        else None
    )
    with op.batch_alter_table(
        "training_sessions", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        yield batch_op
    if sequence:
        parameters = {"seq": sequence}
        updated = bind.execute(
            sa.text(
                "UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = 'training_sessions'"
            ),
            parameters,
        )
        if updated.rowcount == 0:
            bind.execute(
                sa.text(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('training_sessions', :seq)"
                ),
                parameters,
            )


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("name", name=op.f("uq_rooms_name")),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    # SQLite rebuilds the table to add a foreign key (its rows kept, ids never reused).
    with _sessions_rebuilt() as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("self_booking", sa.Boolean(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("booking_closes_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("room_id", Id, nullable=True))
        batch_op.create_foreign_key(ROOM_FK, "rooms", ["room_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(ROOM_INDEX, ["room_id", "scheduled_date"], unique=False)
    op.create_table(
        "session_waitlist",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("trainee_id", Id, nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_session_waitlist_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["users.id"],
            name=op.f("fk_session_waitlist_trainee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_waitlist")),
        sa.UniqueConstraint(
            "session_id", "trainee_id", name=op.f("uq_session_waitlist_session_id_trainee_id")
        ),
        sqlite_autoincrement=True,
        **MYSQL,
    )
    op.create_index(
        "ix_session_waitlist_trainee_session",
        "session_waitlist",
        ["trainee_id", "session_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("session_waitlist")
    with _sessions_rebuilt() as batch_op:
        # MariaDB keeps an index while a foreign key needs it: the key goes first.
        batch_op.drop_constraint(ROOM_FK, type_="foreignkey")
        batch_op.drop_index(ROOM_INDEX)
        batch_op.drop_column("room_id")
        batch_op.drop_column("booking_closes_at")
        batch_op.drop_column("self_booking")
        batch_op.drop_column("capacity")
    op.drop_table("rooms")

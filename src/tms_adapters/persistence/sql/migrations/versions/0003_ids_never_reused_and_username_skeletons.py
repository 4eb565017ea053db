"""ids are never reused; usernames that look alike are told apart

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:10:00

- SQLite: every table with generated ids is rebuilt with AUTOINCREMENT (rows kept), so a
  deleted row's id is never given again. On both databases the next id is set past the
  highest one the data still knows of, deleted ones named in the audit log included.
- users.username_skeleton: the key of usernames a reader could take for one another
  (unique). Existing users get theirs in id order; one whose name looks like an earlier
  user's keeps its name and no key (it can be renamed only to a name unlike any other),
  and the log names both. Nobody is dropped or blocked: a username that is another user's
  e-mail address is named in the log too (signing in with it reaches the e-mail's owner).
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from tms_adapters.security.confusables import username_skeleton

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("tms.migrations")

ID_TABLES = {
    "users": "user",
    "training_sessions": "session",
    "enrolments": None,
    "assignments": "assignment",
    "attendance": "attendance",
    "audit_log": None,
}
"""Tables with generated ids, and the audit log's target type for their rows."""

SKELETON = "username_skeleton"
SKELETON_UNIQUE = "uq_users_username_skeleton"


def _key_type() -> sa.types.TypeEngine[str]:
    return (
        sa.String(length=254)
        .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=254), "mariadb")
        .with_variant(mysql.VARCHAR(collation="utf8mb4_bin", length=254), "mysql")
    )


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table in ID_TABLES:
        if sqlite:
            with op.batch_alter_table(
                table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ) as batch_op:
                if table == "users":
                    batch_op.add_column(sa.Column(SKELETON, _key_type(), nullable=True))
                    batch_op.create_unique_constraint(SKELETON_UNIQUE, [SKELETON])
        elif table == "users":
            op.add_column("users", sa.Column(SKELETON, _key_type(), nullable=True))
            op.create_unique_constraint(SKELETON_UNIQUE, "users", [SKELETON])
    _fill_skeletons(bind)
    _report_usernames_that_are_emails(bind)
    for table, target_type in ID_TABLES.items():
        _never_reuse(bind, table, target_type)
    if sqlite:
        _check_foreign_keys(bind)


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for table in ID_TABLES:
        if sqlite:
            # Recreated from the reflected table, which leaves AUTOINCREMENT out.
            with op.batch_alter_table(table, recreate="always") as batch_op:
                if table == "users":
                    batch_op.drop_constraint(SKELETON_UNIQUE, type_="unique")
                    batch_op.drop_column(SKELETON)
        elif table == "users":
            op.drop_constraint(SKELETON_UNIQUE, "users", type_="unique")
            op.drop_column("users", SKELETON)
    if sqlite:
        _check_foreign_keys(bind)


def _fill_skeletons(bind: sa.Connection) -> None:
    holders: dict[str, int] = {}
    keyed = []
    for user_id, username in bind.execute(sa.text("SELECT id, username FROM users ORDER BY id")):
        skeleton = username_skeleton(username)
        if skeleton in holders:
            log.warning(
                "user %s: username looks like user %s's; kept, with no look-alike key",
                user_id,
                holders[skeleton],
            )
            continue
        holders[skeleton] = user_id
        keyed.append({"id": user_id, "skeleton": skeleton})
    if keyed:
        bind.execute(
            sa.text("UPDATE users SET username_skeleton = :skeleton WHERE id = :id"), keyed
        )


def _report_usernames_that_are_emails(bind: sa.Connection) -> None:
    clashes = bind.execute(
        sa.text(
            "SELECT named.id, owner.id FROM users named"
            " JOIN users owner ON owner.email_key = named.username_key AND owner.id <> named.id"
            " ORDER BY named.id"
        )
    )
    for named, owner in clashes:
        log.warning(
            "user %s: username is user %s's e-mail address; signing in with it reaches user %s,"
            " user %s signs in with their own e-mail address",
            named,
            owner,
            owner,
            named,
        )


def _never_reuse(bind: sa.Connection, table: str, target_type: str | None) -> None:
    """Move the table's next id past every id its rows or the audit log know of."""
    rows = sa.table(table, sa.column("id"))
    audit = sa.table(
        "audit_log", sa.column("target_type"), sa.column("target_id"), sa.column("actor_id")
    )
    known = [sa.select(sa.func.max(rows.c.id))]
    if target_type is not None:
        target = audit.c.target_type == target_type
        known.append(sa.select(sa.func.max(audit.c.target_id)).where(target))
    if table == "users":
        known.append(sa.select(sa.func.max(audit.c.actor_id)))
    highest = max((bind.execute(query).scalar() or 0) for query in known)
    if highest == 0:
        return
    if bind.dialect.name == "sqlite":
        parameters = {"name": table, "seq": highest}
        updated = bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = MAX(seq, :seq) WHERE name = :name"),
            parameters,
        )
        if updated.rowcount == 0:
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                parameters,
            )
    else:
        # InnoDB keeps the larger of this and its own counter.
        bind.execute(sa.text(f"ALTER TABLE {table} AUTO_INCREMENT = {int(highest) + 1}"))


def _check_foreign_keys(bind: sa.Connection) -> None:
    """The rebuild ran with foreign keys off (see env.py): every reference must still hold."""
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")

"""single sign-on

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07 02:40:00

Sign-ins started at an OpenID Connect provider (their state's SHA-256, nonce and PKCE
verifier, for ten minutes, once), which account each identity at a provider is, and the
one-time codes the web client trades for a sign-in (their SHA-256, 60 s, once).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import tms_adapters.persistence.sql.tables

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = tms_adapters.persistence.sql.tables.UtcDateTime
ExactText = sa.String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
MYSQL = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
    "mysql_engine": "InnoDB",
}


def upgrade() -> None:
    op.create_table(
        "sso_attempts",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_sso_attempts")),
        **MYSQL,
    )
    op.create_index(op.f("ix_sso_attempts_expires_at"), "sso_attempts", ["expires_at"])
    op.create_table(
        "user_identities",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("issuer", ExactText, nullable=False),
        sa.Column("subject", ExactText, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("linked_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_user_identities_issuer_subject")),
        sa.UniqueConstraint("issuer", "user_id", name=op.f("uq_user_identities_issuer_user_id")),
        **MYSQL,
    )
    op.create_index(op.f("ix_user_identities_user_id"), "user_identities", ["user_id"])
    op.create_table(
        "sso_exchange_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sso_exchange_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_sso_exchange_codes")),
        **MYSQL,
    )
    op.create_index(op.f("ix_sso_exchange_codes_user_id"), "sso_exchange_codes", ["user_id"])
    op.create_index(op.f("ix_sso_exchange_codes_expires_at"), "sso_exchange_codes", ["expires_at"])


def downgrade() -> None:
    op.drop_table("sso_exchange_codes")
    op.drop_table("user_identities")
    op.drop_table("sso_attempts")

"""The tables of single sign-on (in the one schema's metadata, beside tables.py)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.dialects import mysql

from tms_adapters.persistence.sql.tables import MYSQL_OPTIONS, Id, UtcDateTime, metadata

ExactText = String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)
"""Issuers and subjects compare byte for byte (the tables' collation ignores case)."""

sso_attempts = Table(
    "sso_attempts",
    metadata,
    # A sign-in started at the provider, under the SHA-256 of its state; taken once.
    Column("state_hash", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    **MYSQL_OPTIONS,
)

user_identities = Table(
    "user_identities",
    metadata,
    # Who an identity at a provider is here: one account per identity, one identity per
    # account and provider.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("issuer", ExactText, nullable=False),
    Column("subject", ExactText, nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("linked_at", UtcDateTime, nullable=False),
    UniqueConstraint("issuer", "subject"),
    UniqueConstraint("issuer", "user_id"),
    **MYSQL_OPTIONS,
)

sso_exchange_codes = Table(
    "sso_exchange_codes",
    metadata,
    # The one-time code the web client trades for a sign-in, under its SHA-256.
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    **MYSQL_OPTIONS,
)

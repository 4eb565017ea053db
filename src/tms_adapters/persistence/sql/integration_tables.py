"""The integrations area's tables (part of tables.metadata; tables.py imports them)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table, Text

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("client_id", String(40), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),
    # HMAC-SHA256 (keyed with the app's secret) of the secret, in hex: never the secret.
    Column("secret_digest", String(64), nullable=False),
    Column("previous_secret_digest", String(64), nullable=True),
    Column("previous_valid_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""Partners' OAuth 2.0 client credentials."""

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    # The signing secret must be read back to sign: it is kept as is and never answered
    # after creation.
    Column("secret", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""Webhook subscriptions."""

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("webhook_id", Id, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("duration_ms", Float, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("error", String(500), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    # The log is read newest first per subscription.
    Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""One row per try of a webhook message."""

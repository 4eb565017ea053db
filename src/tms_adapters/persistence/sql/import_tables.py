"""The tables of bringing people in: bulk imports (migration 0014) and the legacy import's
map of ids (migration 0015), on the one schema's metadata."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

imports = Table(
    "imports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    # The uploaded file (its bytes in the file storage), kept to run and resume the import.
    Column("file_id", Id, ForeignKey("stored_files.id", ondelete="SET NULL"), nullable=True),
    Column("file_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("format", String(10), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("invite", Boolean, nullable=False),
    Column("batch_id", Id, nullable=True),
    Column("course_id", Id, nullable=True),
    Column("status", String(20), nullable=False),
    # sha256 and the kind of run while queued or running, NULL after: one run of one
    # file's content at a time, enforced by the database (NULLs do not clash).
    Column("running_key", String(80), nullable=True, unique=True),
    Column("total_rows", Integer, nullable=False),
    Column("processed_rows", Integer, nullable=False),
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("created_by", Id, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_imports_created_by", "created_by"),
    Index("ix_imports_file_id", "file_id"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)
"""Bulk imports of users and their counts."""

import_rejections = Table(
    "import_rejections",
    metadata,
    Column("import_id", Id, ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    Column("row", Integer, primary_key=True, autoincrement=False),
    # The row's cells as read (column -> text) and its errors ([{column, message}]).
    Column("cells", JSON, nullable=False),
    Column("errors", JSON, nullable=False),
    **MYSQL_OPTIONS,
)
"""The rows an import did not bring in: errors.csv is made from them."""

legacy_ids = Table(
    "legacy_ids",
    metadata,
    # Which row of the earlier system each of ours came from (tms import-legacy).
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("legacy_id", Id, nullable=False),
    Column("new_id", Id, nullable=False),
    UniqueConstraint("kind", "legacy_id"),
    **MYSQL_OPTIONS,
)

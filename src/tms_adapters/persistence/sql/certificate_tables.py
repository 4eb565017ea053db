"""The certificates' table (migration 0020), on the same metadata as ``tables``, which
imports this module so that the schema is whole wherever the metadata is read."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from tms_adapters.persistence.sql.tables import (
    MYSQL_OPTIONS,
    NEVER_REUSED_IDS,
    Id,
    UtcDateTime,
    metadata,
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # "7KQ2-M9XD-...": what the PDF prints and the verification URL carries.
    Column("code", String(24), nullable=False, unique=True),
    Column("course_id", Id, ForeignKey("courses.id", ondelete="CASCADE"), nullable=False),
    Column("trainee_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # The title and name as they were when it was issued: the document says them.
    Column("course_title", String(200), nullable=False),
    Column("trainee_name", String(300), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("renewed_at", UtcDateTime, nullable=True),
    # "<course id>:<trainee id>" while the certificate is current (neither revoked nor
    # renewed), NULL after: unique, so a trainee holds one current certificate per course.
    Column("current_key", String(48), nullable=True, unique=True),
    Index("ix_certificates_trainee_course", "trainee_id", "course_id"),
    Index("ix_certificates_course_id", "course_id"),
    Index("ix_certificates_issued_at", "issued_at"),
    **MYSQL_OPTIONS,
    **NEVER_REUSED_IDS,
)

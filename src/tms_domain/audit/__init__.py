"""The audit trail: append-only entries of who did what."""

from tms_domain.audit.model import AuditEntry, AuditQuery, diff
from tms_domain.audit.ports import AuditHistory, AuditLog
from tms_domain.audit.trail import HasAuditLog, audit_entry, record_audit

__all__ = [
    "AuditEntry",
    "AuditHistory",
    "AuditLog",
    "AuditQuery",
    "HasAuditLog",
    "audit_entry",
    "diff",
    "record_audit",
]

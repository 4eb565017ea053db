"""Entities and value objects of the training domain."""

from tms_domain.model.audit import AuditEntry, AuditQuery
from tms_domain.model.events import Audience, DomainEvent
from tms_domain.model.training import (
    Assignment,
    Attendance,
    SessionQuery,
    SessionStatus,
    TrainingSession,
)
from tms_domain.model.users import Actor, Role, SignIn, User

__all__ = [
    "Actor",
    "Assignment",
    "Attendance",
    "Audience",
    "AuditEntry",
    "AuditQuery",
    "DomainEvent",
    "Role",
    "SessionQuery",
    "SessionStatus",
    "SignIn",
    "TrainingSession",
    "User",
]

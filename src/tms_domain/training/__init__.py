"""Training: sessions, enrolment, double booking, assignments, attendance, progress.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.training.booking import ensure_no_double_booking
from tms_domain.training.model import (
    ALLOWED_MOVES,
    Assignment,
    Attendance,
    SessionChanges,
    SessionQuery,
    SessionStatus,
    TrainingSession,
)
from tms_domain.training.ports import AssignmentRepository, AttendanceRepository, SessionRepository
from tms_domain.training.rules import (
    EARLIEST_START,
    LATEST_START,
    MAX_DESCRIPTION_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_LINK_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_TRAINEES_PER_SESSION,
    MIN_DURATION_MINUTES,
    Clash,
    DoubleBooking,
    Person,
    is_web_link,
    session_violations,
)

__all__ = [
    "ALLOWED_MOVES",
    "EARLIEST_START",
    "LATEST_START",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_DURATION_MINUTES",
    "MAX_LINK_LENGTH",
    "MAX_TITLE_LENGTH",
    "MAX_TRAINEES_PER_SESSION",
    "MIN_DURATION_MINUTES",
    "Assignment",
    "AssignmentRepository",
    "Attendance",
    "AttendanceRepository",
    "Clash",
    "DoubleBooking",
    "Person",
    "SessionChanges",
    "SessionQuery",
    "SessionRepository",
    "SessionStatus",
    "TrainingSession",
    "ensure_no_double_booking",
    "is_web_link",
    "session_violations",
]

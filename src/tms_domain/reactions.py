"""What each area does when another's facts happen, in the same transaction: the one list
of reactions, which every unit of work dispatches when it commits (see
``tms_domain.kernel.events.EventHandlers``)."""

from __future__ import annotations

from tms_domain.kernel import EventHandlers
from tms_domain.learning.use_cases.session_lessons import (
    follow_attendance,
    follow_session_deleted,
)
from tms_domain.training import (
    AttendanceChanged,
    AttendanceDeleted,
    AttendanceMarked,
    SessionDeleted,
)

REACTIONS = EventHandlers(
    {
        AttendanceMarked: [follow_attendance],
        AttendanceChanged: [follow_attendance],
        AttendanceDeleted: [follow_attendance],
        SessionDeleted: [follow_session_deleted],
    }
)

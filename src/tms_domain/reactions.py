"""What each area does when another's facts happen, in the same transaction: the one list
of reactions, which every unit of work dispatches when it commits (see
``tms_domain.kernel.events.EventHandlers``)."""

from __future__ import annotations

from tms_domain.kernel import EventHandlers
from tms_domain.learning import CourseCompleted, TraineeEnrolledInCourse
from tms_domain.learning.use_cases.session_lessons import (
    follow_attendance,
    follow_session_deleted,
)
from tms_domain.notifications.use_cases.certificate_expiry import on_certificate_issued
from tms_domain.notifications.use_cases.course_due import on_enrolled_in_course
from tms_domain.notifications.use_cases.course_triggers import on_course_enrolled
from tms_domain.notifications.use_cases.reminders import (
    on_session_changed,
    on_session_scheduled,
    on_trainee_added,
)
from tms_domain.notifications.use_cases.session_triggers import (
    on_booked,
    on_changed,
    on_deleted,
    on_enrolled,
    on_joined,
    on_promoted,
    on_scheduled,
    on_withdrawn,
)
from tms_domain.skills import CertificateIssued
from tms_domain.skills.use_cases.achievements import on_attendance
from tms_domain.skills.use_cases.achievements import (
    on_course_completed as weigh_course_milestones,
)
from tms_domain.skills.use_cases.certificates import issue_on_completion
from tms_domain.skills.use_cases.skills import on_course_completed as award_course_skills
from tms_domain.training import (
    AttendanceChanged,
    AttendanceDeleted,
    AttendanceMarked,
    SessionBooked,
    SessionChanged,
    SessionDeleted,
    SessionScheduled,
    TraineeEnrolled,
    TraineeJoinedByLink,
    TraineeWithdrawn,
    WaitlistPromoted,
)

REACTIONS = EventHandlers(
    {
        # Attendance first moves lessons (and so courses) on, then weighs the milestones.
        AttendanceMarked: [follow_attendance, on_attendance],
        AttendanceChanged: [follow_attendance, on_attendance],
        AttendanceDeleted: [follow_attendance],
        SessionDeleted: [follow_session_deleted, on_deleted],
        # What people are told (docs/notifications.md), then the reminders before a
        # session starts and the notice that a course is due, planned as jobs.
        SessionScheduled: [on_scheduled, on_session_scheduled],
        SessionChanged: [on_changed, on_session_changed],
        TraineeEnrolled: [on_enrolled, on_trainee_added],
        TraineeJoinedByLink: [on_joined, on_trainee_added],
        SessionBooked: [on_booked, on_trainee_added],
        WaitlistPromoted: [on_promoted, on_trainee_added],
        TraineeWithdrawn: [on_withdrawn],
        TraineeEnrolledInCourse: [on_course_enrolled, on_enrolled_in_course],
        # A completed course earns a certificate, awards the skills it grants
        # (docs/skills.md), then weighs the milestones (docs/achievements.md).
        CourseCompleted: [issue_on_completion, award_course_skills, weigh_course_milestones],
        # A certificate that expires is reminded of.
        CertificateIssued: [on_certificate_issued],
    }
)

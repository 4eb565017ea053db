"""Outgoing webhooks: the SSRF guard, the Standard Webhooks signature, the aiohttp sender."""

from tms_adapters.webhooks.guard import AddressGuard, TargetRefused, refused_address
from tms_adapters.webhooks.sender import AiohttpWebhookSender
from tms_adapters.webhooks.signing import signature

LIVE_EVENT_TYPES = frozenset(
    {
        "assessment_attempted",
        "assessment_graded",
        "achievement_awarded",
        "attendance_deleted",
        "attendance_marked",
        "attendance_updated",
        "batch_created",
        "batch_deleted",
        "batch_trainee_removed",
        "batch_trainees_added",
        "batch_updated",
        "booking_cancelled",
        "certificate_issued",
        "certificate_renewed",
        "certificate_revoked",
        "course_created",
        "course_deleted",
        "course_enrolled",
        "course_progress",
        "course_completed",
        "course_unenrolled",
        "course_updated",
        "job_failed",
        "lesson_completed",
        "password_changed",
        "password_reset",
        "room_created",
        "room_deleted",
        "room_updated",
        "session_booked",
        "session_created",
        "session_deleted",
        "session_updated",
        "skill_awarded",
        "skill_created",
        "skill_deleted",
        "skill_updated",
        "student_assigned",
        "student_unassigned",
        "trainee_added_to_session",
        "trainee_joined_via_link",
        "trainee_removed_from_session",
        "user_created",
        "user_deleted",
        "user_locked",
        "user_unlocked",
        "user_updated",
        "waitlist_promoted",
    }
)
"""The event types a subscription may name: those pushed live (docs/api.md), less the
system's internal ones, the integrations' own, and the private ones (``notification``,
``notifications_read``, ``import_progress``, ``import_finished``: one user's own; a partner
never receives a person's notifications)."""

__all__ = [
    "LIVE_EVENT_TYPES",
    "AddressGuard",
    "AiohttpWebhookSender",
    "TargetRefused",
    "refused_address",
    "signature",
]

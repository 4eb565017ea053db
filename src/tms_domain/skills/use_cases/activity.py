"""A user's activity timeline, read from the audit trail: the entries about them (see
``AuditEntry.subject_id``) whose action the timeline shows, each told in a short summary
that names nobody else and holds no secret.

The timeline follows actions by name: an area that starts recording one of the actions in
``ACTIVITY`` (with the user in its changes as ``trainee_id`` or ``user_id``, or as its
target or actor) shows up here without a change to this module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tms_domain.accounts import Actor, existing_user
from tms_domain.audit import AuditEntry
from tms_domain.kernel import Page, Permission, Target, authorize
from tms_domain.skills.achievements import TITLES
from tms_domain.unit_of_work import Core


@dataclass(frozen=True)
class ActivityItem:
    at: datetime
    kind: str
    summary: str
    target_type: str
    target_id: int | None


def _after(entry: AuditEntry, name: str) -> Any:
    values = entry.changes.get(name)
    return values[-1] if isinstance(values, list) and values else None


def _attendance(entry: AuditEntry) -> str:
    present = _after(entry, "present")
    if present is None:
        return "Attendance mark confirmed"
    return "Marked present at a session" if present else "Marked absent at a session"


def _attempt(entry: AuditEntry) -> str:
    score = _after(entry, "score")
    return (
        f"Submitted an assessment attempt (score {score}%)"
        if isinstance(score, int | float) and not isinstance(score, bool)
        else "Submitted an assessment attempt"
    )


def _graded(entry: AuditEntry) -> str:
    passed = _after(entry, "passed")
    if passed is None:
        return "Assessment attempt graded"
    return (
        "Assessment attempt graded: passed" if passed else "Assessment attempt graded: not passed"
    )


def _achievement(entry: AuditEntry) -> str:
    kind = _after(entry, "kind")
    title = TITLES.get(kind) if isinstance(kind, str) else None
    return f"Earned the achievement “{title}”" if title else "Earned an achievement"


def _fixed(text: str) -> Callable[[AuditEntry], str]:
    return lambda _entry: text


ACTIVITY: dict[str, tuple[str, Callable[[AuditEntry], str]]] = {
    "user.signed_in": ("sign_in", _fixed("Signed in")),
    "lesson.completed": ("lesson_completed", _fixed("Completed a lesson")),
    "attendance.marked": ("attendance", _attendance),
    "attendance.updated": ("attendance", _attendance),
    "attendance.deleted": ("attendance", _fixed("Attendance mark removed")),
    "assessment.attempted": ("assessment_attempt", _attempt),
    "assessment.graded": ("assessment_graded", _graded),
    "certificate.issued": ("certificate", _fixed("Certificate issued")),
    "certificate.renewed": ("certificate", _fixed("Certificate renewed")),
    "certificate.revoked": ("certificate", _fixed("Certificate revoked")),
    "skill.awarded": ("skill", _fixed("Skill level awarded")),
    "achievement.awarded": ("achievement", _achievement),
}
"""Action -> (the item's kind, how it is summarised)."""


def activity_item(entry: AuditEntry) -> ActivityItem:
    kind, summary = ACTIVITY[entry.action]
    return ActivityItem(entry.at, kind, summary(entry), entry.target_type, entry.target_id)


class ActivityService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def timeline(self, actor: Actor, user_id: int, page: Page) -> list[ActivityItem]:
        """Admins, and the user themself (anyone else: not found): newest first, paged."""
        authorize(actor, Permission.READ_ACTIVITY, Target(user_id=user_id))
        async with self._core.uow(read_only=True) as uow:
            await existing_user(uow, user_id)
            entries = await uow.activity.page(
                user_id, ACTIVITY.keys(), skip=page.skip, limit=page.limit
            )
        return [activity_item(entry) for entry in entries]

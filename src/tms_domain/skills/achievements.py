"""Achievements: built-in milestones a trainee reaches, each held at most once.

What earns each one (docs/achievements.md):
- ``first_course_completed``: an enrolment in a course became completed.
- ``ten_sessions_attended``: marked present at ten sessions (any sessions, counted when a
  mark is made or changed to present).
- ``perfect_attendance_month``: in one calendar month (UTC), enrolled in at least
  ``PERFECT_MONTH_MINIMUM`` sessions that were not cancelled, and marked present at every
  one of them; weighed each time the trainee is marked present at a session of that month,
  so it is awarded by the mark that completes the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class AchievementKind(StrEnum):
    FIRST_COURSE_COMPLETED = "first_course_completed"
    TEN_SESSIONS_ATTENDED = "ten_sessions_attended"
    PERFECT_ATTENDANCE_MONTH = "perfect_attendance_month"


TITLES: dict[str, str] = {
    AchievementKind.FIRST_COURSE_COMPLETED: "First course completed",
    AchievementKind.TEN_SESSIONS_ATTENDED: "Ten sessions attended",
    AchievementKind.PERFECT_ATTENDANCE_MONTH: "Perfect attendance for a month",
}

SESSIONS_FOR_TEN = 10
PERFECT_MONTH_MINIMUM = 4
"""The fewest sessions a month must hold for the trainee to count as a perfect month."""


@dataclass(frozen=True)
class Achievement:
    user_id: int
    kind: AchievementKind
    awarded_at: datetime

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def month_of(moment: datetime) -> tuple[datetime, datetime]:
    """The calendar month (UTC) holding ``moment``, as a half-open range."""
    moment = moment.astimezone(UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    if moment.month == 12:
        return start, datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return start, datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)


def perfect_month(enrolled: int, present: int) -> bool:
    """Enrolled in enough sessions of the month, and present at every one."""
    return enrolled >= PERFECT_MONTH_MINIMUM and present >= enrolled

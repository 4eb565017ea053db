"""Where achievements are kept, what awarding them asks of attendance, and how a user's
activity is read back."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from tms_domain.audit import AuditEntry
from tms_domain.skills.achievements import Achievement


class AchievementRepository(Protocol):
    async def add(self, achievement: Achievement) -> int | None:
        """Keep it unless the user holds that kind already (the database's unique key
        settles a race): its new id, or None when it was held."""
        ...

    async def hold(self, user_id: int) -> None:
        """Until the unit of work ends, be the only one weighing the user's milestones:
        another that asks waits, then sees what this one committed."""
        ...

    async def of_user(self, user_id: int) -> list[Achievement]:
        """Oldest first."""
        ...


class AttendanceFacts(Protocol):
    async def sessions_attended(self, trainee_id: int) -> int:
        """Sessions the trainee is marked present at."""
        ...

    async def month_attendance(
        self, trainee_id: int, start: datetime, end: datetime
    ) -> tuple[int, int]:
        """Of the sessions starting in [start, end) that are not cancelled and the trainee
        is enrolled in: how many, and at how many the trainee is marked present."""
        ...


class ActivityTimeline(Protocol):
    async def page(
        self, user_id: int, actions: Collection[str], *, skip: int, limit: int
    ) -> list[AuditEntry]:
        """The audit entries about the user with one of the actions, newest first."""
        ...

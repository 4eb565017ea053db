"""Achievements in memory, the attendance counts that award them, and the activity timeline
read from the audit trail."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.audit import AuditEntry
from tms_domain.skills import Achievement
from tms_domain.training import SessionStatus


class MemoryAchievementRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, achievement: Achievement) -> int | None:
        key = (achievement.user_id, achievement.kind.value)
        if key in self._s.achievements:
            return None
        self._s.achievements[key] = achievement
        return self._s.next_id("achievement")

    async def hold(self, user_id: int) -> None:
        """A writing unit of work holds the whole store already."""

    async def of_user(self, user_id: int) -> list[Achievement]:
        held = [a for (holder, _), a in self._s.achievements.items() if holder == user_id]
        return sorted(held, key=lambda a: a.awarded_at)


class MemoryAttendanceFacts:
    def __init__(self, state: State) -> None:
        self._s = state

    async def sessions_attended(self, trainee_id: int) -> int:
        return sum(
            1
            for mark in self._s.attendance.values()
            if mark.trainee_id == trainee_id and mark.present
        )

    async def month_attendance(
        self, trainee_id: int, start: datetime, end: datetime
    ) -> tuple[int, int]:
        present = {
            mark.session_id
            for mark in self._s.attendance.values()
            if mark.trainee_id == trainee_id and mark.present
        }
        sessions = [
            session_id
            for (session_id, enrolled) in self._s.enrolments
            if enrolled == trainee_id
            and (session := self._s.sessions.get(session_id)) is not None
            and session.status is not SessionStatus.CANCELLED
            and start <= session.scheduled_date < end
        ]
        return len(sessions), sum(1 for session_id in sessions if session_id in present)


class MemoryActivityTimeline:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(
        self, user_id: int, actions: Collection[str], *, skip: int, limit: int
    ) -> list[AuditEntry]:
        wanted = set(actions)
        found = [
            replace(e)
            for e in reversed(self._s.audit)
            if e.subject_id == user_id and e.action in wanted
        ]
        return found[skip : skip + limit]

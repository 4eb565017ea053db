"""The admins' figures over the in-memory state."""

from __future__ import annotations

from tms_adapters.persistence.memory.state import State
from tms_adapters.persistence.memory.training import is_present
from tms_domain.kernel import Role
from tms_domain.learning import CourseStatus, EnrolmentStatus
from tms_domain.training import SessionStatus


class MemoryAnalyticsQueries:
    def __init__(self, state: State) -> None:
        self._s = state

    async def count_by_role(self) -> dict[Role, int]:
        counts = dict.fromkeys(Role, 0)
        for user in self._s.users.values():
            counts[user.role] += 1
        return counts

    async def count_trainees_without_sessions(self) -> int:
        enrolled = {trainee for _, trainee in self._s.enrolments}
        return sum(
            1 for u in self._s.users.values() if u.role is Role.TRAINEE and u.id not in enrolled
        )

    async def count_by_status(self) -> dict[SessionStatus, int]:
        counts = dict.fromkeys(SessionStatus, 0)
        for session in self._s.sessions.values():
            counts[session.status] += 1
        return counts

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        stats: dict[int, tuple[int, int]] = {}
        for session in self._s.sessions.values():
            if session.status is SessionStatus.CANCELLED:
                continue
            count, minutes = stats.get(session.trainer_id, (0, 0))
            done = session.duration_minutes if session.status is SessionStatus.COMPLETED else 0
            stats[session.trainer_id] = (count + 1, minutes + done)
        return stats

    async def attendance_rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        per_trainer: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if session is None or session.status is not SessionStatus.COMPLETED:
                continue
            total, attended = per_trainer.get(session.trainer_id, (0, 0))
            per_trainer[session.trainer_id] = (
                total + 1,
                attended + is_present(self._s, session_id, trainee_id),
            )
        enrolled = sum(total for total, _ in per_trainer.values())
        attended = sum(count for _, count in per_trainer.values())
        return enrolled, attended, per_trainer

    async def count_published_courses(self) -> int:
        return sum(1 for c in self._s.courses.values() if c.status is CourseStatus.PUBLISHED)

    async def count_course_enrolments(self) -> dict[EnrolmentStatus, int]:
        counts = dict.fromkeys(EnrolmentStatus, 0)
        for (course_id, _), enrolment in self._s.course_enrolments.items():
            if course_id in self._s.courses:
                counts[enrolment.status] += 1
        return counts

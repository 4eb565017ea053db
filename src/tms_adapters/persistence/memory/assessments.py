"""Attempts at assessments in memory."""

from __future__ import annotations

import copy
from dataclasses import replace

from tms_adapters.persistence.memory.state import State
from tms_domain.kernel import Conflict
from tms_domain.skills import Attempt, AttemptQuery


class MemoryAttemptRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, attempt: Attempt) -> Attempt:
        for other in self._s.assessment_attempts.values():
            if (other.lesson_id, other.trainee_id, other.number) == (
                attempt.lesson_id,
                attempt.trainee_id,
                attempt.number,
            ):
                raise Conflict("This attempt was started already")
        attempt.id = self._s.next_id("assessment_attempts")
        self._s.assessment_attempts[attempt.id] = copy.deepcopy(attempt)
        return attempt

    async def get(self, attempt_id: int, *, for_update: bool = False) -> Attempt | None:
        found = self._s.assessment_attempts.get(attempt_id)
        return copy.deepcopy(found) if found else None

    async def save(self, attempt: Attempt) -> None:
        self._s.assessment_attempts[attempt.id] = copy.deepcopy(replace(attempt, trainee_name=None))

    async def open_attempt(self, lesson_id: int, trainee_id: int) -> Attempt | None:
        for attempt in self._s.assessment_attempts.values():
            mine = (attempt.lesson_id, attempt.trainee_id) == (lesson_id, trainee_id)
            if mine and not attempt.submitted:
                return copy.deepcopy(attempt)
        return None

    async def count(self, lesson_id: int, trainee_id: int) -> int:
        return sum(
            1
            for a in self._s.assessment_attempts.values()
            if (a.lesson_id, a.trainee_id) == (lesson_id, trainee_id)
        )

    async def page(self, query: AttemptQuery) -> list[Attempt]:
        found = []
        for attempt in sorted(self._s.assessment_attempts.values(), key=lambda a: -a.id):
            course = self._s.courses.get(attempt.course_id)
            if not attempt.submitted or course is None:
                continue
            if query.lesson_id is not None and attempt.lesson_id != query.lesson_id:
                continue
            if query.trainee_id is not None and attempt.trainee_id != query.trainee_id:
                continue
            if query.graded is not None and attempt.graded != query.graded:
                continue
            if query.owner_id is not None and course.owner_id != query.owner_id:
                continue
            user = self._s.users.get(attempt.trainee_id)
            found.append(replace(copy.deepcopy(attempt), trainee_name=user.name if user else None))
        return found[query.skip : query.skip + query.limit]

    async def submitted_of_lesson(self, lesson_id: int) -> list[Attempt]:
        return [
            copy.deepcopy(a)
            for a in self._s.assessment_attempts.values()
            if a.lesson_id == lesson_id and a.submitted
        ]

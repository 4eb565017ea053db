"""What attempts need from outside: their store, which keeps them append-only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tms_domain.skills.assessments import Attempt


@dataclass(frozen=True)
class AttemptQuery:
    skip: int = 0
    limit: int = 100
    lesson_id: int | None = None
    trainee_id: int | None = None
    graded: bool | None = None
    """False: submitted attempts that wait for a trainer."""
    owner_id: int | None = None
    """Only attempts at lessons of courses this user owns."""


class AttemptRepository(Protocol):
    async def add(self, attempt: Attempt) -> Attempt:
        """Insert a started attempt and give it its id. Raise Conflict when the trainee
        already has an attempt of that number at the lesson (two starts at once)."""
        ...

    async def get(self, attempt_id: int, *, for_update: bool = False) -> Attempt | None: ...

    async def save(self, attempt: Attempt) -> None:
        """Store its submission or its grading (its other fields never change)."""
        ...

    async def open_attempt(self, lesson_id: int, trainee_id: int) -> Attempt | None:
        """The trainee's started, not yet submitted attempt at the lesson, if any."""
        ...

    async def count(self, lesson_id: int, trainee_id: int) -> int:
        """The trainee's attempts at the lesson, started or submitted."""
        ...

    async def page(self, query: AttemptQuery) -> list[Attempt]:
        """Submitted attempts, newest first, each with its trainee's name."""
        ...

    async def submitted_of_lesson(self, lesson_id: int) -> list[Attempt]: ...

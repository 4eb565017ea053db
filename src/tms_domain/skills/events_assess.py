"""What happens to attempts: the trainee, the course's owner and the trainee's trainers hear
of it (admins hear everything). The facts carry the figures, never the answers."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.kernel.events import Audience, DomainEvent


@dataclass(frozen=True)
class _AttemptFact(DomainEvent):
    attempt_id: int
    lesson_id: int
    course_id: int
    trainee_id: int
    owner_id: int | None
    trainer_ids: frozenset[int]
    score: float
    passed: bool
    graded: bool

    @property
    def audience(self) -> Audience:
        owner = frozenset() if self.owner_id is None else frozenset({self.owner_id})
        return Audience(frozenset({self.trainee_id}) | owner | self.trainer_ids)


@dataclass(frozen=True)
class AttemptSubmitted(_AttemptFact):
    """A trainee submitted an attempt (graded at once, or waiting for a trainer)."""


@dataclass(frozen=True)
class AttemptGraded(_AttemptFact):
    """A trainer graded what an attempt's text answers waited for."""

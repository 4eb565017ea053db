"""What happens to batches. A batch's facts reach its trainers and its members (who may
read it); admins hear everything."""

from __future__ import annotations

from dataclasses import dataclass

from tms_domain.cohorts.model import Batch
from tms_domain.kernel.events import Audience, DomainEvent


@dataclass(frozen=True)
class _BatchFact(DomainEvent):
    batch: Batch
    member_ids: frozenset[int]
    trainer_ids: frozenset[int]
    """Trainers before and after the fact (one removed still hears of it)."""

    @property
    def audience(self) -> Audience:
        return Audience(self.member_ids | self.trainer_ids)


@dataclass(frozen=True)
class BatchCreated(_BatchFact):
    pass


@dataclass(frozen=True)
class BatchChanged(_BatchFact):
    pass


@dataclass(frozen=True)
class BatchDeleted(_BatchFact):
    pass


@dataclass(frozen=True)
class TraineesJoinedBatch(_BatchFact):
    trainee_ids: tuple[int, ...]


@dataclass(frozen=True)
class TraineeLeftBatch(_BatchFact):
    trainee_id: int

    @property
    def audience(self) -> Audience:
        return Audience(self.member_ids | self.trainer_ids | {self.trainee_id})

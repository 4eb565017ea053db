"""Cohorts: batches of trainees who learn together, with their trainers; joining a batch
enrols the trainee in the batch's courses. Bringing people in (bulk imports) is the
``imports`` subpackage.

Other areas import this module only; its use cases live in ``use_cases``."""

from tms_domain.cohorts.events import (
    BatchChanged,
    BatchCreated,
    BatchDeleted,
    TraineeLeftBatch,
    TraineesJoinedBatch,
)
from tms_domain.cohorts.membership import (
    MAX_BATCHES_PER_CALL,
    BatchStore,
    batch_members,
    batch_target,
    follow_course,
)
from tms_domain.cohorts.model import Batch, BatchChanges, BatchQuery
from tms_domain.cohorts.ports import BatchListing, BatchRepository

__all__ = [
    "MAX_BATCHES_PER_CALL",
    "Batch",
    "BatchChanged",
    "BatchChanges",
    "BatchCreated",
    "BatchDeleted",
    "BatchListing",
    "BatchQuery",
    "BatchRepository",
    "BatchStore",
    "TraineeLeftBatch",
    "TraineesJoinedBatch",
    "batch_members",
    "batch_target",
    "follow_course",
]

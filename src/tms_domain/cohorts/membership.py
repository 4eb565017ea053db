"""What other areas ask of batches, in their own unit of work: the members of the batches a
request names, and remembering the courses a batch is enrolled in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.cohorts.model import Batch
from tms_domain.cohorts.ports import BatchRepository
from tms_domain.kernel import InvalidInput, Permission, Principal, Target, is_allowed

MAX_BATCHES_PER_CALL = 100


class BatchStore(Protocol):
    """A unit of work, as far as batches are concerned."""

    @property
    def batches(self) -> BatchRepository: ...


def batch_target(batch: Batch, *, member_ids: frozenset[int] = frozenset()) -> Target:
    return Target(batch_trainer_ids=frozenset(batch.trainer_ids), trainee_ids=member_ids)


async def batch_members(
    uow: BatchStore, actor: Principal, batch_ids: Sequence[int]
) -> dict[int, list[int]]:
    """The members of each batch named (in the order they joined), when the actor may use
    them: admins any batch, a trainer those they follow. The ids of batches that do not
    exist, or that the actor may not use, are named in one 422 (field ``batch_ids``)."""
    ids = list(dict.fromkeys(batch_ids))
    if len(ids) > MAX_BATCHES_PER_CALL:
        raise InvalidInput.for_field("batch_ids", f"At most {MAX_BATCHES_PER_CALL} batches at once")
    found = await uow.batches.get_many(ids)
    wrong = [
        i
        for i in ids
        if i not in found or not is_allowed(actor, Permission.READ_BATCH, batch_target(found[i]))
    ]
    if wrong:
        raise InvalidInput.for_field(
            "batch_ids", f"No batch has the ids {', '.join(map(str, wrong))}"
        )
    return await uow.batches.member_ids(ids) if ids else {}


async def follow_course(
    uow: BatchStore, batch_ids: Sequence[int], course_id: int, now: datetime
) -> list[int]:
    """The batches are enrolled in the course: whoever joins them later is enrolled in it
    too. The batches newly enrolled in it, by id."""
    return [b for b in dict.fromkeys(batch_ids) if await uow.batches.add_course(b, course_id, now)]

"""Where an import meets batches: codes looked up (case aside), the ``batch_id`` option
checked, and trainees joining their batches through the batches' own ``join_batch`` (so
joining is audited, announced and enrols them in the batch's courses, as by hand)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from tms_domain.accounts import Actor
from tms_domain.cohorts.use_cases.batches import join_batch
from tms_domain.unit_of_work import UnitOfWork


async def batch_ids_by_code(uow: UnitOfWork, codes: Collection[str]) -> dict[str, int]:
    """The ids of the batches with these codes, by the code as asked (unknown ones left
    out)."""
    return await uow.batches.ids_by_code(codes)


async def batch_exists(uow: UnitOfWork, batch_id: int) -> bool:
    return bool(await uow.batches.get_many([batch_id]))


async def add_to_batches(
    uow: UnitOfWork, actor: Actor, members: dict[int, list[int]], now: datetime
) -> None:
    """Make the trainees (ids, by batch id) members of the batches, each batch locked
    while they join; a batch deleted since the import began is passed over."""
    for batch_id in sorted(members):
        batch = await uow.batches.get(batch_id, for_update=True)
        if batch is not None:
            await join_batch(uow, actor, batch, list(dict.fromkeys(members[batch_id])), now)

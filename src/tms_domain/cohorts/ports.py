"""What the cohorts area needs from outside: the batches' write-side repository (fields,
trainers, members and the courses a batch is enrolled in) and the listing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from tms_domain.cohorts.model import Batch, BatchQuery


class BatchRepository(Protocol):
    async def add(self, batch: Batch) -> Batch:
        """Insert the batch with its trainers and give it its id. Raise Conflict when the
        code is taken (case aside)."""
        ...

    async def get(self, batch_id: int, *, for_update: bool = False) -> Batch | None:
        """The batch with its trainers, member count and courses; ``for_update`` locks its
        row, so that changes to one batch (its members too) are serialised."""
        ...

    async def get_many(self, batch_ids: Sequence[int]) -> dict[int, Batch]: ...

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        """The ids of the batches with these codes (matched case-insensitively, spaces
        around aside), by the code as asked; codes no batch has are left out."""
        ...

    async def save(self, batch: Batch) -> None:
        """Store its fields and trainers. Raise Conflict when the code is taken."""
        ...

    async def delete(self, batch_id: int) -> None:
        """The batch and its links (members, trainers, courses); nobody's course
        enrolments."""
        ...

    async def member_ids(self, batch_ids: Sequence[int]) -> dict[int, list[int]]:
        """Each batch's members by id, in the order they joined."""
        ...

    async def member_page(self, batch_id: int, *, skip: int, limit: int) -> list[int]:
        """A page of the batch's members by id, in the order they joined."""
        ...

    async def add_members(
        self, batch_id: int, trainee_ids: Sequence[int], at: datetime
    ) -> list[int]:
        """Add those not members yet; the ids actually added, in the order given."""
        ...

    async def remove_member(self, batch_id: int, trainee_id: int) -> bool: ...

    async def batch_ids_of_member(self, trainee_id: int) -> list[int]: ...

    async def add_course(self, batch_id: int, course_id: int, at: datetime) -> bool:
        """Remember that the batch is enrolled in the course; False when it was already."""
        ...


class BatchListing(Protocol):
    async def page(self, query: BatchQuery) -> list[Batch]:
        """Batches with their trainers, member counts and courses, by code then id; a fixed
        number of statements whatever the page size."""
        ...

"""Batches in memory: their fields and trainers, members and courses."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.state import State
from tms_domain.cohorts import Batch, BatchQuery
from tms_domain.kernel import Conflict


class MemoryBatchRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _taken(self, code: str, except_id: int | None) -> bool:
        key = code.casefold()
        return any(b.code.casefold() == key and b.id != except_id for b in self._s.batches.values())

    def _out(self, batch: Batch) -> Batch:
        courses = self._s.batch_courses.get(batch.id, {})
        return replace(
            batch,
            trainer_ids=tuple(sorted(i for i in batch.trainer_ids if i in self._s.users)),
            trainee_count=len(self._members(batch.id)),
            course_ids=tuple(sorted(c for c in courses if c in self._s.courses)),
        )

    async def add(self, batch: Batch) -> Batch:
        if self._taken(batch.code, None):
            raise Conflict(f"The code {batch.code} is already in use")
        batch.id = self._s.next_id("batches")
        self._s.batches[batch.id] = replace(batch)
        return self._out(batch)

    async def get(self, batch_id: int, *, for_update: bool = False) -> Batch | None:
        found = self._s.batches.get(batch_id)
        return self._out(found) if found else None

    async def get_many(self, batch_ids: Sequence[int]) -> dict[int, Batch]:
        return {i: self._out(self._s.batches[i]) for i in batch_ids if i in self._s.batches}

    async def ids_by_code(self, codes: Collection[str]) -> dict[str, int]:
        by_key = {b.code.casefold(): b.id for b in self._s.batches.values()}
        keys = {code: code.strip().casefold() for code in codes}
        return {code: by_key[key] for code, key in keys.items() if key in by_key}

    async def save(self, batch: Batch) -> None:
        if self._taken(batch.code, batch.id):
            raise Conflict(f"The code {batch.code} is already in use")
        self._s.batches[batch.id] = replace(batch)

    async def delete(self, batch_id: int) -> None:
        self._s.batches.pop(batch_id, None)
        self._s.batch_members.pop(batch_id, None)
        self._s.batch_courses.pop(batch_id, None)

    def _members(self, batch_id: int) -> list[int]:
        joined = self._s.batch_members.get(batch_id, {})
        users = self._s.users
        return [i for i, _ in sorted(joined.items(), key=lambda kv: kv[1]) if i in users]

    async def member_ids(self, batch_ids: Sequence[int]) -> dict[int, list[int]]:
        return {i: self._members(i) for i in batch_ids if i in self._s.batches}

    async def member_page(self, batch_id: int, *, skip: int, limit: int) -> list[int]:
        return self._members(batch_id)[skip : skip + limit]

    async def add_members(
        self, batch_id: int, trainee_ids: Sequence[int], at: datetime
    ) -> list[int]:
        joined = self._s.batch_members.setdefault(batch_id, {})
        added = []
        for trainee_id in trainee_ids:
            if trainee_id not in joined:
                joined[trainee_id] = self._s.next_id("batch_members")
                added.append(trainee_id)
        return added

    async def remove_member(self, batch_id: int, trainee_id: int) -> bool:
        return self._s.batch_members.get(batch_id, {}).pop(trainee_id, None) is not None

    async def batch_ids_of_member(self, trainee_id: int) -> list[int]:
        return sorted(b for b, joined in self._s.batch_members.items() if trainee_id in joined)

    async def add_course(self, batch_id: int, course_id: int, at: datetime) -> bool:
        courses = self._s.batch_courses.setdefault(batch_id, {})
        if course_id in courses:
            return False
        courses[course_id] = at
        return True


class MemoryBatchListing:
    def __init__(self, state: State) -> None:
        self._s = state

    async def page(self, query: BatchQuery) -> list[Batch]:
        found = list(self._s.batches.values())
        if query.q:
            needle = query.q.casefold()
            found = [b for b in found if needle in b.code.casefold() or needle in b.name.casefold()]
        if query.trainer_id is not None:
            found = [b for b in found if query.trainer_id in b.trainer_ids]
        if query.member_id is not None:
            found = [b for b in found if query.member_id in self._s.batch_members.get(b.id, {})]
        found.sort(key=lambda b: (b.code.casefold(), b.id))
        repository = MemoryBatchRepository(self._s)
        return [repository._out(b) for b in found[query.skip : query.skip + query.limit]]

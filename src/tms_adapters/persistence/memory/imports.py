"""Bulk imports in memory, as the SQL tables keep them."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from tms_adapters.persistence.memory.state import State
from tms_domain.cohorts.imports import MAX_REPORTED_ERRORS, CellError, Rejection, UserImport
from tms_domain.kernel import Conflict

ALREADY_RUNNING = "An import of this file is under way already: wait for it to finish"


class MemoryImportRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, record: UserImport) -> UserImport:
        key = record.running_key
        if key is not None and any(r.running_key == key for r in self._s.imports.values()):
            raise Conflict(ALREADY_RUNNING)
        record.id = self._s.next_id("imports")
        self._s.imports[record.id] = copy.deepcopy(record)
        return record

    def _with_errors(self, record: UserImport) -> UserImport:
        found = copy.deepcopy(record)
        errors: list[CellError] = []
        rows = self._s.import_rejections.get(record.id, {})
        for row in sorted(rows)[:MAX_REPORTED_ERRORS]:
            errors += rows[row].errors
        found.errors = errors[:MAX_REPORTED_ERRORS]
        return found

    async def get(self, import_id: int, *, for_update: bool = False) -> UserImport | None:
        record = self._s.imports.get(import_id)
        return self._with_errors(record) if record else None

    async def page(self, *, skip: int, limit: int) -> list[UserImport]:
        records = sorted(self._s.imports.values(), key=lambda r: -r.id)
        return [self._with_errors(r) for r in records[skip : skip + limit]]

    async def update(self, record: UserImport) -> None:
        key = record.running_key
        others = (r for i, r in self._s.imports.items() if i != record.id)
        if key is not None and any(r.running_key == key for r in others):
            raise Conflict(ALREADY_RUNNING)
        saved = copy.deepcopy(record)
        saved.errors = []
        self._s.imports[record.id] = saved

    async def reject(self, import_id: int, rejections: Sequence[Rejection]) -> None:
        rows = self._s.import_rejections.setdefault(import_id, {})
        for rejection in rejections:
            if rejection.row in rows:
                raise Conflict("That row is rejected already")
            rows[rejection.row] = copy.deepcopy(rejection)

    async def rejections(self, import_id: int, *, after_row: int, limit: int) -> list[Rejection]:
        rows = self._s.import_rejections.get(import_id, {})
        return [copy.deepcopy(rows[r]) for r in sorted(rows) if r > after_row][:limit]

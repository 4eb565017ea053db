"""What is known of uploaded files, in memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from tms_adapters.persistence.memory.state import State
from tms_domain.kernel import Conflict
from tms_domain.kernel.files import StoredFile


class MemoryStoredFileRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, file: StoredFile) -> StoredFile:
        if any(known.storage_key == file.storage_key for known in self._s.files.values()):
            raise Conflict("A file is already stored under that key")
        added = replace(file, id=self._s.next_id("stored_files"))
        self._s.files[added.id] = added
        return added

    async def get(self, file_id: int) -> StoredFile | None:
        return self._s.files.get(file_id)

    async def get_many(self, file_ids: Collection[int]) -> dict[int, StoredFile]:
        return {i: self._s.files[i] for i in file_ids if i in self._s.files}

    async def delete(self, file_id: int) -> bool:
        return self._s.files.pop(file_id, None) is not None

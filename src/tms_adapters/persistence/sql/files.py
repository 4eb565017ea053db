"""What is known of uploaded files, in SQL (the stored_files table)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_domain.kernel import Conflict
from tms_domain.kernel.files import StoredFile


def _file(row: Row[Any]) -> StoredFile:
    return StoredFile(
        id=row.id,
        name=row.name,
        size=row.size,
        content_type=row.content_type,
        storage_key=row.storage_key,
        sha256=row.sha256,
        created_by=row.created_by,
        created_at=row.created_at,
    )


class SqlaStoredFileRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, file: StoredFile) -> StoredFile:
        try:
            result = await self._conn.execute(
                insert(t.stored_files).values(
                    name=file.name,
                    size=file.size,
                    content_type=file.content_type,
                    storage_key=file.storage_key,
                    sha256=file.sha256,
                    created_by=file.created_by,
                    created_at=file.created_at,
                )
            )
        except IntegrityError as error:
            raise Conflict("A file is already stored under that key") from error
        return replace(file, id=int(result.inserted_primary_key[0]))  # type: ignore[index]

    async def get(self, file_id: int) -> StoredFile | None:
        row = (
            await self._conn.execute(select(t.stored_files).where(t.stored_files.c.id == file_id))
        ).first()
        return _file(row) if row is not None else None

    async def get_many(self, file_ids: Collection[int]) -> dict[int, StoredFile]:
        if not file_ids:
            return {}
        rows = await self._conn.execute(
            select(t.stored_files).where(t.stored_files.c.id.in_(sorted(file_ids)))
        )
        return {row.id: _file(row) for row in rows}

    async def delete(self, file_id: int) -> bool:
        result = await self._conn.execute(
            delete(t.stored_files).where(t.stored_files.c.id == file_id)
        )
        return bool(result.rowcount)

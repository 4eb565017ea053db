"""Bulk imports in SQL: their records, and the rows they did not bring in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import import_tables
from tms_domain.cohorts.imports import (
    MAX_REPORTED_ERRORS,
    CellError,
    ImportKind,
    ImportOptions,
    ImportStatus,
    Rejection,
    SheetFormat,
    UserImport,
)
from tms_domain.kernel import Conflict

ALREADY_RUNNING = "An import of this file is under way already: wait for it to finish"
_I, _R = import_tables.imports, import_tables.import_rejections


def _values(record: UserImport) -> dict[str, Any]:
    return {
        "status": record.status.value,
        "running_key": record.running_key,
        "total_rows": record.total_rows,
        "processed_rows": record.processed_rows,
        "created": record.created,
        "updated": record.updated,
        "unchanged": record.unchanged,
        "failed": record.failed,
        "error": record.error,
        "finished_at": record.finished_at,
    }


def _record(row: Any) -> UserImport:
    return UserImport(
        id=row.id,
        kind=ImportKind(row.kind),
        file_id=row.file_id,
        file_name=row.file_name,
        sha256=row.sha256,
        format=SheetFormat(row.format),
        options=ImportOptions(
            dry_run=bool(row.dry_run),
            batch_id=row.batch_id,
            course_id=row.course_id,
            invite=bool(row.invite),
        ),
        status=ImportStatus(row.status),
        total_rows=row.total_rows,
        created_by=row.created_by,
        created_at=row.created_at,
        processed_rows=row.processed_rows,
        created=row.created,
        updated=row.updated,
        unchanged=row.unchanged,
        failed=row.failed,
        finished_at=row.finished_at,
        error=row.error,
    )


def _rejection(row: Any) -> Rejection:
    errors = [CellError(row.row, e["column"], e["message"]) for e in row.errors]
    return Rejection(row.row, dict(row.cells), errors)


class SqlaImportRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, record: UserImport) -> UserImport:
        values = {
            **_values(record),
            "kind": record.kind.value,
            "file_id": record.file_id,
            "file_name": record.file_name,
            "sha256": record.sha256,
            "format": record.format.value,
            "dry_run": record.options.dry_run,
            "invite": record.options.invite,
            "batch_id": record.options.batch_id,
            "course_id": record.options.course_id,
            "created_by": record.created_by,
            "created_at": record.created_at,
        }
        try:
            result = await self._conn.execute(insert(_I).values(**values))
        except IntegrityError as error:
            raise Conflict(ALREADY_RUNNING) from error
        record.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return record

    async def get(self, import_id: int, *, for_update: bool = False) -> UserImport | None:
        query = select(_I).where(_I.c.id == import_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        record = _record(row)
        await self._attach_first_errors([record])
        return record

    async def page(self, *, skip: int, limit: int) -> list[UserImport]:
        query = select(_I).order_by(_I.c.id.desc()).offset(skip).limit(limit)
        records = [_record(row) for row in (await self._conn.execute(query)).all()]
        await self._attach_first_errors(records)
        return records

    async def _attach_first_errors(self, records: Sequence[UserImport]) -> None:
        """Each record's first MAX_REPORTED_ERRORS cell errors, in two statements for the
        lot whatever its size: each import's bound (the row of the last rejection
        reported, one index seek each), then the rejected rows up to each bound (one index
        range each): an import of 10,000 rejected rows reads a hundred."""
        if not records:
            return
        last_row = (
            select(_R.c.row)
            .where(_R.c.import_id == _I.c.id)
            .order_by(_R.c.row)
            .offset(MAX_REPORTED_ERRORS - 1)
            .limit(1)
            .correlate(_I)
            .scalar_subquery()
        )
        bounds = await self._conn.execute(
            select(_I.c.id, last_row).where(_I.c.id.in_([record.id for record in records]))
        )
        whole, ranges = [], []
        for import_id, last in bounds.all():
            if last is None:  # fewer rejected rows than are reported: all of them
                whole.append(import_id)
            else:
                ranges.append((_R.c.import_id == import_id) & (_R.c.row <= last))
        if whole:
            ranges.append(_R.c.import_id.in_(whole))
        query = (
            select(_R.c.import_id, _R.c.row, _R.c.cells, _R.c.errors)
            .where(or_(*ranges))
            .order_by(_R.c.import_id, _R.c.row)
        )
        errors: defaultdict[int, list[CellError]] = defaultdict(list)
        for row in (await self._conn.execute(query)).all():
            errors[row.import_id] += _rejection(row).errors
        for record in records:
            record.errors = errors[record.id][:MAX_REPORTED_ERRORS]

    async def update(self, record: UserImport) -> None:
        await self._conn.execute(update(_I).where(_I.c.id == record.id).values(**_values(record)))

    async def reject(self, import_id: int, rejections: Sequence[Rejection]) -> None:
        if not rejections:
            return
        await self._conn.execute(
            insert(_R),
            [
                {
                    "import_id": import_id,
                    "row": r.row,
                    "cells": r.cells,
                    "errors": [{"column": e.column, "message": e.message} for e in r.errors],
                }
                for r in rejections
            ],
        )

    async def rejections(self, import_id: int, *, after_row: int, limit: int) -> list[Rejection]:
        query = (
            select(_R.c.row, _R.c.cells, _R.c.errors)
            .where(_R.c.import_id == import_id, _R.c.row > after_row)
            .order_by(_R.c.row)
            .limit(limit)
        )
        return [_rejection(row) for row in (await self._conn.execute(query)).all()]

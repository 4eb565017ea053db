"""The wire shapes of the cohorts area's events: batches and imports (docs/api.md). Registered
with the mapper in ``wire``, which imports this module."""

from __future__ import annotations

from typing import Any

from tms_adapters.realtime.wire import Shape, shapes
from tms_domain.cohorts import (
    Batch,
    BatchChanged,
    BatchCreated,
    BatchDeleted,
    TraineeLeftBatch,
    TraineesJoinedBatch,
)
from tms_domain.cohorts.imports import ImportFinished, ImportProgressed


@shapes(ImportProgressed)
def _import_progress(event: ImportProgressed) -> Shape:
    record = event.record
    return "import_progress", {
        "import_id": record.id,
        "processed_rows": record.processed_rows,
        "total_rows": record.total_rows,
    }


@shapes(ImportFinished)
def _import_finished(event: ImportFinished) -> Shape:
    record = event.record
    return "import_finished", {
        "import_id": record.id,
        "status": record.status.value,
        "dry_run": record.dry_run,
        "total_rows": record.total_rows,
        "processed_rows": record.processed_rows,
        "created": record.created,
        "updated": record.updated,
        "unchanged": record.unchanged,
        "failed": record.failed,
    }


def _batch(batch: Batch) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "code": batch.code,
        "name": batch.name,
        "starts_on": batch.starts_on.isoformat() if batch.starts_on else None,
        "ends_on": batch.ends_on.isoformat() if batch.ends_on else None,
        "trainee_count": batch.trainee_count,
        "trainer_ids": list(batch.trainer_ids),
        "updated_at": batch.updated_at.isoformat(),
    }


@shapes(BatchCreated)
def _batch_created(event: BatchCreated) -> Shape:
    return "batch_created", _batch(event.batch)


@shapes(BatchChanged)
def _batch_changed(event: BatchChanged) -> Shape:
    return "batch_updated", _batch(event.batch)


@shapes(BatchDeleted)
def _batch_deleted(event: BatchDeleted) -> Shape:
    return "batch_deleted", {"batch_id": event.batch.id}


@shapes(TraineesJoinedBatch)
def _batch_trainees_added(event: TraineesJoinedBatch) -> Shape:
    return "batch_trainees_added", {
        "batch_id": event.batch.id,
        "trainee_ids": list(event.trainee_ids),
        "trainee_count": event.batch.trainee_count,
    }


@shapes(TraineeLeftBatch)
def _batch_trainee_removed(event: TraineeLeftBatch) -> Shape:
    return "batch_trainee_removed", {
        "batch_id": event.batch.id,
        "trainee_id": event.trainee_id,
        "trainee_count": event.batch.trainee_count,
    }

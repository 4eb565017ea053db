"""What the batch endpoints read and write."""

from __future__ import annotations

from typing import Annotated

import msgspec

from tms_domain.cohorts import Batch
from tms_entrypoints.http.learning.schemas import DateText, Ids
from tms_entrypoints.http.schemas import Timestamp, iso

BatchText = Annotated[str, msgspec.Meta(max_length=1000)]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]


class BatchOut(msgspec.Struct):
    id: int
    code: str
    name: str
    description: str | None
    starts_on: str | None
    ends_on: str | None
    trainee_count: int
    trainer_ids: list[int]
    course_ids: list[int]
    """The courses the batch is enrolled in: whoever joins it is enrolled in them too."""
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(
            id=batch.id,
            code=batch.code,
            name=batch.name,
            description=batch.description,
            starts_on=batch.starts_on.isoformat() if batch.starts_on else None,
            ends_on=batch.ends_on.isoformat() if batch.ends_on else None,
            trainee_count=batch.trainee_count,
            trainer_ids=list(batch.trainer_ids),
            course_ids=list(batch.course_ids),
            created_at=iso(batch.created_at),
            updated_at=iso(batch.updated_at),
        )


class BatchCreateIn(msgspec.Struct):
    code: BatchText
    name: BatchText
    description: Description | None = None
    starts_on: DateText | None = None
    ends_on: DateText | None = None
    trainer_ids: Ids = msgspec.field(default_factory=list)


class BatchUpdateIn(msgspec.Struct):
    code: BatchText | None = None
    name: BatchText | None = None
    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    """Null or blank: none; left out: unchanged (so are the dates)."""
    starts_on: DateText | msgspec.UnsetType | None = msgspec.UNSET
    ends_on: DateText | msgspec.UnsetType | None = msgspec.UNSET
    trainer_ids: Ids | None = None
    """Replaces the batch's trainers."""


class BatchTraineesIn(msgspec.Struct):
    trainee_ids: Ids


class BatchTraineesAddedOut(msgspec.Struct):
    added: int
    already_members: int

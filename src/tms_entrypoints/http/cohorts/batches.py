"""/batches: cohorts of trainees, their members and trainers."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.cohorts import BatchChanges
from tms_domain.cohorts.use_cases.batches import BatchService, NewBatch
from tms_domain.kernel import Page
from tms_entrypoints.http.accounts.schemas import UserOut
from tms_entrypoints.http.cohorts.schemas import (
    BatchCreateIn,
    BatchOut,
    BatchTraineesAddedOut,
    BatchTraineesIn,
    BatchUpdateIn,
)
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.learning.schemas import parse_date
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut

SearchText = Annotated[
    str | None, QueryParameter(max_length=200, description="Part of the code or the name")
]
OPTIONAL = ("description", "starts_on", "ends_on")


class BatchesController(Controller):
    path = "/batches"
    tags = ["batches"]

    @get("/", operation_id="listBatches", responses=ERROR_RESPONSES)
    async def list_batches(
        self,
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
        skip: Skip = 0,
        limit: Limit = 100,
        q: SearchText = None,
    ) -> list[BatchOut]:
        """Admins: every batch; trainers: the batches they follow; trainees: their own. By
        code; `q` searches the code and the name, case aside."""
        found = await batches.list_batches(actor, Page(skip, limit), q)
        return [BatchOut.of(batch) for batch in found]

    @post("/", operation_id="createBatch", status_code=201, responses=ERROR_RESPONSES)
    async def create_batch(
        self,
        data: JSONBody[BatchCreateIn],
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> BatchOut:
        """Admins. 409 when the code is taken (case aside); 422 when `ends_on` comes before
        `starts_on` or a trainer id names no trainer."""
        batch = await batches.create_batch(
            actor,
            NewBatch(
                code=data.code,
                name=data.name,
                description=data.description,
                starts_on=parse_date(data.starts_on, "starts_on"),
                ends_on=parse_date(data.ends_on, "ends_on"),
                trainer_ids=tuple(data.trainer_ids),
            ),
        )
        return BatchOut.of(batch)

    @get("/{batch_id:int}", operation_id="getBatch", responses=ERROR_RESPONSES)
    async def get_batch(
        self,
        batch_id: Id,
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> BatchOut:
        """Admins, its trainers and its members; anyone else gets 404."""
        return BatchOut.of(await batches.get_batch(actor, batch_id))

    @put("/{batch_id:int}", operation_id="updateBatch", responses=ERROR_RESPONSES)
    async def update_batch(
        self,
        batch_id: Id,
        data: JSONBody[BatchUpdateIn],
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> BatchOut:
        """Admins; as creating. `trainer_ids` replaces the trainers; `description`,
        `starts_on`, `ends_on` set to null clear them, left out they stay."""
        given = {name: getattr(data, name) for name in OPTIONAL}
        batch = await batches.update_batch(
            actor,
            batch_id,
            BatchChanges(
                code=data.code,
                name=data.name,
                description=_text(given["description"]),
                starts_on=parse_date(_text(given["starts_on"]), "starts_on"),
                ends_on=parse_date(_text(given["ends_on"]), "ends_on"),
                trainer_ids=tuple(data.trainer_ids) if data.trainer_ids is not None else None,
                cleared=frozenset(name for name, value in given.items() if value is None),
            ),
        )
        return BatchOut.of(batch)

    @delete(
        "/{batch_id:int}", operation_id="deleteBatch", status_code=200, responses=ERROR_RESPONSES
    )
    async def delete_batch(
        self,
        batch_id: Id,
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> MessageOut:
        """Admins. Its members keep their course enrolments."""
        await batches.delete_batch(actor, batch_id)
        return MessageOut("Batch deleted")

    @get("/{batch_id:int}/trainees", operation_id="listBatchTrainees", responses=ERROR_RESPONSES)
    async def list_trainees(
        self,
        batch_id: Id,
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
        skip: Skip = 0,
        limit: Limit = 100,
    ) -> list[UserOut]:
        """Admins and the batch's trainers: its members in the order they joined (its
        trainees get 403, anyone else 404)."""
        found = await batches.list_trainees(actor, batch_id, Page(skip, limit))
        return [UserOut.of(user) for user in found]

    @post(
        "/{batch_id:int}/trainees",
        operation_id="addBatchTrainees",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def add_trainees(
        self,
        batch_id: Id,
        data: JSONBody[BatchTraineesIn],
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> BatchTraineesAddedOut:
        """Admins. Each id must name a trainee (422 naming the others); members already are
        counted. Whoever joins is enrolled in the batch's courses."""
        result = await batches.add_trainees(actor, batch_id, data.trainee_ids)
        return BatchTraineesAddedOut(result.added, result.already_members)

    @delete(
        "/{batch_id:int}/trainees/{trainee_id:int}",
        operation_id="removeBatchTrainee",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def remove_trainee(
        self,
        batch_id: Id,
        trainee_id: Id,
        actor: NamedDependency[Actor],
        batches: NamedDependency[BatchService],
    ) -> MessageOut:
        """Admins; 404 when not a member. Their course enrolments stay."""
        await batches.remove_trainee(actor, batch_id, trainee_id)
        return MessageOut("Trainee removed from the batch")


def _text(value: str | msgspec.UnsetType | None) -> str | None:
    return None if value is None or value is msgspec.UNSET else value

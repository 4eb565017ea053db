"""Use cases for batches: admins manage them and their members; trainers read the batches
they follow, trainees those they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tms_domain.accounts import Actor, User
from tms_domain.audit import record_audit
from tms_domain.cohorts.events import (
    BatchChanged,
    BatchCreated,
    BatchDeleted,
    TraineeLeftBatch,
    TraineesJoinedBatch,
)
from tms_domain.cohorts.membership import batch_target
from tms_domain.cohorts.model import Batch, BatchChanges, BatchQuery
from tms_domain.kernel import (
    InvalidInput,
    NotFound,
    Page,
    Permission,
    Role,
    authorize,
    is_allowed,
)
from tms_domain.learning import enrol_in_courses
from tms_domain.unit_of_work import Core, UnitOfWork

BATCH_NOT_FOUND = "Batch not found"
MAX_TRAINEES_PER_CALL = 1000


@dataclass(frozen=True)
class NewBatch:
    code: str
    name: str
    description: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    trainer_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class MembersAdded:
    added: int
    already_members: int


async def visible_batch(
    uow: UnitOfWork, actor: Actor, batch_id: int, *, for_update: bool = False
) -> Batch:
    """The batch, if the actor may read it (admins; its trainers; its members); otherwise
    "not found", whether or not it exists."""
    batch = await uow.batches.get(batch_id, for_update=for_update)
    if batch is None:
        if actor.must_change_password:
            authorize(actor, Permission.READ_BATCH)
        raise NotFound(BATCH_NOT_FOUND)
    members: frozenset[int] = frozenset()
    if actor.role is Role.TRAINEE and batch.id in await uow.batches.batch_ids_of_member(actor.id):
        members = frozenset({actor.id})
    target = batch_target(batch, member_ids=members)
    if not is_allowed(actor, Permission.READ_BATCH, target):
        authorize(actor, Permission.READ_BATCH, target)
    return batch


async def _check_people(
    uow: UnitOfWork, field: str, ids: Sequence[int], roles: tuple[Role, ...]
) -> dict[int, User]:
    """Every id names a user of one of the roles: the others are named in one 422."""
    users = await uow.users.get_many(ids)
    wrong = [i for i in ids if i not in users or users[i].role not in roles]
    if wrong:
        kind = "trainee" if roles == (Role.TRAINEE,) else "trainer"
        raise InvalidInput.for_field(field, f"Not a {kind}: {', '.join(map(str, wrong))}")
    return users


async def join_batch(
    uow: UnitOfWork, actor: Actor, batch: Batch, trainee_ids: Sequence[int], now: datetime
) -> list[int]:
    """The trainees (checked already) join the batch, locked by the caller: those not
    members yet are added, audited (``batch.members_added``), enrolled in the batch's
    courses that still take trainees, and announced (``TraineesJoinedBatch``), in the
    caller's unit of work. The ids actually added."""
    added = await uow.batches.add_members(batch.id, trainee_ids, now)
    if not added:
        return added
    await record_audit(
        uow, actor, "batch.members_added", "batch", batch.id, now, {"trainee_ids": [None, added]}
    )
    await enrol_in_courses(uow, actor, batch.course_ids, added, now, batch_id=batch.id)
    members = (await uow.batches.member_ids([batch.id])).get(batch.id, [])
    batch.trainee_count = len(members)
    uow.record(
        TraineesJoinedBatch(batch, frozenset(members), frozenset(batch.trainer_ids), tuple(added))
    )
    return added


class BatchService:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def list_batches(self, actor: Actor, page: Page, q: str | None = None) -> list[Batch]:
        """Admins see every batch; a trainer those they follow; a trainee those they belong
        to. ``q``: part of the code or the name, case aside. By code."""
        authorize(actor, Permission.LIST_BATCHES)
        query = BatchQuery(
            skip=page.skip,
            limit=page.limit,
            q=q.strip() if q and q.strip() else None,
            trainer_id=actor.id if actor.role is Role.TRAINER else None,
            member_id=actor.id if actor.role is Role.TRAINEE else None,
        )
        async with self._core.uow(read_only=True) as uow:
            return await uow.batch_listing.page(query)

    async def get_batch(self, actor: Actor, batch_id: int) -> Batch:
        """As the listing; anyone else gets 404."""
        async with self._core.uow(read_only=True) as uow:
            return await visible_batch(uow, actor, batch_id)

    async def create_batch(self, actor: Actor, new: NewBatch) -> Batch:
        """Admins. The code is unique, case aside (409); ends_on cannot come before
        starts_on (422); each trainer id names a trainer (422 naming the others)."""
        authorize(actor, Permission.MANAGE_BATCHES, denial="Only admins manage batches")
        now = self._core.clock.now()
        batch = Batch.plan(
            code=new.code,
            name=new.name,
            description=new.description,
            starts_on=new.starts_on,
            ends_on=new.ends_on,
            trainer_ids=new.trainer_ids,
            now=now,
        )
        async with self._core.uow() as uow:
            await _check_people(uow, "trainer_ids", batch.trainer_ids, (Role.TRAINER,))
            batch = await uow.batches.add(batch)
            await record_audit(
                uow,
                actor,
                "batch.created",
                "batch",
                batch.id,
                now,
                {k: [None, v] for k, v in batch.audit_fields().items()},
            )
            uow.record(BatchCreated(batch, frozenset(), frozenset(batch.trainer_ids)))
            await uow.commit()
        return batch

    async def update_batch(self, actor: Actor, batch_id: int, changes: BatchChanges) -> Batch:
        """Admins; as creating. ``trainer_ids`` replaces the batch's trainers."""
        authorize(actor, Permission.MANAGE_BATCHES, denial="Only admins manage batches")
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            batch = await visible_batch(uow, actor, batch_id, for_update=True)
            trainers_before = frozenset(batch.trainer_ids)
            changed = batch.apply(changes, now)
            if not changed:
                return batch
            new_trainers = [i for i in batch.trainer_ids if i not in trainers_before]
            await _check_people(uow, "trainer_ids", new_trainers, (Role.TRAINER,))
            await uow.batches.save(batch)
            await record_audit(uow, actor, "batch.updated", "batch", batch.id, now, changed)
            members = (await uow.batches.member_ids([batch.id])).get(batch.id, [])
            uow.record(
                BatchChanged(batch, frozenset(members), trainers_before | set(batch.trainer_ids))
            )
            await uow.commit()
        return batch

    async def delete_batch(self, actor: Actor, batch_id: int) -> None:
        """Admins. Its members stay enrolled in the courses it brought them to."""
        authorize(actor, Permission.MANAGE_BATCHES, denial="Only admins manage batches")
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            batch = await visible_batch(uow, actor, batch_id, for_update=True)
            members = (await uow.batches.member_ids([batch.id])).get(batch.id, [])
            await uow.batches.delete(batch.id)
            await record_audit(
                uow,
                actor,
                "batch.deleted",
                "batch",
                batch.id,
                now,
                {k: [v, None] for k, v in batch.audit_fields().items()},
            )
            uow.record(BatchDeleted(batch, frozenset(members), frozenset(batch.trainer_ids)))
            await uow.commit()

    async def list_trainees(self, actor: Actor, batch_id: int, page: Page) -> list[User]:
        """Admins and the batch's trainers (a member gets 403, anyone else 404): its
        members in the order they joined."""
        async with self._core.uow(read_only=True) as uow:
            batch = await visible_batch(uow, actor, batch_id)
            authorize(
                actor,
                Permission.LIST_BATCH_TRAINEES,
                batch_target(batch),
                denial="Trainees do not see who else is in their batch",
            )
            ids = await uow.batches.member_page(batch.id, skip=page.skip, limit=page.limit)
            users = await uow.users.get_many(ids)
        return [users[i] for i in ids if i in users]

    async def add_trainees(
        self, actor: Actor, batch_id: int, trainee_ids: Sequence[int]
    ) -> MembersAdded:
        """Admins. Each id must name a trainee (one 422 names the others); those already
        members are counted, not added twice. Whoever joins is enrolled in the batch's
        courses (those not archived), in the same transaction."""
        authorize(actor, Permission.MANAGE_BATCHES, denial="Only admins manage batches")
        ids = list(dict.fromkeys(trainee_ids))
        if not ids:
            raise InvalidInput.for_field("trainee_ids", "Name at least one trainee")
        if len(ids) > MAX_TRAINEES_PER_CALL:
            raise InvalidInput.for_field(
                "trainee_ids", f"At most {MAX_TRAINEES_PER_CALL} trainees at once"
            )
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            batch = await visible_batch(uow, actor, batch_id, for_update=True)
            await _check_people(uow, "trainee_ids", ids, (Role.TRAINEE,))
            added = await join_batch(uow, actor, batch, ids, now)
            await uow.commit()
        return MembersAdded(len(added), len(ids) - len(added))

    async def remove_trainee(self, actor: Actor, batch_id: int, trainee_id: int) -> None:
        """Admins; 404 when the trainee is not a member. Their course enrolments stay, and
        what they completed with them."""
        authorize(actor, Permission.MANAGE_BATCHES, denial="Only admins manage batches")
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            batch = await visible_batch(uow, actor, batch_id, for_update=True)
            if not await uow.batches.remove_member(batch.id, trainee_id):
                raise NotFound("The trainee is not a member of this batch")
            await record_audit(
                uow,
                actor,
                "batch.member_removed",
                "batch",
                batch.id,
                now,
                {"trainee_id": [trainee_id, None]},
            )
            members = (await uow.batches.member_ids([batch.id])).get(batch.id, [])
            batch.trainee_count = len(members)
            uow.record(
                TraineeLeftBatch(
                    batch, frozenset(members), frozenset(batch.trainer_ids), trainee_id
                )
            )
            await uow.commit()

"""The job store on SQL: jobs enqueued in a unit of work are written by its commit; claims
are compare-and-set updates, so any number of worker processes can share the table."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tms_adapters.persistence.sql import tables as t
from tms_adapters.persistence.sql.bulk import insert_many
from tms_adapters.tracing import with_origin
from tms_domain.kernel import Clock
from tms_domain.kernel.jobs import Job, JobStatus, Lease

QUEUED, RUNNING = JobStatus.QUEUED.value, JobStatus.RUNNING.value
SKIP_LOCKED_SINCE = {"mariadb": (10, 6), "mysql": (8, 0, 1)}
"""Servers whose ``FOR UPDATE SKIP LOCKED`` lets workers pass each other's claims by."""


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        payload=row.payload,
        idempotency_key=row.idempotency_key,
        status=JobStatus(row.status),
        attempts=row.attempts,
        run_after=row.run_after,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_error=row.last_error,
        finished_at=row.finished_at,
        effect_at=row.effect_at,
    )


def _due(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    j = t.jobs
    return or_(
        and_(j.c.status == QUEUED, j.c.run_after <= now),
        and_(j.c.status == RUNNING, j.c.lease_until < now),
    )


# A worker's statements, each built once: a job's claim, run and release take several, and
# building a statement (and the key of SQLAlchemy's cache for it) cost more CPU than the
# database's work. The values are bound by name at each execution.
_j = t.jobs
_NOW = bindparam("now", type_=_j.c.updated_at.type)
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_TOKEN = bindparam("token", type_=_j.c.lease_token.type)
_JOB_ID = bindparam("job_id", type_=_j.c.id.type)
_HELD = and_(_j.c.id == _JOB_ID, _j.c.status == RUNNING, _j.c.lease_token == _TOKEN)
_DUE_IDS = (
    select(_j.c.id).where(_due(_NOW)).order_by(_j.c.run_after, _j.c.id).limit(bindparam("limit"))
)
_DUE_IDS_SKIPPING = _DUE_IDS.with_for_update(skip_locked=True)
_CLAIM = (
    update(_j)
    .where(_j.c.id.in_(_IDS), _due(_NOW))
    .values(
        status=RUNNING,
        attempts=_j.c.attempts + 1,
        lease_token=_TOKEN,
        lease_until=bindparam("until", type_=_j.c.lease_until.type),
        updated_at=_NOW,
    )
)
_CLAIMED = (
    select(_j)
    .where(_j.c.id.in_(_IDS), _j.c.lease_token == _TOKEN)
    .order_by(_j.c.run_after, _j.c.id)
)
_RELEASE = (
    update(_j)
    .where(_HELD)
    .values(
        status=bindparam("to_status", type_=_j.c.status.type),
        run_after=bindparam("to_run_after", type_=_j.c.run_after.type),
        last_error=bindparam("to_last_error", type_=_j.c.last_error.type),
        updated_at=bindparam("to_updated_at", type_=_j.c.updated_at.type),
        finished_at=bindparam("to_finished_at", type_=_j.c.finished_at.type),
        lease_token=None,
        lease_until=None,
        handed_off_until=None,
    )
)
_RECORD_EFFECT = (
    update(_j).where(_j.c.id == _JOB_ID, _j.c.effect_at.is_(None)).values(effect_at=_NOW)
)
_INSERT_NEW = {
    "sqlite": sqlite.insert(_j).on_conflict_do_nothing(index_elements=["kind", "idempotency_key"]),
    "mysql": mysql.insert(_j).on_duplicate_key_update(kind=_j.c.kind),
}


def new_job_row(
    kind: str,
    payload: Mapping[str, Any],
    idempotency_key: str | None,
    run_after: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "idempotency_key": idempotency_key or uuid.uuid4().hex,
        "payload": with_origin(dict(payload)),
        "status": QUEUED,
        "attempts": 0,
        "run_after": run_after or now,
        "created_at": now,
        "updated_at": now,
    }


class SqlaJobs:
    def __init__(self, conn: AsyncConnection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._pending: list[dict[str, Any]] = []

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        run_after: datetime | None = None,
    ) -> None:
        self._pending.append(
            new_job_row(kind, payload, idempotency_key, run_after, self._clock.now())
        )

    async def flush(self) -> None:
        """Write the enqueued jobs (the unit of work calls it as it commits); a job whose
        kind and key are stored already is left out."""
        rows, self._pending = self._pending, []
        if rows:
            await insert_many(self._conn, self._insert_new(), rows)

    def _insert_new(self) -> Any:
        name = self._conn.dialect.name
        statement = _INSERT_NEW.get("mysql" if name == "mariadb" else name)
        return insert(t.jobs) if statement is None else statement

    def _skip_locked(self) -> bool:
        dialect = self._conn.dialect
        name = "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name
        since = SKIP_LOCKED_SINCE.get(name)
        version = dialect.server_version_info or ()
        return since is not None and tuple(version[: len(since)]) >= since

    async def claim_next(self, now: datetime, lease: Lease) -> Job | None:
        j = t.jobs
        query = select(j.c.id).where(_due(now)).order_by(j.c.run_after, j.c.id).limit(1)
        if self._skip_locked():
            query = query.with_for_update(skip_locked=True)
        job_id = (await self._conn.execute(query)).scalar()
        if job_id is None:
            return None
        return await self.claim(int(job_id), now, lease)

    async def claim_due(self, now: datetime, lease: Lease, *, limit: int) -> list[Job]:
        """Three statements for the lot: the due ids (rows locked, others' locked rows
        skipped where the server can), the claim of those still due, and the claimed rows
        (those now holding this lease's token)."""
        query = _DUE_IDS_SKIPPING if self._skip_locked() else _DUE_IDS
        found = await self._conn.execute(query, {"now": now, "limit": limit})
        ids = [int(job_id) for job_id in found.scalars()]
        if not ids:
            return []
        held = {"ids": ids, "now": now, "token": lease.token, "until": lease.until}
        await self._conn.execute(_CLAIM, held)
        return [_job(row) for row in await self._conn.execute(_CLAIMED, held)]

    async def claim(self, job_id: int, now: datetime, lease: Lease) -> Job | None:
        """The update is the claim: of two workers after the same job, the second finds it
        no longer due (it waits for the first's row lock, then reads its commit)."""
        j = t.jobs
        claimed = await self._conn.execute(
            update(j)
            .where(j.c.id == job_id, _due(now))
            .values(
                status=RUNNING,
                attempts=j.c.attempts + 1,
                lease_token=lease.token,
                lease_until=lease.until,
                updated_at=now,
            )
        )
        if claimed.rowcount != 1:
            return None
        return await self.get(job_id)

    async def renew(self, job_id: int, lease: Lease) -> bool:
        j = t.jobs
        renewed = await self._conn.execute(
            update(j)
            .where(j.c.id == job_id, j.c.status == RUNNING, j.c.lease_token == lease.token)
            .values(lease_until=lease.until)
        )
        return bool(renewed.rowcount == 1)

    async def release(self, job: Job, token: str) -> bool:
        released = await self._conn.execute(
            _RELEASE,
            {
                "job_id": job.id,
                "token": token,
                "to_status": job.status.value,
                "to_run_after": job.run_after,
                "to_last_error": job.last_error,
                "to_updated_at": job.updated_at,
                "to_finished_at": job.finished_at,
            },
        )
        return bool(released.rowcount == 1)

    async def record_effect(self, job_id: int, now: datetime) -> None:
        await self._conn.execute(_RECORD_EFFECT, {"job_id": job_id, "now": now})

    async def forget_effect(self, job_id: int) -> None:
        j = t.jobs
        await self._conn.execute(update(j).where(j.c.id == job_id).values(effect_at=None))

    async def hand_back(self, job_id: int, token: str, now: datetime) -> bool:
        j = t.jobs
        handed = await self._conn.execute(
            update(j)
            .where(j.c.id == job_id, j.c.status == RUNNING, j.c.lease_token == token)
            .values(
                status=QUEUED,
                attempts=case((j.c.attempts > 0, j.c.attempts - 1), else_=0),
                run_after=now,
                updated_at=now,
                lease_token=None,
                lease_until=None,
                handed_off_until=None,
            )
        )
        return bool(handed.rowcount == 1)

    async def counts(self, statuses: Collection[JobStatus]) -> dict[JobStatus, int]:
        """One indexed GROUP BY over the statuses asked (the status index leads with it)."""
        j = t.jobs
        wanted = [status.value for status in statuses]
        rows = await self._conn.execute(
            select(j.c.status, func.count()).where(j.c.status.in_(wanted)).group_by(j.c.status)
        )
        found = {str(status): int(count) for status, count in rows}
        return {status: found.get(status.value, 0) for status in statuses}

    async def hand_off(self, now: datetime, until: datetime, *, limit: int) -> list[int]:
        j = t.jobs
        free = or_(j.c.handed_off_until.is_(None), j.c.handed_off_until < now)
        query = select(j.c.id).where(_due(now), free).order_by(j.c.run_after, j.c.id).limit(limit)
        if self._skip_locked():
            query = query.with_for_update(skip_locked=True)
        ids = [int(job_id) for job_id in (await self._conn.execute(query)).scalars()]
        if not ids:
            return []
        await self._conn.execute(
            update(j).where(j.c.id.in_(ids), free).values(handed_off_until=until)
        )
        return ids

    async def get(self, job_id: int, *, for_update: bool = False) -> Job | None:
        query = select(t.jobs).where(t.jobs.c.id == job_id)
        row = (await self._conn.execute(query.with_for_update() if for_update else query)).first()
        return _job(row) if row else None

    async def page(self, status: JobStatus | None, *, skip: int, limit: int) -> list[Job]:
        j = t.jobs
        query = select(j).order_by(j.c.id.desc()).offset(skip).limit(limit)
        if status is not None:
            query = query.where(j.c.status == status.value)
        return [_job(row) for row in await self._conn.execute(query)]

    async def update(self, job: Job) -> None:
        """An admin's change; the request that made it becomes the job's origin."""
        j = t.jobs
        await self._conn.execute(
            update(j)
            .where(j.c.id == job.id)
            .values(
                payload=with_origin(dict(job.payload)),
                status=job.status.value,
                attempts=job.attempts,
                run_after=job.run_after,
                last_error=job.last_error,
                updated_at=job.updated_at,
                finished_at=job.finished_at,
                lease_token=None,
                lease_until=None,
                handed_off_until=None,
            )
        )

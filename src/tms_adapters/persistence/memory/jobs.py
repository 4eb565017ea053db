"""The job store in memory, behaving as the SQL one does (the same contract tests)."""

from __future__ import annotations

import copy
import uuid
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tms_adapters.tracing import with_origin
from tms_domain.kernel import Clock
from tms_domain.kernel.jobs import Job, JobStatus, Lease


@dataclass
class StoredJob:
    job: Job
    lease: Lease | None = None
    handed_off_until: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self.job.status is JobStatus.QUEUED:
            return self.job.run_after <= now
        return (
            self.job.status is JobStatus.RUNNING
            and self.lease is not None
            and self.lease.until < now
        )

    def held_by(self, token: str) -> bool:
        return (
            self.job.status is JobStatus.RUNNING
            and self.lease is not None
            and self.lease.token == token
        )


@dataclass
class JobTable:
    rows: dict[int, StoredJob] = field(default_factory=dict)
    keys: set[tuple[str, str]] = field(default_factory=set)
    last_id: int = 0


class MemoryJobs:
    def __init__(self, table: JobTable, clock: Clock) -> None:
        self._t = table
        self._clock = clock
        self._pending: list[Job] = []

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        run_after: datetime | None = None,
    ) -> None:
        now = self._clock.now()
        self._pending.append(
            Job(
                id=0,
                kind=kind,
                payload=with_origin(copy.deepcopy(dict(payload))),
                idempotency_key=idempotency_key or uuid.uuid4().hex,
                status=JobStatus.QUEUED,
                attempts=0,
                run_after=run_after or now,
                created_at=now,
                updated_at=now,
            )
        )

    async def flush(self) -> None:
        jobs, self._pending = self._pending, []
        for job in jobs:
            key = (job.kind, job.idempotency_key)
            if key in self._t.keys:
                continue
            self._t.keys.add(key)
            self._t.last_id += 1
            job.id = self._t.last_id
            self._t.rows[job.id] = StoredJob(job)

    def _in_order(self, now: datetime) -> list[StoredJob]:
        due = [row for row in self._t.rows.values() if row.due(now)]
        return sorted(due, key=lambda row: (row.job.run_after, row.job.id))

    async def claim_next(self, now: datetime, lease: Lease) -> Job | None:
        due = self._in_order(now)
        return await self.claim(due[0].job.id, now, lease) if due else None

    async def claim_due(self, now: datetime, lease: Lease, *, limit: int) -> list[Job]:
        claimed = []
        for row in self._in_order(now)[:limit]:
            job = await self.claim(row.job.id, now, lease)
            if job is not None:
                claimed.append(job)
        return claimed

    async def claim(self, job_id: int, now: datetime, lease: Lease) -> Job | None:
        row = self._t.rows.get(job_id)
        if row is None or not row.due(now):
            return None
        row.job.status = JobStatus.RUNNING
        row.job.attempts += 1
        row.job.updated_at = now
        row.lease = lease
        return copy.deepcopy(row.job)

    async def renew(self, job_id: int, lease: Lease) -> bool:
        row = self._t.rows.get(job_id)
        if row is None or not row.held_by(lease.token):
            return False
        row.lease = lease
        return True

    async def release(self, job: Job, token: str) -> bool:
        row = self._t.rows.get(job.id)
        if row is None or not row.held_by(token):
            return False
        stored = copy.deepcopy(job)
        stored.attempts = row.job.attempts
        stored.effect_at = row.job.effect_at
        self._t.rows[job.id] = StoredJob(stored)
        return True

    async def record_effect(self, job_id: int, now: datetime) -> None:
        row = self._t.rows.get(job_id)
        if row is not None and row.job.effect_at is None:
            row.job.effect_at = now

    async def forget_effect(self, job_id: int) -> None:
        row = self._t.rows.get(job_id)
        if row is not None:
            row.job.effect_at = None

    async def hand_back(self, job_id: int, token: str, now: datetime) -> bool:
        row = self._t.rows.get(job_id)
        if row is None or not row.held_by(token):
            return False
        row.job.status = JobStatus.QUEUED
        row.job.attempts = max(row.job.attempts - 1, 0)
        row.job.run_after = now
        row.job.updated_at = now
        row.lease = None
        row.handed_off_until = None
        return True

    async def counts(self, statuses: Collection[JobStatus]) -> dict[JobStatus, int]:
        found = Counter(row.job.status for row in self._t.rows.values())
        return {status: found[status] for status in statuses}

    async def hand_off(self, now: datetime, until: datetime, *, limit: int) -> list[int]:
        free = [
            row
            for row in self._in_order(now)
            if row.handed_off_until is None or row.handed_off_until < now
        ][:limit]
        for row in free:
            row.handed_off_until = until
        return [row.job.id for row in free]

    async def get(self, job_id: int, *, for_update: bool = False) -> Job | None:
        # A writing unit of work holds the store's lock: every read in it is "for update".
        row = self._t.rows.get(job_id)
        return copy.deepcopy(row.job) if row else None

    async def page(self, status: JobStatus | None, *, skip: int, limit: int) -> list[Job]:
        jobs = [
            row.job
            for row in sorted(self._t.rows.values(), key=lambda row: -row.job.id)
            if status is None or row.job.status is status
        ]
        return copy.deepcopy(jobs[skip : skip + limit])

    async def update(self, job: Job) -> None:
        """An admin's change; the request that made it becomes the job's origin."""
        if job.id in self._t.rows:
            stored = copy.deepcopy(job)
            stored.payload = with_origin(stored.payload)
            stored.effect_at = self._t.rows[job.id].job.effect_at
            self._t.rows[job.id] = StoredJob(stored)

"""Background jobs: work that must happen after a commit and survive a crash.

A use case enqueues a job in its unit of work (``uow.jobs.enqueue``); the job is stored by
the same commit as its cause, so it exists exactly when the cause does. A worker claims it
with a lease, runs the handler registered for its kind, and records the outcome: done,
queued again after a backoff, or dead-lettered (``failed``) for an admin to see and retry.
A worker that dies leaves its lease to expire, and the job is claimed again: handlers run
at least once, so each makes its effect happen once with the job's idempotency key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tms_domain.kernel.errors import Conflict

MAX_ERROR_LENGTH = 2000
"""The part of a failure's message kept with the job."""
ORIGIN_KEY = "_origin"
"""Where the store keeps, in a job's payload, what caused it (the request id); handlers are
given the payload without it."""


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """The dead letter: attempts used up, or a permanent failure; waits for an admin."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a failing job is tried again, and how long a claim holds."""

    max_attempts: int = 5
    backoff: timedelta = timedelta(seconds=10)
    """The wait after the first failure; it doubles with each further one."""
    max_backoff: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(seconds=60)

    def delay(self, attempts: int) -> timedelta:
        """The wait before attempt ``attempts + 1``: exponential, capped."""
        delay: timedelta = self.backoff * (2 ** max(attempts - 1, 0))
        return min(delay, self.max_backoff)


@dataclass
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    status: JobStatus
    attempts: int
    """Claims so far: the attempt running now, when running."""
    run_after: datetime
    created_at: datetime
    updated_at: datetime
    last_error: str | None = None
    finished_at: datetime | None = None
    effect_at: datetime | None = None
    """When the handler's effect was made (a message the mail server accepted), recorded
    by the handler in a commit of its own right after it: a job claimed again with it set
    is completed without running its handler again."""

    @property
    def request_id(self) -> str | None:
        """The id of the request whose unit of work enqueued the job, when one did."""
        origin = self.payload.get(ORIGIN_KEY)
        value = origin.get("request_id") if isinstance(origin, dict) else None
        return value if isinstance(value, str) else None

    @property
    def handler_payload(self) -> dict[str, Any]:
        return {key: value for key, value in self.payload.items() if key != ORIGIN_KEY}

    def succeed(self, now: datetime) -> None:
        self.status = JobStatus.SUCCEEDED
        self.finished_at = now
        self.updated_at = now

    def fail(self, error: str, now: datetime, policy: RetryPolicy, *, permanent: bool) -> bool:
        """Queue the job again after a backoff, or dead-letter it when the failure is
        permanent or its attempts are used up. True when dead-lettered."""
        self.last_error = error[:MAX_ERROR_LENGTH]
        self.updated_at = now
        if permanent or self.attempts >= policy.max_attempts:
            self.status = JobStatus.FAILED
            self.finished_at = now
            return True
        self.status = JobStatus.QUEUED
        self.run_after = now + policy.delay(self.attempts)
        return False

    def retry(self, now: datetime) -> None:
        """An admin's second chance for a dead-lettered job: a full set of attempts, now."""
        if self.status is not JobStatus.FAILED:
            raise Conflict("Only a failed job can be retried")
        self.status = JobStatus.QUEUED
        self.attempts = 0
        self.run_after = now
        self.finished_at = None
        self.updated_at = now


@dataclass(frozen=True)
class Lease:
    """A worker's claim on a job: the job is its own until ``until`` unless renewed."""

    token: str
    until: datetime


async def _nowhere() -> None:
    return None


async def _make_at_once(make: Callable[[], None]) -> None:
    make()


class Completes(Protocol):
    """What ``JobContext.complete_in`` is given: the job store of the handler's own unit of
    work (``uow.jobs``)."""

    async def release(self, job: Job, token: str) -> bool: ...


async def _not_in_a_transaction(_jobs: Completes) -> bool:
    return False


@dataclass(frozen=True)
class JobContext:
    """What a handler is given. ``idempotency_key`` is the same on every attempt: a handler
    whose effect must happen once records it with the key (a unique row, a message id).

    A handler whose effect is outside the database (a message handed to a mail server)
    awaits ``record_effect()`` the moment the effect is made: it commits a marker on the job
    before the job is released, so a worker killed in between leaves a job that is
    completed, not run again, when it is claimed next. A handler that can commit that
    marker just before the effect instead (at most once) awaits ``claim_effect(make)``
    with the step that makes the effect, synchronous and quick (the final "." of a message
    already in the mail server's hands): the marker is committed and ``make()`` is called
    right after the commit returns, with nothing awaited in between, so that a worker killed
    between the two is as unlikely as it can be. It raises, without calling ``make``, when
    the marker could not be committed. ``forget_effect()`` clears the marker when the effect
    then was refused (or ``make`` raised), so that the job may run again.

    A handler whose effect is a write of its own (a delivery's log row) may instead await
    ``complete_in(uow.jobs)`` before its commit: the job is released as succeeded by that
    same commit, so the effect and the job's end are stored together or not at all (and
    the worker saves a transaction). It returns False when the worker no longer holds the
    job (its lease ended and another took it over); the handler's commit goes on, and the
    job is left to its new holder."""

    id: int
    kind: str
    payload: Mapping[str, Any]
    idempotency_key: str
    attempt: int
    record_effect: Callable[[], Awaitable[None]] = _nowhere
    claim_effect: Callable[[Callable[[], None]], Awaitable[None]] = _make_at_once
    forget_effect: Callable[[], Awaitable[None]] = _nowhere
    complete_in: Callable[[Completes], Awaitable[bool]] = _not_in_a_transaction


JobHandler = Callable[[JobContext], Awaitable[None]]


class PermanentJobFailure(Exception):
    """Raised by a handler when trying again cannot help (a recipient refused for good):
    the job is dead-lettered at once instead of retried."""


class JobQueue(Protocol):
    """What a use case sees: work to do after its commit."""

    def enqueue(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        run_after: datetime | None = None,
    ) -> None:
        """Store a job with the unit of work's commit. A second job of the same kind and
        key (in this commit or any earlier one) is not stored: enqueueing is idempotent.
        Without a key the job gets a unique one."""
        ...


class JobLedger(Protocol):
    """What workers use: claims under a lease, and outcomes written only by the holder."""

    async def claim_next(self, now: datetime, lease: Lease) -> Job | None:
        """Take the job due first (queued and due, or running with an expired lease): its
        attempts go up by one and it is the lease's until the lease ends."""
        ...

    async def claim(self, job_id: int, now: datetime, lease: Lease) -> Job | None:
        """Take that job when it is due, as ``claim_next`` does; None when it is not."""
        ...

    async def claim_due(self, now: datetime, lease: Lease, *, limit: int) -> list[Job]:
        """Take up to ``limit`` due jobs at once, in the order ``claim_next`` takes them,
        all under the one lease (each is released, renewed or handed back on its own)."""
        ...

    async def renew(self, job_id: int, lease: Lease) -> bool:
        """Extend a held lease; False when it is no longer held (another worker took over)."""
        ...

    async def release(self, job: Job, token: str) -> bool:
        """Store the job's outcome and end the lease; False (nothing written) when the
        lease ``token`` no longer holds the job."""
        ...

    async def record_effect(self, job_id: int, now: datetime) -> None:
        """Mark the job's effect as made (``Job.effect_at``), whoever holds it now: the
        effect happened, and nothing may make it again."""
        ...

    async def forget_effect(self, job_id: int) -> None:
        """Clear the job's effect marker: the effect claimed before it was made was refused."""
        ...

    async def hand_back(self, job_id: int, token: str, now: datetime) -> bool:
        """A job its worker gives up unfinished (the process is stopping): queued again,
        due ``now``, its attempt not counted; False when ``token`` no longer holds it."""
        ...

    async def hand_off(self, now: datetime, until: datetime, *, limit: int) -> list[int]:
        """For an external queue: the due jobs not handed off since ``now``, marked as
        handed off until ``until`` (handed again after that, when still due)."""
        ...


class JobRecords(Protocol):
    """What admins see and change."""

    async def get(self, job_id: int, *, for_update: bool = False) -> Job | None:
        """``for_update``: the row stays locked until the unit of work ends, so a change
        decided on what was read cannot cross another."""
        ...

    async def page(self, status: JobStatus | None, *, skip: int, limit: int) -> list[Job]:
        """Newest first."""
        ...

    async def update(self, job: Job) -> None: ...

    async def counts(self, statuses: Collection[JobStatus]) -> dict[JobStatus, int]:
        """How many jobs have each of these statuses (for metrics: cheap, by index)."""
        ...


class Jobs(JobQueue, JobLedger, JobRecords, Protocol):
    """The job store of a unit of work."""


@dataclass
class JobHandlers:
    """The registry: one handler per kind, added by the areas (and by plugins)."""

    _handlers: dict[str, JobHandler] = field(default_factory=dict)

    def register(self, kind: str, handler: JobHandler) -> None:
        if kind in self._handlers:
            raise ValueError(f"A handler for job kind {kind!r} is registered already")
        self._handlers[kind] = handler

    def get(self, kind: str) -> JobHandler | None:
        return self._handlers.get(kind)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._handlers)

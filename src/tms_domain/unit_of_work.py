"""The unit of work: one transaction over every area's repositories, and what every use
case is given to open one."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from tms_domain.accounts import SignInRepository, UserRepository
from tms_domain.audit import AuditLog
from tms_domain.kernel import Clock, DomainEvent, EventStore
from tms_domain.kernel.jobs import Jobs
from tms_domain.training import AssignmentRepository, AttendanceRepository, SessionRepository


class UnitOfWork(Protocol):
    """One transaction. Leaving it without ``commit()`` rolls back."""

    users: UserRepository
    sign_ins: SignInRepository
    sessions: SessionRepository
    assignments: AssignmentRepository
    attendance: AttendanceRepository
    audit: AuditLog
    events: EventStore
    jobs: Jobs
    """Background work stored by ``commit()``, run after it."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def record(self, event: DomainEvent) -> None:
        """Keep an event to store at commit and publish after it."""
        ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


@dataclass(frozen=True)
class Core:
    """The ports every use case needs."""

    uow: UnitOfWorkFactory
    clock: Clock

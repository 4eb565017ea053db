"""The in-memory unit of work.

A writing unit of work holds the store's lock from start to end (as SQLite's write lock
does) and works on a copy of the state that replaces the store's only on commit, so leaving
without a commit changes nothing.
"""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Self

from tms_adapters.persistence.memory.accounts import (
    MemorySignInHistory,
    MemorySignInRepository,
    MemoryUserDirectory,
    MemoryUserRepository,
)
from tms_adapters.persistence.memory.analytics import MemoryAnalyticsQueries
from tms_adapters.persistence.memory.audit import MemoryAuditHistory, MemoryAuditLog
from tms_adapters.persistence.memory.events import MemoryEventStore
from tms_adapters.persistence.memory.jobs import MemoryJobs
from tms_adapters.persistence.memory.state import MemoryStore, State
from tms_adapters.persistence.memory.training import (
    MemoryAssignmentRepository,
    MemoryAttendanceRepository,
    MemorySessionRepository,
)
from tms_adapters.persistence.memory.training_queries import (
    MemoryAssignmentListing,
    MemoryAttendanceListing,
    MemorySessionListing,
    MemoryTraineeActivity,
    MemoryTrainingProgress,
)
from tms_adapters.persistence.memory.views import MemorySessionViews, MemoryUserViews
from tms_adapters.realtime.wire import to_wire
from tms_domain.accounts import (
    SignInHistory,
    SignInRepository,
    UserDirectory,
    UserRepository,
    UserViews,
)
from tms_domain.audit import AuditHistory, AuditLog
from tms_domain.kernel import Clock, DomainEvent, EventPublisher, EventStore, StoredEvent
from tms_domain.kernel.jobs import Jobs
from tms_domain.reporting import AnalyticsQueries
from tms_domain.training import (
    AssignmentListing,
    AssignmentRepository,
    AttendanceListing,
    AttendanceRepository,
    SessionListing,
    SessionRepository,
    TraineeActivity,
    TrainingProgress,
)
from tms_domain.training.views import SessionViews
from tms_domain.unit_of_work import UnitOfWorkFactory


class MemoryUnitOfWork:
    """Its repositories and queries are typed as their ports, which the type checker then
    holds each adapter to."""

    users: UserRepository
    sign_ins: SignInRepository
    sessions: SessionRepository
    assignments: AssignmentRepository
    attendance: AttendanceRepository
    audit: AuditLog
    events: EventStore
    user_directory: UserDirectory
    user_views: UserViews
    session_views: SessionViews
    sign_in_history: SignInHistory
    session_listing: SessionListing
    assignment_listing: AssignmentListing
    attendance_listing: AttendanceListing
    progress: TrainingProgress
    trainee_activity: TraineeActivity
    analytics: AnalyticsQueries
    audit_history: AuditHistory
    jobs: Jobs

    def __init__(
        self, store: MemoryStore, clock: Clock, publisher: EventPublisher, *, read_only: bool
    ) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher
        self._read_only = read_only
        self._pending: list[StoredEvent] = []
        self._holds_lock = False

    def _bind(self, state: State) -> None:
        self._state = state
        self.users = MemoryUserRepository(state)
        self.sign_ins = MemorySignInRepository(state)
        self.sessions = MemorySessionRepository(state)
        self.assignments = MemoryAssignmentRepository(state)
        self.attendance = MemoryAttendanceRepository(state)
        self.audit = MemoryAuditLog(state)
        self.events = MemoryEventStore(state, self._clock)
        self.jobs = self._jobs = MemoryJobs(state.jobs, self._clock)
        self.user_directory = MemoryUserDirectory(state)
        self.sign_in_history = MemorySignInHistory(state)
        self.session_listing = MemorySessionListing(state)
        self.assignment_listing = MemoryAssignmentListing(state)
        self.attendance_listing = MemoryAttendanceListing(state)
        self.progress = MemoryTrainingProgress(state)
        self.trainee_activity = MemoryTraineeActivity(state)
        self.analytics = MemoryAnalyticsQueries(state)
        self.audit_history = MemoryAuditHistory(state)
        self.user_views = MemoryUserViews(state)
        self.session_views = MemorySessionViews(state)

    async def __aenter__(self) -> Self:
        if not self._read_only:
            await self._store.lock.acquire()
            self._holds_lock = True
        # Readers see the committed state as it is; the repositories hand out copies.
        state = self._store.state if self._read_only else copy.deepcopy(self._store.state)
        self._bind(state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pending.clear()
        if self._holds_lock:
            self._holds_lock = False
            self._store.lock.release()

    def record(self, event: DomainEvent) -> None:
        self._pending.append(to_wire(event))

    async def commit(self) -> None:
        events, self._pending = self._pending, []
        await self.events.append(events)
        await self._jobs.flush()
        if not self._read_only:
            self._store.state = self._state
            self._bind(copy.deepcopy(self._state))
        if events:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        self._pending.clear()
        self._bind(copy.deepcopy(self._store.state))


class MemoryUnitOfWorkFactory(UnitOfWorkFactory):
    """Declared a UnitOfWorkFactory so that the type checker holds every repository and query
    of the unit of work it makes to its port."""

    def __init__(self, store: MemoryStore, clock: Clock, publisher: EventPublisher) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self._store, self._clock, self._publisher, read_only=read_only)

"""The in-memory store and its unit of work.

A writing unit of work holds the store's lock from start to end (as SQLite's write lock
does) and works on a copy of the state that replaces the store's only on commit, so leaving
without a commit changes nothing.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import NamedTuple, Self

from tms_adapters.persistence.memory.jobs import JobTable, MemoryJobs
from tms_adapters.security.confusables import username_skeleton
from tms_domain.accounts import SignIn, User, login_key, login_keys, login_preference
from tms_domain.audit import AuditEntry, AuditQuery
from tms_domain.kernel import Clock, Conflict, DomainEvent, EventPublisher, Role
from tms_domain.training import Assignment, Attendance, SessionQuery, SessionStatus, TrainingSession


class Enrolment(NamedTuple):
    """Ordered by id first: a session's trainees come in enrolment order."""

    id: int
    enrolled_at: datetime


@dataclass
class State:
    users: dict[int, User] = field(default_factory=dict)
    skeletons: dict[int, str] = field(default_factory=dict)
    """user id -> the key of look-alike usernames (the SQL users.username_skeleton)."""
    sign_ins: dict[str, SignIn] = field(default_factory=dict)
    sessions: dict[int, TrainingSession] = field(default_factory=dict)
    enrolments: dict[tuple[int, int], Enrolment] = field(default_factory=dict)
    """(session id, trainee id) -> enrolment; the session objects keep no trainee list."""
    assignments: dict[int, Assignment] = field(default_factory=dict)
    attendance: dict[int, Attendance] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    """In id order."""
    events_for: dict[int, list[DomainEvent]] = field(default_factory=dict)
    """user id -> the events whose audience lists the user, in id order (the same objects)."""
    last_event_id: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    jobs: JobTable = field(default_factory=JobTable)

    def next_id(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


class MemoryStore:
    def __init__(self) -> None:
        self.state = State()
        self.lock = asyncio.Lock()


class MemoryUserRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _ensure_unique(self, user: User) -> str | None:
        """As the SQL tables' unique keys do. Returns the user's new skeleton: None when the
        name keeps its key, and so its skeleton."""
        before = self._s.users.get(user.id)
        renamed = before is None or login_key(before.username) != login_key(user.username)
        skeleton = username_skeleton(user.username) if renamed else None
        for other in self._s.users.values():
            if other.id == user.id:
                continue
            if login_key(other.username) == login_key(user.username):
                raise Conflict("A user with that username already exists")
            if skeleton is not None and self._s.skeletons.get(other.id) == skeleton:
                raise Conflict("That username looks too much like an existing one: choose another")
            if login_key(other.email) == login_key(user.email):
                raise Conflict("A user with that email already exists")
        return skeleton

    def _save(self, user: User, skeleton: str | None) -> None:
        self._s.users[user.id] = copy.deepcopy(user)
        if skeleton is not None:
            self._s.skeletons[user.id] = skeleton

    async def add(self, user: User) -> User:
        user.id = 0
        skeleton = self._ensure_unique(user)
        user.id = self._s.next_id("users")
        self._save(user, skeleton)
        return user

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        user = self._s.users.get(user_id)
        return copy.deepcopy(user) if user else None

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        return {i: copy.deepcopy(self._s.users[i]) for i in set(user_ids) if i in self._s.users}

    async def enrolled_in(self, session_ids: Sequence[int]) -> dict[int, User]:
        wanted = set(session_ids)
        return await self.get_many(t for s, t in self._s.enrolments if s in wanted)

    async def find_by_login(self, login: str) -> User | None:
        keys = login_keys(login)
        found = [
            u
            for u in self._s.users.values()
            if login_key(u.username) in keys or login_key(u.email) in keys
        ]
        if not found:
            return None
        best = min(
            found, key=lambda u: login_preference(login, login_key(u.username), login_key(u.email))
        )
        return copy.deepcopy(best)

    async def update(self, user: User) -> None:
        self._save(user, self._ensure_unique(user))

    async def delete(self, user_id: int) -> None:
        self._s.users.pop(user_id, None)
        self._s.skeletons.pop(user_id, None)
        s = self._s
        s.sign_ins = {k: v for k, v in s.sign_ins.items() if v.user_id != user_id}
        s.enrolments = {k: v for k, v in s.enrolments.items() if k[1] != user_id}
        s.assignments = {
            k: v for k, v in s.assignments.items() if user_id not in (v.student_id, v.teacher_id)
        }
        s.attendance = {k: v for k, v in s.attendance.items() if v.trainee_id != user_id}

    async def page(self, *, skip: int, limit: int, role: Role | None = None) -> list[User]:
        users = sorted(self._s.users.values(), key=lambda u: u.id)
        if role is not None:
            users = [u for u in users if u.role is role]
        return copy.deepcopy(users[skip : skip + limit])

    async def count_by_role(self) -> dict[Role, int]:
        counts = dict.fromkeys(Role, 0)
        for user in self._s.users.values():
            counts[user.role] += 1
        return counts

    async def count_trainees_without_sessions(self) -> int:
        enrolled = {trainee for _, trainee in self._s.enrolments}
        return sum(
            1 for u in self._s.users.values() if u.role is Role.TRAINEE and u.id not in enrolled
        )

    async def lock_many(self, user_ids: Iterable[int]) -> None:
        """The store's lock already serialises writers."""


class MemorySignInRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, sign_in: SignIn) -> None:
        self._s.sign_ins[sign_in.id] = replace(sign_in)

    async def get_with_user(self, sign_in_id: str) -> tuple[SignIn, User] | None:
        sign_in = self._s.sign_ins.get(sign_in_id)
        if sign_in is None or sign_in.user_id not in self._s.users:
            return None
        return replace(sign_in), copy.deepcopy(self._s.users[sign_in.user_id])

    async def revoke(self, sign_in_id: str, at: datetime) -> None:
        sign_in = self._s.sign_ins.get(sign_in_id)
        if sign_in is not None and sign_in.revoked_at is None:
            sign_in.revoked_at = at

    async def revoke_all(self, user_id: int, at: datetime, *, except_id: str | None = None) -> int:
        ended = 0
        for sign_in in self._s.sign_ins.values():
            if (
                sign_in.user_id == user_id
                and sign_in.revoked_at is None
                and sign_in.id != except_id
            ):
                sign_in.revoked_at = at
                ended += 1
        return ended

    async def prune(self, before: datetime) -> int:
        old = [k for k, v in self._s.sign_ins.items() if v.expires_at < before]
        for key in old:
            del self._s.sign_ins[key]
        return len(old)

    async def last_signed_in(self, user_ids: Sequence[int], until: datetime) -> dict[int, datetime]:
        wanted = set(user_ids)
        found: dict[int, datetime] = {}
        for sign_in in self._s.sign_ins.values():
            if sign_in.user_id not in wanted or sign_in.created_at > until:
                continue
            known = found.get(sign_in.user_id)
            if known is None or sign_in.created_at > known:
                found[sign_in.user_id] = sign_in.created_at
        return found


class MemorySessionRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    def _trainees(self, session_id: int) -> list[int]:
        pairs = [(e.id, tid) for (sid, tid), e in self._s.enrolments.items() if sid == session_id]
        return [tid for _, tid in sorted(pairs)]

    def _out(self, session: TrainingSession, *, with_trainees: bool = True) -> TrainingSession:
        trainees = self._trainees(session.id) if with_trainees else []
        return replace(session, trainee_ids=trainees)

    async def add(self, session: TrainingSession) -> TrainingSession:
        if any(s.session_link == session.session_link for s in self._s.sessions.values()):
            raise Conflict("That join link is already in use")
        session.id = self._s.next_id("sessions")
        self._s.sessions[session.id] = replace(session, trainee_ids=[])
        for trainee_id in session.trainee_ids:
            self._enrol(session.id, trainee_id, session.created_at)
        return session

    def _enrol(self, session_id: int, trainee_id: int, at: datetime) -> None:
        if (session_id, trainee_id) in self._s.enrolments:
            raise Conflict("The trainee is already enrolled in this session")
        enrolment = Enrolment(self._s.next_id("enrolments"), at)
        self._s.enrolments[(session_id, trainee_id)] = enrolment

    async def get(self, session_id: int, *, for_update: bool = False) -> TrainingSession | None:
        session = self._s.sessions.get(session_id)
        return self._out(session) if session else None

    async def get_by_link(self, session_link: str) -> TrainingSession | None:
        for session in self._s.sessions.values():
            if session.session_link == session_link:
                return self._out(session)
        return None

    async def update(self, session: TrainingSession) -> None:
        self._s.sessions[session.id] = replace(session, trainee_ids=[])
        current = self._trainees(session.id)
        wanted = list(dict.fromkeys(session.trainee_ids))
        for trainee_id in set(current) - set(wanted):
            del self._s.enrolments[(session.id, trainee_id)]
        for trainee_id in wanted:
            if trainee_id not in current:
                self._enrol(session.id, trainee_id, session.updated_at)

    async def delete(self, session_id: int) -> None:
        self._s.sessions.pop(session_id, None)
        s = self._s
        s.enrolments = {k: v for k, v in s.enrolments.items() if k[0] != session_id}
        s.attendance = {k: v for k, v in s.attendance.items() if v.session_id != session_id}

    async def page(self, query: SessionQuery) -> list[TrainingSession]:
        found = []
        for session in self._s.sessions.values():
            if query.status is not None and session.status is not query.status:
                continue
            if query.trainer_id is not None and session.trainer_id != query.trainer_id:
                continue
            if (
                query.trainee_id is not None
                and (session.id, query.trainee_id) not in self._s.enrolments
            ):
                continue
            if query.starts_from is not None and session.scheduled_date < query.starts_from:
                continue
            if query.starts_before is not None and session.scheduled_date >= query.starts_before:
                continue
            found.append(session)
        found.sort(key=lambda s: (s.scheduled_date, s.id), reverse=query.newest_first)
        return [self._out(s) for s in found[query.skip : query.skip + query.limit]]

    async def find_overlapping(
        self,
        start: datetime,
        end: datetime,
        *,
        trainer_id: int | None = None,
        trainee_ids: Sequence[int] = (),
        exclude_session_id: int | None = None,
    ) -> list[TrainingSession]:
        wanted = set(trainee_ids)
        found = []
        for session in self._s.sessions.values():
            if session.id == exclude_session_id or session.status is not SessionStatus.SCHEDULED:
                continue
            if not session.overlaps(start, end):
                continue
            if session.trainer_id == trainer_id or wanted & set(self._trainees(session.id)):
                found.append(self._out(session))
        found.sort(key=lambda s: (s.scheduled_date, s.id))
        return found[:10]

    async def add_trainee(self, session_id: int, trainee_id: int, at: datetime) -> None:
        self._enrol(session_id, trainee_id, at)

    async def remove_trainee(self, session_id: int, trainee_id: int) -> bool:
        return self._s.enrolments.pop((session_id, trainee_id), None) is not None

    async def count_by_status(self) -> dict[SessionStatus, int]:
        counts = dict.fromkeys(SessionStatus, 0)
        for session in self._s.sessions.values():
            counts[session.status] += 1
        return counts

    async def count_trained_by(self, trainer_id: int) -> int:
        return len(await self.ids_trained_by(trainer_id))

    async def ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(s.id for s in self._s.sessions.values() if s.trainer_id == trainer_id)

    async def trainee_ids_trained_by(self, trainer_id: int) -> list[int]:
        return sorted(
            {
                trainee_id
                for session_id, trainee_id in self._s.enrolments
                if self._s.sessions[session_id].trainer_id == trainer_id
            }
        )

    async def sessions_of_trainees(
        self, trainee_ids: Sequence[int]
    ) -> dict[int, list[TrainingSession]]:
        found: dict[int, list[TrainingSession]] = {}
        for session_id, trainee_id in self._s.enrolments:
            if trainee_id in trainee_ids and session_id in self._s.sessions:
                session = self._out(self._s.sessions[session_id], with_trainees=False)
                found.setdefault(trainee_id, []).append(session)
        for sessions in found.values():
            sessions.sort(key=lambda s: (s.scheduled_date, s.id))
        return found

    async def last_activity(
        self, trainee_ids: Sequence[int], until: datetime
    ) -> dict[int, datetime]:
        wanted = set(trainee_ids)
        moments: dict[int, list[datetime]] = {}
        for (session_id, trainee_id), enrolment in self._s.enrolments.items():
            if trainee_id not in wanted:
                continue
            session = self._s.sessions[session_id]
            moments.setdefault(trainee_id, []).append(enrolment.enrolled_at)
            if session.status is not SessionStatus.CANCELLED:
                moments[trainee_id].append(session.scheduled_date)
        for mark in self._s.attendance.values():
            if mark.trainee_id in wanted and mark.present:
                moments.setdefault(mark.trainee_id, []).append(mark.marked_at)
        latest = {i: max((m for m in ms if m <= until), default=None) for i, ms in moments.items()}
        return {i: m for i, m in latest.items() if m is not None}

    async def trainer_stats(self) -> dict[int, tuple[int, int]]:
        stats: dict[int, tuple[int, int]] = {}
        for session in self._s.sessions.values():
            if session.status is SessionStatus.CANCELLED:
                continue
            count, minutes = stats.get(session.trainer_id, (0, 0))
            done = session.duration_minutes if session.status is SessionStatus.COMPLETED else 0
            stats[session.trainer_id] = (count + 1, minutes + done)
        return stats


class MemoryAssignmentRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def add(self, assignment: Assignment) -> Assignment:
        if await self.is_assigned(assignment.student_id, assignment.teacher_id):
            raise Conflict("The trainee is already assigned to this trainer")
        assignment.id = self._s.next_id("assignments")
        self._s.assignments[assignment.id] = replace(assignment)
        return assignment

    async def get(self, student_id: int, teacher_id: int) -> Assignment | None:
        for assignment in self._s.assignments.values():
            if (assignment.student_id, assignment.teacher_id) == (student_id, teacher_id):
                return replace(assignment)
        return None

    async def delete(self, student_id: int, teacher_id: int) -> bool:
        found = await self.get(student_id, teacher_id)
        if found is None:
            return False
        del self._s.assignments[found.id]
        return True

    async def page(
        self,
        *,
        skip: int,
        limit: int,
        student_id: int | None = None,
        teacher_id: int | None = None,
    ) -> list[Assignment]:
        found = [
            replace(a)
            for a in sorted(self._s.assignments.values(), key=lambda a: a.id)
            if (student_id is None or a.student_id == student_id)
            and (teacher_id is None or a.teacher_id == teacher_id)
        ]
        return found[skip : skip + limit]

    async def is_assigned(self, student_id: int, teacher_id: int) -> bool:
        return await self.get(student_id, teacher_id) is not None

    async def student_ids_of(self, teacher_id: int) -> list[int]:
        return sorted(
            a.student_id for a in self._s.assignments.values() if a.teacher_id == teacher_id
        )

    async def teacher_ids_of(self, student_id: int) -> list[int]:
        return sorted(
            a.teacher_id for a in self._s.assignments.values() if a.student_id == student_id
        )


class MemoryAttendanceRepository:
    def __init__(self, state: State) -> None:
        self._s = state

    async def get(self, attendance_id: int) -> Attendance | None:
        found = self._s.attendance.get(attendance_id)
        return replace(found) if found else None

    async def find(self, session_id: int, trainee_id: int) -> Attendance | None:
        for record in self._s.attendance.values():
            if (record.session_id, record.trainee_id) == (session_id, trainee_id):
                return replace(record)
        return None

    async def add(self, attendance: Attendance) -> Attendance:
        if await self.find(attendance.session_id, attendance.trainee_id) is not None:
            raise Conflict("Attendance for this trainee is already being marked")
        attendance.id = self._s.next_id("attendance")
        self._s.attendance[attendance.id] = replace(attendance)
        return attendance

    async def update(self, attendance: Attendance) -> None:
        self._s.attendance[attendance.id] = replace(attendance)

    async def delete(self, attendance_id: int) -> None:
        self._s.attendance.pop(attendance_id, None)

    async def list_for_session(self, session_id: int) -> list[Attendance]:
        return [
            replace(a)
            for a in sorted(self._s.attendance.values(), key=lambda a: a.id)
            if a.session_id == session_id
        ]

    async def list_for_trainee(self, trainee_id: int, *, skip: int, limit: int) -> list[Attendance]:
        found = [
            replace(a)
            for a in sorted(self._s.attendance.values(), key=lambda a: (a.marked_at, a.id))
            if a.trainee_id == trainee_id
        ]
        return found[skip : skip + limit]

    async def count_for_trainee(self, trainee_id: int) -> int:
        return sum(1 for a in self._s.attendance.values() if a.trainee_id == trainee_id)

    def _present(self, session_id: int, trainee_id: int) -> bool:
        return any(
            a.present
            for a in self._s.attendance.values()
            if (a.session_id, a.trainee_id) == (session_id, trainee_id)
        )

    async def progress(self, trainee_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        found: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if trainee_id not in trainee_ids or session is None:
                continue
            if session.status is SessionStatus.CANCELLED:
                continue
            total, attended = found.get(trainee_id, (0, 0))
            found[trainee_id] = (total + 1, attended + self._present(session_id, trainee_id))
        return found

    async def rates(self) -> tuple[int, int, dict[int, tuple[int, int]]]:
        per_trainer: dict[int, tuple[int, int]] = {}
        for session_id, trainee_id in self._s.enrolments:
            session = self._s.sessions.get(session_id)
            if session is None or session.status is not SessionStatus.COMPLETED:
                continue
            total, attended = per_trainer.get(session.trainer_id, (0, 0))
            per_trainer[session.trainer_id] = (
                total + 1,
                attended + self._present(session_id, trainee_id),
            )
        enrolled = sum(total for total, _ in per_trainer.values())
        attended = sum(count for _, count in per_trainer.values())
        return enrolled, attended, per_trainer


class MemoryAuditLog:
    def __init__(self, state: State) -> None:
        self._s = state

    async def record(self, entry: AuditEntry) -> None:
        self._s.audit.append(replace(entry, id=self._s.next_id("audit")))

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        found = [
            replace(e)
            for e in reversed(self._s.audit)
            if (query.actor_id is None or e.actor_id == query.actor_id)
            and (query.action is None or e.action == query.action)
            and (query.target_type is None or e.target_type == query.target_type)
            and (query.target_id is None or e.target_id == query.target_id)
            and (query.at_from is None or e.at >= query.at_from)
            and (query.at_before is None or e.at < query.at_before)
        ]
        return found[query.skip : query.skip + query.limit]


def _event_id(event: DomainEvent) -> int:
    return event.id or 0


class MemoryEventStore:
    def __init__(self, state: State, clock: Clock) -> None:
        self._s = state
        self._clock = clock

    async def append(self, events: Sequence[DomainEvent]) -> None:
        now = self._clock.now()
        for event in events:
            self._s.last_event_id += 1
            event.id = self._s.last_event_id
            event.at = now
            stored = copy.deepcopy(event)
            self._s.events.append(stored)
            for user_id in event.audience.user_ids:
                self._s.events_for.setdefault(user_id, []).append(stored)

    async def since(self, last_id: int, *, limit: int) -> list[DomainEvent]:
        events = self._s.events
        start = bisect.bisect_right(events, last_id, key=_event_id)
        return copy.deepcopy(events[start : start + limit])

    async def replay(
        self, user_id: int | None, after: int, until: int, *, limit: int, not_before: datetime
    ) -> list[DomainEvent] | None:
        if after >= until:
            return []
        events = self._s.events
        found = bisect.bisect_right(events, after, key=_event_id)
        first = events[found] if found < len(events) else None
        if first is None or first.id != after + 1 or first.at is None or first.at < not_before:
            return None
        listed = events if user_id is None else self._s.events_for.get(user_id, [])
        start = bisect.bisect_right(listed, after, key=_event_id)
        end = bisect.bisect_right(listed, until, key=_event_id)
        if end - start > limit:
            return None
        return copy.deepcopy(listed[start:end])

    async def last_id(self) -> int:
        return self._s.last_event_id

    async def prune(self, before: datetime) -> int:
        def kept(events: list[DomainEvent]) -> list[DomainEvent]:
            return [e for e in events if e.at is not None and e.at >= before]

        pruned = len(self._s.events)
        self._s.events = kept(self._s.events)
        pruned -= len(self._s.events)
        self._s.events_for = {
            user_id: left
            for user_id, events in self._s.events_for.items()
            if (left := kept(events))
        }
        return pruned


class MemoryUnitOfWork:
    def __init__(
        self, store: MemoryStore, clock: Clock, publisher: EventPublisher, *, read_only: bool
    ) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher
        self._read_only = read_only
        self._pending: list[DomainEvent] = []
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
        self.jobs = MemoryJobs(state.jobs, self._clock)

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
        self._pending.append(event)

    async def commit(self) -> None:
        events, self._pending = self._pending, []
        await self.events.append(events)
        await self.jobs.flush()
        if not self._read_only:
            self._store.state = self._state
            self._bind(copy.deepcopy(self._state))
        if events:
            await self._publisher.publish(events)

    async def rollback(self) -> None:
        self._pending.clear()
        self._bind(copy.deepcopy(self._store.state))


class MemoryUnitOfWorkFactory:
    def __init__(self, store: MemoryStore, clock: Clock, publisher: EventPublisher) -> None:
        self._store = store
        self._clock = clock
        self._publisher = publisher

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self._store, self._clock, self._publisher, read_only=read_only)

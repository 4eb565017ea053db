"""The legacy import's store in memory: the other memory repositories, one row at a time,
and the map of legacy ids kept in the state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tms_adapters.persistence.memory.accounts import MemoryUserRepository
from tms_adapters.persistence.memory.state import Enrolment, State
from tms_adapters.persistence.memory.training import (
    MemoryAssignmentRepository,
    MemoryAttendanceRepository,
    MemorySessionRepository,
)
from tms_domain.accounts import User
from tms_domain.audit import AuditEntry
from tms_domain.kernel import Conflict
from tms_domain.legacy import Kind
from tms_domain.training import Assignment, Attendance, TrainingSession


class MemoryLegacyImportStore:
    def __init__(self, state: State) -> None:
        self._s = state

    async def mapped(self, kind: Kind) -> dict[int, int]:
        return dict(self._s.legacy_ids.get(kind.value, {}))

    async def refusals(self, users: Sequence[User]) -> list[str | None]:
        trial = replace(
            self._s,
            users=dict(self._s.users),
            skeletons=dict(self._s.skeletons),
            counters=dict(self._s.counters),
        )
        repository = MemoryUserRepository(trial)
        found: list[str | None] = []
        for user in users:
            try:
                await repository.add(replace(user))
            except Conflict as error:
                found.append(error.message)
            else:
                found.append(None)
        return found

    async def taken_join_links(self, links: Sequence[str]) -> set[str]:
        used = {s.session_link for s in self._s.sessions.values()}
        return {link for link in links if link in used}

    async def add_users(self, users: Sequence[User]) -> list[int]:
        repository = MemoryUserRepository(self._s)
        return [(await repository.add(replace(user))).id for user in users]

    async def add_sessions(self, sessions: Sequence[TrainingSession]) -> list[int]:
        repository = MemorySessionRepository(self._s)
        return [(await repository.add(replace(session, trainee_ids=[]))).id for session in sessions]

    async def add_enrolments(self, enrolments: Sequence[tuple[int, int, datetime]]) -> list[int]:
        ids = []
        for session_id, trainee_id, at in enrolments:
            if (session_id, trainee_id) in self._s.enrolments:
                raise Conflict("The trainee is already enrolled in this session")
            enrolment = Enrolment(self._s.next_id("enrolments"), at)
            self._s.enrolments[(session_id, trainee_id)] = enrolment
            ids.append(enrolment.id)
        return ids

    async def add_assignments(self, assignments: Sequence[Assignment]) -> list[int]:
        repository = MemoryAssignmentRepository(self._s)
        return [(await repository.add(replace(a))).id for a in assignments]

    async def add_attendance(self, marks: Sequence[Attendance]) -> list[int]:
        repository = MemoryAttendanceRepository(self._s)
        return [(await repository.add(replace(mark))).id for mark in marks]

    async def add_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        ids = []
        for entry in entries:
            ids.append(self._s.next_id("audit"))
            self._s.audit.append(replace(entry, id=ids[-1]))
        return ids

    async def remember(self, kind: Kind, pairs: Sequence[tuple[int, int]]) -> None:
        known = self._s.legacy_ids.setdefault(kind.value, {})
        for legacy_id, new_id in pairs:
            if legacy_id in known:
                raise Conflict(f"legacy {kind.value} #{legacy_id} was brought over already")
            known[legacy_id] = new_id

"""Invariants of the training rules under any sequence of changes (hypothesis, stateful).

The machine drives the real use cases over the in-memory adapters and keeps its own,
much simpler, model of what should be true. After every step it checks that progress is
what the model says (attended / enrolled non-cancelled sessions, 0..100), that nobody is
double-booked among scheduled sessions, and that no trainee has two attendance records
for one session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from conftest import FakeClock, make_settings
from support import TRAINING_START, add_user
from tms_domain.accounts import Actor
from tms_domain.kernel import BadRequest, Conflict, NotFound, Role
from tms_domain.training import SessionChanges, SessionStatus
from tms_domain.training.use_cases.sessions import NewSession
from tms_entrypoints.container import Container, build_container

T = TypeVar("T")

TRAINERS = 2
TRAINEES = 4
SLOTS = 6
"""Sessions start on a half-hour grid of this many slots: overlaps are frequent."""
DURATIONS = (30, 60, 90)
NOT_A_HASH = "not-a-real-hash"
"""The machine never signs in: storing users without hashing keeps it fast."""


@dataclass
class ModelSession:
    id: int
    link: str
    trainer: int
    start: datetime
    minutes: int
    status: SessionStatus = SessionStatus.SCHEDULED
    trainees: set[int] = field(default_factory=set)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    def overlaps(self, other: ModelSession) -> bool:
        return self.start < other.end and other.start < self.end


class TrainingMachine(RuleBasedStateMachine):
    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock()
        self.container: Container = build_container(make_settings(storage="memory"))
        self.container.clock.override(self.clock)
        self.admin = self.run(self._actor("root", Role.ADMIN))
        self.trainers = [
            self.run(self._actor(f"trainer{i}", Role.TRAINER)) for i in range(TRAINERS)
        ]
        self.trainees = [
            self.run(self._actor(f"trainee{i}", Role.TRAINEE)) for i in range(TRAINEES)
        ]
        self.model: dict[int, ModelSession] = {}
        self.present: dict[tuple[int, int], bool] = {}
        """(session id, trainee id) -> the last mark given."""

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    async def _actor(self, username: str, role: Role) -> Actor:
        user = await add_user(self.container, username, role, password_hash=NOT_A_HASH)
        return Actor(user=user)

    def teardown(self) -> None:
        self.loop.close()

    # What the model expects

    def _clashes(self, session: ModelSession, trainer: int | None, trainees: set[int]) -> bool:
        """Would ``session``, scheduled, double-book the trainer or any of the trainees?"""
        for other in self.model.values():
            if other.id == session.id or other.status is not SessionStatus.SCHEDULED:
                continue
            if not session.overlaps(other):
                continue
            if other.trainer == trainer or trainees & other.trainees:
                return True
        return False

    # Rules

    @initialize(target=sessions)
    def first_sessions(self) -> Any:
        created = (self._create(i, i, 60) for i in range(TRAINERS))
        return multiple(*(session_id for session_id in created if session_id is not None))

    @rule(
        target=sessions,
        trainer=st.integers(0, TRAINERS - 1),
        slot=st.integers(0, SLOTS - 1),
        minutes=st.sampled_from(DURATIONS),
    )
    def create(self, trainer: int, slot: int, minutes: int) -> Any:
        created = self._create(trainer, slot, minutes)
        return multiple() if created is None else created

    def _create(self, trainer: int, slot: int, minutes: int) -> int | None:
        actor = self.trainers[trainer]
        start = TRAINING_START + timedelta(minutes=30 * slot)
        candidate = ModelSession(0, "", actor.id, start, minutes)
        expect_clash = self._clashes(candidate, actor.id, set())
        try:
            details = self.run(
                self.container.sessions().create_session(
                    actor,
                    NewSession(
                        title=f"Slot {slot}",
                        trainer_id=actor.id,
                        scheduled_date=start,
                        duration_minutes=minutes,
                    ),
                )
            )
        except Conflict:
            assert expect_clash
            return None
        assert not expect_clash
        candidate.id, candidate.link = details.session.id, details.session.session_link
        self.model[candidate.id] = candidate
        return candidate.id

    @rule(session_id=sessions, trainee=st.integers(0, TRAINEES - 1))
    def enrol(self, session_id: int, trainee: int) -> None:
        if session_id not in self.model:
            return
        session, actor = self.model[session_id], self.trainees[trainee]
        if actor.id in session.trainees:
            expected: type[Exception] | None = Conflict
        elif session.status is SessionStatus.SCHEDULED and self._clashes(session, None, {actor.id}):
            expected = Conflict
        else:
            expected = None
        try:
            self.run(self.container.sessions().add_trainee(self.admin, session_id, actor.id))
        except Conflict:
            assert expected is Conflict
            return
        assert expected is None
        session.trainees.add(actor.id)

    @rule(session_id=sessions, trainee=st.integers(0, TRAINEES - 1))
    def join(self, session_id: int, trainee: int) -> None:
        if session_id not in self.model:
            return
        session, actor = self.model[session_id], self.trainees[trainee]
        already = actor.id in session.trainees
        refused = not already and (
            session.status is not SessionStatus.SCHEDULED
            or self._clashes(session, None, {actor.id})
        )
        try:
            result = self.run(self.container.sessions().join(actor, session.link))
        except Conflict:
            assert refused
            return
        assert not refused
        assert result.already_enrolled is already
        session.trainees.add(actor.id)

    @rule(session_id=sessions, trainee=st.integers(0, TRAINEES - 1))
    def remove(self, session_id: int, trainee: int) -> None:
        if session_id not in self.model:
            return
        session, actor = self.model[session_id], self.trainees[trainee]
        try:
            self.run(self.container.sessions().remove_trainee(self.admin, session_id, actor.id))
        except NotFound:
            assert actor.id not in session.trainees
            return
        assert actor.id in session.trainees
        session.trainees.discard(actor.id)

    @rule(session_id=sessions, trainee=st.integers(0, TRAINEES - 1), present=st.booleans())
    def mark(self, session_id: int, trainee: int, present: bool) -> None:
        if session_id not in self.model:
            return
        session, actor = self.model[session_id], self.trainees[trainee]
        trainer = next(t for t in self.trainers if t.id == session.trainer)
        try:
            record = self.run(
                self.container.attendance().mark(trainer, session_id, actor.id, present)
            )
        except BadRequest:
            assert actor.id not in session.trainees
            return
        assert actor.id in session.trainees
        assert (record.session_id, record.trainee_id, record.present) == (
            session_id,
            actor.id,
            present,
        )
        self.present[(session_id, actor.id)] = present

    def _move(self, session_id: int, new: SessionStatus) -> None:
        if session_id not in self.model:
            return
        session = self.model[session_id]
        allowed = {
            SessionStatus.SCHEDULED: {SessionStatus.COMPLETED, SessionStatus.CANCELLED},
            SessionStatus.CANCELLED: {SessionStatus.SCHEDULED},
            SessionStatus.COMPLETED: set(),
        }[session.status] | {session.status}
        refused = new not in allowed or (
            new is SessionStatus.SCHEDULED
            and session.status is not SessionStatus.SCHEDULED
            and self._clashes(session, session.trainer, session.trainees)
        )
        try:
            self.run(
                self.container.sessions().update_session(
                    self.admin, session_id, SessionChanges(status=new)
                )
            )
        except Conflict:
            assert refused
            return
        assert not refused
        session.status = new

    @rule(session_id=sessions)
    def cancel(self, session_id: int) -> None:
        self._move(session_id, SessionStatus.CANCELLED)

    @rule(session_id=sessions)
    def reinstate(self, session_id: int) -> None:
        self._move(session_id, SessionStatus.SCHEDULED)

    @rule(session_id=sessions)
    def complete(self, session_id: int) -> None:
        self._move(session_id, SessionStatus.COMPLETED)

    @precondition(lambda self: bool(self.model))
    @rule(session_id=consumes(sessions))
    def delete(self, session_id: int) -> None:
        if session_id not in self.model:
            return
        self.run(self.container.sessions().delete_session(self.admin, session_id))
        del self.model[session_id]
        self.present = {k: v for k, v in self.present.items() if k[0] != session_id}

    # Invariants

    @invariant()
    def progress_is_attended_over_enrolled_non_cancelled(self) -> None:
        for actor in self.trainees:
            counted = [
                s
                for s in self.model.values()
                if actor.id in s.trainees and s.status is not SessionStatus.CANCELLED
            ]
            attended = sum(1 for s in counted if self.present.get((s.id, actor.id), False))
            progress = self.run(self.container.progress().trainee_progress(self.admin, actor.id))
            assert (progress.total_sessions, progress.attended_sessions) == (
                len(counted),
                attended,
            )
            assert 0 <= progress.percentage <= 100
            expected = round(100 * attended / len(counted), 2) if counted else 0.0
            assert progress.percentage == expected

    @invariant()
    def stored_enrolments_match_the_model(self) -> None:
        state = self.container.memory_store().state
        assert set(state.sessions) == set(self.model)
        stored = {(sid, tid) for sid, tid in state.enrolments}
        assert stored == {(s.id, t) for s in self.model.values() for t in s.trainees}
        assert {s.id: s.status for s in state.sessions.values()} == {
            s.id: s.status for s in self.model.values()
        }

    @invariant()
    def nobody_is_double_booked(self) -> None:
        state = self.container.memory_store().state
        scheduled = [s for s in state.sessions.values() if s.status is SessionStatus.SCHEDULED]
        people = {
            s.id: {s.trainer_id} | {tid for sid, tid in state.enrolments if sid == s.id}
            for s in scheduled
        }
        for i, first in enumerate(scheduled):
            for second in scheduled[i + 1 :]:
                if first.overlaps(second.scheduled_date, second.ends_at):
                    assert not people[first.id] & people[second.id], (first.id, second.id)

    @invariant()
    def one_attendance_record_per_trainee_and_session(self) -> None:
        records = self.container.memory_store().state.attendance.values()
        pairs = [(r.session_id, r.trainee_id) for r in records]
        assert len(pairs) == len(set(pairs))
        assert {p: r.present for p, r in zip(pairs, records, strict=True)} == self.present


TrainingMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_training_invariants = TrainingMachine.TestCase

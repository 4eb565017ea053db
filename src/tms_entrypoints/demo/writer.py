"""Writing a demo plan through the unit of work, in batches, with progress."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from tms_domain.accounts import User, normalize_password
from tms_domain.kernel import InvalidInput, Role
from tms_domain.training import Assignment, Attendance, Room, SessionStatus, TrainingSession
from tms_domain.unit_of_work import UnitOfWorkFactory
from tms_entrypoints.container import Container
from tms_entrypoints.demo.batches import write_batches
from tms_entrypoints.demo.courses import write_courses
from tms_entrypoints.demo.plan import DemoPlan, DemoSize, Person, plan_demo

DEMO_PASSWORD = "demo-lantern-2026"  # noqa: S105 - documented, for demo data only
"""The password of every demo user unless ``--password`` says otherwise."""

T = TypeVar("T")

Progress = Callable[[float, str], None]
"""Told the share of the work done (0 to 100) and what is being written."""


DEMO_ROOMS = (
    ("Training room A", "Building 1, ground floor", 16),
    ("Workshop", "Building 2", 8),
    ("Lecture hall", "Building 1, first floor", 60),
)
"""Rooms (name, location, seats) for sessions held in person."""
BOOKABLE_SESSIONS = 12
"""Upcoming sessions opened to self-booking: the first with most trainees is full, with a
waitlist; the others have places left."""
WAITLIST_LENGTH = 3

USER_BATCH = 500
ASSIGNMENT_BATCH = 1000
SESSION_BATCH = 200
MARK_BATCH = 2000


@dataclass
class DemoReport:
    trainers: int = 0
    trainees: int = 0
    sessions_by_status: dict[SessionStatus, int] = field(default_factory=dict)
    enrolments: int = 0
    assignments: int = 0
    marks: int = 0
    courses: int = 0
    course_enrolments: int = 0
    lesson_completions: int = 0
    batches: int = 0
    seconds: float = 0.0
    first_trainer: str = ""
    first_trainee: str = ""
    skipped: bool = False


class DemoError(Exception):
    """The demo data cannot be written; the message says why."""


async def users_besides_admin(container: Container) -> int:
    admin = container.settings().admin_username
    unit_of_work: UnitOfWorkFactory = container.uow()
    async with unit_of_work(read_only=True) as uow:
        total: int = sum((await uow.analytics.count_by_role()).values())
        has_admin = await uow.users.find_by_login(admin) is not None
    return total - (1 if has_admin else 0)


async def fill_demo(
    container: Container,
    size: DemoSize,
    *,
    password: str = DEMO_PASSWORD,
    seed: int | None = None,
    if_empty: bool = False,
    progress: Progress | None = None,
) -> DemoReport:
    """Write a demo data set into an empty database (only the admin in it). With
    ``if_empty``, a database that holds other users is left alone; without, it is refused."""
    started = time.perf_counter()
    existing = await users_besides_admin(container)
    if existing:
        if if_empty:
            return DemoReport(skipped=True)
        raise DemoError(
            f"the database already holds {existing} user(s) besides the admin: demo data goes "
            "into an empty database (--if-empty skips quietly)"
        )
    try:
        checked = container.password_policy().check(password, field="password")
    except InvalidInput as error:
        details = "; ".join(e.message for e in error.errors)
        raise DemoError(f"the demo password cannot be used: {details}") from error
    now = container.clock().now()
    try:
        plan = plan_demo(
            size, now=now, seed=seed, reserved=frozenset({container.settings().admin_username})
        )
    except ValueError as error:
        raise DemoError(str(error)) from error
    password_hash = await container.hasher().hash(normalize_password(checked))
    writer = _Writer(container, plan, password_hash, now, progress)
    await writer.write()
    learning = await write_courses(
        container.uow(),
        trainer_ids=writer.trainer_ids,
        trainee_ids=writer.trainee_ids,
        session_ids=writer.session_ids,
        marks=plan.marks,
        now=now,
        seed=seed,
    )
    cohorts = await write_batches(
        container.uow(),
        trainer_ids=writer.trainer_ids,
        trainee_ids=writer.trainee_ids,
        now=now,
    )
    if progress is not None:
        progress(100.0, "done")
    counts = dict.fromkeys(SessionStatus, 0)
    for session in plan.sessions:
        counts[session.status] += 1
    return DemoReport(
        trainers=len(plan.trainers),
        trainees=len(plan.trainees),
        sessions_by_status=counts,
        enrolments=sum(len(s.trainees) for s in plan.sessions),
        assignments=len(plan.assignments),
        marks=len(plan.marks),
        courses=learning.courses,
        course_enrolments=learning.enrolments + cohorts.enrolments,
        lesson_completions=learning.completions,
        batches=cohorts.batches,
        seconds=time.perf_counter() - started,
        first_trainer=plan.trainers[0].username,
        first_trainee=plan.trainees[0].username,
    )


class _Writer:
    def __init__(
        self,
        container: Container,
        plan: DemoPlan,
        password_hash: str,
        now: datetime,
        progress: Progress | None,
    ) -> None:
        self._uow: UnitOfWorkFactory = container.uow()
        self._plan = plan
        self._hash = password_hash
        self._now = now
        self._progress = progress
        # One unit per statement, roughly: a session is a row and its enrolments.
        self._total = (
            len(plan.trainers)
            + len(plan.trainees)
            + len(plan.assignments)
            + 2 * len(plan.sessions)
            + len(plan.marks)
        )
        self._done = 0
        self._trainer_ids: list[int] = []
        self._trainee_ids: list[int] = []
        self._session_ids: list[int] = []

    def _advance(self, units: int, stage: str) -> None:
        self._done += units
        if self._progress is not None:
            self._progress(100.0 * self._done / self._total if self._total else 100.0, stage)

    async def write(self) -> None:
        if self._progress is not None:
            self._progress(0.0, "users")
        self._trainer_ids = await self._users(self._plan.trainers, Role.TRAINER)
        self._trainee_ids = await self._users(self._plan.trainees, Role.TRAINEE)
        await self._assignments()
        await self._sessions()
        await self._marks()
        await self._booking()

    async def _users(self, people: list[Person], role: Role) -> list[int]:
        ids: list[int] = []
        for batch in _batches(people, USER_BATCH):
            async with self._uow() as uow:
                for person in batch:
                    user = await uow.users.add(
                        User(
                            id=0,
                            username=person.username,
                            email=person.email,
                            role=role,
                            first_name=person.first_name,
                            last_name=person.last_name,
                            password_hash=self._hash,
                            is_temporary_password=False,
                            created_at=person.created_at,
                            updated_at=person.created_at,
                        )
                    )
                    ids.append(user.id)
                await uow.commit()
            self._advance(len(batch), "users")
        return ids

    async def _assignments(self) -> None:
        for batch in _batches(self._plan.assignments, ASSIGNMENT_BATCH):
            async with self._uow() as uow:
                for trainee, trainer, at in batch:
                    await uow.assignments.add(
                        Assignment(
                            id=0,
                            student_id=self._trainee_ids[trainee],
                            teacher_id=self._trainer_ids[trainer],
                            assigned_date=at,
                        )
                    )
                await uow.commit()
            self._advance(len(batch), "assignments")

    async def _sessions(self) -> None:
        for batch in _batches(self._plan.sessions, SESSION_BATCH):
            async with self._uow() as uow:
                for planned in batch:
                    session = await uow.sessions.add(
                        TrainingSession(
                            id=0,
                            title=planned.title,
                            description=planned.description,
                            trainer_id=self._trainer_ids[planned.trainer],
                            trainee_ids=[self._trainee_ids[t] for t in planned.trainees],
                            scheduled_date=planned.start,
                            duration_minutes=planned.duration_minutes,
                            status=planned.status,
                            class_link=planned.class_link,
                            session_link=secrets.token_urlsafe(24),
                            created_at=planned.created_at,
                            updated_at=planned.updated_at,
                        )
                    )
                    self._session_ids.append(session.id)
                await uow.commit()
            self._advance(2 * len(batch), "sessions")

    async def _marks(self) -> None:
        for batch in _batches(self._plan.marks, MARK_BATCH):
            async with self._uow() as uow:
                for mark in batch:
                    await uow.attendance.add(
                        Attendance(
                            id=0,
                            session_id=self._session_ids[mark.session],
                            trainee_id=self._trainee_ids[mark.trainee],
                            present=mark.present,
                            marked_at=mark.marked_at,
                        )
                    )
                await uow.commit()
            self._advance(len(batch), "attendance")

    @property
    def trainer_ids(self) -> list[int]:
        return self._trainer_ids

    @property
    def trainee_ids(self) -> list[int]:
        return self._trainee_ids

    @property
    def session_ids(self) -> list[int]:
        return self._session_ids

    async def _booking(self) -> None:
        """Rooms, and upcoming sessions open to self-booking: one full with a waitlist, the
        others with places left; every other one held in a room free at that time."""
        sessions = self._plan.sessions
        upcoming = sorted(
            (
                i
                for i, s in enumerate(sessions)
                if s.status is SessionStatus.SCHEDULED and s.start > self._now and s.trainees
            ),
            key=lambda i: sessions[i].start,
        )[:BOOKABLE_SESSIONS]
        full = max(upcoming, key=lambda i: len(sessions[i].trainees), default=None)
        async with self._uow() as uow:
            rooms = [
                await uow.rooms.add(
                    Room.plan(name=name, location=location, capacity=seats, now=self._now)
                )
                for name, location, seats in DEMO_ROOMS
            ]
            held: dict[int, list[int]] = {room.id: [] for room in rooms}
            for n, index in enumerate(upcoming):
                planned = sessions[index]
                session = await uow.sessions.get(self._session_ids[index])
                if session is None:
                    continue
                enrolled = len(session.trainee_ids)
                session.self_booking = True
                session.capacity = enrolled if index == full else enrolled + 2 + n % 5
                if index == full:
                    outside = [t for t in self._trainee_ids if t not in session.trainee_ids]
                    session.waitlist_ids = outside[:WAITLIST_LENGTH]
                if n % 2 == 0:
                    room = next(
                        (
                            r
                            for r in rooms
                            if r.capacity >= session.capacity
                            and not any(
                                planned.start < sessions[o].end and sessions[o].start < planned.end
                                for o in held[r.id]
                            )
                        ),
                        None,
                    )
                    if room is not None:
                        session.room_id = room.id
                        held[room.id].append(index)
                await uow.sessions.update(session)
            await uow.commit()
        if self._progress is not None:
            self._progress(100.0, "done")


def _batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]

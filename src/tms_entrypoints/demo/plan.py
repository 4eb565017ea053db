"""The demo data set as a plan: who, which sessions when, who attends. Nothing is written
here; the schedule is built so that nobody is booked twice, and checked again."""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tms_domain.training import MAX_TRAINEES_PER_SESSION, SessionStatus
from tms_entrypoints.demo.names import random_name


@dataclass(frozen=True)
class DemoSize:
    trainers: int = 20
    trainees: int = 1000
    sessions: int = 2000
    per_session: int = 10

    def problems(self) -> list[str]:
        found = []
        if self.trainers < 1:
            found.append("--trainers must be 1 or more")
        if self.trainees < 1:
            found.append("--trainees must be 1 or more")
        if self.sessions < 0:
            found.append("--sessions must be 0 or more")
        if not 0 <= self.per_session <= min(self.trainees, MAX_TRAINEES_PER_SESSION):
            found.append(
                "--per-session must be between 0 and the number of trainees "
                f"(at most {MAX_TRAINEES_PER_SESSION})"
            )
        return found


FULL = DemoSize()
SMALL = DemoSize(trainers=5, trainees=50, sessions=100, per_session=5)


TOPICS = (
    ("Onboarding: Tools and Systems", "Accounts, VPN, the ticketing system and where to ask."),
    ("Python Fundamentals", "Types, functions, modules and the standard library."),
    ("Advanced SQL", "Window functions, query plans and indexes."),
    ("Data Protection Essentials", "Personal data, retention and what to do after a breach."),
    ("First Aid at Work", "Recovery position, CPR and using a defibrillator."),
    ("Leadership Essentials", "Delegation, feedback and running one-to-ones."),
    ("Project Management Basics", "Scope, estimates, risks and keeping stakeholders informed."),
    ("Customer Service Excellence", "Listening, de-escalation and following up."),
    ("Effective Presentations", "Structure, slides that help and handling questions."),
    ("Negotiation Skills", "Interests, options and walking-away points."),
    ("Cloud Architecture", "Regions, availability, cost and the shared responsibility model."),
    ("Secure Coding", "Injection, authentication mistakes and dependency hygiene."),
    ("Excel for Analysts", "Pivot tables, lookups and charts that tell the story."),
    ("Time Management", "Priorities, focus time and saying no."),
    ("Agile in Practice", "Backlogs, sprints, reviews and retrospectives."),
    ("Fire Safety Awareness", "Alarms, extinguishers and evacuation routes."),
    ("Giving and Receiving Feedback", "Specific, timely, kind: practice in pairs."),
    ("Introduction to Machine Learning", "Supervised learning, evaluation and overfitting."),
    ("Writing Clear Documentation", "Audience, structure and examples that run."),
    ("Conflict Resolution", "Finding the interests behind positions."),
    ("Kubernetes Workshop", "Pods, deployments, services and rolling updates."),
    ("Git Beyond the Basics", "Rebasing, bisecting and recovering lost work."),
    ("Accessibility for Developers", "Semantic HTML, contrast, keyboards and screen readers."),
    ("Budgeting and Forecasting", "Cost centres, accruals and rolling forecasts."),
    ("Health and Safety Induction", "Reporting hazards, accidents and near misses."),
    ("Public Speaking Clinic", "Voice, pace and calming the nerves."),
    ("Diversity and Inclusion", "Bias, belonging and inclusive meetings."),
    ("Sales Fundamentals", "Discovery calls, qualification and closing."),
    ("Incident Response Drill", "Roles, timelines and the post-incident review."),
    ("Data Visualisation", "Choosing charts and removing clutter."),
)

SLOT_STARTS = ((9, 0), (11, 0), (14, 0), (16, 0))
SLOT_MINUTES = 120
"""Working hours (UTC) are cut into two-hour slots; a session lies within one slot, so two
sessions in different slots never overlap and each person takes at most one per slot."""

PAST_DAYS = 182
FUTURE_DAYS = 91
CANCELLED_SHARE = 0.08
UNASSIGNED_SHARE = 0.02
SECOND_TRAINER_SHARE = 0.1


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    username: str
    email: str
    created_at: datetime


@dataclass(frozen=True)
class PlannedSession:
    trainer: int
    trainees: tuple[int, ...]
    start: datetime
    duration_minutes: int
    status: SessionStatus
    title: str
    description: str
    class_link: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class PlannedMark:
    session: int
    trainee: int
    present: bool
    marked_at: datetime


@dataclass(frozen=True)
class DemoPlan:
    """Indexes point into ``trainers`` and ``trainees``; ``marks`` into ``sessions``."""

    trainers: list[Person]
    trainees: list[Person]
    assignments: list[tuple[int, int, datetime]]
    """(trainee, trainer, assigned at)."""
    sessions: list[PlannedSession]
    marks: list[PlannedMark]


def _people(
    rng: random.Random, count: int, taken: set[str], joined_from: datetime, now: datetime
) -> list[Person]:
    people = []
    span = max(1, int((now - joined_from).total_seconds()))
    for _ in range(count):
        first, last, first_latin, last_latin = random_name(rng)
        base = f"{first_latin}.{last_latin}"[:44] or "user"
        username, number = base, 1
        while username in taken:
            number += 1
            username = f"{base}{number}"
        taken.add(username)
        joined = joined_from + timedelta(seconds=rng.randrange(span))
        people.append(Person(first, last, username, f"{username}@example.com", joined))
    return people


def _slots(now: datetime, past_days: int, future_days: int) -> list[datetime]:
    """Starts of the working-hour slots in the window that lie wholly before or after now."""
    first_day = (now - timedelta(days=past_days)).date()
    days = past_days + future_days
    starts = []
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for hour, minute in SLOT_STARTS:
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
            if not start <= now < start + timedelta(minutes=SLOT_MINUTES):
                starts.append(start)
    return starts


def _shares(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, by largest remainder."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def plan_demo(
    size: DemoSize,
    *,
    now: datetime,
    seed: int | None = None,
    reserved: frozenset[str] = frozenset(),
) -> DemoPlan:
    """Build the whole data set in memory (pure: no I/O); no username is one of
    ``reserved`` (the admin's). Raise ValueError for a size that does not make sense."""
    problems = size.problems()
    if problems:
        raise ValueError("; ".join(problems))
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    now = now.astimezone(UTC)
    trainer_loads = _shares(size.sessions, [rng.uniform(0.6, 1.4) for _ in range(size.trainers)])
    # Fill at most half of anyone's slots, so that random placement finds room quickly.
    slots_wanted = max(
        2 * max(trainer_loads, default=0),
        math.ceil(2 * size.sessions * size.per_session / size.trainees),
    )
    past_days, future_days = PAST_DAYS, FUTURE_DAYS
    slots = _slots(now, past_days, future_days)
    if len(slots) < slots_wanted:
        scale = slots_wanted / max(1, len(slots))
        past_days, future_days = math.ceil(PAST_DAYS * scale), math.ceil(FUTURE_DAYS * scale)
        slots = _slots(now, past_days, future_days)
    window_start = now - timedelta(days=past_days)

    taken = {name.casefold() for name in reserved}
    joined_from = window_start - timedelta(days=120)
    trainers = _people(rng, size.trainers, taken, joined_from, window_start)
    trainees = _people(rng, size.trainees, taken, joined_from, window_start)

    assignments, pools = _assign(rng, size, trainers, trainees)

    reliability = [rng.uniform(0.55, 0.98) for _ in trainees]
    topics = [rng.choice(TOPICS) for _ in trainers]  # each trainer's speciality comes first

    trainer_busy: dict[int, set[int]] = defaultdict(set)
    trainee_busy: dict[int, set[int]] = defaultdict(set)
    sessions: list[PlannedSession] = []
    marks: list[PlannedMark] = []
    turns = [t for t, load in enumerate(trainer_loads) for _ in range(load)]
    rng.shuffle(turns)
    for trainer in turns:
        slot = _free_slot(rng, len(slots), trainer, size, trainer_busy, trainee_busy)
        trainer_busy[slot].add(trainer)
        chosen = _pick_trainees(rng, size, pools[trainer], trainee_busy[slot])
        trainee_busy[slot].update(chosen)
        start = slots[slot]
        offset = rng.choice((0, 0, 0, 30))
        duration = rng.choice((60, 90, 120) if offset == 0 else (60, 90))
        start += timedelta(minutes=offset)
        end = start + timedelta(minutes=duration)
        status, created, updated = _lifecycle(rng, start, end, now)
        title, description = topics[trainer] if rng.random() < 0.5 else rng.choice(TOPICS)
        if rng.random() < 0.3:
            title = f"{title} (part {rng.randint(2, 4)})"
        room = "".join(rng.choices("abcdefghijkmnpqrstuvwxyz", k=10))
        sessions.append(
            PlannedSession(
                trainer=trainer,
                trainees=tuple(chosen),
                start=start,
                duration_minutes=duration,
                status=status,
                title=title,
                description=description,
                class_link=f"https://meet.example.com/{room}" if rng.random() < 0.7 else None,
                created_at=created,
                updated_at=updated,
            )
        )
        if status is SessionStatus.COMPLETED:
            marks += _marks(rng, len(sessions) - 1, sessions[-1], reliability)
    sessions, marks = _by_start(sessions, marks)
    plan = DemoPlan(trainers, trainees, assignments, sessions, marks)
    clashes = double_bookings(plan)
    if clashes:  # the construction rules them out: this would be a bug
        raise AssertionError(f"demo schedule double-books: {clashes[:3]}")
    return plan


def _assign(
    rng: random.Random, size: DemoSize, trainers: list[Person], trainees: list[Person]
) -> tuple[list[tuple[int, int, datetime]], list[list[int]]]:
    """Most trainees get a trainer (some two), no earlier than both joined; each trainer's
    pool lists their trainees."""
    assignments: list[tuple[int, int, datetime]] = []
    pools: list[list[int]] = [[] for _ in trainers]
    order = rng.sample(range(size.trainees), size.trainees)
    assigned = order[: size.trainees - int(size.trainees * UNASSIGNED_SHARE)]
    for position, trainee in enumerate(assigned):
        teachers = [position % size.trainers]
        if size.trainers > 1 and rng.random() < SECOND_TRAINER_SHARE:
            teachers.append(rng.choice([t for t in range(size.trainers) if t != teachers[0]]))
        for teacher in teachers:
            pools[teacher].append(trainee)
            since = max(trainees[trainee].created_at, trainers[teacher].created_at)
            assignments.append((trainee, teacher, since + timedelta(days=rng.randint(0, 14))))
    return assignments, pools


def _lifecycle(
    rng: random.Random, start: datetime, end: datetime, now: datetime
) -> tuple[SessionStatus, datetime, datetime]:
    """A session's status, creation and last change: future ones scheduled, past ones
    mostly completed (shortly after their end), some cancelled (before their start)."""
    if start > now:
        status = SessionStatus.SCHEDULED
    elif rng.random() < CANCELLED_SHARE:
        status = SessionStatus.CANCELLED
    else:
        status = SessionStatus.COMPLETED
    created = min(now, start - timedelta(days=rng.randint(3, 45), hours=rng.randint(0, 8)))
    if status is SessionStatus.COMPLETED:
        updated = min(now, end + timedelta(minutes=rng.randint(5, 90)))
    elif status is SessionStatus.CANCELLED:
        updated = created + (start - created) * rng.random()
    else:
        updated = created
    return status, created, updated


def _marks(
    rng: random.Random, index: int, session: PlannedSession, reliability: list[float]
) -> list[PlannedMark]:
    """Attendance of a completed session, marked in its first quarter hour."""
    marks = []
    for trainee in session.trainees:
        minutes = rng.randint(0, min(15, session.duration_minutes - 1))
        present = rng.random() < reliability[trainee]
        marks.append(
            PlannedMark(index, trainee, present, session.start + timedelta(minutes=minutes))
        )
    return marks


def _by_start(
    sessions: list[PlannedSession], marks: list[PlannedMark]
) -> tuple[list[PlannedSession], list[PlannedMark]]:
    """Sessions in start order, the marks renumbered to follow them."""
    order = sorted(range(len(sessions)), key=lambda i: (sessions[i].start, i))
    renumber = {old: new for new, old in enumerate(order)}
    in_order = [sessions[i] for i in order]
    renumbered = sorted(
        (PlannedMark(renumber[m.session], m.trainee, m.present, m.marked_at) for m in marks),
        key=lambda m: (m.session, m.trainee),
    )
    return in_order, renumbered


def _free_slot(
    rng: random.Random,
    slot_count: int,
    trainer: int,
    size: DemoSize,
    trainer_busy: dict[int, set[int]],
    trainee_busy: dict[int, set[int]],
) -> int:
    def fits(slot: int) -> bool:
        return (
            trainer not in trainer_busy[slot]
            and len(trainee_busy[slot]) + size.per_session <= size.trainees
        )

    for _ in range(200):
        slot = rng.randrange(slot_count)
        if fits(slot):
            return slot
    for slot in rng.sample(range(slot_count), slot_count):
        if fits(slot):
            return slot
    raise ValueError("the schedule has no free slot left: ask for fewer sessions")


def _pick_trainees(
    rng: random.Random, size: DemoSize, pool: list[int], busy: set[int]
) -> list[int]:
    """Mostly the trainer's assigned trainees; others who are free when those run short."""
    chosen = [t for t in rng.sample(pool, len(pool)) if t not in busy][: size.per_session]
    if len(chosen) < size.per_session:
        excluded = busy | set(chosen)
        for trainee in rng.sample(range(size.trainees), size.trainees):
            if trainee not in excluded:
                chosen.append(trainee)
                if len(chosen) == size.per_session:
                    break
    return chosen


def double_bookings(plan: DemoPlan) -> list[tuple[str, int, int, int]]:
    """Pairs of scheduled sessions that share a trainer or a trainee and overlap in time:
    (who, person index, session, session)."""
    by_person: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, session in enumerate(plan.sessions):
        if session.status is not SessionStatus.SCHEDULED:
            continue
        by_person[("trainer", session.trainer)].append(index)
        for trainee in session.trainees:
            by_person[("trainee", trainee)].append(index)
    clashes = []
    for (who, person), indexes in by_person.items():
        indexes.sort(key=lambda i: plan.sessions[i].start)
        for earlier, later in itertools.pairwise(indexes):
            if plan.sessions[later].start < plan.sessions[earlier].end:
                clashes.append((who, person, earlier, later))
    return clashes

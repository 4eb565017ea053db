"""`tms demo`: fill the database with realistic, consistent demo data.

The data set: trainers and trainees with realistic names (some in Cyrillic, Greek, Chinese,
Japanese and Korean script), each trainee assigned to a trainer (a few to two, a few new
ones to none), and training sessions spread over the past six and the next three months in
working hours (UTC, Monday to Friday, 09:00-18:00). Sessions that ended are completed (a
few cancelled); the ones to come are scheduled. Attendance is marked only for completed
sessions. Nobody is ever booked twice at once: the schedule is built on a grid of two-hour
slots in which each trainer and each trainee is placed at most once, and it is checked
again before anything is written.

The data is written through the unit of work and the repositories, in transactions of a
few hundred rows, but not through the use cases, which would each re-hash a password,
re-check the password policy, take row locks and query for double bookings, write an audit
entry and an event for every row: minutes of work for what the construction already
guarantees. Every demo user has the same password, checked against the policy and hashed
once. Join links are random (``secrets``) like any other; ``--seed`` makes everything else
(names, schedule, enrolments, attendance) repeatable for a given day.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import secrets
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TextIO, TypeVar

from tms_domain.accounts import User, normalize_password
from tms_domain.kernel import InvalidInput, Role
from tms_domain.training import (
    MAX_TRAINEES_PER_SESSION,
    Assignment,
    Attendance,
    SessionStatus,
    TrainingSession,
)
from tms_domain.unit_of_work import UnitOfWorkFactory
from tms_entrypoints.container import Container

DEMO_PASSWORD = "demo-lantern-2026"  # noqa: S105 - documented, for demo data only
"""The password of every demo user unless ``--password`` says otherwise."""

T = TypeVar("T")

Progress = Callable[[float, str], None]
"""Told the share of the work done (0 to 100) and what is being written."""


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


# --- names ------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated, so that a name may have spaces ("van der Berg")."""
    return tuple(name.strip() for name in text.split(","))


LATIN_FIRST = _names(
    "Olivia, Liam, Emma, Noah, Amelia, Oliver, Sophia, Elijah, Charlotte, James, Mia, "
    "Lucas, Harper, Mateo, Evelyn, Henry, Aisha, Omar, Fatima, Yusuf, Priya, Arjun, "
    "Ananya, Rohan, Chidi, Amara, Kwame, Ngozi, Thabo, Zanele, José, María, Lucía, "
    "Diego, Sofía, Javier, Camila, Joaquín, François, Chloé, Élodie, Théo, Jürgen, "
    "Björn, Zoë, Søren, Siobhán, Łukasz, Małgorzata, Ömer, Şule, Kateřina, Dorota, "
    "Giulia, Matteo, Francesca, Lorenzo, Inês, João, Thiago, Beatriz, Hương, Linh, "
    "Minh, Anh, Tuấn, Hiroshi, Aiko, Ingrid, Lars, Astrid, Magnus, Eero, Aino, Declan, "
    "Niamh, Rhys, Carys, Tomás, Andrés, Valentina, Ximena, Leila, Dario, Marek, Petra, "
    "Ivana"
)
LATIN_LAST = _names(
    "Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodríguez, Martínez, "
    "Hernández, López, González, Wilson, Anderson, Taylor, Thomas, Moore, Jackson, "
    "Martin, Lee, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young, Allen, "
    "King, Wright, Scott, Nguyen, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, "
    "Pérez, Roberts, Turner, Phillips, Campbell, Parker, Müller, Schmidt, Schneider, "
    "Fischer, Weber, Dubois, Lefèvre, Moreau, Rossi, Russo, Ferrari, Bianchi, Silva, "
    "Santos, Oliveira, Kowalski, Nowak, Wiśniewska, Novák, Dvořák, Horváth, Yılmaz, "
    "Kaya, Öztürk, Andersson, Johansson, Nielsen, Hansen, Virtanen, Korhonen, O'Brien, "
    "Murphy, Kelly, Okafor, Adeyemi, Mensah, Dlamini, Patel, Sharma, Singh, Gupta, Khan, "
    "Haddad, Mansour, Cohen, Levi, Jansen, van der Berg, de Vries, Mac Giolla Bhríde"
)

# Names in other scripts, each with its usual Latin transliteration for the username.
# Cyrillic and Greek surnames take a feminine form: (masculine, feminine).
Names = tuple[tuple[str, str], ...]
CYRILLIC_FIRST_MALE: Names = (
    ("Алексей", "aleksei"),
    ("Дмитрий", "dmitrii"),
    ("Иван", "ivan"),
    ("Сергей", "sergei"),
    ("Олександр", "oleksandr"),
    ("Георги", "georgi"),
    ("Никола", "nikola"),
    ("Андрей", "andrei"),
)
CYRILLIC_FIRST_FEMALE: Names = (
    ("Мария", "maria"),
    ("Ольга", "olga"),
    ("Анна", "anna"),
    ("Наталья", "natalia"),
    ("Ірина", "iryna"),
    ("Елена", "elena"),
    ("Татьяна", "tatiana"),
    ("Светлана", "svetlana"),
)
CYRILLIC_LAST = (
    (("Иванов", "ivanov"), ("Иванова", "ivanova")),
    (("Петров", "petrov"), ("Петрова", "petrova")),
    (("Смирнов", "smirnov"), ("Смирнова", "smirnova")),
    (("Кузнецов", "kuznetsov"), ("Кузнецова", "kuznetsova")),
    (("Соколов", "sokolov"), ("Соколова", "sokolova")),
    (("Шевченко", "shevchenko"), ("Шевченко", "shevchenko")),
    (("Коваленко", "kovalenko"), ("Коваленко", "kovalenko")),
    (("Димитров", "dimitrov"), ("Димитрова", "dimitrova")),
)
GREEK_FIRST_MALE: Names = (
    ("Γιώργος", "giorgos"),
    ("Νίκος", "nikos"),
    ("Δημήτρης", "dimitris"),
    ("Κώστας", "kostas"),
    ("Γιάννης", "giannis"),
)
GREEK_FIRST_FEMALE: Names = (
    ("Μαρία", "maria"),
    ("Ελένη", "eleni"),
    ("Κατερίνα", "katerina"),
    ("Σοφία", "sofia"),
    ("Δέσποινα", "despoina"),
)
GREEK_LAST = (
    (("Παπαδόπουλος", "papadopoulos"), ("Παπαδοπούλου", "papadopoulou")),
    (("Παπαδάκης", "papadakis"), ("Παπαδάκη", "papadaki")),
    (("Οικονόμου", "oikonomou"), ("Οικονόμου", "oikonomou")),
    (("Γεωργίου", "georgiou"), ("Γεωργίου", "georgiou")),
    (("Νικολάου", "nikolaou"), ("Νικολάου", "nikolaou")),
    (("Βασιλείου", "vasileiou"), ("Βασιλείου", "vasileiou")),
)
CJK_NAMES = {
    "zh": (
        (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei")),
        (("晓明", "xiaoming"), ("子涵", "zihan"), ("婷", "ting"), ("洋", "yang")),
        (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")),
        (("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu")),
    ),
    "ja": (
        (("陽翔", "haruto"), ("結衣", "yui"), ("蓮", "ren"), ("美咲", "misaki")),
        (("大翔", "hiroto"), ("さくら", "sakura"), ("健太", "kenta"), ("花子", "hanako")),
        (("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka")),
        (("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura")),
    ),
    "ko": (
        (("민준", "minjun"), ("서연", "seoyeon"), ("지우", "jiwoo"), ("하은", "haeun")),
        (("도윤", "doyun"), ("서준", "seojun"), ("지민", "jimin"), ("수아", "sua")),
        (("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi")),
        (("정", "jung"), ("강", "kang"), ("조", "cho"), ("윤", "yoon")),
    ),
}

_ASCII_FOLD = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d", "ı": "i"}
)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits of a Latin name: "Łukasz" -> "lukasz"."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(c for c in folded.lower() if c.isascii() and c.isalnum())


def _random_name(rng: random.Random) -> tuple[str, str, str, str]:
    """(first name, last name, their Latin forms for the username)."""
    script = rng.random()
    if script < 0.75:
        first, last = rng.choice(LATIN_FIRST), rng.choice(LATIN_LAST)
        return first, last, ascii_slug(first), ascii_slug(last)
    if script < 0.88:
        feminine = rng.random() < 0.5
        if script < 0.83:
            firsts = CYRILLIC_FIRST_FEMALE if feminine else CYRILLIC_FIRST_MALE
            surname = rng.choice(CYRILLIC_LAST)[feminine]
        else:
            firsts = GREEK_FIRST_FEMALE if feminine else GREEK_FIRST_MALE
            surname = rng.choice(GREEK_LAST)[feminine]
        given = rng.choice(firsts)
        return given[0], surname[0], given[1], surname[1]
    firsts_a, firsts_b, lasts_a, lasts_b = CJK_NAMES[rng.choice(("zh", "zh", "ja", "ko"))]
    given = rng.choice((*firsts_a, *firsts_b))
    family = rng.choice((*lasts_a, *lasts_b))
    return given[0], family[0], given[1], family[1]


# --- the plan ---------------------------------------------------------------------------

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
        first, last, first_latin, last_latin = _random_name(rng)
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


# --- writing ----------------------------------------------------------------------------

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
        if self._progress is not None:
            self._progress(100.0, "done")


def _batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- the command ------------------------------------------------------------------------


class ProgressBar:
    """A progress bar on stderr: redrawn in place on a terminal; elsewhere (a log, CI) a
    line for every tenth of the work."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self._stream = stream or sys.stderr
        self._width = width
        self._tty = self._stream.isatty()
        self._shown = -1

    def __call__(self, percent: float, stage: str) -> None:
        percent = min(100.0, max(0.0, percent))
        step = int(percent) if self._tty else int(percent // 10) * 10
        if step == self._shown:
            return
        self._shown = step
        filled = round(self._width * percent / 100)
        bar = "#" * filled + "-" * (self._width - filled)
        line = f"demo data [{bar}] {percent:5.1f}% {stage:<11}"
        if self._tty:
            self._stream.write("\r" + line + ("\n" if step >= 100 else ""))
        else:
            self._stream.write(line.rstrip() + "\n")
        self._stream.flush()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trainers", type=int, help=f"default {FULL.trainers}")
    parser.add_argument("--trainees", type=int, help=f"default {FULL.trainees}")
    parser.add_argument("--sessions", type=int, help=f"default {FULL.sessions}")
    parser.add_argument(
        "--per-session", type=int, help=f"trainees per session (default {FULL.per_session})"
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help=f"{SMALL.trainers} trainers, {SMALL.trainees} trainees, {SMALL.sessions} "
        f"sessions of {SMALL.per_session} (the other options still override)",
    )
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the database holds users besides the admin",
    )
    parser.add_argument("--seed", type=int, help="repeat the same data set (for the same day)")
    parser.add_argument(
        "--password",
        default=DEMO_PASSWORD,
        help=f"the password of every demo user (default {DEMO_PASSWORD!r})",
    )


def size_from(args: argparse.Namespace) -> DemoSize:
    base = SMALL if args.small else FULL
    return DemoSize(
        trainers=base.trainers if args.trainers is None else args.trainers,
        trainees=base.trainees if args.trainees is None else args.trainees,
        sessions=base.sessions if args.sessions is None else args.sessions,
        per_session=base.per_session if args.per_session is None else args.per_session,
    )


async def run(container: Container, args: argparse.Namespace) -> DemoReport:
    """The `tms demo` command, once the database is migrated and the admin exists."""
    size = size_from(args)
    problems = size.problems()
    if problems:
        raise DemoError("; ".join(problems))
    report = await fill_demo(
        container,
        size,
        password=args.password,
        seed=args.seed,
        if_empty=args.if_empty,
        progress=ProgressBar(),
    )
    if report.skipped:
        print("The database already holds users: no demo data added.")
        return report
    by_status = ", ".join(f"{n} {s.value}" for s, n in report.sessions_by_status.items())
    print(
        f"Demo data written in {report.seconds:.1f} s: {report.trainers} trainers, "
        f"{report.trainees} trainees, {sum(report.sessions_by_status.values())} sessions "
        f"({by_status}), {report.enrolments} enrolments, {report.assignments} assignments, "
        f"{report.marks} attendance marks.\n"
        f"Every demo user signs in with the password: {args.password}\n"
        f"  e.g. trainer '{report.first_trainer}', trainee '{report.first_trainee}'",
        flush=True,
    )
    return report

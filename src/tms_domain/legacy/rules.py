"""Which legacy rows can be brought over, and why not the others: pure decisions over the
rows read, the ids brought over before, and what the store refuses."""

from __future__ import annotations

import bisect
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tms_domain.accounts import User, login_key, profile_violations
from tms_domain.kernel import InvalidInput, Role
from tms_domain.legacy.model import (
    ImportReport,
    Kind,
    LegacyAssignment,
    LegacyAttendance,
    LegacyData,
    LegacyEnrolment,
    LegacyPasswordLog,
    LegacySession,
    LegacyUser,
    Zones,
)
from tms_domain.training import SessionStatus, TrainingSession

AUDIT_ACTIONS = {
    "created": "user.created",
    "changed": "user.password_changed",
    "reset": "user.password_reset",
}
"""The earlier system's password log actions, as our audit trail names them."""

_ROLES = {role.value: role for role in Role}
_STATUSES = {status.value: status for status in SessionStatus}


def _messages(error: InvalidInput) -> str:
    return "; ".join(e.message for e in error.errors) or str(error)


def draft_user(row: LegacyUser, zones: Zones, now: datetime) -> User:
    """The user as we keep it (id 0 until stored); its pbkdf2 hash kept as it is, so the
    password still works and is rehashed at the next sign-in."""
    created = zones.read(row.created_at) if row.created_at else now
    return User(
        id=0,
        username=row.username,
        email=row.email,
        role=_ROLES[row.role],
        first_name=row.first_name,
        last_name=row.last_name,
        password_hash=row.password_hash,
        is_temporary_password=row.is_temporary_password,
        created_at=created,
        updated_at=zones.read(row.updated_at) if row.updated_at else created,
    )


def check_users(
    users: Sequence[LegacyUser], mapped: dict[int, int], report: ImportReport
) -> list[LegacyUser]:
    """The users to bring over, in id order; the others reported. Of two whose e-mails (or
    usernames) differ only in case the first is kept; a username that is another user's
    e-mail would make signing in ambiguous, so that user is left out."""
    email_owner: dict[str, LegacyUser] = {}
    for user in users:
        email_owner.setdefault(login_key(user.email), user)
    emails: dict[str, LegacyUser] = {}
    usernames: dict[str, LegacyUser] = {}
    kept: list[LegacyUser] = []
    for user in users:
        email, username = login_key(user.email), login_key(user.username)
        reason = None
        if user.id in mapped:
            report.counts[Kind.USER].unchanged += 1
        elif (owner := email_owner.get(username)) is not None and owner.id != user.id:
            reason = f"its username is the e-mail address of user #{owner.id} ({owner.username})"
        elif (first := emails.get(email)) is not None:
            reason = (
                f"duplicate e-mail: {user.email!r} differs only in case from user #{first.id}'s"
                f" {first.email!r}"
            )
        elif (first := usernames.get(username)) is not None:
            reason = (
                f"duplicate username: {user.username!r} differs only in case from user"
                f" #{first.id}'s {first.username!r}"
            )
        elif user.role not in _ROLES:
            reason = f"unknown role {user.role!r}"
        elif violations := profile_violations(
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        ):
            reason = "; ".join(message for _, message in violations)
        else:
            kept.append(user)
        if reason is not None:
            report.skip(Kind.USER, user.id, reason, user.as_reported())
            continue
        emails.setdefault(email, user)
        usernames.setdefault(username, user)
    return kept


class Schedules:
    """Each person's scheduled sessions as non-overlapping [start, end) ranges, sorted, so a
    clash is found next to where a new range would go."""

    def __init__(self) -> None:
        self._starts: dict[int, list[datetime]] = {}
        self._ranges: dict[int, list[tuple[datetime, datetime, int]]] = {}

    def clash(self, person: int, start: datetime, end: datetime) -> int | None:
        """The legacy id of a session of ``person`` overlapping [start, end), if any."""
        starts = self._starts.get(person, [])
        ranges = self._ranges.get(person, [])
        at = bisect.bisect_left(starts, start)
        for index in (at - 1, at):
            if 0 <= index < len(ranges):
                other_start, other_end, other = ranges[index]
                if other_start < end and start < other_end:
                    return other
        return None

    def add(self, person: int, start: datetime, end: datetime, session_id: int) -> None:
        starts = self._starts.setdefault(person, [])
        at = bisect.bisect_left(starts, start)
        starts.insert(at, start)
        self._ranges.setdefault(person, []).insert(at, (start, end, session_id))


@dataclass
class Plan:
    """What is to be created, by legacy row; the rest is counted in the report."""

    sessions: list[tuple[LegacySession, TrainingSession]] = field(default_factory=list)
    """Each with its session as we keep it, trainer still the legacy id."""
    enrolments: list[LegacyEnrolment] = field(default_factory=list)
    assignments: list[LegacyAssignment] = field(default_factory=list)
    attendance: list[LegacyAttendance] = field(default_factory=list)
    password_logs: list[LegacyPasswordLog] = field(default_factory=list)


@dataclass
class Planner:
    """Decides the rows after the users: each depends on the users (and sessions) brought
    over now or before, and on the legacy rows before it."""

    data: LegacyData
    mapped: dict[Kind, dict[int, int]]
    zones: Zones
    now: datetime
    report: ImportReport
    taken_links: set[str]
    new_link: Callable[[], str] = lambda: secrets.token_urlsafe(24)
    plan: Plan = field(default_factory=Plan)
    _roles: dict[int, Role] = field(default_factory=dict)
    _usernames: dict[int, str] = field(default_factory=dict)
    _sessions: dict[int, LegacySession] = field(default_factory=dict)
    _enrolled: dict[tuple[int, int], int] = field(default_factory=dict)
    _assigned: dict[tuple[int, int], int] = field(default_factory=dict)
    _trainers: Schedules = field(default_factory=Schedules)
    _trainees: Schedules = field(default_factory=Schedules)

    def decide(self, users: Sequence[LegacyUser]) -> Plan:
        """``users``: the ones being created; the ones mapped before are known too."""
        creating = {user.id for user in users}
        for user in self.data.users:
            if user.id in creating or user.id in self.mapped[Kind.USER]:
                self._roles[user.id] = _ROLES[user.role]
                self._usernames[user.id] = user.username
        for session in self.data.sessions:
            self._session(session)
        for enrolment in self.data.enrolments:
            self._enrolment(enrolment)
        for assignment in self.data.assignments:
            self._assignment(assignment)
        for mark in self.data.attendance:
            self._attendance(mark)
        for entry in self.data.password_logs:
            self._password_log(entry)
        return self.plan

    def _user_problem(self, user_id: int, what: str, role: Role | tuple[Role, ...]) -> str | None:
        found = self._roles.get(user_id)
        if found is None:
            return f"its {what}, user #{user_id}, was not brought over"
        wanted = role if isinstance(role, tuple) else (role,)
        if found not in wanted:
            article = "an" if found is Role.ADMIN else "a"
            return (
                f"its {what}, user #{user_id} ({self._usernames[user_id]}), is {article}"
                f" {found.value}, not a {wanted[0].value}"
            )
        return None

    def _range(self, session: LegacySession) -> tuple[datetime, datetime]:
        start = self.zones.read(session.scheduled_date)
        return start, start + timedelta(minutes=session.duration_minutes)

    def _keep_session(self, session: LegacySession) -> None:
        self._sessions[session.id] = session
        if (session.status or "scheduled") == SessionStatus.SCHEDULED.value:
            self._trainers.add(session.trainer_id, *self._range(session), session.id)

    def _session(self, row: LegacySession) -> None:
        if row.id in self.mapped[Kind.SESSION]:
            self.report.counts[Kind.SESSION].unchanged += 1
            self._keep_session(row)
            return
        reason = self._user_problem(row.trainer_id, "trainer", (Role.TRAINER, Role.ADMIN))
        status = _STATUSES.get(row.status or "scheduled")
        draft = None
        if reason is None and status is None:
            reason = f"unknown status {row.status!r}"
        if reason is None and status is not None:
            link = row.session_link or self.new_link()
            try:
                draft = TrainingSession.plan(
                    title=row.title,
                    trainer_id=row.trainer_id,
                    scheduled_date=self.zones.read(row.scheduled_date),
                    duration_minutes=row.duration_minutes,
                    description=row.description,
                    trainee_ids=(),
                    status=status,
                    class_link=row.class_link,
                    session_link=link,
                    now=self.now,
                )
            except InvalidInput as error:
                reason = _messages(error)
            if reason is None and link in self.taken_links:
                reason = f"its join link {link!r} is used by a session of this system already"
        if reason is None and status is SessionStatus.SCHEDULED:
            other = self._trainers.clash(row.trainer_id, *self._range(row))
            if other is not None:
                reason = (
                    f"double booking: its trainer, user #{row.trainer_id}, already runs session"
                    f" #{other} ({self._sessions[other].title!r}) at an overlapping time"
                )
        if reason is not None or draft is None:
            self.report.skip(Kind.SESSION, row.id, reason or "", row.as_reported())
            return
        draft.created_at = (
            self.zones.read_session_stamp(row.created_at) if row.created_at else self.now
        )
        draft.updated_at = (
            self.zones.read_session_stamp(row.updated_at) if row.updated_at else draft.created_at
        )
        self.taken_links.add(draft.session_link)
        self.plan.sessions.append((row, draft))
        self._keep_session(row)

    def _enrolment(self, row: LegacyEnrolment) -> None:
        pair = (row.session_id, row.trainee_id)
        session = self._sessions.get(row.session_id)
        scheduled = session is not None and (session.status or "scheduled") == "scheduled"
        if row.id in self.mapped[Kind.ENROLMENT]:
            self.report.counts[Kind.ENROLMENT].unchanged += 1
            self._enrolled.setdefault(pair, row.id)
            if session is not None and scheduled:
                self._trainees.add(row.trainee_id, *self._range(session), session.id)
            return
        reason = None
        if session is None:
            reason = f"its session #{row.session_id} was not brought over"
        else:
            reason = self._user_problem(row.trainee_id, "trainee", Role.TRAINEE)
        if reason is None and pair in self._enrolled:
            reason = f"the same enrolment as row #{self._enrolled[pair]}"
        if reason is None and session is not None and scheduled:
            other = self._trainees.clash(row.trainee_id, *self._range(session))
            if other is not None:
                reason = (
                    f"double booking: trainee user #{row.trainee_id} is enrolled in session"
                    f" #{other} ({self._sessions[other].title!r}), which overlaps session"
                    f" #{row.session_id}"
                )
        if reason is not None:
            self.report.skip(Kind.ENROLMENT, row.id, reason, row.as_reported())
            return
        self._enrolled[pair] = row.id
        if session is not None and scheduled:
            self._trainees.add(row.trainee_id, *self._range(session), session.id)
        self.plan.enrolments.append(row)

    def _assignment(self, row: LegacyAssignment) -> None:
        pair = (row.student_id, row.teacher_id)
        if row.id in self.mapped[Kind.ASSIGNMENT]:
            self.report.counts[Kind.ASSIGNMENT].unchanged += 1
            self._assigned.setdefault(pair, row.id)
            return
        reason = self._user_problem(row.student_id, "student", Role.TRAINEE) or self._user_problem(
            row.teacher_id, "teacher", Role.TRAINER
        )
        if reason is None and pair in self._assigned:
            reason = f"the same assignment as row #{self._assigned[pair]}"
        if reason is not None:
            self.report.skip(Kind.ASSIGNMENT, row.id, reason, row.as_reported())
            return
        self._assigned[pair] = row.id
        self.plan.assignments.append(row)

    def _attendance(self, row: LegacyAttendance) -> None:
        if row.id in self.mapped[Kind.ATTENDANCE]:
            self.report.counts[Kind.ATTENDANCE].unchanged += 1
            return
        reason = None
        if row.session_id not in self._sessions:
            reason = f"its session #{row.session_id} was not brought over"
        elif (row.session_id, row.trainee_id) not in self._enrolled:
            reason = (
                f"attendance for a trainee not enrolled: user #{row.trainee_id} has no"
                f" enrolment brought over in session #{row.session_id}"
            )
        if reason is not None:
            self.report.skip(Kind.ATTENDANCE, row.id, reason, row.as_reported())
            return
        self.plan.attendance.append(row)

    def _password_log(self, row: LegacyPasswordLog) -> None:
        if row.id in self.mapped[Kind.PASSWORD_LOG]:
            self.report.counts[Kind.PASSWORD_LOG].unchanged += 1
            return
        reason = None
        if row.user_id not in self._roles:
            reason = f"its user #{row.user_id} was not brought over"
        elif row.action not in AUDIT_ACTIONS:
            reason = f"unknown action {row.action!r}"
        if reason is not None:
            self.report.skip(Kind.PASSWORD_LOG, row.id, reason, row.as_reported())
            return
        self.plan.password_logs.append(row)

"""Who may do what: the one access matrix of the system.

Every use case asks :func:`authorize` before it acts, so a partner calling the services
directly gets the same protection as a browser. A rule sees the actor and a :class:`Target`
describing what is acted upon; the use case fills in the facts the rule needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tms_domain.kernel.errors import Forbidden, NotFound, PasswordChangeRequired


class Role(StrEnum):
    ADMIN = "admin"
    TRAINER = "trainer"
    TRAINEE = "trainee"


class Principal(Protocol):
    """Who is asking, as the rules see them (an account's ``Actor`` is one)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    @property
    def username(self) -> str: ...

    @property
    def client_address(self) -> str | None: ...

    @property
    def must_change_password(self) -> bool: ...

    @property
    def scopes(self) -> frozenset[str] | None:
        """A partner's API client: the scopes its token grants (None for a person)."""
        ...


class Permission(StrEnum):
    READ_OWN_USER = "user.read_own"
    CHANGE_OWN_PASSWORD = "auth.change_own_password"
    HOLD_LIVE_CONNECTION = "realtime.connect"
    LIST_USERS = "user.list"
    READ_USER = "user.read"
    CREATE_USER = "user.create"
    IMPORT_USERS = "user.import"
    """Bulk imports of users from a spreadsheet (and reading them back)."""
    UPDATE_USER = "user.update"
    UPDATE_USER_PRIVILEGES = "user.update_privileges"
    DELETE_USER = "user.delete"
    RESET_PASSWORD = "user.reset_password"
    UNLOCK_USER = "user.unlock"
    LIST_SESSIONS = "session.list"
    READ_SESSION = "session.read"
    CREATE_SESSION = "session.create"
    UPDATE_SESSION = "session.update"
    DELETE_SESSION = "session.delete"
    MANAGE_ENROLMENT = "session.enrol"
    JOIN_SESSION = "session.join"
    BOOK_SESSION = "session.book"
    LIST_ROOMS = "room.list"
    MANAGE_ROOMS = "room.manage"
    LIST_ASSIGNMENTS = "assignment.list"
    MANAGE_ASSIGNMENTS = "assignment.manage"
    READ_ATTENDANCE = "attendance.read"
    MARK_ATTENDANCE = "attendance.mark"
    DELETE_ATTENDANCE = "attendance.delete"
    READ_TRAINEE_PROGRESS = "progress.trainee"
    READ_TRAINER_OVERVIEW = "progress.trainer"
    READ_ANALYTICS = "analytics.read"
    GENERATE_REPORTS = "report.generate"
    READ_AUDIT = "audit.read"
    READ_ACTIVITY = "activity.read"
    """A user's activity timeline (sign-ins, lessons, attendance, ...)."""
    LIST_JOBS = "job.list"
    RETRY_JOB = "job.retry"
    LIST_COURSES = "course.list"
    READ_COURSE = "course.read"
    CREATE_COURSE = "course.create"
    EDIT_COURSE = "course.edit"
    """Change, publish, archive or delete a course, its modules, lessons and order."""
    ENROL_IN_COURSE = "course.enrol"
    """Enrol a trainee in a course, or take them out of it."""
    LIST_COURSE_ENROLMENTS = "course.list_enrolments"
    COMPLETE_LESSON = "lesson.complete"
    SUBSCRIBE_CALENDAR = "calendar.subscribe"
    IMPORT_LEGACY = "legacy.import"
    """Bring the earlier system's database over."""
    LIST_BATCHES = "batch.list"
    READ_BATCH = "batch.read"
    LIST_BATCH_TRAINEES = "batch.list_trainees"
    MANAGE_BATCHES = "batch.manage"
    """Create, change or delete a batch, and add or remove its members."""
    MANAGE_API_CLIENTS = "integration.api_clients"
    MANAGE_WEBHOOKS = "integration.webhooks"
    READ_OWN_NOTIFICATIONS = "notification.read_own"
    """List one's own notifications and mark them read (the target: the caller)."""
    MANAGE_OWN_PREFERENCES = "notification.preferences"
    """Read and change one's own notification preferences (the target: the caller)."""
    LIST_SKILLS = "skill.list"
    MANAGE_SKILLS = "skill.manage"
    """Create, change or delete a skill of the catalogue."""
    AWARD_SKILL = "skill.award"
    """Award a user a skill by hand (the target: the user and their assigned trainers)."""
    READ_SKILL_MATRIX = "skill.matrix"
    LIST_CERTIFICATES = "certificate.list"
    READ_CERTIFICATE = "certificate.read"
    """A certificate's PDF (the target: its holder and their trainers)."""
    REVOKE_CERTIFICATE = "certificate.revoke"
    RENEW_CERTIFICATE = "certificate.renew"
    """Send the holder through the course again (the target: its holder and their trainers)."""
    READ_COMPLIANCE = "certificate.compliance"


@dataclass(frozen=True)
class Target:
    """The facts about the acted-upon thing that the rules need."""

    user_id: int | None = None
    """The user acted upon (or whose data is read)."""
    trainer_id: int | None = None
    """The session's trainer, or the trainer a request names."""
    trainee_ids: frozenset[int] = frozenset()
    """The trainees enrolled in the session."""
    assigned_trainer_ids: frozenset[int] = frozenset()
    """The trainers assigned to ``user_id``."""
    owner_id: int | None = None
    """The course's owner (its author)."""
    published: bool = False
    """The course is published (a trainee reads only published courses)."""
    batch_trainer_ids: frozenset[int] = frozenset()
    """The trainers who follow the batch (its members are ``trainee_ids``)."""


Rule = Callable[[Principal, Target], bool]


def _anyone(_actor: Principal, _target: Target) -> bool:
    return True


def _self(actor: Principal, target: Target) -> bool:
    return actor.id == target.user_id


def _session_trainer(actor: Principal, target: Target) -> bool:
    return actor.id == target.trainer_id


def _enrolled(actor: Principal, target: Target) -> bool:
    return actor.id in target.trainee_ids


def _assigned_trainer(actor: Principal, target: Target) -> bool:
    return actor.id in target.assigned_trainer_ids


def _trainer_or_enrolled(actor: Principal, target: Target) -> bool:
    return _session_trainer(actor, target) or _enrolled(actor, target)


def _self_or_assigned_trainer(actor: Principal, target: Target) -> bool:
    return _self(actor, target) or _assigned_trainer(actor, target)


def _not_self(actor: Principal, target: Target) -> bool:
    return actor.id != target.user_id


def _course_owner(actor: Principal, target: Target) -> bool:
    return actor.id == target.owner_id


def _enrolled_in_published(actor: Principal, target: Target) -> bool:
    return target.published and _enrolled(actor, target)


def _course_owner_or_assigned_trainer(actor: Principal, target: Target) -> bool:
    return _course_owner(actor, target) or _assigned_trainer(actor, target)


def _batch_trainer(actor: Principal, target: Target) -> bool:
    return actor.id in target.batch_trainer_ids


ADMIN, TRAINER, TRAINEE = Role.ADMIN, Role.TRAINER, Role.TRAINEE

MATRIX: dict[Permission, dict[Role, Rule]] = {
    Permission.READ_OWN_USER: {ADMIN: _self, TRAINER: _self, TRAINEE: _self},
    Permission.CHANGE_OWN_PASSWORD: {ADMIN: _self, TRAINER: _self, TRAINEE: _self},
    Permission.HOLD_LIVE_CONNECTION: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.LIST_USERS: {ADMIN: _anyone, TRAINER: _anyone},
    Permission.READ_USER: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _self},
    Permission.CREATE_USER: {ADMIN: _anyone},
    Permission.IMPORT_USERS: {ADMIN: _anyone},
    Permission.UPDATE_USER: {ADMIN: _anyone, TRAINER: _self, TRAINEE: _self},
    # Role and temporary-password flag: only an admin, and never on their own account,
    # so nobody can raise (or by accident drop) their own privileges.
    Permission.UPDATE_USER_PRIVILEGES: {ADMIN: _not_self},
    Permission.DELETE_USER: {ADMIN: _not_self},
    Permission.RESET_PASSWORD: {ADMIN: _anyone},
    Permission.UNLOCK_USER: {ADMIN: _anyone},
    Permission.LIST_SESSIONS: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.READ_SESSION: {ADMIN: _anyone, TRAINER: _trainer_or_enrolled, TRAINEE: _enrolled},
    Permission.CREATE_SESSION: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.UPDATE_SESSION: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.DELETE_SESSION: {ADMIN: _anyone},
    Permission.MANAGE_ENROLMENT: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.JOIN_SESSION: {TRAINEE: _anyone},
    # Trainees book places themselves (and browse what is open); staff enrol directly.
    Permission.BOOK_SESSION: {TRAINEE: _anyone},
    Permission.LIST_ROOMS: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.MANAGE_ROOMS: {ADMIN: _anyone},
    Permission.LIST_ASSIGNMENTS: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.MANAGE_ASSIGNMENTS: {ADMIN: _anyone},
    Permission.READ_ATTENDANCE: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.MARK_ATTENDANCE: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.DELETE_ATTENDANCE: {ADMIN: _anyone},
    Permission.READ_TRAINEE_PROGRESS: {
        ADMIN: _anyone,
        TRAINER: _assigned_trainer,
        TRAINEE: _self_or_assigned_trainer,
    },
    Permission.READ_TRAINER_OVERVIEW: {ADMIN: _anyone, TRAINER: _session_trainer},
    Permission.READ_ANALYTICS: {ADMIN: _anyone},
    Permission.GENERATE_REPORTS: {ADMIN: _anyone},
    Permission.READ_AUDIT: {ADMIN: _anyone},
    Permission.READ_ACTIVITY: {ADMIN: _anyone, TRAINER: _self, TRAINEE: _self},
    Permission.LIST_JOBS: {ADMIN: _anyone},
    Permission.RETRY_JOB: {ADMIN: _anyone},
    # Trainees list only what they may read: the use case narrows the listing to it.
    Permission.LIST_COURSES: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.READ_COURSE: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _enrolled_in_published},
    Permission.CREATE_COURSE: {ADMIN: _anyone, TRAINER: _course_owner},
    Permission.EDIT_COURSE: {ADMIN: _anyone, TRAINER: _course_owner},
    # Target: the course's owner and the trainee (``user_id``) with their assigned trainers.
    Permission.ENROL_IN_COURSE: {ADMIN: _anyone, TRAINER: _course_owner_or_assigned_trainer},
    # A trainer who does not own the course sees their assigned trainees only (the use case
    # narrows the listing).
    Permission.LIST_COURSE_ENROLMENTS: {ADMIN: _anyone, TRAINER: _anyone},
    Permission.COMPLETE_LESSON: {TRAINEE: _enrolled_in_published},
    Permission.SUBSCRIBE_CALENDAR: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.IMPORT_LEGACY: {ADMIN: _anyone},
    # Trainers list the batches they follow, trainees those they belong to (the use case
    # narrows the listing).
    Permission.LIST_BATCHES: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.READ_BATCH: {ADMIN: _anyone, TRAINER: _batch_trainer, TRAINEE: _enrolled},
    # A batch's members are shown to staff only, never to its trainees.
    Permission.LIST_BATCH_TRAINEES: {ADMIN: _anyone, TRAINER: _batch_trainer},
    Permission.MANAGE_BATCHES: {ADMIN: _anyone},
    Permission.MANAGE_API_CLIENTS: {ADMIN: _anyone},
    Permission.MANAGE_WEBHOOKS: {ADMIN: _anyone},
    # Notifications are their user's alone: not even an admin reads another's.
    Permission.READ_OWN_NOTIFICATIONS: {ADMIN: _self, TRAINER: _self, TRAINEE: _self},
    Permission.MANAGE_OWN_PREFERENCES: {ADMIN: _self, TRAINER: _self, TRAINEE: _self},
    Permission.LIST_SKILLS: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.MANAGE_SKILLS: {ADMIN: _anyone},
    Permission.AWARD_SKILL: {ADMIN: _anyone, TRAINER: _assigned_trainer},
    # A trainer's matrix holds their assigned trainees only (the use case narrows it).
    Permission.READ_SKILL_MATRIX: {ADMIN: _anyone, TRAINER: _anyone},
    # Everyone lists their own certificates (admins: all; the use case narrows the listing).
    Permission.LIST_CERTIFICATES: {ADMIN: _anyone, TRAINER: _anyone, TRAINEE: _anyone},
    Permission.READ_CERTIFICATE: {
        ADMIN: _anyone,
        TRAINER: _self_or_assigned_trainer,
        TRAINEE: _self,
    },
    Permission.REVOKE_CERTIFICATE: {ADMIN: _anyone},
    Permission.RENEW_CERTIFICATE: {ADMIN: _anyone, TRAINER: _assigned_trainer},
    # A trainer sees their assigned trainees only (the use case narrows the rows).
    Permission.READ_COMPLIANCE: {ADMIN: _anyone, TRAINER: _anyone},
}

SCOPE_OF: dict[Permission, str] = {
    Permission.LIST_USERS: "users:read",
    Permission.READ_USER: "users:read",
    Permission.CREATE_USER: "users:write",
    Permission.UPDATE_USER: "users:write",
    Permission.UPDATE_USER_PRIVILEGES: "users:write",
    Permission.DELETE_USER: "users:write",
    Permission.RESET_PASSWORD: "users:write",
    Permission.UNLOCK_USER: "users:write",
    Permission.LIST_SESSIONS: "sessions:read",
    Permission.READ_SESSION: "sessions:read",
    Permission.LIST_ROOMS: "sessions:read",
    Permission.LIST_ASSIGNMENTS: "sessions:read",
    Permission.READ_ATTENDANCE: "sessions:read",
    Permission.CREATE_SESSION: "sessions:write",
    Permission.UPDATE_SESSION: "sessions:write",
    Permission.DELETE_SESSION: "sessions:write",
    Permission.MANAGE_ENROLMENT: "sessions:write",
    Permission.MANAGE_ROOMS: "sessions:write",
    Permission.MANAGE_ASSIGNMENTS: "sessions:write",
    Permission.MARK_ATTENDANCE: "sessions:write",
    Permission.DELETE_ATTENDANCE: "sessions:write",
    Permission.LIST_COURSES: "courses:read",
    Permission.READ_COURSE: "courses:read",
    Permission.LIST_COURSE_ENROLMENTS: "courses:read",
    Permission.CREATE_COURSE: "courses:write",
    Permission.EDIT_COURSE: "courses:write",
    Permission.ENROL_IN_COURSE: "courses:write",
    Permission.READ_TRAINEE_PROGRESS: "progress:read",
    Permission.READ_TRAINER_OVERVIEW: "progress:read",
    Permission.READ_ANALYTICS: "reports:read",
    Permission.GENERATE_REPORTS: "reports:read",
}
"""What a partner's API client needs for each permission. A client acts with an admin's
rules, but only where one of its scopes names the permission; everything else (its own
account, live connections, audit, jobs, integrations, imports) is never a client's."""
SCOPE_DENIAL = "This client's scopes do not allow this"


def _within_scopes(actor: Principal, permission: Permission) -> bool:
    scopes = actor.scopes
    return scopes is None or SCOPE_OF.get(permission) in scopes


ALLOWED_WITH_TEMPORARY_PASSWORD = frozenset(
    {Permission.READ_OWN_USER, Permission.CHANGE_OWN_PASSWORD, Permission.HOLD_LIVE_CONNECTION}
)

HIDDEN_WHEN_DENIED = frozenset(
    {
        Permission.READ_SESSION,
        Permission.READ_COURSE,
        Permission.COMPLETE_LESSON,
        Permission.READ_BATCH,
        Permission.READ_ACTIVITY,
        Permission.READ_CERTIFICATE,
    }
)
"""Denials that answer "not found", so probing does not reveal what exists."""

_NOT_FOUND = {
    Permission.READ_SESSION: "Session not found",
    Permission.READ_COURSE: "Course not found",
    Permission.COMPLETE_LESSON: "Lesson not found",
    Permission.READ_BATCH: "Batch not found",
    Permission.READ_ACTIVITY: "User not found",
    Permission.READ_CERTIFICATE: "Certificate not found",
}


def is_allowed(actor: Principal, permission: Permission, target: Target | None = None) -> bool:
    if actor.must_change_password and permission not in ALLOWED_WITH_TEMPORARY_PASSWORD:
        return False
    if not _within_scopes(actor, permission):
        return False
    rule = MATRIX[permission].get(actor.role)
    return rule is not None and rule(actor, target or Target())


def authorize(
    actor: Principal,
    permission: Permission,
    target: Target | None = None,
    *,
    denial: str = "You are not allowed to do this",
) -> None:
    """Raise unless the actor may act; a temporary password allows only changing it."""
    if actor.must_change_password and permission not in ALLOWED_WITH_TEMPORARY_PASSWORD:
        raise PasswordChangeRequired
    if not _within_scopes(actor, permission):
        raise Forbidden(SCOPE_DENIAL)
    if is_allowed(actor, permission, target):
        return
    if permission in HIDDEN_WHEN_DENIED:
        raise NotFound(_NOT_FOUND[permission])
    raise Forbidden(denial)

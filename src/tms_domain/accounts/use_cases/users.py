"""Use cases for managing users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tms_domain.accounts.events import SignInsEnded, UserChanged, UserCreated, UserDeleted
from tms_domain.accounts.lockout import account_attempts_key
from tms_domain.accounts.lookups import existing_user
from tms_domain.accounts.model import Actor, User, UserChanges
from tms_domain.accounts.passwords import (
    PasswordPolicy,
    generate_temporary_password,
    normalize_password,
)
from tms_domain.accounts.ports import AttemptStore, PasswordHasher
from tms_domain.accounts.profiles import login_key, normalize_username, profile_violations
from tms_domain.accounts.sso import PROVISION_JOB
from tms_domain.accounts.use_cases.links import enqueue_password_notice, issue_invitation
from tms_domain.audit import record_audit
from tms_domain.kernel import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidInput,
    Page,
    Permission,
    Role,
    Target,
    authorize,
)
from tms_domain.training import (
    SessionChanges,
    SessionDeleted,
    SessionStatus,
    ensure_no_double_booking,
)
from tms_domain.unit_of_work import Core, UnitOfWork


def enqueue_provisioning(uow: UnitOfWork, user_id: int) -> None:
    """The user's account at the identity provider, made by a job after this commit (once,
    however often it is asked for)."""
    uow.jobs.enqueue(PROVISION_JOB, {"user_id": user_id}, idempotency_key=f"user:{user_id}")


@dataclass(frozen=True)
class NewUser:
    username: str
    email: str
    first_name: str
    last_name: str
    role: Role
    password: str | None = None
    is_temporary_password: bool | None = None
    invite: bool = False
    """Mail the user a link to choose their password instead of answering a temporary one."""


@dataclass(frozen=True)
class CreatedUser:
    user: User
    temporary_password: str | None
    """Set only when the server generated the password: shown once, never stored."""
    invited: bool = False


EMAIL_HELD_AS_USERNAME = "That email address is already a sign-in name: choose another"


class UserService:
    def __init__(
        self,
        core: Core,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        attempts: AttemptStore,
        *,
        provision_at_provider: bool = False,
    ) -> None:
        self._core = core
        self._hasher = hasher
        self._policy = policy
        self._attempts = attempts
        self._provision_at_provider = provision_at_provider

    async def list_users(self, actor: Actor, page: Page, role: Role | None = None) -> list[User]:
        """Admins and trainers see every user, optionally of one role (filtered, then paged)."""
        authorize(actor, Permission.LIST_USERS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.user_directory.page(skip=page.skip, limit=page.limit, role=role)

    async def list_user_views(
        self, actor: Actor, page: Page, role: Role | None = None
    ) -> Sequence[object]:
        """list_users as the client is shown it (the read side's views, not aggregates)."""
        authorize(actor, Permission.LIST_USERS)
        async with self._core.uow(read_only=True) as uow:
            return await uow.user_views.page(skip=page.skip, limit=page.limit, role=role)

    async def get_user(self, actor: Actor, user_id: int) -> User:
        """Admins and trainers read anyone; a trainee reads only themself."""
        if user_id == actor.id:
            authorize(actor, Permission.READ_OWN_USER, Target(user_id=user_id))
            return actor.user
        authorize(actor, Permission.READ_USER, Target(user_id=user_id))
        async with self._core.uow(read_only=True) as uow:
            return await existing_user(uow, user_id)

    async def create_user(self, actor: Actor, new: NewUser) -> CreatedUser:
        """Admins create accounts. Without a password the server generates a strong temporary
        one and returns it once; a given password passes the policy and is temporary unless
        ``is_temporary_password`` is false. The username is stored NFKC-normalised and holds
        no @ (InvalidInput otherwise). Username and email are unique case-insensitively, the
        email is nobody's username, and the username looks like no other (Unicode TR39
        skeletons): a Conflict otherwise, naming no other account. With ``invite`` no
        password is given or answered: the user is mailed a link to choose one (72 h), and
        until then has a random temporary password nobody knows. With provisioning into the
        identity provider configured, a job made in the same commit creates the account
        there too."""
        authorize(actor, Permission.CREATE_USER)
        username = normalize_username(new.username)
        errors = profile_violations(
            username=username,
            email=new.email,
            first_name=new.first_name,
            last_name=new.last_name,
        )
        generated = None
        if new.invite and new.password is not None:
            errors.append(("invite", "Give a password or send an invitation, not both"))
        if new.password is None:
            password = generated = generate_temporary_password(self._policy)
            temporary = True
        else:
            password = new.password
            temporary = True if new.is_temporary_password is None else new.is_temporary_password
            errors += [
                (e.field, e.message)
                for e in self._policy.violations(
                    password,
                    field="password",
                    username=username,
                    email=new.email,
                    first_name=new.first_name,
                    last_name=new.last_name,
                )
            ]
        if errors:
            raise InvalidInput.many("Invalid user", errors)
        password_hash = await self._hasher.hash(normalize_password(password))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            await _ensure_email_is_nobodys_username(uow, new.email, None)
            user = await uow.users.add(
                User(
                    id=0,
                    username=username,
                    email=new.email.strip(),
                    role=new.role,
                    first_name=new.first_name.strip(),
                    last_name=new.last_name.strip(),
                    password_hash=password_hash,
                    is_temporary_password=temporary,
                    created_at=now,
                    updated_at=now,
                )
            )
            await record_audit(
                uow,
                actor,
                "user.created",
                "user",
                user.id,
                now,
                {k: [None, v] for k, v in user.audit_fields().items()},
            )
            if new.invite:
                await issue_invitation(uow, actor, user, now)
                generated = None
            if self._provision_at_provider:
                enqueue_provisioning(uow, user.id)
            uow.record(UserCreated(user.snapshot()))
            await uow.commit()
        return CreatedUser(user=user, temporary_password=generated, invited=new.invite)

    async def ensure_admin(
        self, username: str, email: str, password: str | None
    ) -> CreatedUser | None:
        """Make sure an admin exists: while any admin account does, nothing changes. Otherwise
        the bootstrap admin is created; with a password given it is used (it must pass the
        policy) and is not temporary; without one, a temporary password is generated and
        returned once. A non-admin already holding the username is a conflict."""
        username = normalize_username(username)
        async with self._core.uow(read_only=True) as uow:
            if await uow.user_directory.page(skip=0, limit=1, role=Role.ADMIN):
                return None
            holder = await uow.users.find_by_login(username)
        if holder is not None:
            raise Conflict(
                f"No admin exists and the username {username!r} belongs to a {holder.role.value}:"
                " choose another TMS_ADMIN_USERNAME"
            )
        generated = None
        if password is None:
            password = generated = generate_temporary_password(self._policy)
        errors = profile_violations(username=username, email=email)
        errors += [
            (e.field, e.message)
            for e in self._policy.violations(
                password, field="password", username=username, email=email
            )
        ]
        if errors:
            raise InvalidInput.many("Invalid bootstrap admin", errors)
        password_hash = await self._hasher.hash(normalize_password(password))
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            user = await uow.users.add(
                User(
                    id=0,
                    username=username,
                    email=email,
                    role=Role.ADMIN,
                    first_name="Administrator",
                    last_name="",
                    password_hash=password_hash,
                    is_temporary_password=generated is not None,
                    created_at=now,
                    updated_at=now,
                )
            )
            await record_audit(
                uow,
                None,
                "user.created",
                "user",
                user.id,
                now,
                {k: [None, v] for k, v in user.audit_fields().items()},
            )
            await uow.commit()
        return CreatedUser(user=user, temporary_password=generated)

    async def update_user(self, actor: Actor, user_id: int, changes: UserChanges) -> User:
        """Admins change any field of other users. Everyone may change their own names,
        email and username; a change of role or temporary-password flag on oneself is
        refused (sending the unchanged value is accepted), and a password goes through
        change-password. A role or password change by an admin ends the user's sign-ins.
        A new username or email follows the rules of ``create_user``; one sent unchanged is
        accepted as it is, even from before those rules. A clash answers Conflict without
        naming the account it clashes with."""
        authorize(actor, Permission.UPDATE_USER, Target(user_id=user_id))
        async with self._core.uow() as uow:
            user = await existing_user(uow, user_id, for_update=True)
            changes = user.without_unchanged_login(changes)
            _authorize_changes(actor, user, changes)
            self._ensure_valid(user, changes)
            if changes.role is not None and user.changes_role(changes):
                await ensure_role_can_change(uow, user, changes.role)
            if changes.email is not None:
                await _ensure_email_is_nobodys_username(uow, changes.email, user.id)
            password_hash = (
                await self._hasher.hash(normalize_password(changes.password))
                if changes.password is not None
                else None
            )
            now = self._core.clock.now()
            changed, end_sign_ins = user.apply(changes, password_hash, now)
            if not changed:
                return user
            await uow.users.update(user)
            await record_audit(uow, actor, "user.updated", "user", user.id, now, changed)
            if password_hash is not None:
                await uow.password_links.end_all(user.id, now)
                enqueue_password_notice(uow, user, "reset", now)
            uow.record(UserChanged(user.snapshot(), await assigned_trainers(uow, user)))
            if end_sign_ins:
                await uow.sign_ins.revoke_all(user.id, now)
                # After the event, so that the user's live connections hear of it first.
                uow.record(SignInsEnded(user.id))
            await uow.commit()
        return user

    def _ensure_valid(self, user: User, changes: UserChanges) -> None:
        """The profile fields being set, and a new password, each pass their rules."""
        errors = profile_violations(
            username=changes.username,
            email=changes.email,
            first_name=changes.first_name,
            last_name=changes.last_name,
        )
        if changes.password is not None:
            errors += [
                (e.field, e.message)
                for e in self._policy.violations(
                    changes.password,
                    field="password",
                    username=changes.username or user.username,
                    email=changes.email or user.email,
                    first_name=changes.first_name or user.first_name,
                    last_name=changes.last_name or user.last_name,
                )
            ]
        if errors:
            raise InvalidInput.many("Invalid user", errors)

    async def delete_user(
        self,
        actor: Actor,
        user_id: int,
        *,
        reassign_to: int | None = None,
        cascade: bool = False,
    ) -> None:
        """Admins delete other users. Someone who trains sessions is kept (409) unless their
        sessions are reassigned to another trainer (who must be free at those times) or
        deleted with ``cascade``. A trainee's enrolments and assignments go with them; a
        trainee with attendance history is kept (409) unless ``cascade`` deletes it too."""
        authorize(
            actor,
            Permission.DELETE_USER,
            Target(user_id=user_id),
            denial="You cannot delete your own account",
        )
        if reassign_to is not None and cascade:
            raise BadRequest("Give either reassign_to or cascade, not both")
        async with self._core.uow() as uow:
            user = await existing_user(uow, user_id, for_update=True)
            now = self._core.clock.now()
            trainers = await assigned_trainers(uow, user)
            session_ids = await uow.sessions.ids_trained_by(user_id)
            if session_ids and reassign_to is None and not cascade:
                raise Conflict(
                    f"{user.name} trains {len(session_ids)} session(s): reassign them "
                    "(reassign_to=<trainer id>) or delete them too (cascade=true)"
                )
            if session_ids and reassign_to is not None:
                await self._reassign_sessions(uow, actor, user, reassign_to, session_ids, now)
            elif session_ids:
                for session_id in session_ids:
                    session = await uow.sessions.get(session_id)
                    if session is None:
                        continue
                    marks = await uow.attendance_listing.list_for_session(session_id)
                    await uow.sessions.delete(session_id)
                    await record_audit(uow, actor, "session.deleted", "session", session_id, now)
                    uow.record(SessionDeleted(session, tuple(marks)))
            attended = await uow.attendance.count_for_trainee(user_id)
            if attended and not cascade:
                raise Conflict(
                    f"{user.name} has {attended} attendance record(s): delete with "
                    "cascade=true to remove them too"
                )
            await uow.users.delete(user_id)
            await record_audit(
                uow,
                actor,
                "user.deleted",
                "user",
                user_id,
                now,
                {k: [v, None] for k, v in user.audit_fields().items()},
            )
            uow.record(UserDeleted(user_id, trainers))
            uow.record(SignInsEnded(user_id))
            await uow.commit()
        # Sign-ins went with the user's row; the count of failed sign-ins goes now.
        await self._attempts.clear(account_attempts_key(user_id))

    async def _reassign_sessions(
        self,
        uow: UnitOfWork,
        actor: Actor,
        user: User,
        reassign_to: int,
        session_ids: list[int],
        now: Any,
    ) -> None:
        if reassign_to == user.id:
            raise BadRequest("Reassign the sessions to someone else")
        successor = await uow.users.get(reassign_to, for_update=True)
        if successor is None or successor.role not in (Role.TRAINER, Role.ADMIN):
            raise BadRequest("reassign_to must name a trainer or an admin")
        for session_id in session_ids:
            session = await uow.sessions.get(session_id, for_update=True)
            if session is None:
                continue
            if session.status is SessionStatus.SCHEDULED:
                await ensure_no_double_booking(
                    uow, session, trainer_id=successor.id, trainee_ids=()
                )
            changed = session.apply(SessionChanges(trainer_id=successor.id), now)
            events = session.pull_events()
            await uow.sessions.update(session)
            await record_audit(uow, actor, "session.updated", "session", session_id, now, changed)
            for event in events:
                uow.record(event)


async def ensure_role_can_change(uow: UnitOfWork, user: User, new_role: Role) -> None:
    """A role change must not leave sessions without a trainer or a trainer enrolled."""
    if new_role is Role.TRAINEE and await uow.sessions.ids_trained_by(user.id):
        raise Conflict(f"{user.name} trains sessions: reassign them before changing the role")
    if user.role is Role.TRAINEE and (
        await uow.session_listing.sessions_of_trainees([user.id])
    ).get(user.id):
        raise Conflict(f"{user.name} is enrolled in sessions: remove the enrolments first")
    if user.role is Role.TRAINEE and await uow.assignments.teacher_ids_of(user.id):
        raise Conflict(f"{user.name} is assigned to trainers: remove the assignments first")
    if (
        user.role is Role.TRAINER
        and new_role is not Role.ADMIN
        and (await uow.assignments.student_ids_of(user.id))
    ):
        raise Conflict(f"{user.name} has assigned trainees: remove the assignments first")


def _authorize_changes(actor: Actor, user: User, changes: UserChanges) -> None:
    """A new role or temporary-password flag needs the right to change privileges (never
    one's own); a new password the right to reset it (never one's own: change-password)."""
    if user.changes_privileges(changes):
        authorize(
            actor,
            Permission.UPDATE_USER_PRIVILEGES,
            Target(user_id=user.id),
            denial="You cannot change your own role or password status",
        )
    if changes.password is not None:
        if user.id == actor.id:
            raise Forbidden("Use change-password to change your own password")
        authorize(actor, Permission.RESET_PASSWORD, Target(user_id=user.id))


async def _ensure_email_is_nobodys_username(
    uow: UnitOfWork, email: str, user_id: int | None
) -> None:
    """Usernames hold no @ now, but older ones may; signing in by this email must not find
    that other user."""
    holder = await uow.users.find_by_login(email)
    if holder is not None and holder.id != user_id and login_key(holder.email) != login_key(email):
        raise Conflict(EMAIL_HELD_AS_USERNAME)


async def assigned_trainers(uow: UnitOfWork, user: User) -> frozenset[int]:
    """For a trainee, the trainers assigned to them (who hear of changes to them)."""
    if user.role is not Role.TRAINEE:
        return frozenset()
    return frozenset(await uow.assignments.teacher_ids_of(user.id))

"""Use cases for accounts by e-mail: invitations, forgotten passwords, one-time links, and
the notice a person gets whenever their password changes."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tms_domain.accounts.events import SignInsEnded
from tms_domain.accounts.links import UNKNOWN_LINK, LinkPurpose, PasswordLink, token_hash
from tms_domain.accounts.lookups import existing_user
from tms_domain.accounts.model import Actor, User
from tms_domain.accounts.passwords import PasswordPolicy
from tms_domain.accounts.ports import AttemptStore, PasswordHasher
from tms_domain.accounts.profiles import login_key, profile_violations
from tms_domain.audit import AuditEntry, audit_entry, record_audit
from tms_domain.kernel import BadRequest, InvalidInput, Permission, Target, Throttled, authorize
from tms_domain.kernel.jobs import JobQueue
from tms_domain.notifications import MailTemplate, enqueue_mail
from tms_domain.unit_of_work import Core, UnitOfWork

RESET_REQUESTED_JOB = "accounts.password_reset_requested"
"""A forgot-password request: its handler finds the account, if any, and mails the link."""

RESET_LINK_ANSWER = (
    "If an account uses that address, a link to set a new password is on its way to it"
)


@dataclass(frozen=True)
class ForgotPasswordLimits:
    """Forgot-password requests allowed per ``window_seconds``: from one client address,
    and for one e-mail address (whoever asks)."""

    per_address: int = 20
    per_email: int = 5
    window_seconds: int = 900


def enqueue_password_notice(uow: UnitOfWork, user: User, how: str, now: datetime) -> None:
    """Tell the user their password was ``how`` ("changed", "reset", "set"): never which."""
    enqueue_mail(
        uow.jobs,
        MailTemplate.PASSWORD_CHANGED,
        to=user.email,
        to_name=user.name,
        recipient_id=user.id,
        context={"name": user.name, "how": how, "at": now.isoformat(), "username": user.username},
        cause=f"{now.isoformat()}:{secrets.token_hex(8)}",
    )


async def issue_invitation(uow: UnitOfWork, actor: Actor, user: User, now: datetime) -> None:
    """A new invitation for ``user``: earlier ones end, the mail goes after the commit."""
    await uow.password_links.end_all(user.id, now, purpose=LinkPurpose.INVITATION)
    await uow.audit.record_many(await issue_invitations(uow, actor, [user], now))


async def issue_invitations(
    uow: UnitOfWork, actor: Actor, users: Sequence[User], now: datetime
) -> list[AuditEntry]:
    """Invitations for users who have none under way (just created, say): their links
    stored at once, a mail each queued for after the commit. The ``user.invited`` audit
    entries, in the users' order, for the caller to record (with its own, in order)."""
    issued = [PasswordLink.issue(user.id, LinkPurpose.INVITATION, now) for user in users]
    links = await uow.password_links.add_many([link for link, _ in issued])
    for user, link, (_, token) in zip(users, links, issued, strict=True):
        _enqueue_link_mail(uow.jobs, MailTemplate.INVITATION, user, link, token, cause=str(link.id))
    return [
        audit_entry(
            actor,
            "user.invited",
            "user",
            user.id,
            now,
            {"invitation_expires_at": [None, link.expires_at.isoformat()]},
        )
        for user, link in zip(users, links, strict=True)
    ]


def _enqueue_link_mail(
    jobs: JobQueue,
    template: MailTemplate,
    user: User,
    link: PasswordLink,
    token: str,
    *,
    cause: str,
) -> None:
    enqueue_mail(
        jobs,
        template,
        to=user.email,
        to_name=user.name,
        recipient_id=user.id,
        context={
            "name": user.name,
            "username": user.username,
            "token": token,
            "expires_at": link.expires_at.isoformat(),
        },
        cause=cause,
    )


class PasswordLinkService:
    def __init__(
        self,
        core: Core,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        attempts: AttemptStore,
        limits: ForgotPasswordLimits,
    ) -> None:
        self._core = core
        self._hasher = hasher
        self._policy = policy
        self._attempts = attempts
        self._limits = limits

    async def invite(self, actor: Actor, user_id: int) -> User:
        """Admins send a user a new invitation: a link to choose a password, valid 72 h.
        Earlier invitations of that user stop working. The user's password, if any, stays
        as it is until they use the link."""
        authorize(actor, Permission.RESET_PASSWORD, Target(user_id=user_id))
        async with self._core.uow() as uow:
            user = await existing_user(uow, user_id, for_update=True)
            await issue_invitation(uow, actor, user, self._core.clock.now())
            await uow.commit()
        return user

    async def forgot_password(self, email: str, client_address: str | None) -> None:
        """Anyone may ask for a link to set a new password. The answer and the work done in
        the request are the same whether or not an account uses the address: the request is
        stored as a job, and the job finds the account, if any, and mails it. Requests are
        limited per client address and per e-mail address (Throttled past the limit)."""
        if profile_violations(email=email):
            raise InvalidInput.for_field("email", "Enter a valid email address")
        await self._throttle(
            f"forgot:address:{client_address or 'unknown'}", self._limits.per_address
        )
        await self._throttle(f"forgot:email:{login_key(email)}", self._limits.per_email)
        async with self._core.uow() as uow:
            uow.jobs.enqueue(RESET_REQUESTED_JOB, {"email": email.strip()})
            await uow.commit()

    async def _throttle(self, key: str, limit: int) -> None:
        window = self._limits.window_seconds
        if await self._attempts.add_recent(key, window) > limit:
            elapsed = self._core.clock.now().timestamp() % window
            raise Throttled(
                "Too many requests for a new password: try again later",
                max(1, math.ceil(window - elapsed)),
            )

    async def send_reset_link(self, email: str, cause: str) -> bool:
        """The job behind a forgot-password request: when an account uses ``email``, a new
        reset link (1 h) is mailed to it, once per request (``cause``). Earlier reset links
        stay valid until they expire or any link is used. False when no account uses it."""
        now = self._core.clock.now()
        async with self._core.uow() as uow:
            user = await uow.users.find_by_login(email)
            if user is None or login_key(user.email) != login_key(email):
                return False
            link, token = PasswordLink.issue(user.id, LinkPurpose.PASSWORD_RESET, now)
            link = await uow.password_links.add(link)
            # Run again after a crash, this job makes another link but no second mail: the
            # mail's key is the request's, and the unused link expires within the hour.
            _enqueue_link_mail(
                uow.jobs, MailTemplate.PASSWORD_RESET, user, link, token, cause=cause
            )
            await record_audit(
                uow,
                None,
                "user.password_reset_requested",
                "user",
                user.id,
                now,
                {"reset_link_expires_at": [None, link.expires_at.isoformat()]},
            )
            await uow.commit()
            return True

    async def set_password(
        self, token: str, new_password: str, client_address: str | None = None
    ) -> User:
        """Whoever holds a link's token sets the password of its account, once: the link
        must be neither used, ended nor expired (BadRequest saying which). The password
        passes the policy and is not temporary; every link of the account and every
        sign-in end, and the user is sent a notice."""
        digest = token_hash(token)
        async with self._core.uow(read_only=True) as uow:
            link = await uow.password_links.find(digest)
            user = None if link is None else await uow.users.get(link.user_id)
        if link is None or user is None:
            raise BadRequest(UNKNOWN_LINK)
        if problem := link.problem(self._core.clock.now()):
            raise BadRequest(problem)
        checked = self._policy.check(
            new_password,
            field="new_password",
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
        )
        password_hash = await self._hasher.hash(checked)
        async with self._core.uow() as uow:
            now = self._core.clock.now()
            link = await uow.password_links.find(digest, for_update=True)
            if link is None:
                raise BadRequest(UNKNOWN_LINK)
            # Checked again under the lock: two uses at once, one wins.
            if problem := link.problem(now):
                raise BadRequest(problem)
            user = await existing_user(uow, link.user_id, for_update=True)
            link.use(now)
            await uow.password_links.update(link)
            await uow.password_links.end_all(user.id, now)
            user.change_password(password_hash, now)
            events = user.pull_events()
            await uow.users.update(user)
            await uow.sign_ins.revoke_all(user.id, now)
            actor = Actor(user=user, client_address=client_address)
            await record_audit(
                uow,
                actor,
                "user.password_set",
                "user",
                user.id,
                now,
                {"via": [None, link.purpose.value]},
            )
            enqueue_password_notice(uow, user, "set", now)
            for event in events:
                uow.record(event)
            uow.record(SignInsEnded(user.id))
            await uow.commit()
        return user

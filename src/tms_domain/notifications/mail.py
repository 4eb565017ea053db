"""The mail port: a message as the system means it, and what sends it.

Mail is never sent inside a request: a use case enqueues a ``mail.send`` job in its unit of
work (``enqueue_mail``), stored by the same commit as the change that causes it, and a
worker renders and sends it after the commit. The job's idempotency key names the cause
and the recipient, so one cause mails one recipient at most once however often it is
enqueued; the worker commits the job's "sent" marker at the last moment before delivery
(``Mailer.send``'s ``before_delivery``), so a worker killed at any moment sends no second
copy. The key also gives the message its Message-ID.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from tms_domain.kernel.jobs import JobQueue

MAIL_JOB = "mail.send"


class MailTemplate(StrEnum):
    """The messages the system sends; each is a template of the mail adapter. None of them
    is given a password, ever: a link to set one instead."""

    INVITATION = "invitation"
    """A new account, or a fresh invitation: a link to choose a password (72 h)."""
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a name, not a password)
    """Someone asked for a new password for this address: a link to set one (1 h)."""
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a name, not a password)
    """A notice: the account's password was changed or reset (never the password)."""
    SESSION_ASSIGNED = "session_assigned"
    """Enrolled in a session: its time, place and link, with the .ics (METHOD:REQUEST)."""
    SESSION_UPDATED = "session_updated"
    """A session's time, place or link changed: the new ones, with the .ics (SEQUENCE up)."""
    SESSION_CANCELLED = "session_cancelled"
    """A session was cancelled, and why when given, with the .ics (METHOD:CANCEL)."""
    SESSION_REMOVED = "session_removed"
    """Taken out of a session."""
    SESSION_REMINDER = "session_reminder"
    """A session starts soon."""
    COURSE_ENROLLED = "course_enrolled"
    """Enrolled in a course (and its due date)."""
    COURSE_DUE = "course_due"
    """A course is due soon."""
    CERTIFICATE_EXPIRING = "certificate_expiring"
    """A certificate expires within 30 days."""
    WEBHOOK_DISABLED = "webhook_disabled"
    """To admins: a webhook subscription failed for a day and was disabled."""
    ACHIEVEMENT_AWARDED = "achievement_awarded"
    """A milestone reached (the notification is not mailed today; the template is ready)."""

    @property
    def is_notification(self) -> bool:
        """Mail that follows a notification: it carries a List-Unsubscribe header pointing
        to the preferences page (account mail does not: it cannot be turned off)."""
        return self not in _ACCOUNT_MAIL


_ACCOUNT_MAIL = frozenset(
    {MailTemplate.INVITATION, MailTemplate.PASSWORD_RESET, MailTemplate.PASSWORD_CHANGED}
)


def header_safe(value: str) -> bool:
    """True when ``value`` cannot start another header line: no CR, LF or other line break
    (the ones ``str.splitlines`` knows, which some mail software honours), and no NUL."""
    return "\x00" not in value and len(value.splitlines()) <= 1 and not value.endswith(("\r", "\n"))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    """``maintype/subtype``, e.g. ``text/calendar``."""
    data: bytes
    params: tuple[tuple[str, str], ...] = ()
    """Parameters of its Content-Type, e.g. ``(("method", "REQUEST"),)`` for an invitation."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient. Header values (the recipient, the subject, extra
    headers) are refused with ValueError when they hold a line break, whatever their source:
    user data cannot add a header."""

    to: str
    subject: str
    text: str
    html: str | None = None
    to_name: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra headers, e.g. Message-ID, List-Unsubscribe."""
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        named = {"to": self.to, "to_name": self.to_name, "subject": self.subject}
        named |= {f"header {name}": value for name, value in self.headers.items()}
        named |= {f"header name {name!r}": name for name in self.headers}
        named |= {f"attachment {a.filename!r}": a.filename for a in self.attachments}
        for what, value in named.items():
            if not header_safe(value):
                raise ValueError(f"A line break in the message's {what}")


class MailRefused(Exception):
    """The server refused the message for good (5xx, a recipient it will not take):
    sending it again cannot help."""


class MailUnavailable(Exception):
    """The message could not be sent now (4xx, no connection, a timeout): try again later."""


class Mailer(Protocol):
    async def send(
        self,
        message: OutgoingMessage,
        *,
        before_delivery: Callable[[Callable[[], None]], Awaitable[None]] | None = None,
    ) -> None:
        """Deliver ``message`` to its recipient's server (or the outbox); raise MailRefused
        or MailUnavailable when it was not.

        ``before_delivery``, when given, is awaited at the last moment before the message is
        delivered (for SMTP: the server holds the whole message and waits for the final
        "." that makes it take it) with the step that delivers it (writing that "."), which
        it calls at once when it is done (``JobContext.claim_effect``); when it raises
        before, nothing is delivered. A failure after it that says the message was not
        taken (an answer other than 250) raises as above; a line lost after it leaves the
        message perhaps taken: the mailer logs that and returns."""
        ...


def enqueue_mail(
    jobs: JobQueue,
    template: MailTemplate,
    *,
    to: str,
    to_name: str,
    recipient_id: int,
    context: Mapping[str, Any],
    cause: str,
    calendar: Mapping[str, Any] | None = None,
) -> None:
    """Send ``template`` to ``to`` after the unit of work commits, at most once per
    ``cause`` (what happened, e.g. the invitation's id) and recipient (a user's id). ``context``
    holds what the template shows (JSON values); it may hold a one-time link token, never
    a password. ``calendar``: a session's calendar entry to attach as .ics, as JSON
    (``tms_domain.notifications.use_cases.notify.CalendarInvite.as_json``)."""
    if "password" in context:
        raise ValueError("A message never carries a password")
    payload: dict[str, Any] = {
        "template": template.value,
        "to": to,
        "to_name": to_name,
        "context": dict(context),
    }
    if calendar is not None:
        payload["calendar"] = dict(calendar)
    jobs.enqueue(MAIL_JOB, payload, idempotency_key=f"{template.value}:{cause}:{recipient_id}")

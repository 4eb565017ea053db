"""The one way to tell a user something: ``notify``, called by any area's use case (or
reaction, or job) inside its unit of work, so the notification, its live event and its mail
are kept together with the change that caused them, or not at all.

    await notify(
        uow,
        trainee,                        # a User, or a user's id
        NotificationKind.SESSION_ASSIGNED,
        title="You were enrolled in a session",
        message="Fire safety on 2026-12-08 09:00 UTC",
        link="/app/sessions/12",
        dedupe_key="session_assigned:12",   # the cause; the user is added to it
        now=now,
        mail=MailTemplate.SESSION_ASSIGNED,
        mail_context={"session_title": "Fire safety", ...},
        calendar=CalendarInvite(entry, CalendarMethod.REQUEST),
    )

It stores the notification unless the user already has one with the same cause (then it does
nothing else and answers None), records ``NotificationCreated`` (pushed after the commit as
the ``notification`` event to that user alone), and, when the user's preferences let this
kind go by e-mail, enqueues the mail (at most once per cause and user)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tms_domain.accounts import User
from tms_domain.calendar import CalendarEntry
from tms_domain.notifications.events import NotificationCreated
from tms_domain.notifications.mail import MailTemplate, enqueue_mail
from tms_domain.notifications.model import (
    DEDUPE_KEY_MAX,
    LINK_MAX,
    MESSAGE_MAX,
    TITLE_MAX,
    Notification,
    NotificationKind,
)
from tms_domain.unit_of_work import UnitOfWork


class CalendarMethod(StrEnum):
    """The iTIP method of an attached .ics: an invitation or update, or a cancellation."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarInvite:
    """A session's calendar entry, attached to the mail as .ics. The entry as it is when
    the change happens goes into the mail job (JSON), so the worker renders what the user
    was told even if the session changes or goes before the mail leaves."""

    entry: CalendarEntry
    method: CalendarMethod = CalendarMethod.REQUEST

    def as_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "method": self.method.value,
            "entry": {
                "session_id": e.session_id,
                "title": e.title,
                "description": e.description,
                "trainer_name": e.trainer_name,
                "starts_at": e.starts_at.isoformat(),
                "duration_minutes": e.duration_minutes,
                "status": e.status.value,
                "class_link": e.class_link,
                "session_link": e.session_link,
                "sequence": e.sequence,
                "updated_at": e.updated_at.isoformat(),
            },
        }


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


async def notify(
    uow: UnitOfWork,
    recipient: User | int,
    kind: NotificationKind,
    *,
    title: str,
    message: str,
    dedupe_key: str,
    now: datetime,
    link: str | None = None,
    mail: MailTemplate | None = None,
    mail_context: Mapping[str, Any] | None = None,
    calendar: CalendarInvite | None = None,
) -> Notification | None:
    """Tell ``recipient`` (a User, or a user's id) about something, inside ``uow``.

    ``dedupe_key`` names the cause (e.g. ``"session_updated:12:3"``): a user is notified
    once per key, however often the cause is handled; the stored key is the user's id and
    this. ``link`` is a path in the web client (under ``/app``, e.g. ``/sessions/12``).
    ``mail``: the template of the mail that may go with it (None: no mail);
    ``mail_context`` holds what it shows besides the recipient's ``name``, ``title``,
    ``message`` and ``link`` (always given; JSON values, never a password). ``calendar``:
    a session's .ics to attach.

    Answers the stored notification, or None when it was there already or the user is
    gone."""
    user = await uow.users.get(recipient) if isinstance(recipient, int) else recipient
    if user is None:
        return None
    stored = await notify_many(
        uow,
        [user],
        kind,
        title=title,
        message=message,
        dedupe_key=dedupe_key,
        now=now,
        link=link,
        mail=mail,
        mail_context=mail_context,
        calendar=calendar,
    )
    return stored[0] if stored else None


async def notify_many(
    uow: UnitOfWork,
    recipients: Sequence[User],
    kind: NotificationKind,
    *,
    title: str,
    message: str,
    dedupe_key: str,
    now: datetime,
    link: str | None = None,
    mail: MailTemplate | None = None,
    mail_context: Mapping[str, Any] | None = None,
    calendar: CalendarInvite | None = None,
) -> list[Notification]:
    """``notify`` for many users told the same thing, in a few statements whatever their
    number (a session of a thousand trainees moved); the notifications stored."""
    if not recipients:
        return []
    users = {user.id: user for user in recipients}
    stored = await uow.notifications.add_many(
        [
            Notification(
                id=0,
                user_id=user.id,
                kind=kind,
                title=_clip(title, TITLE_MAX),
                message=_clip(message, MESSAGE_MAX),
                link=link[:LINK_MAX] if link else None,
                created_at=now,
                dedupe_key=_clip(f"{user.id}:{dedupe_key}", DEDUPE_KEY_MAX),
            )
            for user in users.values()
        ]
    )
    if not stored:
        return []
    preferences = (
        await uow.notification_preferences.get_many([n.user_id for n in stored])
        if mail is not None
        else {}
    )
    context = {"title": title, "message": message, "link": link or "", **(mail_context or {})}
    attached = calendar.as_json() if calendar is not None else None
    for notification in stored:
        uow.record(NotificationCreated(notification))
        user = users[notification.user_id]
        if mail is not None and preferences[user.id].mails(kind):
            enqueue_mail(
                uow.jobs,
                mail,
                to=user.email,
                to_name=user.name,
                recipient_id=user.id,
                context={"name": user.name, **context},
                cause=notification.dedupe_key or dedupe_key,
                calendar=attached,
            )
    return stored

"""/notifications/ and /me/preferences: a user's own notifications, marked read, and which
of them also go by e-mail (docs/notifications.md)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from tms_domain.accounts import Actor
from tms_domain.kernel import Page
from tms_domain.notifications import (
    REMINDER_MINUTES_MAX,
    REMINDER_MINUTES_MIN,
    REMINDERS_MAX,
    Notification,
    Preferences,
)
from tms_domain.notifications.use_cases.inbox import NotificationService
from tms_entrypoints.http.errors import ERROR_RESPONSES
from tms_entrypoints.http.params import Id, Limit, Skip
from tms_entrypoints.http.schemas import MessageOut, Timestamp, iso

KindName = Annotated[
    str,
    msgspec.Meta(
        extra_json_schema={
            "description": "session_assigned, session_updated, session_cancelled,"
            " session_removed, session_reminder, course_enrolled, course_due,"
            " certificate_expiring, webhook_disabled, achievement_awarded (more may come)"
        }
    ),
]


class NotificationOut(msgspec.Struct):
    id: int
    kind: KindName
    title: str
    message: str
    link: str | None
    """A path in the web client (under /app), e.g. `/sessions/12`; null: none."""
    created_at: Timestamp
    read_at: Timestamp | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            id=n.id,
            kind=n.kind.value,
            title=n.title,
            message=n.message,
            link=n.link,
            created_at=iso(n.created_at),
            read_at=iso(n.read_at) if n.read_at else None,
        )


class UnreadCountOut(msgspec.Struct):
    count: int


class EmailChoices(msgspec.Struct):
    session_changes: bool
    """Enrolled in, removed from, changed or cancelled sessions."""
    reminders: bool
    """Reminders before a session starts."""
    course_updates: bool
    """Enrolled in a course, a course due soon."""


class EmailChoicesIn(msgspec.Struct, forbid_unknown_fields=True):
    """What to change (a choice left out stays as it is)."""

    session_changes: bool | None = None
    reminders: bool | None = None
    course_updates: bool | None = None


ReminderMinutes = Annotated[
    list[int],
    msgspec.Meta(
        max_length=100,
        extra_json_schema={
            "description": f"minutes before a session's start, each {REMINDER_MINUTES_MIN}.."
            f"{REMINDER_MINUTES_MAX}, at most {REMINDERS_MAX} distinct (kept largest first)"
        },
    ),
]


class PreferencesOut(msgspec.Struct):
    email: EmailChoices
    reminder_minutes: list[int]

    @classmethod
    def of(cls, p: Preferences) -> PreferencesOut:
        return cls(
            EmailChoices(p.email_session_changes, p.email_reminders, p.email_course_updates),
            list(p.reminder_minutes),
        )


class PreferencesIn(msgspec.Struct, forbid_unknown_fields=True):
    email: EmailChoicesIn | None = None
    reminder_minutes: ReminderMinutes | None = None


UnreadOnly = Annotated[bool, QueryParameter(description="only the notifications not read yet")]


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]

    @get("/", operation_id="listNotifications", responses=ERROR_RESPONSES)
    async def list_notifications(
        self,
        actor: NamedDependency[Actor],
        notifications: NamedDependency[NotificationService],
        skip: Skip = 0,
        limit: Limit = 50,
        unread: UnreadOnly = False,
    ) -> list[NotificationOut]:
        """The caller's own notifications, newest first."""
        found = await notifications.list(actor, Page(skip, limit), unread_only=unread)
        return [NotificationOut.of(n) for n in found]

    @get("/unread-count", operation_id="countUnreadNotifications", responses=ERROR_RESPONSES)
    async def unread_count(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[NotificationService]
    ) -> UnreadCountOut:
        """How many of the caller's notifications are not read yet (the bell's number)."""
        return UnreadCountOut(await notifications.unread_count(actor))

    @post(
        "/{notification_id:int}/read",
        operation_id="markNotificationRead",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def mark_read(
        self,
        notification_id: Id,
        actor: NamedDependency[Actor],
        notifications: NamedDependency[NotificationService],
    ) -> MessageOut:
        """Mark one of the caller's notifications read (again: no change); anyone else's:
        404."""
        await notifications.mark_read(actor, notification_id)
        return MessageOut("Notification marked as read")

    @post(
        "/read-all",
        operation_id="markAllNotificationsRead",
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def mark_all_read(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[NotificationService]
    ) -> MessageOut:
        """Mark every notification of the caller read."""
        marked = await notifications.mark_all_read(actor)
        return MessageOut(f"{marked} notification{'' if marked == 1 else 's'} marked as read")


class PreferencesController(Controller):
    path = "/me/preferences"
    tags = ["notifications"]

    @get("/", operation_id="getPreferences", responses=ERROR_RESPONSES)
    async def get_preferences(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[NotificationService]
    ) -> PreferencesOut:
        """Which notifications also go to the caller by e-mail, and when reminders come
        (every user starts with everything by e-mail and reminders 1440 and 60 minutes
        before)."""
        return PreferencesOut.of(await notifications.preferences(actor))

    @put("/", operation_id="updatePreferences", responses=ERROR_RESPONSES)
    async def update_preferences(
        self,
        data: JSONBody[PreferencesIn],
        actor: NamedDependency[Actor],
        notifications: NamedDependency[NotificationService],
    ) -> PreferencesOut:
        """Change the caller's choices (what is left out stays); 422 naming the field on a
        bad value. Audited."""
        email = data.email or EmailChoicesIn()
        saved = await notifications.set_preferences(
            actor,
            email_session_changes=email.session_changes,
            email_reminders=email.reminders,
            email_course_updates=email.course_updates,
            reminder_minutes=data.reminder_minutes,
        )
        return PreferencesOut.of(saved)

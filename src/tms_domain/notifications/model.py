"""Notifications as stored per user, and each user's choice of what also goes by e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tms_domain.kernel import InvalidInput


class NotificationKind(StrEnum):
    """What a notification is about; also the ``type`` of its ``notification`` event, which
    the web client matches on."""

    SESSION_ASSIGNED = "session_assigned"
    SESSION_UPDATED = "session_updated"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_REMOVED = "session_removed"
    SESSION_REMINDER = "session_reminder"
    COURSE_ENROLLED = "course_enrolled"
    COURSE_DUE = "course_due"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    WEBHOOK_DISABLED = "webhook_disabled"
    """To every admin: a webhook subscription failed for a day and was disabled."""
    ACHIEVEMENT_AWARDED = "achievement_awarded"
    """A milestone reached (never mailed)."""


class MailCategory(StrEnum):
    """The three choices a user makes about mail (``Preferences``)."""

    SESSION_CHANGES = "session_changes"
    REMINDERS = "reminders"
    COURSE_UPDATES = "course_updates"
    ADMIN_ALERTS = "admin_alerts"
    """What an admin must act on (an integration stopped): always mailed, no preference
    turns it off (it is rare, and nobody else would notice)."""


CATEGORY = {
    NotificationKind.SESSION_ASSIGNED: MailCategory.SESSION_CHANGES,
    NotificationKind.SESSION_UPDATED: MailCategory.SESSION_CHANGES,
    NotificationKind.SESSION_CANCELLED: MailCategory.SESSION_CHANGES,
    NotificationKind.SESSION_REMOVED: MailCategory.SESSION_CHANGES,
    NotificationKind.SESSION_REMINDER: MailCategory.REMINDERS,
    NotificationKind.COURSE_ENROLLED: MailCategory.COURSE_UPDATES,
    NotificationKind.COURSE_DUE: MailCategory.COURSE_UPDATES,
    NotificationKind.CERTIFICATE_EXPIRING: MailCategory.REMINDERS,
    NotificationKind.WEBHOOK_DISABLED: MailCategory.ADMIN_ALERTS,
    NotificationKind.ACHIEVEMENT_AWARDED: MailCategory.COURSE_UPDATES,
}
"""Which preference decides whether a kind also goes by e-mail."""

TITLE_MAX = 200
MESSAGE_MAX = 2000
LINK_MAX = 500
DEDUPE_KEY_MAX = 191
"""A unique index on MariaDB (utf8mb4) takes at most 191 characters."""


@dataclass(frozen=True)
class Notification:
    id: int
    user_id: int
    kind: NotificationKind
    title: str
    message: str
    link: str | None
    created_at: datetime
    read_at: datetime | None = None
    dedupe_key: str | None = None
    """What caused it (e.g. ``session_assigned:12``); the user is notified once per key."""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


DEFAULT_REMINDER_MINUTES = (1440, 60)
REMINDER_MINUTES_MIN = 1
REMINDER_MINUTES_MAX = 10080
"""A week before the start, at most."""
REMINDERS_MAX = 5
"""The most reminders per session a user may choose."""


@dataclass(frozen=True)
class Preferences:
    """Which notifications also go by e-mail, and how long before a session's start the
    reminders come (minutes, distinct, largest first). Every notification is stored and
    pushed whatever the choice; these decide only the mail."""

    user_id: int
    email_session_changes: bool = True
    email_reminders: bool = True
    email_course_updates: bool = True
    reminder_minutes: tuple[int, ...] = DEFAULT_REMINDER_MINUTES

    @classmethod
    def default(cls, user_id: int) -> Preferences:
        return cls(user_id)

    @classmethod
    def checked(
        cls,
        user_id: int,
        *,
        email_session_changes: bool,
        email_reminders: bool,
        email_course_updates: bool,
        reminder_minutes: Iterable[int],
    ) -> Preferences:
        """The preferences as given; InvalidInput naming ``reminder_minutes`` when a value
        is out of 1..10080 or there are more than ``REMINDERS_MAX`` distinct ones."""
        return cls(
            user_id,
            email_session_changes=email_session_changes,
            email_reminders=email_reminders,
            email_course_updates=email_course_updates,
            reminder_minutes=checked_reminder_minutes(reminder_minutes),
        )

    def mails(self, kind: NotificationKind) -> bool:
        """Whether a notification of this kind also goes to the user by e-mail."""
        category = CATEGORY[kind]
        if category is MailCategory.SESSION_CHANGES:
            return self.email_session_changes
        if category is MailCategory.REMINDERS:
            return self.email_reminders
        if category is MailCategory.ADMIN_ALERTS:
            return True
        return self.email_course_updates


def checked_reminder_minutes(values: Iterable[int]) -> tuple[int, ...]:
    """Distinct, largest first; InvalidInput naming the field otherwise."""
    given = list(values)
    for minutes in given:
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise InvalidInput.for_field("reminder_minutes", "Each value must be a whole number")
        if not REMINDER_MINUTES_MIN <= minutes <= REMINDER_MINUTES_MAX:
            raise InvalidInput.for_field(
                "reminder_minutes",
                f"Each value must be between {REMINDER_MINUTES_MIN} and"
                f" {REMINDER_MINUTES_MAX} minutes before the start",
            )
    distinct = tuple(sorted(set(given), reverse=True))
    if len(distinct) > REMINDERS_MAX:
        raise InvalidInput.for_field(
            "reminder_minutes", f"At most {REMINDERS_MAX} reminders per session"
        )
    return distinct

"""Notifications: what the system tells people, and the mail that carries it.

Other areas import this module only. To tell someone something, a use case calls
``tms_domain.notifications.use_cases.notify.notify`` inside its unit of work."""

from tms_domain.notifications.events import NotificationCreated, NotificationsRead
from tms_domain.notifications.mail import (
    MAIL_JOB,
    Attachment,
    Mailer,
    MailRefused,
    MailTemplate,
    MailUnavailable,
    OutgoingMessage,
    enqueue_mail,
    header_safe,
)
from tms_domain.notifications.model import (
    CATEGORY,
    DEFAULT_REMINDER_MINUTES,
    REMINDER_MINUTES_MAX,
    REMINDER_MINUTES_MIN,
    REMINDERS_MAX,
    MailCategory,
    Notification,
    NotificationKind,
    Preferences,
    checked_reminder_minutes,
)
from tms_domain.notifications.ports import NotificationRepository, PreferencesRepository

__all__ = [
    "CATEGORY",
    "DEFAULT_REMINDER_MINUTES",
    "MAIL_JOB",
    "REMINDERS_MAX",
    "REMINDER_MINUTES_MAX",
    "REMINDER_MINUTES_MIN",
    "Attachment",
    "MailCategory",
    "MailRefused",
    "MailTemplate",
    "MailUnavailable",
    "Mailer",
    "Notification",
    "NotificationCreated",
    "NotificationKind",
    "NotificationRepository",
    "NotificationsRead",
    "OutgoingMessage",
    "Preferences",
    "PreferencesRepository",
    "checked_reminder_minutes",
    "enqueue_mail",
    "header_safe",
]

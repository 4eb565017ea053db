"""Notifications: what the system tells people, and the mail that carries it.

Other areas import this module only."""

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

__all__ = [
    "MAIL_JOB",
    "Attachment",
    "MailRefused",
    "MailTemplate",
    "MailUnavailable",
    "Mailer",
    "OutgoingMessage",
    "enqueue_mail",
    "header_safe",
]

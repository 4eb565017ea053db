"""Mail: messages composed from templates, sent over SMTP or written to a local outbox,
delivered by background jobs."""

from tms_adapters.mail.compose import MailComposer
from tms_adapters.mail.delivery import MailDelivery
from tms_adapters.mail.mime import to_email_message
from tms_adapters.mail.outbox import OutboxMailer
from tms_adapters.mail.smtp import AiosmtplibMailer, SmtpSecurity

__all__ = [
    "AiosmtplibMailer",
    "MailComposer",
    "MailDelivery",
    "OutboxMailer",
    "SmtpSecurity",
    "to_email_message",
]

"""An ``OutgoingMessage`` as the bytes that travel: multipart/alternative text and HTML,
attachments, headers folded and encoded by the email package's SMTP policy (which refuses a
header value holding a line break, a second guard after the message's own check)."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from tms_domain.notifications import OutgoingMessage, header_safe


def recipient(message: OutgoingMessage) -> Address:
    """The To address, its display name quoted as needed (never parsed from user data)."""
    local, _, domain = message.to.rpartition("@")
    if not local or not domain or not header_safe(message.to):
        raise ValueError("Not an e-mail address the message can be sent to")
    return Address(display_name=message.to_name, username=local, domain=domain)


def sender_address(sender: str) -> str:
    """The bare address of ``TMS_MAIL_FROM`` (which may be ``Name <address>``)."""
    return parseaddr(sender)[1] or sender


def to_email_message(message: OutgoingMessage, sender: str, now: datetime) -> EmailMessage:
    mail = EmailMessage(policy=SMTP)
    mail["From"] = sender
    mail["To"] = recipient(message)
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now)
    for name, value in message.headers.items():
        mail[name] = value
    mail.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(attachment.params),
        )
    return mail

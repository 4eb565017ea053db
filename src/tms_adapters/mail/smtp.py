"""Sending over SMTP with aiosmtplib: plain, STARTTLS or TLS from the first byte, with
authentication and a timeout on every step. The server's answer decides what a failure
is: 5xx (a refused recipient, a rejected message) is for good, anything else (4xx, no
connection, a timeout, a dropped line) is worth another try later."""

from __future__ import annotations

import asyncio
import logging
import ssl
from enum import StrEnum

import aiosmtplib

from tms_adapters.mail.mime import sender_address, to_email_message
from tms_domain.kernel import Clock
from tms_domain.notifications import MailRefused, MailUnavailable, OutgoingMessage

log = logging.getLogger("tms.mail")


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


DEFAULT_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class AiosmtplibMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int = 0,
        security: SmtpSecurity = SmtpSecurity.STARTTLS,
        username: str = "",
        password: str = "",
        sender: str,
        clock: Clock,
        timeout: float = 30,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port or DEFAULT_PORTS[security]
        self.security = security
        self._username = username or None
        self._password = password or None
        self.sender = sender
        self._clock = clock
        self.timeout = timeout
        self._tls_context = tls_context

    async def send(self, message: OutgoingMessage) -> None:
        mail = to_email_message(message, self.sender, self._clock.now())
        try:
            # Every step has its own timeout; the whole is bounded too, so that a server
            # trickling its answers cannot hold a worker for long.
            async with asyncio.timeout(self.timeout * 4):
                await aiosmtplib.send(
                    mail,
                    sender=sender_address(self.sender),
                    recipients=[message.to],
                    hostname=self.host,
                    port=self.port,
                    username=self._username,
                    password=self._password,
                    use_tls=self.security is SmtpSecurity.TLS,
                    start_tls=self.security is SmtpSecurity.STARTTLS,
                    tls_context=self._tls_context,
                    timeout=self.timeout,
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            reason = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            if all(_permanent(code) for code in codes):
                raise MailRefused(f"The mail server refused the recipient: {reason}") from error
            raise MailUnavailable(f"The mail server deferred the recipient: {reason}") from error
        except aiosmtplib.SMTPResponseException as error:
            text = f"The mail server answered {error.code} {error.message}"
            if _permanent(error.code):
                raise MailRefused(text) from error
            raise MailUnavailable(text) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailUnavailable(
                f"The mail server {self.host}:{self.port} could not be reached or did not"
                f" answer in time ({type(error).__name__}: {error})"
            ) from error
        log.info("mail %s sent to the server %s:%s", mail["Message-ID"], self.host, self.port)

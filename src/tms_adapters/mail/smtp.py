"""Sending over SMTP with aiosmtplib: plain, STARTTLS or TLS from the first byte, with
authentication and a timeout on every step. The server's answer decides what a failure
is: 5xx (a refused recipient, a rejected message) is for good, anything else (4xx, no
connection, a timeout, a dropped line) is worth another try later.

With a ``before_delivery`` step (the job's "sent" marker, committed), the data phase is
split: the whole message goes to the server, the step commits the marker and, as soon as
the commit returns, writes the final "." that makes the server take it. A worker killed
before that "." leaves the server a cut session, which it drops: nothing delivered, and
the marker keeps the job from sending again (at most once). A line lost after the "."
leaves the message perhaps taken: logged, not sent again."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from enum import StrEnum

import aiosmtplib
from aiosmtplib.email import flatten_message
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

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
        self._quitting: set[asyncio.Task[None]] = set()

    async def send(
        self,
        message: OutgoingMessage,
        *,
        before_delivery: Callable[[Callable[[], None]], Awaitable[None]] | None = None,
    ) -> None:
        """Returns as soon as the server has accepted the message (its ``250`` after the
        data), so that the caller can record that at once; the QUIT that ends the session
        politely goes on in the background."""
        mail = to_email_message(message, self.sender, self._clock.now())
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self._username,
            password=self._password,
            use_tls=self.security is SmtpSecurity.TLS,
            start_tls=self.security is SmtpSecurity.STARTTLS,
            tls_context=self._tls_context,
            timeout=self.timeout,
        )
        try:
            # Every step has its own timeout; the whole is bounded too, so that a server
            # trickling its answers cannot hold a worker for long.
            async with asyncio.timeout(self.timeout * 4):
                try:
                    await client.connect()
                    if before_delivery is None:
                        await client.send_message(
                            mail, sender=sender_address(self.sender), recipients=[message.to]
                        )
                    elif not await self._deliver_after(client, mail, message.to, before_delivery):
                        return
                except BaseException:
                    client.close()
                    raise
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
        self._quit_later(client)
        log.info("mail %s sent to the server %s:%s", mail["Message-ID"], self.host, self.port)

    async def _deliver_after(
        self,
        client: aiosmtplib.SMTP,
        mail: EmailMessage,
        to: str,
        before_delivery: Callable[[Callable[[], None]], Awaitable[None]],
    ) -> bool:
        """MAIL, RCPT and DATA with the message, then ``before_delivery``, which writes the
        final "." as soon as its marker is committed: True when the server took the
        message, False when the line was lost after the "." (perhaps taken; not to be sent
        again). An answer other than 250 raises."""
        utf8 = not (sender_address(self.sender) + to).isascii()
        options = ["SMTPUTF8"] if utf8 else []
        if client.supports_extension("8BITMIME"):
            options.append("BODY=8BITMIME")
        data = flatten_message(
            mail, utf8=utf8, cte_type="8bit" if "BODY=8BITMIME" in options else "7bit"
        )
        await client.mail(
            sender_address(self.sender), options=options, encoding="utf-8" if utf8 else "ascii"
        )
        await client.rcpt(to, encoding="utf-8" if utf8 else "ascii")
        start = await client.execute_command(b"DATA")
        if start.code != aiosmtplib.SMTPStatus.start_input:
            raise aiosmtplib.SMTPDataError(start.code, start.message)
        body = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(data))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        if client.protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        protocol = client.protocol
        protocol.write(body)
        # Listening for the answer before the "." is written: an answer that came before
        # the read began would be dropped as unasked for.
        reading = asyncio.ensure_future(protocol.read_response(timeout=None))
        reading.add_done_callback(lambda task: task.cancelled() or task.exception())
        finished: list[bool] = []

        def finish_the_data() -> None:
            protocol.write(b".\r\n")
            finished.append(True)

        try:
            await before_delivery(finish_the_data)
            if not finished:
                raise RuntimeError("before_delivery returned without finishing the data")
        except BaseException:
            reading.cancel()
            raise
        try:
            async with asyncio.timeout(self.timeout):
                answer = await reading
        except (aiosmtplib.SMTPServerDisconnected, TimeoutError, OSError):
            log.warning(
                "mail %s: the line to %s:%s was lost after the message was complete; the"
                " server may have taken it, so it is not sent again (at most once)",
                mail["Message-ID"],
                self.host,
                self.port,
            )
            client.close()
            return False
        if answer.code != aiosmtplib.SMTPStatus.completed:
            raise aiosmtplib.SMTPDataError(answer.code, answer.message)
        return True

    def _quit_later(self, client: aiosmtplib.SMTP) -> None:
        task = asyncio.create_task(self._quit(client))
        self._quitting.add(task)
        task.add_done_callback(self._quitting.discard)

    async def _quit(self, client: aiosmtplib.SMTP) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass  # the message is accepted already: a session cut short loses nothing
        finally:
            client.close()

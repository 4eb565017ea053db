"""The default mailer, so that a fresh install needs no mail server: each message is
written as an ``.eml`` file (open it with any mail program) in the outbox folder under the
data directory, and the log says where. The file is written whole or not at all (a
temporary file renamed), named by the message's id: a message written twice is one file."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from tms_adapters.mail.mime import to_email_message
from tms_domain.kernel import Clock
from tms_domain.notifications import MailUnavailable, OutgoingMessage

log = logging.getLogger("tms.mail")


class OutboxMailer:
    def __init__(self, directory: Path, *, sender: str, clock: Clock) -> None:
        self.directory = directory
        self.sender = sender
        self._clock = clock

    async def send(
        self,
        message: OutgoingMessage,
        *,
        before_delivery: Callable[[Callable[[], None]], Awaitable[None]] | None = None,
    ) -> None:
        """Writes the message as a file: whole, under a temporary name, then renamed to its
        own; with ``before_delivery`` the rename is the step it is given. A file that cannot
        be written (a full disk) is a temporary failure: nothing was delivered."""
        now = self._clock.now()
        mail = to_email_message(message, self.sender, now)
        key = str(mail["Message-ID"] or "") or os.urandom(16).hex()
        target = self.directory / (
            f"{now:%Y%m%dT%H%M%S}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.eml"
        )
        try:
            staged = await asyncio.to_thread(self._stage, mail.as_bytes())
        except OSError as error:
            raise self._unwritable(error) from error
        delivered = False

        def deliver() -> None:
            nonlocal delivered
            os.replace(staged, target)
            delivered = True

        try:
            if before_delivery is None:
                deliver()
            else:
                await before_delivery(deliver)
        except OSError as error:
            raise self._unwritable(error) from error
        finally:
            if not delivered:
                staged.unlink(missing_ok=True)
        log.info("mail to %s written to the outbox: %s", message.to, target)

    def _unwritable(self, error: OSError) -> MailUnavailable:
        return MailUnavailable(f"The outbox {self.directory} cannot be written: {error}")

    def _stage(self, data: bytes) -> Path:
        """The message in a temporary file of the outbox, on disk (fsynced)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Path(temporary)

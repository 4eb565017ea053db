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
from tms_domain.notifications import OutgoingMessage

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
        before_delivery: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Writes the message as a file; ``before_delivery`` is awaited just before."""
        now = self._clock.now()
        mail = to_email_message(message, self.sender, now)
        key = str(mail["Message-ID"] or "") or os.urandom(16).hex()
        name = f"{now:%Y%m%dT%H%M%S}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.eml"
        if before_delivery is not None:
            await before_delivery()
        path = await asyncio.to_thread(self._write, name, mail.as_bytes())
        log.info("mail to %s written to the outbox: %s", message.to, path)

    def _write(self, name: str, data: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.directory / name
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

"""The ``mail.send`` job: compose the message its payload names and hand it to the mailer.

At most once per (cause, recipient): the job is unique by its idempotency key, so the
message is enqueued once however often its cause is retried. The send happens once the job
is claimed; the job is marked done right after the server accepts it. Only a worker that
dies between the two sends it again (its lease expires, another worker claims it): the
second copy carries the same Message-ID, derived from the key, so mail programs and
servers that deduplicate drop it, and the outbox writes the same file again.

A refusal for good (5xx, a recipient refused, a message that cannot be built) dead-letters
the job at once; a temporary failure (4xx, no connection, a timeout) lets it run again
after the jobs' backoff."""

from __future__ import annotations

from tms_adapters.mail.compose import MailComposer, message_id
from tms_adapters.mail.mime import sender_address
from tms_domain.kernel.jobs import JobContext, PermanentJobFailure
from tms_domain.notifications import Mailer, MailRefused, MailTemplate


class MailDelivery:
    def __init__(self, composer: MailComposer, mailer: Mailer, sender: str) -> None:
        self.composer = composer
        self.mailer = mailer
        self._domain = sender_address(sender).rpartition("@")[2]

    async def __call__(self, job: JobContext) -> None:
        payload = job.payload
        try:
            message = self.composer.compose(
                MailTemplate(payload["template"]),
                to=str(payload["to"]),
                to_name=str(payload.get("to_name", "")),
                context=payload.get("context", {}),
                headers={"Message-ID": message_id(job.idempotency_key, self._domain)},
            )
        except (KeyError, ValueError, TypeError) as error:
            raise PermanentJobFailure(f"The message cannot be built: {error}") from error
        try:
            await self.mailer.send(message)
        except MailRefused as error:
            raise PermanentJobFailure(str(error)) from error
        except ValueError as error:
            raise PermanentJobFailure(f"The message cannot be sent: {error}") from error

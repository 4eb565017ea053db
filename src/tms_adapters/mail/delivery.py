"""The ``mail.send`` job: compose the message its payload names and hand it to the mailer.

At most once per (cause, recipient): the job is unique by its idempotency key, so the
message is enqueued once however often its cause is retried. The send happens once the job
is claimed. The job's "sent" marker is committed on its own (``claim_effect``) at the last
moment before delivery: over SMTP when the server holds the whole message and waits for
the final "." that makes it take it, which is written as soon as the commit returns. A job
claimed again with the marker set is completed without sending. A worker killed in the
instant between that commit and the "." leaves the server a cut session, which it drops:
that message is lost, not sent twice. An answer other than 250 after the "." clears the
marker (``forget_effect``) and the job fails as below; a line lost after the "." leaves the
marker (the server may have taken it). Every copy ever sent carries the same Message-ID,
derived from the key.

A refusal for good (5xx, a recipient refused, a message that cannot be built) dead-letters
the job at once; a temporary failure (4xx, no connection, a timeout) lets it run again
after the jobs' backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from tms_adapters.calendar import IcsWriter
from tms_adapters.mail.compose import MailComposer, message_id
from tms_adapters.mail.mime import sender_address
from tms_domain.calendar import CalendarEntry
from tms_domain.kernel.jobs import JobContext, PermanentJobFailure
from tms_domain.notifications import (
    Attachment,
    Mailer,
    MailRefused,
    MailTemplate,
    MailUnavailable,
)
from tms_domain.training import SessionStatus


def entry_from_json(data: dict[str, Any]) -> CalendarEntry:
    """A calendar entry as ``CalendarInvite.as_json`` wrote it into the mail job."""
    return CalendarEntry(
        session_id=int(data["session_id"]),
        title=str(data["title"]),
        description=data.get("description"),
        trainer_name=str(data["trainer_name"]),
        starts_at=datetime.fromisoformat(data["starts_at"]),
        duration_minutes=int(data["duration_minutes"]),
        status=SessionStatus(data["status"]),
        class_link=data.get("class_link"),
        session_link=str(data["session_link"]),
        sequence=int(data["sequence"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
    )


class MailDelivery:
    def __init__(
        self,
        composer: MailComposer,
        mailer: Mailer,
        sender: str,
        ics: IcsWriter | None = None,
    ) -> None:
        self.composer = composer
        self.mailer = mailer
        self._sender = sender_address(sender)
        self._domain = self._sender.rpartition("@")[2]
        self._ics = ics or IcsWriter(composer.public_url)

    def invite(self, calendar: dict[str, Any], to: str, to_name: str) -> Attachment:
        """The session's .ics as the job describes it: METHOD:REQUEST (its SEQUENCE as it
        was at the change) or METHOD:CANCEL (STATUS:CANCELLED)."""
        method = str(calendar["method"])
        entry = entry_from_json(calendar["entry"])
        if method == "CANCEL":
            entry = replace(entry, status=SessionStatus.CANCELLED)
        data = self._ics.invite(
            entry,
            method,
            organizer=(self.composer.organisation, self._sender),
            attendee=(to_name, to),
        )
        name = "cancel.ics" if method == "CANCEL" else "invite.ics"
        return Attachment(name, "text/calendar", data, (("method", method),))

    async def __call__(self, job: JobContext) -> None:
        payload = job.payload
        try:
            to, to_name = str(payload["to"]), str(payload.get("to_name", ""))
            message = self.composer.compose(
                MailTemplate(payload["template"]),
                to=to,
                to_name=to_name,
                context=payload.get("context", {}),
                headers={"Message-ID": message_id(job.idempotency_key, self._domain)},
            )
            if payload.get("calendar"):
                message = replace(
                    message, attachments=(self.invite(payload["calendar"], to, to_name),)
                )
        except (KeyError, ValueError, TypeError) as error:
            raise PermanentJobFailure(f"The message cannot be built: {error}") from error
        claimed = False

        async def claim(deliver: Callable[[], None]) -> None:
            def claimed_then_deliver() -> None:
                nonlocal claimed
                claimed = True
                deliver()

            await job.claim_effect(claimed_then_deliver)

        try:
            await self.mailer.send(message, before_delivery=claim)
        except (MailRefused, MailUnavailable, ValueError) as error:
            if claimed:  # refused after the marker: the message was not taken
                await job.forget_effect()
            if isinstance(error, MailUnavailable):
                raise
            raise PermanentJobFailure(
                str(error) if isinstance(error, MailRefused) else f"Cannot be sent: {error}"
            ) from error
        if not claimed:
            await job.record_effect()

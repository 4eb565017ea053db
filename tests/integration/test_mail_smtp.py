"""The SMTP adapter against a real SMTP server on loopback: what the server receives, with
STARTTLS, TLS and AUTH; refusals for good and for now told apart; a silent server costs
one timeout, no more. And the mail job on top of it: refused for good, dead-lettered."""

from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path

import pytest

from conftest import FakeClock
from mail_support import bodies, run_due_jobs
from smtp_server import (
    PASSWORD,
    USERNAME,
    RecordingHandler,
    self_signed_certificate,
    server_tls_context,
    silent_server,
    smtp_server,
)
from support import add_user
from tms_adapters.mail import AiosmtplibMailer, MailComposer, MailDelivery, SmtpSecurity
from tms_domain.accounts import Actor
from tms_domain.kernel import Role
from tms_domain.kernel.jobs import JobContext, JobStatus, PermanentJobFailure
from tms_domain.notifications import (
    MAIL_JOB,
    MailRefused,
    MailTemplate,
    MailUnavailable,
    OutgoingMessage,
)
from tms_entrypoints.container import Container

SENDER = "Acme Training <training@acme.example>"


def a_message(to: str = "pat@example.org") -> OutgoingMessage:
    return OutgoingMessage(
        to=to,
        to_name="Pat O'Brien, Jr.",
        subject="Grüße aus dem Training",
        text="Plain words\n",
        html="<p>Plain words</p>\n",
        headers={"Message-ID": "<fixed-id@acme.example>"},
    )


def mailer(port: int, **options: object) -> AiosmtplibMailer:
    return AiosmtplibMailer(
        host="127.0.0.1",
        port=port,
        security=options.pop("security", SmtpSecurity.NONE),  # type: ignore[arg-type]
        sender=SENDER,
        clock=FakeClock(),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


def client_context(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


async def test_the_server_receives_the_message_as_sent() -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        await mailer(port).send(a_message())
    [received] = handler.received
    assert received.sender == "training@acme.example"
    assert received.recipients == ["pat@example.org"]
    message = received.message
    assert message["From"] == SENDER
    assert message["To"].addresses[0].display_name == "Pat O'Brien, Jr."
    assert message["Subject"] == "Grüße aus dem Training"
    assert message["Message-ID"] == "<fixed-id@acme.example>"
    assert message.get_content_type() == "multipart/alternative"
    assert bodies(message) == ("Plain words\n", "<p>Plain words</p>\n")


async def test_starttls_with_authentication(certificate: tuple[Path, Path]) -> None:
    handler = RecordingHandler()
    with smtp_server(handler, starttls=server_tls_context(*certificate), auth=True) as port:
        await mailer(
            port,
            security=SmtpSecurity.STARTTLS,
            username=USERNAME,
            password=PASSWORD,
            tls_context=client_context(certificate[0]),
        ).send(a_message())
        with pytest.raises(MailRefused, match="535"):
            await mailer(
                port,
                security=SmtpSecurity.STARTTLS,
                username=USERNAME,
                password="wrong",
                tls_context=client_context(certificate[0]),
            ).send(a_message())
    assert len(handler.received) == 1


async def test_tls_from_the_first_byte(certificate: tuple[Path, Path]) -> None:
    handler = RecordingHandler()
    with smtp_server(handler, implicit_tls=server_tls_context(*certificate)) as port:
        await mailer(
            port, security=SmtpSecurity.TLS, tls_context=client_context(certificate[0])
        ).send(a_message())
    assert len(handler.received) == 1


async def test_a_certificate_nobody_vouches_for_is_not_trusted(
    certificate: tuple[Path, Path],
) -> None:
    handler = RecordingHandler()
    with (
        smtp_server(handler, starttls=server_tls_context(*certificate)) as port,
        pytest.raises(MailUnavailable),
    ):
        await mailer(port, security=SmtpSecurity.STARTTLS, timeout=5).send(a_message())
    assert handler.received == []


async def test_a_refused_recipient_is_for_good_a_deferred_one_for_now() -> None:
    handler = RecordingHandler(
        refuse={
            "gone@example.org": "550 5.1.1 No such user",
            "busy@example.org": "451 4.3.0 Try again later",
        }
    )
    with smtp_server(handler) as port:
        with pytest.raises(MailRefused, match="550"):
            await mailer(port).send(a_message("gone@example.org"))
        with pytest.raises(MailUnavailable, match="451"):
            await mailer(port).send(a_message("busy@example.org"))
    assert handler.received == []


async def test_no_server_and_a_silent_server_are_for_now_and_bounded_in_time() -> None:
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(MailUnavailable):
            await mailer(port, timeout=1).send(a_message())
        assert time.monotonic() - started < 5
    with pytest.raises(MailUnavailable):
        await mailer(port, timeout=1).send(a_message())  # nobody listens any more


async def test_the_mail_job_dead_letters_a_refused_recipient_and_retries_a_deferred_one() -> None:
    handler = RecordingHandler(
        refuse={"gone@example.org": "550 5.1.1 No such user", "busy@example.org": "452 full"}
    )
    composer = MailComposer("Acme Training", "https://training.acme.example")
    with smtp_server(handler) as port:
        delivery = MailDelivery(composer, mailer(port), SENDER)

        def job(to: str) -> JobContext:
            payload = {
                "template": MailTemplate.PASSWORD_CHANGED.value,
                "to": to,
                "to_name": "Pat",
                "context": {
                    "name": "Pat",
                    "username": "pat",
                    "how": "changed",
                    "at": "2026-05-01T09:00:00+00:00",
                },
            }
            return JobContext(1, MAIL_JOB, payload, f"password_changed:x:{to}", 1)

        with pytest.raises(PermanentJobFailure, match="550"):
            await delivery(job("gone@example.org"))
        with pytest.raises(MailUnavailable):
            await delivery(job("busy@example.org"))
        await delivery(job("pat@example.org"))
        await delivery(job("pat@example.org"))  # a second run after a crash
    first, second = handler.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message["Message-ID"].endswith("@acme.example>")
    assert "https://training.acme.example" in bodies(first.message)[0]


async def test_sends_at_once_share_nothing() -> None:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        sender = mailer(port)
        await asyncio.gather(*(sender.send(a_message(f"p{n}@example.org")) for n in range(10)))
    assert sorted(r.recipients[0] for r in handler.received) == sorted(
        f"p{n}@example.org" for n in range(10)
    )


async def test_a_deferred_mail_is_retried_after_the_backoff_a_refused_one_dead_lettered(
    memory_container: Container, clock: FakeClock
) -> None:
    handler = RecordingHandler(
        refuse={"busy@example.org": "451 4.3.0 Try again later", "gone@example.org": "550 No"}
    )
    root = Actor(user=await add_user(memory_container, "root", Role.ADMIN))
    busy = await add_user(memory_container, "busy", email="busy@example.org")
    gone = await add_user(memory_container, "gone", email="gone@example.org")
    with smtp_server(handler) as port:
        memory_container.mailer.override(mailer(port))
        for user in (busy, gone):
            await memory_container.password_links().invite(root, user.id)
        await run_due_jobs(memory_container)

        async with memory_container.uow()(read_only=True) as uow:
            jobs = {job.payload["to"]: job for job in await uow.jobs.page(None, skip=0, limit=10)}
            events = [e.type for e in await uow.events.since(0, limit=100)]
        assert jobs["gone@example.org"].status is JobStatus.FAILED
        assert jobs["gone@example.org"].attempts == 1
        assert "550" in str(jobs["gone@example.org"].last_error)
        assert "job_failed" in events
        deferred = jobs["busy@example.org"]
        assert (deferred.status, deferred.attempts) == (JobStatus.QUEUED, 1)
        assert "451" in str(deferred.last_error)

        del handler.refuse["busy@example.org"]
        assert await run_due_jobs(memory_container) == 0  # not before the backoff
        clock.advance(seconds=10)
        assert await run_due_jobs(memory_container) == 1
    [received] = handler.received
    assert received.recipients == ["busy@example.org"]
    async with memory_container.uow()(read_only=True) as uow:
        done = await uow.jobs.get(deferred.id)
    assert done is not None
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 2)

"""Messages as the mail adapter builds them: templates autoescaped and never given a
password, no line break from user data in any header, the outbox written whole."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from conftest import FakeClock
from mail_support import bodies, outbox, parse
from tms_adapters.mail import MailComposer, OutboxMailer, to_email_message
from tms_adapters.mail.compose import message_id
from tms_domain.kernel.jobs import JobQueue
from tms_domain.notifications import MailTemplate, OutgoingMessage, enqueue_mail

HOSTILE_NAMES = [
    "Eve\r\nBcc: victim@example.org",
    "Eve\nSubject: pwned",
    "Eve\rX-Injected: 1",
    "Eve\u2028Bcc: victim@example.org",
    "Eve\x00",
]
CONTEXT = {
    "name": "<script>alert(1)</script> & Co",
    "username": "eve",
    "token": "tok-123",
    "expires_at": "2026-05-04T09:00:00+00:00",
    "how": "changed",
    "at": "2026-05-01T09:00:00+00:00",
}


def composer() -> MailComposer:
    return MailComposer("Acme <Training>", "https://training.acme.example/")


def template_sources() -> dict[str, str]:
    folder = resources.files("tms_adapters.mail") / "templates"
    return {item.name: item.read_text() for item in folder.iterdir() if item.is_file()}


def test_every_template_is_there_in_text_and_html_and_none_shows_a_password() -> None:
    sources = template_sources()
    for template in MailTemplate:
        assert f"{template.value}.txt" in sources
        assert f"{template.value}.html" in sources
    expression = re.compile(r"{[{%](.*?)[}%]}", re.DOTALL)
    for name, source in sources.items():
        for inside in expression.findall(source):
            assert "password" not in inside.lower(), (name, inside)


def test_a_context_with_a_password_is_refused_before_it_is_stored() -> None:
    class Queue:
        def enqueue(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("stored")

    queue: JobQueue = Queue()  # type: ignore[assignment]
    with pytest.raises(ValueError, match="password"):
        enqueue_mail(
            queue,
            MailTemplate.INVITATION,
            to="a@example.org",
            to_name="A",
            recipient_id=1,
            context={"password": "hunter22"},
            cause="x",
        )


@pytest.mark.parametrize("template", [t for t in MailTemplate if not t.is_notification])
def test_html_is_escaped_text_is_plain_and_both_carry_the_organisation_and_address(
    template: MailTemplate,
) -> None:
    message = composer().compose(
        template, to="eve@example.org", to_name="Eve", context=CONTEXT, headers={}
    )
    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in message.html
    assert "Acme &lt;Training&gt;" in message.html
    assert "<script>alert(1)</script> & Co" in message.text
    assert "Acme <Training>" in message.text
    for body in (message.text, message.html):
        assert "https://training.acme.example" in body
    if "token" in CONTEXT and template is not MailTemplate.PASSWORD_CHANGED:
        assert "https://training.acme.example/app/set-password#token=tok-123" in message.text


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_no_line_break_from_user_data_reaches_a_header(hostile: str) -> None:
    for fields in (
        {"to_name": hostile},
        {"subject": hostile},
        {"to": f"eve@example.org{hostile[3:]}"},
        {"headers": {"X-Name": hostile}},
    ):
        with pytest.raises(ValueError, match="line break"):
            OutgoingMessage(**{"to": "eve@example.org", "subject": "Hi", "text": "t", **fields})  # type: ignore[arg-type]


def test_the_email_package_refuses_a_line_break_that_got_past_the_message() -> None:
    message = OutgoingMessage(to="eve@example.org", subject="Hi", text="t")
    object.__setattr__(message, "subject", "Hi\r\nBcc: victim@example.org")
    with pytest.raises(ValueError, match=r"linefeed|carriage return"):
        to_email_message(message, "TMS <tms@example.org>", FakeClock().now())


def test_a_quoted_name_stays_one_header() -> None:
    message = OutgoingMessage(
        to="eve@example.org",
        to_name='Eve "the" <Admin>, Bcc: x@example.org',
        subject="Hi",
        text="t",
    )
    mail = parse(to_email_message(message, "TMS <tms@example.org>", FakeClock().now()).as_bytes())
    [address] = mail["To"].addresses
    assert address.addr_spec == "eve@example.org"
    assert mail["Bcc"] is None


def test_one_cause_and_recipient_give_one_message_id() -> None:
    assert message_id("invitation:7:3", "acme.example") == message_id(
        "invitation:7:3", "acme.example"
    )
    assert message_id("invitation:7:3", "acme.example") != message_id(
        "invitation:8:3", "acme.example"
    )


async def test_the_outbox_writes_each_message_once_as_a_whole_file(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", sender="TMS <tms@example.org>", clock=FakeClock())
    message = composer().compose(
        MailTemplate.PASSWORD_CHANGED,
        to="eve@example.org",
        to_name="Eve",
        context=CONTEXT,
        headers={"Message-ID": message_id("k", "example.org")},
    )
    await mailer.send(message)
    await mailer.send(message)  # a second run after a crash: the same file
    [written] = outbox(tmp_path / "outbox")
    assert written["Message-ID"] == message_id("k", "example.org")
    assert "&lt;script&gt;" in bodies(written)[1]
    assert [p.name for p in (tmp_path / "outbox").iterdir() if not p.name.endswith(".eml")] == []

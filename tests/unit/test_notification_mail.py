"""Notification mail as the worker builds it from its job: the templates (text and HTML,
autoescaped), the List-Unsubscribe and Organization headers, one line of subject whatever a
title holds, and the session's .ics rebuilt from the job's JSON (METHOD, SEQUENCE,
STATUS, ORGANIZER and ATTENDEE)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from conftest import FakeClock
from mail_support import bodies, outbox
from tms_adapters.calendar import IcsWriter
from tms_adapters.mail import MailComposer, MailDelivery, OutboxMailer
from tms_adapters.mail.compose import PREFERENCES_PATH
from tms_domain.calendar import CalendarEntry
from tms_domain.kernel.jobs import JobContext
from tms_domain.notifications import MailTemplate, MailUnavailable
from tms_domain.notifications.use_cases.notify import CalendarInvite, CalendarMethod
from tms_domain.training import SessionStatus

PUBLIC_URL = "https://training.acme.example"
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ENTRY = CalendarEntry(
    session_id=12,
    title="Forklift <safety>",
    description="Bring boots",
    trainer_name="Tom Doe",
    starts_at=START,
    duration_minutes=90,
    status=SessionStatus.SCHEDULED,
    class_link="https://meet.example.org/fork",
    session_link="s" * 32,
    sequence=3,
    updated_at=START,
)
CONTEXT: dict[str, Any] = {
    "name": "<b>Pia</b>",
    "title": "A session was cancelled",
    "message": "Forklift was cancelled",
    "link": "/sessions/12",
    "session_title": "Forklift <safety>\r\nBcc: eve@example.org",
    "starts_at": START.isoformat(),
    "duration_minutes": 90,
    "trainer_name": "Tom Doe",
    "place": "Lab 1, Building A",
    "reason": "<i>Trainer is ill</i>",
    "was_at": "",
}


async def deliver(
    tmp_path: Path, template: MailTemplate, invite: CalendarInvite | None, **context: Any
) -> Any:
    composer = MailComposer("Acme Training", PUBLIC_URL)
    mailer = OutboxMailer(tmp_path, sender="Acme <tms@acme.example>", clock=FakeClock())
    delivery = MailDelivery(composer, mailer, "Acme <tms@acme.example>", IcsWriter(PUBLIC_URL))
    payload: dict[str, Any] = {
        "template": template.value,
        "to": "pia@example.org",
        "to_name": "Pia Doe",
        "context": {**CONTEXT, **context},
    }
    if invite is not None:
        payload["calendar"] = invite.as_json()
    await delivery(JobContext(1, "mail.send", payload, "key-1", 1))
    (message,) = outbox(tmp_path)
    return message


def calendar_of(message: Any) -> tuple[Any, Calendar]:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part, Calendar.from_ical(part.get_content())


async def test_a_cancellation_carries_a_cancel_and_the_reason_escaped(tmp_path: Path) -> None:
    cancelled = CalendarInvite(ENTRY, CalendarMethod.CANCEL)
    message = await deliver(tmp_path, MailTemplate.SESSION_CANCELLED, cancelled)
    assert message["List-Unsubscribe"] == f"<{PUBLIC_URL}/app/preferences>"
    assert message["Organization"] == "Acme Training"
    assert message["Subject"] == ("A session was cancelled: Forklift <safety> Bcc: eve@example.org")
    assert message["Bcc"] is None
    text, html = bodies(message)
    assert "Reason: <i>Trainer is ill</i>" in text
    assert "&lt;i&gt;Trainer is ill&lt;/i&gt;" in html
    assert "<b>Pia</b>" not in html
    assert f"{PUBLIC_URL}/app/sessions/12" in text
    assert f"{PUBLIC_URL}/app/preferences" in html
    assert "2026-05-04 09:00 UTC" in text
    part, calendar = calendar_of(message)
    assert part.get_filename() == "cancel.ics"
    assert part.get_param("method") == "CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert str(event["UID"]) == "session-12@training.acme.example"
    assert str(event["ORGANIZER"]) == "mailto:tms@acme.example"
    assert str(event["ATTENDEE"]) == "mailto:pia@example.org"
    assert event["ATTENDEE"].params["CN"] == "Pia Doe"


async def test_an_update_carries_a_request_with_its_sequence(tmp_path: Path) -> None:
    updated = CalendarInvite(ENTRY, CalendarMethod.REQUEST)
    message = await deliver(
        tmp_path, MailTemplate.SESSION_UPDATED, updated, was_at="2026-05-03T09:00:00+00:00"
    )
    text, _html = bodies(message)
    assert "(it was on 2026-05-03 09:00 UTC)" in text
    assert "Lab 1, Building A" in text
    part, calendar = calendar_of(message)
    assert (part.get_filename(), calendar["METHOD"]) == ("invite.ics", "REQUEST")
    (event,) = calendar.walk("VEVENT")
    assert (event["STATUS"], event["SEQUENCE"]) == ("CONFIRMED", 3)
    assert event.decoded("DTSTART") == START


@pytest.mark.parametrize(
    ("template", "extra"),
    [
        (MailTemplate.SESSION_ASSIGNED, {}),
        (MailTemplate.SESSION_REMOVED, {}),
        (MailTemplate.SESSION_REMINDER, {}),
        (MailTemplate.COURSE_ENROLLED, {"course_title": "Hazmat", "due_date": "2026-06-01"}),
        (MailTemplate.COURSE_DUE, {"course_title": "Hazmat", "due_date": "2026-06-01"}),
        (
            MailTemplate.CERTIFICATE_EXPIRING,
            {"course_title": "Hazmat", "expires_on": "2026-06-01"},
        ),
    ],
)
async def test_every_notification_mail_renders_with_the_unsubscribe_link(
    tmp_path: Path, template: MailTemplate, extra: dict[str, Any]
) -> None:
    message = await deliver(tmp_path, template, None, **extra)
    assert message["List-Unsubscribe"] == f"<{PUBLIC_URL}/app/preferences>"
    assert list(message.iter_attachments()) == []
    text, html = bodies(message)
    assert "Acme Training" in text
    assert "Acme Training" in html
    assert f"{PUBLIC_URL}/app/preferences" in text


def test_list_unsubscribe_points_at_the_web_clients_preferences_route() -> None:
    """PREFERENCES_PATH is the web client's basename plus its preferences route, as
    web/src/app/router.tsx declares them (a renamed route would break every mail's link)."""
    router = (Path(__file__).resolve().parents[2] / "web/src/app/router.tsx").read_text()
    basename = re.search(r"createBrowserRouter\(routes, \{ basename: '([^']+)' \}\)", router)
    assert basename is not None
    assert re.search(r"\{ path: 'preferences', element: <PreferencesPage /> \}", router)
    assert PREFERENCES_PATH == f"{basename.group(1)}/preferences" == "/app/preferences"
    message = MailComposer("Acme Training", PUBLIC_URL + "/").compose(
        MailTemplate.SESSION_REMOVED,
        to="ada@example.org",
        to_name="Ada",
        context={
            "name": "Ada", "title": "Removed", "message": "", "link": "/sessions/1",
            "session_title": "S",
            "starts_at": "2026-12-08T09:00:00+00:00", "duration_minutes": 60,
            "trainer_name": "T", "place": "", "reason": "", "was_at": "",
        },
        headers={},
    )  # fmt: skip
    assert message.headers["List-Unsubscribe"] == f"<{PUBLIC_URL}{PREFERENCES_PATH}>"


async def test_an_outbox_that_cannot_take_the_message_fails_the_attempt_unsent(
    tmp_path: Path,
) -> None:
    """A full disk or a folder in the way is a temporary failure (the job runs again), and
    a marker claimed just before the file was to be put in place is forgotten: the next
    attempt writes the message instead of completing its job unsent."""
    composer = MailComposer("Acme Training", PUBLIC_URL)
    payload = {"template": "session_cancelled", "to": "pia@example.org", "context": CONTEXT}
    told: list[str] = []

    async def claim(make: Callable[[], None]) -> None:
        told.append("claimed")
        make()

    async def forget() -> None:
        told.append("forgotten")

    def delivery_into(folder: Path) -> MailDelivery:
        mailer = OutboxMailer(folder, sender="Acme <tms@acme.example>", clock=FakeClock())
        return MailDelivery(composer, mailer, "Acme <tms@acme.example>", IcsWriter(PUBLIC_URL))

    job = JobContext(1, "mail.send", payload, "key-1", 1, claim_effect=claim, forget_effect=forget)
    not_a_folder = tmp_path / "outbox"
    not_a_folder.write_text("a file where the outbox should be")
    with pytest.raises(MailUnavailable, match="cannot be written"):
        await delivery_into(not_a_folder)(job)
    assert told == [], "nothing claimed: the message was never whole on disk"

    folder = tmp_path / "mail"
    await delivery_into(folder)(job)
    [written] = folder.glob("*.eml")
    written.unlink()
    (written / "in-the-way").mkdir(parents=True)  # the same message's name, now taken
    told.clear()
    with pytest.raises(MailUnavailable, match="cannot be written"):
        await delivery_into(folder)(job)
    assert told == ["claimed", "forgotten"]
    assert [path.name for path in folder.iterdir()] == [written.name], "no temporary file left"

"""Session reminders through a real `tms serve` and a real SMTP server on loopback: a
session that starts in an hour and a few seconds gets its 1-hour reminder by mail a few
seconds later, once, even though the server was killed (SIGKILL) between the enrolment
that scheduled it and its moment; its 24-hour reminder, whose moment had passed, never."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import servers
from servers import TmsServer
from smtp_server import Received, RecordingHandler, smtp_server

ADMIN_PASSWORD = "admin passphrase for the reminder tests"
SECRET_KEY = "reminder-tests-secret-key-" + "x" * 32
LEAD = timedelta(seconds=25)
"""How long after the enrolment the 1-hour reminder is due: past the kill, and short."""


def reminder_server(directory: Path, smtp_port: int) -> TmsServer:
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_JOBS_POLL_MS="200",
        TMS_PUBLIC_URL="https://training.acme.example",
        TMS_ORGANISATION_NAME="Acme Training",
        TMS_MAIL_FROM="Acme Training <training@acme.example>",
        TMS_SMTP_HOST="127.0.0.1",
        TMS_SMTP_PORT=str(smtp_port),
        TMS_SMTP_SECURITY="none",
        TMS_SMTP_TIMEOUT_SECONDS="2",
    )
    return TmsServer(env, directory)


@pytest.fixture
def smtp() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler()
    with smtp_server(handler) as port:
        yield handler, port


def reminders(handler: RecordingHandler) -> list[Received]:
    return [r for r in handler.received if r.message["Subject"].startswith("A session starts in")]


async def plan_a_session(server: TmsServer) -> datetime:
    """As the admin: a trainee, and a session with them starting in an hour and LEAD."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
        signed_in = await api.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        api.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        people = {}
        for username, role in (("tom", "trainer"), ("pia", "trainee")):
            created = await api.post(
                "/users/",
                json={
                    "username": username,
                    "email": f"{username}@example.org",
                    "first_name": username.title(),
                    "last_name": "Example",
                    "role": role,
                    "invite": True,
                },
            )
            assert created.status_code == 201, created.text
            people[username] = created.json()["user"]["id"]
        start = datetime.now(UTC) + timedelta(hours=1) + LEAD
        session = await api.post(
            "/sessions/",
            json={
                "title": "Fire safety",
                "trainer_id": people["tom"],
                "scheduled_date": start.isoformat(),
                "duration_minutes": 60,
                "trainees": [people["pia"]],
            },
        )
        assert session.status_code == 201, session.text
    return start


async def test_the_hour_before_reminder_arrives_once_across_a_kill_9(
    tmp_path: Path, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    first = reminder_server(tmp_path, port)
    second = reminder_server(tmp_path, port)
    try:
        first.start()
        start = await plan_a_session(first)
        assert first.process is not None
        first.process.kill()  # SIGKILL: the job lives in the database only
        first.process.wait()
        assert reminders(handler) == []  # not due yet when the server died
        second.start()
        deadline = time.monotonic() + LEAD.total_seconds() + 60
        while not reminders(handler) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        arrived = datetime.now(UTC)
        assert reminders(handler), f"no reminder:\n{first.log()}\n{second.log()}"
        # Not before its moment, and only the one: nothing more comes a few polls later.
        assert arrived >= start - timedelta(hours=1)
        await asyncio.sleep(3)
        [reminder] = reminders(handler)
        due = start - timedelta(hours=1)
        print(f"\n1-hour reminder: due {due:%H:%M:%S}, arrived {arrived:%H:%M:%S.%f}")
    finally:
        first.stop()
        second.stop()
    assert reminder.recipients == ["pia@example.org"]
    assert reminder.message["Subject"] == "A session starts in 1 hour: Fire safety"
    assert reminder.message["List-Unsubscribe"] == (
        "<https://training.acme.example/app/preferences>"
    )
    assert start.strftime("%Y-%m-%d %H:%M UTC") in reminder.raw.decode(errors="replace")

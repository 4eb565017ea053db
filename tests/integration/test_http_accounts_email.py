"""Accounts by e-mail through real `tms serve` processes and a real SMTP server on
loopback: the invitation and reset links arrive by mail and work once, the answers never
hold a token or a password, a refused recipient is dead-lettered where admins see it, and a
silent mail server never slows a request. Forgot-password takes as long for an unknown
address as for a known one."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import FakeClock, make_settings
from mail_support import (
    ADMIN_PASSWORD,
    admin_api,
    bodies,
    link_token,
    new_user,
    outbox,
    run_due_jobs,
    start_server,
)
from servers import running
from smtp_server import Received, RecordingHandler, silent_server, smtp_server
from support import PASSWORD, add_user, api_client, bearer, login
from tms_adapters.mail import OutboxMailer
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.accounts.links import EXPIRED_LINK
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container
from tms_entrypoints.container import running as started
from tms_entrypoints.http.app import create_app

NEW_PASSWORD = "quiet meadow lantern 77"


async def mail_for(handler: RecordingHandler, to: str, count: int = 1) -> list[Received]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [r for r in handler.received if to in r.recipients]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail for {to}: {[r.recipients for r in handler.received]}")


@pytest.fixture
def smtp() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler(refuse={"gone@example.org": "550 5.1.1 No such user here"})
    with smtp_server(handler) as port:
        yield handler, port


async def test_an_invitation_and_a_reset_arrive_by_mail_and_each_link_works_once(
    tmp_path: Path, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    server = start_server(tmp_path, TMS_SMTP_HOST="127.0.0.1", TMS_SMTP_PORT=str(port))
    answers: list[str] = []
    with running(server):
        async with admin_api(server) as api:
            created = await api.post("/users/", json=new_user("robin", invite=True))
            assert created.status_code == 201, created.text
            assert "temporary_password" not in created.json()
            assert "invitation" in created.json()["message"]
            [invitation] = await mail_for(handler, "robin@example.org")
            assert invitation.message["Subject"] == "Your account at Acme Training"
            token = link_token(invitation.message)
            assert (
                "https://training.acme.example/app/set-password#token="
                in (bodies(invitation.message)[0])
            )

            anonymous = httpx.AsyncClient(base_url=server.url, timeout=30)
            async with anonymous:
                set_once = await anonymous.post(
                    "/auth/set-password", json={"token": token, "new_password": NEW_PASSWORD}
                )
                assert set_once.status_code == 200, set_once.text
                again = await anonymous.post(
                    "/auth/set-password", json={"token": token, "new_password": PASSWORD}
                )
                assert again.status_code == 400
                assert "already been used" in again.json()["detail"]
                signed_in = await anonymous.post(
                    "/auth/login", json={"username": "robin", "password": NEW_PASSWORD}
                )
                assert signed_in.status_code == 200
                assert signed_in.json()["force_password_change"] is False

                forgot = [
                    await anonymous.post("/auth/forgot-password", json={"email": email})
                    for email in ("robin@example.org", "nobody@example.org")
                ]
                assert [r.status_code for r in forgot] == [202, 202]
                assert forgot[0].json() == forgot[1].json()
                resets = await mail_for(handler, "robin@example.org", 3)
                reset = next(r for r in resets if "Set a new password" in r.message["Subject"])
                reset_token = link_token(reset.message)
                assert reset_token != token
                done = await anonymous.post(
                    "/auth/set-password",
                    json={"token": reset_token, "new_password": "third sunny harbour 9"},
                )
                assert done.status_code == 200
                answers += [r.text for r in (created, set_once, again, signed_in, *forgot, done)]

            bad = await api.post("/auth/forgot-password", json={"email": "not-an-address"})
            assert bad.status_code == 422
            assert [e["field"] for e in bad.json()["errors"]] == ["email"]
            invalid = await api.post("/users/", json=new_user("x1", email="nope", invite=True))
            assert invalid.status_code == 422
            assert "email" in [e.get("field") for e in invalid.json()["errors"]]

            audit = (await api.get("/audit/", params={"target_type": "user"})).json()
            actions = {entry["action"] for entry in audit}
            assert {"user.invited", "user.password_set", "user.password_reset_requested"} <= actions
            answers.append(str(audit))
            answers.append((await api.get("/jobs/", params={"limit": 100})).text)

        await mail_for(handler, "robin@example.org", 4)  # and two notices: set, set again
        log = server.log()

    assert "nobody@example.org" not in [r for m in handler.received for r in m.recipients]
    for secret in (token, reset_token):
        assert not any(secret in text for text in answers)
        assert secret not in log
    for received in handler.received:
        raw = received.raw.decode("utf-8", "replace")
        for password in (NEW_PASSWORD, "third sunny harbour 9", ADMIN_PASSWORD, PASSWORD):
            assert password not in raw


async def test_a_refused_recipient_is_dead_lettered_at_once_and_shown_to_admins(
    tmp_path: Path, smtp: tuple[RecordingHandler, int]
) -> None:
    _handler, port = smtp
    server = start_server(tmp_path, TMS_SMTP_HOST="127.0.0.1", TMS_SMTP_PORT=str(port))
    with running(server):
        async with admin_api(server) as api:
            created = await api.post("/users/", json=new_user("gone", invite=True))
            assert created.status_code == 201
            deadline = time.monotonic() + 30
            failed: list[dict[str, object]] = []
            while not failed and time.monotonic() < deadline:
                failed = (await api.get("/jobs/", params={"status": "failed"})).json()
                await asyncio.sleep(0.2)
            [job] = failed
            assert job["kind"] == "mail.send"
            assert job["attempts"] == 1
            assert "550" in str(job["last_error"])
            assert "token" not in str(job)


async def test_a_silent_mail_server_slows_no_request(tmp_path: Path) -> None:
    with silent_server() as port:
        server = start_server(
            tmp_path,
            TMS_SMTP_HOST="127.0.0.1",
            TMS_SMTP_PORT=str(port),
            TMS_SMTP_TIMEOUT_SECONDS="30",
        )
        with running(server):
            async with admin_api(server) as api:
                created = await api.post("/users/", json=new_user("waiting", invite=True))
                assert created.status_code == 201
                user_id = created.json()["user"]["id"]
                await asyncio.sleep(1)  # the workers are now stuck talking to the server
                durations = []
                for _ in range(5):
                    began = time.perf_counter()
                    invited = await api.post(f"/users/{user_id}/invite")
                    forgot = await api.post(
                        "/auth/forgot-password", json={"email": "waiting@example.org"}
                    )
                    durations.append(time.perf_counter() - began)
                    assert (invited.status_code, forgot.status_code) == (202, 202)
                jobs = (await api.get("/jobs/", params={"status": "running"})).json()
    assert statistics.median(durations) < 1.0, durations
    assert any(job["kind"] == "mail.send" for job in jobs)


async def test_without_a_mail_server_mail_goes_to_the_outbox_and_floods_are_limited(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path, TMS_FORGOT_PASSWORD_PER_EMAIL="2")
    with running(server):
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            statuses = []
            for _ in range(3):
                answer = await client.post(
                    "/auth/forgot-password", json={"email": "flood@example.org"}
                )
                statuses.append(answer.status_code)
        async with admin_api(server) as api:
            created = await api.post("/users/", json=new_user("outboxed", invite=True))
            assert created.status_code == 201
        deadline = time.monotonic() + 30
        while not outbox(tmp_path / "outbox") and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        log = server.log()
    assert statuses == [202, 202, 429]
    assert 1 <= int(answer.headers["retry-after"]) <= 900
    [invitation] = outbox(tmp_path / "outbox")
    assert invitation["To"].addresses[0].addr_spec == "outboxed@example.org"
    assert link_token(invitation) not in log
    assert "written to the outbox" in log


async def test_forgot_password_takes_as_long_for_an_unknown_address(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
    await schema.upgrade(url)
    settings = make_settings(
        database_url=url, forgot_password_per_email=1000, forgot_password_per_address=1000
    )
    async with started(build_container(settings)) as container:
        await add_user(container, "known")
        transport = httpx.ASGITransport(app=create_app(container=container))
        durations: dict[str, list[float]] = {"known": [], "unknown": []}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def ask(email: str) -> None:
                answer = await client.post("/auth/forgot-password", json={"email": email})
                assert answer.status_code == 202, answer.text

            for _ in range(2):  # warm up
                await ask("known@example.org")
                await ask("warm@example.org")
            for round_ in range(15):
                for name, taken in durations.items():
                    email = "known@example.org" if name == "known" else f"u{round_}@example.org"
                    began = time.perf_counter()
                    await ask(email)
                    taken.append(time.perf_counter() - began)
    known, unknown = (statistics.median(durations[name]) for name in ("known", "unknown"))
    ratio = unknown / known
    assert 0.5 <= ratio <= 2.0, f"unknown {unknown * 1000:.1f} ms, known {known * 1000:.1f} ms"


async def test_an_expired_link_is_400_saying_so_and_changes_nothing(
    sql_container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    sql_container.mailer.override(
        OutboxMailer(tmp_path / "outbox", sender="TMS <no-reply@tms.example>", clock=clock)
    )
    await add_user(sql_container, "root", Role.ADMIN)
    async with api_client(sql_container) as client:
        headers = bearer(await login(client, "root"))
        created = await client.post(
            "/users/", json=new_user("latecomer", invite=True), headers=headers
        )
        assert created.status_code == 201, created.text
        await run_due_jobs(sql_container)
        [invitation] = outbox(tmp_path / "outbox")
        clock.advance(hours=72, minutes=1)
        late = await client.post(
            "/auth/set-password",
            json={"token": link_token(invitation), "new_password": NEW_PASSWORD},
        )
        signed_in = await client.post(
            "/auth/login", json={"username": "latecomer", "password": NEW_PASSWORD}
        )
    assert late.status_code == 400
    assert late.json()["detail"] == EXPIRED_LINK
    assert signed_in.status_code == 401

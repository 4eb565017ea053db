"""Partners' API clients and webhooks through the real app (memory and SQLite): client
credentials and their errors as RFC 6749 writes them, scopes enforced by the access matrix,
rotation with its grace, revocation, the per-client rate limit, the SSRF guard at creation,
and signed deliveries to a real receiver on loopback checked by `standardwebhooks`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from conftest import FakeClock, make_settings
from support import add_user, api_client, login
from tms_adapters.persistence.sql import migrations as schema
from tms_domain.kernel import Role
from tms_domain.kernel.jobs import JobStatus
from tms_domain.notifications import MAIL_JOB
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.ws import frame
from webhook_receiver import Receiver, receiving

PARTNER_PASSWORD = "Velvet-Harbor-4821"
LONG_SIGN_IN = {"webhook_allow_private": True, "token_lifetime_minutes": 3000}


@contextlib.asynccontextmanager
async def app_over(
    kind: str, clock: FakeClock, tmp_path: Any, **settings: object
) -> AsyncIterator[tuple[Container, httpx.AsyncClient, dict[str, str]]]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}"
        await schema.upgrade(url)
        built = make_settings(database_url=url, **settings)
    else:
        built = make_settings(storage="memory", **settings)
    container = build_container(built)
    # Receivers refuse a message whose timestamp is more than 5 minutes off their clock.
    clock.current = datetime.now(UTC)
    container.clock.override(clock)
    async with running(container):
        await add_user(container, "boss", Role.ADMIN)
        async with api_client(container) as client:
            admin = {"Authorization": f"Bearer {await login(client, 'boss')}"}
            yield container, client, admin


@pytest.fixture(params=["memory", "sqlite"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def new_client(client: httpx.AsyncClient, admin: dict[str, str], *scopes: str) -> Any:
    response = await client.post(
        "/api-clients/", json={"name": "Partner LMS", "scopes": list(scopes)}, headers=admin
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


async def token_for(
    client: httpx.AsyncClient, client_id: str, secret: str, **extra: str
) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await client.post("/auth/token", data={**form, **extra})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_client_token_reaches_its_scopes_only(
    kind: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over(kind, clock, tmp_path) as (_container, client, admin):
        created = await new_client(client, admin, "sessions:read", "users:write")
        assert set(created) == {"id", "client_id", "client_secret"}
        listed = (await client.get("/api-clients/", headers=admin)).json()
        assert [c["scopes"] for c in listed] == [["sessions:read", "users:write"]]
        assert created["client_secret"] not in json.dumps(listed)

        answer = await token_for(client, created["client_id"], created["client_secret"])
        assert answer.status_code == 200, answer.text
        issued = answer.json()
        assert issued["token_type"] == "Bearer"
        assert issued["expires_in"] == 3600
        assert issued["scope"] == "sessions:read users:write"
        headers = bearer(issued["access_token"])

        assert (await client.get("/sessions/", headers=headers)).status_code == 200
        for method, path in [
            ("GET", "/users/"),
            ("GET", "/audit/"),
            ("GET", "/jobs/"),
            ("GET", "/api-clients/"),
            ("GET", "/webhooks/"),
            ("GET", "/courses/"),
        ]:
            refused = await client.request(method, path, headers=headers)
            assert refused.status_code == 403, (path, refused.text)

        new_user = {"username": "fromlms", "email": "lms@example.org", "first_name": "A",
                    "last_name": "B", "role": "trainee", "password": PARTNER_PASSWORD}  # fmt: skip
        made = await client.post("/users/", headers=headers, json=new_user)
        assert made.status_code == 201, made.text
        audit = (
            await client.get("/audit/", headers=admin, params={"action": "user.created"})
        ).json()
        entry = next(item for item in audit if item["target_id"] == made.json()["user"]["id"])
        assert entry["actor"] == "Partner LMS"

        # Basic authentication works too; a narrower scope can be asked for.
        basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode())
        narrow = await client.post(
            "/auth/token",
            data={"grant_type": "client_credentials", "scope": "sessions:read"},
            headers={"Authorization": f"Basic {basic.decode()}"},
        )
        assert narrow.status_code == 200
        assert narrow.json()["scope"] == "sessions:read"
        narrow_headers = bearer(narrow.json()["access_token"])
        again = {**new_user, "username": "other", "email": "other@example.org"}
        assert (await client.post("/users/", headers=narrow_headers, json=again)).status_code == 403
        assert (await client.get("/sessions/", headers=narrow_headers)).status_code == 200


async def test_token_errors_are_rfc_6749(kind: str, clock: FakeClock, tmp_path: Any) -> None:
    async with app_over(kind, clock, tmp_path) as (_container, client, admin):
        created = await new_client(client, admin, "sessions:read")
        wrong = await token_for(client, created["client_id"], "not-the-secret")
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_client"
        unknown = await token_for(client, "tms_nobody", created["client_secret"])
        assert unknown.status_code == 401
        assert unknown.json()["error"] == "invalid_client"
        basic = await client.post(
            "/auth/token", data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic " + base64.b64encode(b"x:y").decode()},
        )  # fmt: skip
        assert basic.status_code == 401
        assert basic.headers["www-authenticate"].startswith("Basic")
        scope = await token_for(
            client, created["client_id"], created["client_secret"], scope="users:read"
        )
        assert scope.status_code == 400
        assert scope.json()["error"] == "invalid_scope"
        grant = await client.post("/auth/token", data={"grant_type": "password"})
        assert grant.status_code == 400
        assert grant.json()["error"] == "unsupported_grant_type"
        missing = await client.post("/auth/token", data={})
        assert missing.status_code == 400
        assert missing.json()["error"] == "invalid_request"
        as_json = await client.post("/auth/token", json={"grant_type": "client_credentials"})
        assert as_json.status_code == 400
        assert as_json.json()["error"] == "invalid_request"


async def test_rotation_keeps_the_old_secret_for_the_grace_then_refuses_it(
    kind: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over(kind, clock, tmp_path, api_client_secret_grace_seconds=600) as (
        _container, client, admin,
    ):  # fmt: skip
        created = await new_client(client, admin, "sessions:read")
        rotated = await client.post(f"/api-clients/{created['id']}/rotate-secret", headers=admin)
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["client_secret"]
        assert new_secret != created["client_secret"]
        assert rotated.json()["previous_secret_valid_until"]
        for secret in (created["client_secret"], new_secret):
            assert (await token_for(client, created["client_id"], secret)).status_code == 200
        clock.advance(seconds=601)
        old = await token_for(client, created["client_id"], created["client_secret"])
        assert old.status_code == 401
        assert old.json()["error"] == "invalid_client"
        assert (await token_for(client, created["client_id"], new_secret)).status_code == 200


async def test_a_revoked_clients_token_fails_on_the_next_request(
    kind: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over(kind, clock, tmp_path) as (_container, client, admin):
        created = await new_client(client, admin, "sessions:read")
        token = (await token_for(client, created["client_id"], created["client_secret"])).json()
        headers = bearer(token["access_token"])
        assert (await client.get("/sessions/", headers=headers)).status_code == 200
        assert (
            await client.delete(f"/api-clients/{created['id']}", headers=admin)
        ).status_code == 200
        assert (await client.get("/sessions/", headers=headers)).status_code == 401
        again = await token_for(client, created["client_id"], created["client_secret"])
        assert again.status_code == 401


async def test_each_client_has_its_rate_limit(clock: FakeClock, tmp_path: Any) -> None:
    async with app_over("memory", clock, tmp_path, api_client_requests_per_minute=3) as (
        _container, client, admin,
    ):  # fmt: skip
        created = await new_client(client, admin, "sessions:read")
        token = (await token_for(client, created["client_id"], created["client_secret"])).json()
        headers = bearer(token["access_token"])
        statuses = [(await client.get("/sessions/", headers=headers)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/sessions/", headers=headers)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert (await client.get("/sessions/", headers=admin)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:8080/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://192.168.1.10/hook",
        "ftp://93.184.215.14/hook",
        "not a url",
    ],
)
async def test_private_webhook_targets_are_refused(
    url: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over("memory", clock, tmp_path) as (_container, client, admin):
        refused = await client.post(
            "/webhooks/", json={"url": url, "events": ["room_created"]}, headers=admin
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "url"
        assert (await client.get("/webhooks/", headers=admin)).json() == []


async def test_webhook_input_is_checked(clock: FakeClock, tmp_path: Any) -> None:
    async with app_over("memory", clock, tmp_path) as (_container, client, admin):
        public = "https://93.184.215.14/hook"
        created = await client.post(
            "/webhooks/", json={"url": public, "events": ["room_created"]}, headers=admin
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret[6:])) == 32
        assert "secret" not in (await client.get("/webhooks/", headers=admin)).json()[0]
        unknown = await client.post(
            "/webhooks/", json={"url": public, "events": ["no_such_event"]}, headers=admin
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "events"
        bad_secret = await client.post(
            "/webhooks/", json={"url": public, "events": ["room_created"], "secret": "abc"},
            headers=admin,
        )  # fmt: skip
        assert bad_secret.status_code == 422
        assert bad_secret.json()["errors"][0]["field"] == "secret"
        types = (await client.get("/webhooks/event-types", headers=admin)).json()["events"]
        assert "room_created" in types
        assert not any(t.startswith("internal.") for t in types)
        # One person's notifications are theirs: no partner may subscribe to them.
        assert "notification" not in types
        private = await client.post(
            "/webhooks/", json={"url": public, "events": ["notification"]}, headers=admin
        )
        assert private.status_code == 422
        assert private.json()["errors"][0]["field"] == "events"


async def run_jobs(container: Container) -> int:
    executor = container.jobs.executor()
    ran = 0
    while await executor.run_next():
        ran += 1
    return ran


async def test_committed_events_are_delivered_signed(
    kind: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over(kind, clock, tmp_path, webhook_allow_private=True) as (
        container, client, admin,
    ):  # fmt: skip
        with receiving(Receiver()) as receiver:
            created = await client.post(
                "/webhooks/", json={"url": receiver.url, "events": ["room_created"]}, headers=admin
            )
            hook = created.json()
            receiver.secret = hook["secret"]
            room = await client.post("/rooms/", json={"name": "Blue", "capacity": 8}, headers=admin)
            assert room.status_code == 201
            await client.post("/rooms/", json={"name": "Red", "capacity": 8}, headers=admin)
            assert await run_jobs(container) == 2
            arrived = receiver.wait_for(2)
            assert [item.verified for item in arrived] == [True, True]
            body = json.loads(arrived[0].body)
            async with container.uow()(read_only=True) as uow:
                stored = [
                    e for e in await uow.events.since(0, limit=100) if e.type == "room_created"
                ]
            assert body == json.loads(
                frame(stored[0].type, stored[0].data, stored[0].id, stored[0].at)
            )
            assert arrived[0].headers["webhook-id"] == f"msg_{stored[0].id}"
            log = (await client.get(f"/webhooks/{hook['id']}/deliveries", headers=admin)).json()
            assert [(d["status"], d["status_code"], d["attempt"]) for d in log] == [
                ("succeeded", 204, 1),
                ("succeeded", 204, 1),
            ]
            test = await client.post(f"/webhooks/{hook['id']}/test", headers=admin)
            assert test.status_code == 202
            await run_jobs(container)
            last = receiver.wait_for(3)[-1]
            assert last.verified
            assert json.loads(last.body)["type"] == "webhook.test"


@pytest.mark.parametrize("mode", ["fail", "redirect"])
async def test_failing_receivers_are_retried_for_a_day_then_disabled(
    mode: str, clock: FakeClock, tmp_path: Any
) -> None:
    async with app_over("memory", clock, tmp_path, **LONG_SIGN_IN) as (
        container, client, admin,
    ):  # fmt: skip
        await add_user(container, "deputy", Role.ADMIN)
        await add_user(container, "learner")
        with receiving(Receiver(mode=mode)) as receiver:
            hook = (
                await client.post(
                    "/webhooks/",
                    json={"url": receiver.url, "events": ["room_created"]},
                    headers=admin,
                )
            ).json()
            receiver.secret = hook["secret"]
            await client.post("/rooms/", json={"name": "Blue", "capacity": 8}, headers=admin)
            attempts = 0
            while await run_jobs(container):
                attempts += 1
                log = (await client.get(f"/webhooks/{hook['id']}/deliveries", headers=admin)).json()
                assert isinstance(log, list), log
                if log[0]["next_attempt_at"] is None:
                    break
                clock.advance(hours=3)
            assert receiver.wait_for(attempts)
            assert len(receiver.received) == attempts
            assert receiver.received[0].verified, "later tries are stamped hours ahead"
            assert len({item.headers["webhook-id"] for item in receiver.received}) == 1
            log = (await client.get(f"/webhooks/{hook['id']}/deliveries", headers=admin)).json()
            assert len(log) == attempts >= 8
            assert [d["attempt"] for d in log] == list(range(attempts, 0, -1))
            expected = 500 if mode == "fail" else 302
            assert {d["status_code"] for d in log} == {expected}
            assert all(d["status"] == "failed" and len(d["response_body"]) == 1024 for d in log)
            listed = (await client.get("/webhooks/", headers=admin)).json()[0]
            assert listed["enabled"] is False
            assert "disabled" in listed["disabled_reason"]
            audit = (
                await client.get("/audit/", headers=admin, params={"action": "webhook.disabled"})
            ).json()
            assert len(audit) == 1
            async with container.uow()(read_only=True) as uow:
                events = await uow.events.since(0, limit=100)
            assert any(
                e.type == "webhook_changed" and e.data["action"] == "disabled" for e in events
            )
            await admins_are_told_it_was_disabled(container, client, hook["id"])


async def admins_are_told_it_was_disabled(
    container: Container, client: httpx.AsyncClient, hook_id: int
) -> None:
    """Every admin (the one who made it and another) gets one ``webhook_disabled``
    notification linking to the webhooks page, and its mail, which renders and is sent; a
    trainee hears nothing. Neither names more of the receiver than its host."""
    for who in ("boss", "deputy", "learner"):
        token = {"Authorization": f"Bearer {await login(client, who)}"}
        told = (await client.get("/notifications/", headers=token)).json()
        if who == "learner":
            assert told == []
            continue
        assert [(n["kind"], n["link"]) for n in told] == [("webhook_disabled", "/webhooks")]
        assert f"webhook #{hook_id} at 127.0.0.1 failed" in told[0]["message"]
    await run_jobs(container)
    async with container.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=1000)
    mails = [job for job in jobs if job.kind == MAIL_JOB]
    assert sorted((job.payload["to"], job.payload["template"], job.status) for job in mails) == [
        (f"{who}@example.org", "webhook_disabled", JobStatus.SUCCEEDED)
        for who in ("boss", "deputy")
    ]
    assert all("/hooks" not in json.dumps(job.payload) for job in mails)


async def test_a_hanging_receiver_never_blocks_requests(clock: FakeClock, tmp_path: Any) -> None:
    async with app_over("memory", clock, tmp_path, webhook_allow_private=True) as (
        container, client, admin,
    ):  # fmt: skip
        with receiving(Receiver(mode="hang")) as receiver:
            hook = (
                await client.post(
                    "/webhooks/",
                    json={"url": receiver.url, "events": ["room_created"]},
                    headers=admin,
                )
            ).json()
            receiver.secret = hook["secret"]
            await client.post("/rooms/", json={"name": "Blue", "capacity": 8}, headers=admin)
            began = time.monotonic()
            delivering = asyncio.create_task(run_jobs(container))
            await asyncio.to_thread(receiver.wait_for, 1)
            for _ in range(5):
                started = time.monotonic()
                assert (await client.get("/webhooks/", headers=admin)).status_code == 200
                assert time.monotonic() - started < 1
            assert not delivering.done()
            await delivering
            assert 9 <= time.monotonic() - began < 15, "given up after the 10 s total timeout"
            log = (await client.get(f"/webhooks/{hook['id']}/deliveries", headers=admin)).json()
            assert log[0]["status"] == "failed"
            assert "No answer within 10 s" in log[0]["error"]
            assert log[0]["next_attempt_at"] is not None

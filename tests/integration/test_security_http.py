"""The HTTP edge through the real app: secrets, headers, CORS, input limits, rate limits.

- No password, hash or token in any response body: every operation of the OpenAPI document
  is called as an admin (and the report downloaded as CSV), and every body is searched.
- Security headers on every response, errors included.
- CORS answers configured origins only; a wildcard origin is refused at start-up.
- Input limits answer clear 4xx: 413 for a body over 1 MiB, 422 for long strings, long lists
  (a session with 100,000 trainee ids) and out-of-range pagination.
- The general per-address rate limit (when set): 429 with Retry-After, /health exempt,
  shared by app instances through Redis.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import REDIS_URL, FakeClock, make_settings, require_redis
from mail_support import link_token, outbox, run_due_jobs
from oidc_servers import VouchingProvider
from support import OTHER_PASSWORD, PASSWORD, add_user, bearer
from tms_adapters.mail import OutboxMailer
from tms_adapters.storage.local import LocalFileStorage
from tms_adapters.webhooks import AddressGuard
from tms_domain.kernel import Role
from tms_entrypoints.container import Container, build_container, running
from tms_entrypoints.http.app import create_app
from tms_entrypoints.settings import Settings, SettingsError

RESET_PASSWORD = "amber meadow copper 7716"
ADMIN_NEW_PASSWORD = "granite orchard lilac 6150"
HASH_MARKERS = ("$argon2", "$pbkdf2", "password_hash")
ALLOWED_ORIGIN = "http://localhost:5173"


@pytest.fixture(params=["sqlite"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Seen:
    """Every response the app gave in a test."""

    responses: list[httpx.Response] = field(default_factory=list)


@contextlib.asynccontextmanager
async def client_of(
    container: Container, address: str = "192.0.2.20"
) -> AsyncIterator[tuple[httpx.AsyncClient, Seen]]:
    seen = Seen()

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        seen.responses.append(response)

    transport = httpx.ASGITransport(app=create_app(container=container), client=(address, 40000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks={"response": [keep]}
    ) as client:
        yield client, seen


async def token_of(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def assert_security_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-frame-options") == "DENY", where
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), where


# Every operation, as an admin: no secret in any body


@dataclass
class Walk:
    """Calls the API as the admin, noting which documented operation each call was."""

    client: httpx.AsyncClient
    token: str
    called: set[tuple[str, str]] = field(default_factory=set)
    bodies: dict[str, str] = field(default_factory=dict)

    async def call(
        self,
        method: str,
        template: str,
        *,
        token: str | None = None,
        expect: int = 200,
        **kwargs: Any,
    ) -> Any:
        response = await self.call_raw(method, template, token=token, expect=expect, **kwargs)
        is_json = "json" in response.headers.get("content-type", "")
        return response.json() if is_json and response.content else None

    async def call_raw(
        self,
        method: str,
        template: str,
        *,
        token: str | None = None,
        expect: int = 200,
        **kwargs: Any,
    ) -> httpx.Response:
        path = template.format(**kwargs.pop("path", {}))
        response = await self.client.request(
            method, path, headers=bearer(token or self.token), **kwargs
        )
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        self.called.add((method, template))
        self.bodies[f"{method} {path} #{len(self.bodies)}"] = (
            f"{response.headers.get('location', '')}\n{response.text}"
        )
        return response


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if not path.startswith("/schema")
    }


async def test_no_response_to_an_admin_carries_a_password_a_hash_or_a_token(
    sql_container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    sql_container.mailer.override(
        OutboxMailer(tmp_path / "outbox", sender="TMS <tms@example.org>", clock=clock)
    )
    sql_container.files.override(LocalFileStorage(tmp_path / "files"))
    await add_user(sql_container, "root", Role.ADMIN)
    async with client_of(sql_container) as (client, seen):
        admin_token = await token_of(client, "root")
        walk = Walk(client, admin_token)
        await walk.call("POST", "/auth/login", json={"username": "root", "password": PASSWORD})

        def new_user(name: str, role: str, **extra: Any) -> dict[str, Any]:
            return {
                "username": name,
                "email": f"{name}@example.org",
                "first_name": name.title(),
                "last_name": "Doe",
                "role": role,
                "is_temporary_password": "password" not in extra,
                **extra,
            }

        trainer = (
            await walk.call(
                "POST", "/users", json=new_user("tom", "trainer", password=PASSWORD), expect=201
            )
        )["user"]
        trainee = (
            await walk.call(
                "POST", "/users", json=new_user("pia", "trainee", password=PASSWORD), expect=201
            )
        )["user"]
        generated = await walk.call("POST", "/users", json=new_user("paul", "trainee"), expect=201)
        temporary_password = generated["temporary_password"]
        paul = generated["user"]
        trainee_token = await token_of(client, "pia")
        trainer_token = await token_of(client, "tom")

        ids = {"user_id": trainee["id"], "trainer_id": trainer["id"], "trainee_id": trainee["id"]}
        await walk.call("GET", "/users", params={"limit": 1000})
        await walk.call("GET", "/users/{user_id}", path=ids)
        await walk.call("PUT", "/users/{user_id}", path=ids, json={"first_name": "Pia"})
        await walk.call("GET", "/users/{user_id}/lockout", path=ids)
        await walk.call("GET", "/users/{user_id}/achievements", path=ids)
        await walk.call("GET", "/users/{user_id}/activity", path=ids)
        await walk.call("GET", "/users/{user_id}/activity", path=ids, token=trainee_token)
        await walk.call("POST", "/users/{user_id}/unlock", path=ids)
        await walk.call(
            "POST",
            "/auth/change-password",
            token=trainee_token,
            json={"current_password": PASSWORD, "new_password": OTHER_PASSWORD},
        )
        await walk.call(
            "POST",
            "/auth/reset-password/{user_id}",
            path={"user_id": paul["id"]},
            json={"new_password": RESET_PASSWORD},
        )
        await walk.call("POST", "/users/{user_id}/invite", path={"user_id": paul["id"]}, expect=202)
        await walk.call(
            "POST", "/auth/forgot-password", json={"email": "paul@example.org"}, expect=202
        )
        await run_due_jobs(sql_container)
        link_tokens = [link_token(m) for m in outbox(tmp_path / "outbox") if "#token=" in str(m)]
        assert len(link_tokens) == 2
        await walk.call(
            "POST",
            "/auth/set-password",
            json={"token": link_tokens[0], "new_password": RESET_PASSWORD + " again"},
        )

        session = await walk.call(
            "POST",
            "/sessions",
            json={
                "title": "Security basics",
                "trainer_id": trainer["id"],
                "trainees": [trainee["id"]],
                "scheduled_date": "2026-05-04T09:00:00+00:00",
                "duration_minutes": 60,
            },
            expect=201,
        )
        ids["session_id"] = session["id"]
        await walk.call("GET", "/sessions", params={"limit": 1000})
        await walk.call("GET", "/sessions/{session_id}", path=ids)
        await walk.call("PUT", "/sessions/{session_id}", path=ids, json={"title": "Security"})
        ids["trainee_id"] = paul["id"]
        await walk.call("POST", "/sessions/{session_id}/trainees/{trainee_id}", path=ids)
        await walk.call("DELETE", "/sessions/{session_id}/trainees/{trainee_id}", path=ids)
        ids["trainee_id"] = trainee["id"]
        joiner = await walk.call(
            "POST", "/users", json=new_user("joe", "trainee", password=PASSWORD), expect=201
        )
        await walk.call(
            "GET",
            "/join/{session_link}",
            path={"session_link": session["session_link"]},
            token=await token_of(client, "joe"),
        )

        room = await walk.call("POST", "/rooms", json={"name": "Lab", "capacity": 8}, expect=201)
        ids["room_id"] = room["id"]
        await walk.call("GET", "/rooms")
        await walk.call("PUT", "/rooms/{room_id}", path=ids, json={"location": "East"})
        bookable = await walk.call(
            "POST",
            "/sessions",
            json={
                "title": "Open to booking",
                "trainer_id": trainer["id"],
                "scheduled_date": "2026-05-05T09:00:00+00:00",
                "duration_minutes": 60,
                "self_booking": True,
                "room_id": room["id"],
            },
            expect=201,
        )
        joe_token = await token_of(client, "joe")
        await walk.call("GET", "/sessions/available", token=joe_token)
        booking = {"session_id": bookable["id"]}
        await walk.call(
            "POST", "/sessions/{session_id}/book", path=booking, token=joe_token, expect=201
        )
        await walk.call("DELETE", "/sessions/{session_id}/book", path=booking, token=joe_token)
        await walk.call("PUT", "/sessions/{session_id}", path=booking, json={"room_id": None})
        await walk.call("DELETE", "/rooms/{room_id}", path=ids)

        assignment = await walk.call(
            "POST",
            "/assignments",
            json={"student_id": trainee["id"], "teacher_id": trainer["id"]},
            expect=201,
        )
        await walk.call("GET", "/assignments")
        marked = await walk.call(
            "POST",
            "/attendance",
            json={"session_id": session["id"], "trainee_id": trainee["id"], "present": True},
        )
        ids["attendance_id"] = marked["id"]
        await walk.call("PUT", "/attendance/{attendance_id}", path=ids, params={"present": "false"})
        await walk.call("GET", "/attendance/session/{session_id}", path=ids)
        await walk.call("GET", "/attendance/trainee/{trainee_id}", path=ids)
        await walk.call("GET", "/progress/trainee/{trainee_id}", path=ids)
        await walk.call("GET", "/progress/trainer/{trainer_id}", path=ids)
        await walk.call("GET", "/trainers/{trainer_id}/trainees", path=ids)
        for area in ("users", "sessions", "overview"):
            await walk.call("GET", f"/analytics/{area}")
        await walk.call("GET", "/audit", params={"limit": 1000})
        report = await walk.call("GET", "/reports/generate", params={"format": "csv"})
        assert report is None  # a file, not JSON
        csv_text = next(b for k, b in walk.bodies.items() if k.startswith("GET /reports"))
        assert "Security" in csv_text
        assert "pia@example.org" in csv_text
        # A dead-lettered job whose payload holds a secret: admins see the job, never it.
        async with sql_container.uow()() as uow:
            uow.jobs.enqueue("nobody.handles.this", {"password": PASSWORD}, idempotency_key="w")
            await uow.commit()
        await run_due_jobs(sql_container)
        [failed] = await walk.call("GET", "/jobs", params={"status": "failed"})
        await walk.call("POST", "/jobs/{job_id}/retry", path={"job_id": failed["id"]})
        await walk.call("GET", "/health")
        await walk.call("HEAD", "/health")
        await walk.call("GET", "/health/live")
        await walk.call("GET", "/health/ready")

        # Courses: authoring, a lesson's file, enrolment, completion, progress.
        course = await walk.call("POST", "/courses", json={"title": "Walk course"}, expect=201)
        cid = {"course_id": course["id"]}
        await walk.call("GET", "/courses")
        await walk.call("PUT", "/courses/{course_id}", path=cid, json={"category": "Safety"})
        module = await walk.call(
            "POST", "/courses/{course_id}/modules", path=cid, json={"title": "One"}, expect=201
        )
        mid = {"module_id": module["id"]}
        await walk.call("PUT", "/modules/{module_id}", path=mid, json={"title": "First"})
        lesson = await walk.call(
            "POST",
            "/modules/{module_id}/lessons",
            path=mid,
            json={"title": "Handout", "kind": "file"},
            expect=201,
        )
        lid = {"lesson_id": lesson["id"]}
        await walk.call("PUT", "/lessons/{lesson_id}", path=lid, json={"title": "Hand-out"})
        with_file = await walk.call(
            "POST",
            "/lessons/{lesson_id}/file",
            path=lid,
            files={"file": ("handout.pdf", b"%PDF-1.7\n" + b"0" * 2048, "application/pdf")},
        )
        await walk.call("GET", "/files/{file_id}", path={"file_id": with_file["file"]["id"]})
        order = {"modules": [{"id": module["id"], "lessons": [lesson["id"]]}]}
        await walk.call("PUT", "/courses/{course_id}/order", path=cid, json=order)
        await walk.call("POST", "/courses/{course_id}/publish", path=cid)
        await walk.call(
            "POST",
            "/courses/{course_id}/enrolments",
            path=cid,
            json={"trainee_ids": [trainee["id"]]},
        )
        await walk.call("GET", "/courses/{course_id}/enrolments", path=cid)
        await walk.call("POST", "/lessons/{lesson_id}/complete", path=lid, token=trainee_token)
        # Certificates: completing the course issued one; its PDF, its public verification,
        # compliance, then renewing and revoking it.
        [certificate] = await walk.call("GET", "/certificates", token=trainee_token)
        crt = {"certificate_id": certificate["id"]}
        await walk.call("GET", "/certificates", params={"status": "valid"})
        pdf = {"certificate_file": f"{certificate['id']}.pdf"}
        await walk.call_raw("GET", "/certificates/{certificate_file}", path=pdf)
        await walk.call("GET", "/verify/{code}", path={"code": certificate["code"]})
        await walk.call("GET", "/compliance")
        await walk.call_raw("GET", "/compliance/report", params={"format": "pdf"})
        await walk.call("DELETE", "/lessons/{lesson_id}/complete", path=lid, token=trainee_token)
        # Assessments: taken by the trainee, graded by the admin (the course's author).
        quiz = {
            "questions": [
                {
                    "kind": "single",
                    "prompt": "Pick",
                    "points": 1,
                    "options": [{"text": "A", "correct": True}, {"text": "B"}],
                },
                {"kind": "text", "prompt": "Explain", "points": 1},
            ],
            "pass_mark": 50,
            "max_attempts": 2,
            "time_limit_minutes": 30,
        }
        assessed = await walk.call(
            "POST",
            "/modules/{module_id}/lessons",
            path=mid,
            json={"title": "Quiz", "kind": "assessment", "assessment": quiz},
            expect=201,
        )
        qid = {"lesson_id": assessed["id"]}
        started = await walk.call(
            "POST", "/lessons/{lesson_id}/attempts/start", path=qid, token=trainee_token
        )
        text_id = started["assessment"]["questions"][1]["id"]
        attempt = await walk.call(
            "POST",
            "/lessons/{lesson_id}/attempts",
            path=qid,
            json={"answers": [{"question_id": text_id, "text": "Because"}]},
            token=trainee_token,
            expect=201,
        )
        aid = {"attempt_id": attempt["id"]}
        await walk.call("GET", "/attempts", params={"graded": "false"})
        await walk.call("GET", "/attempts/{attempt_id}", path=aid)
        await walk.call(
            "POST", "/attempts/{attempt_id}/grade", path=aid, json={"points": {str(text_id): 1}}
        )
        await walk.call("GET", "/lessons/{lesson_id}/attempts", path=qid)
        await walk.call("GET", "/lessons/{lesson_id}/statistics", path=qid)
        await walk.call("POST", "/certificates/{certificate_id}/renew", path=crt)
        await walk.call("POST", "/certificates/{certificate_id}/revoke", path=crt)
        await walk.call("GET", "/progress/trainee/{trainee_id}/courses", path=ids)
        await walk.call("GET", "/courses/{course_id}", path=cid)
        await walk.call("POST", "/courses/{course_id}/archive", path=cid)
        await walk.call(
            "DELETE",
            "/courses/{course_id}/enrolments/{trainee_id}",
            path={**cid, "trainee_id": trainee["id"]},
        )
        await walk.call("DELETE", "/lessons/{lesson_id}", path=lid)
        await walk.call("DELETE", "/modules/{module_id}", path=mid)
        await walk.call("DELETE", "/courses/{course_id}", path=cid)

        # Batches: members listed as Users (never a hash), trainers and courses by id.
        batch = await walk.call(
            "POST",
            "/batches",
            json={"code": "WALK", "name": "Walkers", "trainer_ids": [trainer["id"]]},
            expect=201,
        )
        bid = {"batch_id": batch["id"]}
        await walk.call("GET", "/batches", params={"q": "walk"})
        await walk.call("PUT", "/batches/{batch_id}", path=bid, json={"description": "A walk"})
        await walk.call(
            "POST", "/batches/{batch_id}/trainees", path=bid, json={"trainee_ids": [paul["id"]]}
        )
        await walk.call("GET", "/batches/{batch_id}", path=bid)
        await walk.call("GET", "/batches/{batch_id}/trainees", path=bid)
        await walk.call(
            "DELETE",
            "/batches/{batch_id}/trainees/{trainee_id}",
            path={**bid, "trainee_id": paul["id"]},
        )
        await walk.call("DELETE", "/batches/{batch_id}", path=bid)

        # Skills: the catalogue, a trainee's skills (the holder as a User), the matrix.
        skill = await walk.call(
            "POST", "/skills", json={"name": "Walking", "category": "Outdoor"}, expect=201
        )
        sid = {"skill_id": skill["id"]}
        await walk.call("GET", "/skills", params={"q": "walk"})
        await walk.call("PUT", "/skills/{skill_id}", path=sid, json={"description": "Far"})
        held = {"user_id": paul["id"]}
        await walk.call(
            "POST",
            "/users/{user_id}/skills",
            path=held,
            json={"skill_id": skill["id"], "level": 2},
            expect=201,
        )
        await walk.call("GET", "/users/{user_id}/skills", path=held)
        await walk.call("GET", "/skills/matrix", params={"skill_id": skill["id"]})
        await walk.call(
            "GET", "/reports/skills-matrix", params={"format": "csv", "skill_id": skill["id"]}
        )
        await walk.call("DELETE", "/skills/{skill_id}", path=sid)

        # A calendar feed: its URL is shown to its owner once; the feed holds no secret.
        feed = await walk.call("POST", "/me/calendar-token", expect=201)
        feed_token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
        await walk.call("GET", "/calendar/{feed_token}", path={"feed_token": f"{feed_token}.ics"})
        await walk.call("GET", "/sessions/{session_id}/ics", path=ids)
        await walk.call("DELETE", "/me/calendar-token")

        # Notifications and preferences: the trainee's own, and nobody else's (404).
        told = await walk.call("GET", "/notifications", token=trainee_token)
        assert told, "the trainee was told of their enrolment"
        await walk.call("GET", "/notifications/unread-count", token=trainee_token)
        await walk.call(
            "POST",
            "/notifications/{notification_id}/read",
            path={"notification_id": told[0]["id"]},
            expect=404,
        )
        await walk.call(
            "POST",
            "/notifications/{notification_id}/read",
            path={"notification_id": told[0]["id"]},
            token=trainee_token,
        )
        await walk.call("POST", "/notifications/read-all", token=trainee_token)
        await walk.call("GET", "/me/preferences")
        await walk.call("PUT", "/me/preferences", json={"reminder_minutes": [60]})

        # Imports: the templates, a dry run of a small file with one bad row, its errors file.
        await walk.call("GET", "/imports/template.csv")
        await walk.call("GET", "/imports/template.xlsx")
        people = b"email,first_name,last_name\nimp@example.org,Imp,Orter\nnot-an-address,No,Mail\n"
        checking = await walk.call(
            "POST",
            "/imports/users",
            params={"dry_run": "true"},
            files={"file": ("people.csv", people, "text/csv")},
            expect=202,
        )
        iid = {"import_id": checking["id"]}
        await run_due_jobs(sql_container)
        await walk.call("GET", "/imports")
        await walk.call("GET", "/imports/{import_id}", path=iid)
        await walk.call("GET", "/imports/{import_id}/errors.csv", path=iid)

        # A partner's API client: its secret is shown once (on creation and rotation), its
        # token answers the client-credentials grant; then it is revoked.
        scoped = {"name": "Walk partner", "scopes": ["users:read"]}
        partner = await walk.call("POST", "/api-clients", json=scoped, expect=201)
        pid = {"client_id": partner["id"]}
        await walk.call("GET", "/api-clients")
        rotated = await walk.call("POST", "/api-clients/{client_id}/rotate-secret", path=pid)
        grant = {
            "grant_type": "client_credentials",
            "client_id": partner["client_id"],
            "client_secret": rotated["client_secret"],
        }
        await walk.call("POST", "/auth/token", data=grant)
        await walk.call("DELETE", "/api-clients/{client_id}", path=pid)

        # A webhook (to a loopback address, allowed for this walk only), tested and removed.
        sql_container.integrations.guard.override(AddressGuard(allow_private=True))
        sql_container.integrations.webhooks.reset()
        hook = await walk.call(
            "POST",
            "/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["course_created"]},
            expect=201,
        )
        hid = {"webhook_id": hook["id"]}
        await walk.call("GET", "/webhooks")
        await walk.call("GET", "/webhooks/event-types")
        changed = {"events": ["user_created"]}
        await walk.call("PUT", "/webhooks/{webhook_id}", path=hid, json=changed)
        await walk.call("POST", "/webhooks/{webhook_id}/test", path=hid, expect=202)
        await walk.call("GET", "/webhooks/{webhook_id}/deliveries", path=hid)
        await walk.call("DELETE", "/webhooks/{webhook_id}", path=hid)

        await walk.call("DELETE", "/attendance/{attendance_id}", path=ids)
        await walk.call(
            "DELETE",
            "/assignments/{student_id}/{teacher_id}",
            path={"student_id": assignment["student_id"], "teacher_id": assignment["teacher_id"]},
        )
        await walk.call("DELETE", "/sessions/{session_id}", path=ids)
        await walk.call("DELETE", "/users/{user_id}", path={"user_id": joiner["user"]["id"]})
        # Single sign-on, with a provider that vouches for Tom's address (the flow itself is
        # tested against a real provider in test_oidc_flow.py): no token in a URL or body but
        # the exchange's answer.
        sql_container.oidc_provider.override(VouchingProvider("tom@example.org"))
        sql_container.sso.reset()
        await walk.call("GET", "/auth/providers")
        started = await walk.call_raw("GET", "/auth/oidc/login", expect=302)
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        back = await walk.call_raw(
            "GET", "/auth/oidc/callback", expect=302, params={"code": "c", "state": state}
        )
        code = parse_qs(urlsplit(back.headers["location"]).fragment)["code"][0]
        sso = await walk.call("POST", "/auth/oidc/exchange", json={"code": code})
        assert sso["user"]["id"] == trainer["id"]
        await walk.call_raw("GET", "/auth/oidc/logout", expect=302)
        await walk.call("POST", "/auth/logout", token=trainer_token)
        await walk.call(
            "POST", "/auth/admin-change-password", json={"new_password": ADMIN_NEW_PASSWORD}
        )
        await walk.call("POST", "/auth/logout-all")

        document = (await client.get("/schema/openapi.json")).json()

    missing = documented_operations(document) - walk.called
    assert missing == set(), f"operations not walked: {sorted(missing)}"
    secrets_by_name = {
        "admin password": PASSWORD,
        "changed password": OTHER_PASSWORD,
        "reset password": RESET_PASSWORD,
        "admin's new password": ADMIN_NEW_PASSWORD,
        "trainee token": trainee_token,
        "trainer token": trainer_token,
        **{f"link token {n}": token for n, token in enumerate(link_tokens)},
    }
    for where, body in walk.bodies.items():
        assert not [m for m in HASH_MARKERS if m in body], where
        assert [name for name, value in secrets_by_name.items() if value in body] == [], where
        if not where.startswith("POST /auth/login"):
            assert admin_token not in body, where
        if not where.startswith("POST /users"):
            assert temporary_password not in body, where
    assert [r for r in seen.responses if r.status_code >= 500] == []
    for response in seen.responses:
        assert_security_headers(response)


# Headers on every response, errors included


async def test_every_response_carries_the_security_headers_errors_included(
    memory_container: Container,
) -> None:
    await add_user(memory_container, "root", Role.ADMIN)
    await add_user(memory_container, "pia")
    async with client_of(memory_container) as (client, seen):
        admin = bearer(await token_of(client, "root"))
        trainee = bearer(await token_of(client, "pia"))
        answers = {
            200: await client.get("/users/", headers=admin),
            201: await client.post(
                "/users/",
                headers=admin,
                json={
                    "username": "new",
                    "email": "new@example.org",
                    "first_name": "N",
                    "last_name": "U",
                    "role": "trainee",
                },
            ),
            400: await client.post(
                "/auth/login", content=b"{nope", headers={"content-type": "application/json"}
            ),
            401: await client.get("/users/"),
            403: await client.get("/users/", headers=trainee),
            404: await client.get("/no/such/path"),
            405: await client.patch("/users/1", headers=admin),
            409: await client.post(
                "/users/",
                headers=admin,
                json={
                    "username": "pia",
                    "email": "other@example.org",
                    "first_name": "P",
                    "last_name": "I",
                    "role": "trainee",
                },
            ),
            413: await client.post(
                "/auth/login",
                content=b"x" * (1024 * 1024 + 1),
                headers={"content-type": "application/json"},
            ),
            422: await client.get("/users/", params={"limit": 0}, headers=admin),
        }
        docs = [await client.get(path) for path in ("/schema/openapi.json", "/schema/swagger")]
    for status, response in answers.items():
        assert response.status_code == status, (status, response.text)
        if status >= 400:
            assert set(response.json()) <= {"detail", "errors"}
            assert response.json()["detail"]
    for response in seen.responses:
        assert_security_headers(response)
    assert [r.status_code for r in docs] == [200, 200]
    assert answers[200].headers["content-security-policy"].startswith("default-src 'none'")


# CORS


async def test_cors_allows_the_configured_origins_only(memory_container: Container) -> None:
    async with client_of(memory_container) as (client, _seen):
        preflight = {"access-control-request-method": "POST"}
        allowed = await client.options(
            "/auth/login", headers={"origin": ALLOWED_ORIGIN, **preflight}
        )
        foreign = await client.options(
            "/auth/login", headers={"origin": "https://evil.example", **preflight}
        )
        lookalike = await client.options(
            "/auth/login", headers={"origin": "http://localhost:51734", **preflight}
        )
        simple_allowed = await client.get("/health", headers={"origin": ALLOWED_ORIGIN})
        simple_foreign = await client.get("/health", headers={"origin": "https://evil.example"})

    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert allowed.headers["access-control-allow-credentials"] == "true"
    for refused in (foreign, lookalike):
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    assert simple_allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "origin" in simple_allowed.headers.get("vary", "").lower()
    assert "access-control-allow-origin" not in simple_foreign.headers
    for response in (allowed, foreign, simple_allowed, simple_foreign):
        assert response.headers.get("access-control-allow-origin") != "*"


@pytest.mark.parametrize(
    "origins", ["*", "http://localhost:5173,*", "https://*.example.org", "http://*"]
)
def test_a_wildcard_origin_is_refused_because_the_api_takes_credentials(origins: str) -> None:
    with pytest.raises(SettingsError, match="TMS_CORS_ORIGINS"):
        Settings.from_env({"TMS_CORS_ORIGINS": origins}, env_file=None)


# Input limits


async def test_input_limits_answer_clear_4xx(memory_container: Container) -> None:
    await add_user(memory_container, "root", Role.ADMIN)
    tom = await add_user(memory_container, "tom", Role.TRAINER)
    async with client_of(memory_container) as (client, seen):
        admin = bearer(await token_of(client, "root"))
        huge = await client.post(
            "/users/",
            headers={**admin, "content-type": "application/json"},
            content=json.dumps({"username": "u", "padding": "x" * (1024 * 1024)}),
        )
        assert huge.status_code == 413
        assert "detail" in huge.json()

        session = {
            "title": "Limits",
            "trainer_id": tom.id,
            "scheduled_date": "2026-05-04T09:00:00+00:00",
            "duration_minutes": 60,
        }
        too_many = await client.post(
            "/sessions/", headers=admin, json={**session, "trainees": list(range(1, 100_001))}
        )
        assert too_many.status_code == 422, too_many.text
        assert [e["field"] for e in too_many.json()["errors"]] == ["trainees"]
        assert len(too_many.text) < 2000  # the answer names the problem, not the list

        long_values = {
            ("POST", "/users/", "username"): 257,
            ("POST", "/users/", "email"): 257,
            ("POST", "/sessions/", "title"): 1001,
            ("POST", "/sessions/", "description"): 10_001,
            ("POST", "/sessions/", "class_link"): 4001,
            ("POST", "/auth/login", "password"): 1025,
            ("PUT", f"/users/{tom.id}", "first_name"): 257,
        }
        user = {
            "username": "someone",
            "email": "someone@example.org",
            "first_name": "Some",
            "last_name": "One",
            "role": "trainee",
        }
        bodies = {"/users/": user, "/sessions/": session, "/auth/login": {"username": "root"}}
        for (method, path, name), length in long_values.items():
            body = {**bodies.get(path, {}), name: "a" * length}
            response = await client.request(method, path, headers=admin, json=body)
            assert response.status_code == 422, (name, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [name]

        for path in ("/users/", "/sessions/", "/assignments/", "/audit/"):
            for query in (
                {"limit": 0},
                {"limit": 1001},
                {"limit": -5},
                {"skip": -1},
                {"limit": "many"},
                {"skip": "1.5"},
            ):
                response = await client.get(path, params=query, headers=admin)
                assert response.status_code == 422, (path, query, response.text)
                assert [e["field"] for e in response.json()["errors"]] == list(query)
            largest = await client.get(path, params={"limit": 1000, "skip": 10**6}, headers=admin)
            assert largest.status_code == 200, (path, largest.text)

        for bad_id in ("0", "-1", str(2**63), str(10**30)):
            response = await client.get(f"/users/{bad_id}", headers=admin)
            assert response.status_code in (404, 422), (bad_id, response.text)
    assert [r for r in seen.responses if r.status_code >= 500] == []


# The general rate limit


async def test_the_general_rate_limit_answers_429_with_retry_after_and_spares_health(
    clock: FakeClock,
) -> None:
    container = build_container(make_settings(storage="memory", rate_limit_per_minute=5))
    async with running(container):
        async with client_of(container, "203.0.113.5") as (client, seen):
            within = [(await client.get("/users/")).status_code for _ in range(5)]
            over = await client.get("/users/")
            login_over = await client.post("/auth/login", json={"username": "a", "password": "b"})
            # The public certificate check is limited like every other path.
            verify_over = await client.get("/verify/7KQ2-M9XD-4HTB-R0ZC-8WAE")
            health = [(await client.get("/health")).status_code for _ in range(10)]
        async with client_of(container, "203.0.113.6") as (other, _):
            elsewhere = await other.get("/users/")

    assert within == [401] * 5
    for response in (over, login_over, verify_over):
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert re.fullmatch(
            r"Too many requests from your address: try again in \d+ seconds",
            response.json()["detail"],
        )
    assert health == [200] * 10
    assert elsewhere.status_code == 401
    for response in seen.responses:
        assert_security_headers(response)


async def test_without_a_rate_limit_nothing_is_limited(memory_container: Container) -> None:
    async with client_of(memory_container) as (client, _):
        answers = {(await client.get("/users/")).status_code for _ in range(120)}
    assert answers == {401}


async def test_two_instances_share_the_rate_limit_through_redis() -> None:
    require_redis()
    settings = make_settings(storage="memory", rate_limit_per_minute=4, redis_url=REDIS_URL)
    first, second = build_container(settings), build_container(settings)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with (
        running(first),
        running(second),
        client_of(first, address) as (one, _),
        client_of(second, address) as (two, _),
    ):
        answers = [(await client.get("/users/")).status_code for client in (one, two) * 3]
    assert answers == [401] * 4 + [429] * 2

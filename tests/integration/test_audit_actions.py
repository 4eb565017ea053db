"""Every action the code records in the audit trail, walked through the real app: each entry's
`target_type` is the first word of its `action` (API.md: actions are `<target>.<verb>`), and
its `target_id` names that target (an enrolment is named by its session, the way the API
addresses it: /sessions/{id}/trainees/{trainee_id})."""

from __future__ import annotations

import ast
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import tms_domain
from conftest import FakeClock
from mail_support import link_token, outbox, run_due_jobs
from oidc_servers import VouchingProvider
from support import (
    OTHER_PASSWORD,
    PASSWORD,
    Cast,
    RecordingClient,
    add_cast,
    api_client,
    at,
    bearer,
    login,
)
from tms_adapters.mail import OutboxMailer
from tms_adapters.webhooks import AddressGuard
from tms_entrypoints.container import Container

DOMAIN = Path(tms_domain.__file__).parent


def audit_calls() -> list[tuple[str, str, str]]:
    """(where, action, target type) of every ``record_audit(uow, actor, action, target_type, ...)``
    and ``audit_entry(actor, action, target_type, ...)`` call in the domain, as written."""
    found = []
    for path in sorted(DOMAIN.rglob("*.py")):
        if path == DOMAIN / "audit" / "trail.py":
            continue  # where record_audit itself builds its entry
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                # record_audit(uow, actor, action, target_type, ...), or an entry built for
                # many at once: audit_entry(actor, action, target_type, ...).
                first = {"record_audit": 2, "audit_entry": 1}.get(node.func.id)
                if first is None:
                    continue
                action, target_type = node.args[first], node.args[first + 1]
                assert isinstance(action, ast.Constant), f"{path.name}:{node.lineno}"
                assert isinstance(target_type, ast.Constant), f"{path.name}:{node.lineno}"
                found.append(
                    (f"{path.name}:{node.lineno}", str(action.value), str(target_type.value))
                )
    return found


def test_every_audit_call_names_its_target_by_the_actions_first_word() -> None:
    calls = audit_calls()
    assert len(calls) >= 17
    wrong = [call for call in calls if call[2] != call[1].split(".")[0]]
    assert wrong == []


@pytest.fixture
def database_kind() -> str:
    """The trail's shape is decided in the domain: SQLite is enough."""
    return "sqlite"


@dataclass
class Walk:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]
    container: Container
    outbox: Path

    async def ok(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(
            method, path, headers=bearer(self.tokens[who]), **kwargs
        )
        assert response.status_code in (200, 201, 202), (method, path, response.text)
        return response.json()


@pytest.fixture
async def walk(sql_container: Container, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Walk]:
    sql_container.mailer.override(
        OutboxMailer(tmp_path / "outbox", sender="TMS <tms@example.org>", clock=clock)
    )
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "trainee", "other_trainee")
        }
        yield Walk(client, cast, tokens, sql_container, tmp_path / "outbox")


async def test_walking_every_recorded_action(walk: Walk) -> None:
    cast, ok = walk.cast, walk.ok
    # Each sign-in is audited (the user's activity shows it): the walk's own come first.
    expected: list[tuple[str, int | None]] = [
        ("user.signed_in", getattr(cast, who).id)
        for who in ("admin", "trainer", "trainee", "other_trainee")
    ]

    # Users and passwords.
    made = await ok(
        "admin",
        "POST",
        "/users/",
        json={
            "username": "walker",
            "email": "walker@example.org",
            "first_name": "Wal",
            "last_name": "Ker",
            "role": "trainer",
            "password": PASSWORD,
            "is_temporary_password": False,
        },
    )
    walker = made["user"]["id"]
    expected.append(("user.created", walker))
    await ok("admin", "PUT", f"/users/{walker}", json={"first_name": "Walt"})
    expected.append(("user.updated", walker))
    await ok("admin", "POST", f"/users/{walker}/invite")
    expected.append(("user.invited", walker))
    forgot = await walk.client.post("/auth/forgot-password", json={"email": "walker@example.org"})
    assert forgot.status_code == 202
    await run_due_jobs(walk.container)
    expected.append(("user.password_reset_requested", walker))
    [reset] = [m for m in outbox(walk.outbox) if "Set a new password" in str(m["Subject"])]
    done = await walk.client.post(
        "/auth/set-password", json={"token": link_token(reset), "new_password": PASSWORD}
    )
    assert done.status_code == 200
    expected.append(("user.password_set", walker))
    await ok(
        "trainee",
        "POST",
        "/auth/change-password",
        json={"current_password": PASSWORD, "new_password": OTHER_PASSWORD},
    )
    expected.append(("user.password_changed", cast.trainee.id))
    await ok(
        "admin",
        "POST",
        f"/auth/reset-password/{cast.other_trainee.id}",
        json={"new_password": OTHER_PASSWORD},
    )
    expected.append(("user.password_reset", cast.other_trainee.id))
    for _ in range(5):
        refused = await walk.client.post(
            "/auth/login", json={"username": "walker", "password": "not the password"}
        )
        assert refused.status_code == 401
    expected.append(("user.locked", walker))
    await ok("admin", "POST", f"/users/{walker}/unlock")
    expected.append(("user.unlocked", walker))

    # Sessions and enrolment.
    session = await ok(
        "trainer",
        "POST",
        "/sessions/",
        json={
            "title": "Walk",
            "trainer_id": cast.trainer.id,
            "scheduled_date": at(24).isoformat(),
            "duration_minutes": 60,
        },
    )
    sid = session["id"]
    expected.append(("session.created", sid))
    await ok("trainer", "PUT", f"/sessions/{sid}", json={"title": "Walk on"})
    expected.append(("session.updated", sid))
    await ok("trainer", "POST", f"/sessions/{sid}/trainees/{cast.third_trainee.id}")
    expected.append(("enrolment.added", sid))
    walk.tokens["trainee"] = await login(walk.client, cast.trainee.user.username, OTHER_PASSWORD)
    expected.append(("user.signed_in", cast.trainee.id))
    await ok("trainee", "GET", f"/join/{session['session_link']}")
    expected.append(("enrolment.added", sid))
    await ok("admin", "DELETE", f"/sessions/{sid}/trainees/{cast.third_trainee.id}")
    expected.append(("enrolment.removed", sid))

    # Rooms, booking and the waitlist.
    room = await ok("admin", "POST", "/rooms/", json={"name": "Walk-in", "capacity": 5})
    expected.append(("room.created", room["id"]))
    await ok("admin", "PUT", f"/rooms/{room['id']}", json={"location": "Hall"})
    expected.append(("room.updated", room["id"]))
    bookable = await ok(
        "admin",
        "POST",
        "/sessions/",
        json={
            "title": "Walk in",
            "trainer_id": cast.trainer.id,
            "scheduled_date": at(48).isoformat(),
            "duration_minutes": 60,
            "self_booking": True,
            "capacity": 1,
        },
    )
    bid = bookable["id"]
    expected.append(("session.created", bid))
    walk.tokens["third_trainee"] = await login(walk.client, cast.third_trainee.user.username)
    expected.append(("user.signed_in", cast.third_trainee.id))
    await ok("trainee", "POST", f"/sessions/{bid}/book")
    expected.append(("session.booked", bid))
    await ok("third_trainee", "POST", f"/sessions/{bid}/book")
    expected.append(("session.booked", bid))
    await ok("trainee", "DELETE", f"/sessions/{bid}/book")
    expected.append(("session.booking_cancelled", bid))
    expected.append(("session.waitlist_promoted", bid))
    await ok("admin", "DELETE", f"/rooms/{room['id']}")
    expected.append(("room.deleted", room["id"]))

    # Assignments and attendance.
    assigned = await ok(
        "admin",
        "POST",
        "/assignments/",
        json={"student_id": cast.trainee.id, "teacher_id": cast.trainer.id},
    )
    expected.append(("assignment.created", assigned["id"]))
    await ok("admin", "DELETE", f"/assignments/{cast.trainee.id}/{cast.trainer.id}")
    expected.append(("assignment.deleted", assigned["id"]))
    mark = await ok(
        "trainer",
        "POST",
        "/attendance/",
        json={"session_id": sid, "trainee_id": cast.trainee.id, "present": True},
    )
    expected.append(("attendance.marked", mark["id"]))
    await ok("trainer", "PUT", f"/attendance/{mark['id']}?present=false")
    expected.append(("attendance.updated", mark["id"]))
    await ok("admin", "DELETE", f"/attendance/{mark['id']}")
    expected.append(("attendance.deleted", mark["id"]))

    # Courses: authoring, enrolment, completion.
    course = await ok("trainer", "POST", "/courses/", json={"title": "Walk course"})
    cid = course["id"]
    expected.append(("course.created", cid))
    module = await ok("trainer", "POST", f"/courses/{cid}/modules", json={"title": "One"})
    expected.append(("module.created", module["id"]))
    await ok("trainer", "PUT", f"/modules/{module['id']}", json={"title": "First"})
    expected.append(("module.updated", module["id"]))
    lessons = f"/modules/{module['id']}/lessons"
    lesson = await ok("trainer", "POST", lessons, json={"title": "Read", "kind": "text"})
    expected.append(("lesson.created", lesson["id"]))
    await ok("trainer", "PUT", f"/lessons/{lesson['id']}", json={"title": "Read me"})
    expected.append(("lesson.updated", lesson["id"]))
    order = {"modules": [{"id": module["id"], "lessons": [lesson["id"]]}]}
    await ok("trainer", "PUT", f"/courses/{cid}/order", json=order)
    expected.append(("course.reordered", cid))
    await ok("trainer", "POST", f"/courses/{cid}/publish")
    expected.append(("course.updated", cid))
    enrol = {"trainee_ids": [cast.trainee.id]}
    await ok("trainer", "POST", f"/courses/{cid}/enrolments", json=enrol)
    expected.append(("course.enrolled", cid))
    await ok("trainee", "POST", f"/lessons/{lesson['id']}/complete")
    expected.append(("lesson.completed", lesson["id"]))
    # Completing the course (its one lesson) issues its certificate (audited by nobody: the
    # system), then is the trainee's first: an achievement.
    [certificate] = await ok("trainee", "GET", "/certificates/")
    expected += [("certificate.issued", certificate["id"]), ("achievement.awarded", 1)]
    await ok("trainee", "DELETE", f"/lessons/{lesson['id']}/complete")
    expected.append(("lesson.uncompleted", lesson["id"]))
    # Assessments: a text answer waits for the trainer, whose grade passes it.
    quiz = {
        "questions": [{"kind": "text", "prompt": "Why?", "points": 2}],
        "pass_mark": 50,
        "max_attempts": 1,
    }
    assessed = await ok(
        "trainer", "POST", lessons, json={"title": "Quiz", "kind": "assessment", "assessment": quiz}
    )
    aid = assessed["id"]
    expected.append(("lesson.created", aid))
    question = assessed["assessment"]["questions"][0]["id"]
    answers = {"answers": [{"question_id": question, "text": "Because"}]}
    attempt = await ok("trainee", "POST", f"/lessons/{aid}/attempts", json=answers)
    expected.append(("assessment.attempted", aid))
    await ok("trainer", "POST", f"/attempts/{attempt['id']}/grade", json={"points": {question: 2}})
    expected += [("assessment.graded", aid), ("lesson.completed", aid)]
    # Completed again: the certificate it holds stands, none is issued.
    assert [c["id"] for c in await ok("trainee", "GET", "/certificates/")] == [certificate["id"]]
    await ok("admin", "POST", f"/certificates/{certificate['id']}/renew")
    expected.append(("certificate.renewed", certificate["id"]))
    await ok("admin", "POST", f"/certificates/{certificate['id']}/revoke")
    expected.append(("certificate.revoked", certificate["id"]))
    # Batches: a member joins, the batch is enrolled in the course, the member leaves.
    batch = await ok("admin", "POST", "/batches/", json={"code": "WALK", "name": "Walk"})
    bid = batch["id"]
    expected.append(("batch.created", bid))
    await ok("admin", "PUT", f"/batches/{bid}", json={"name": "Walkers"})
    expected.append(("batch.updated", bid))
    members = {"trainee_ids": [cast.other_trainee.id]}
    await ok("admin", "POST", f"/batches/{bid}/trainees", json=members)
    expected.append(("batch.members_added", bid))
    await ok("admin", "POST", f"/courses/{cid}/enrolments", json={"batch_ids": [bid]})
    expected += [("course.enrolled", cid), ("batch.course_enrolled", bid)]
    await ok("admin", "DELETE", f"/batches/{bid}/trainees/{cast.other_trainee.id}")
    expected.append(("batch.member_removed", bid))
    await ok("admin", "DELETE", f"/batches/{bid}")
    expected.append(("batch.deleted", bid))
    # Skills: the catalogue kept, a skill awarded by hand (the entry names the holder).
    skill = await ok("admin", "POST", "/skills/", json={"name": "Walking"})
    expected.append(("skill.created", skill["id"]))
    await ok("admin", "PUT", f"/skills/{skill['id']}", json={"category": "Outdoor"})
    expected.append(("skill.updated", skill["id"]))
    award = {"skill_id": skill["id"], "level": 2}
    await ok("admin", "POST", f"/users/{cast.trainee.id}/skills", json=award)
    expected.append(("skill.awarded", skill["id"]))
    await ok("admin", "DELETE", f"/skills/{skill['id']}")
    expected.append(("skill.deleted", skill["id"]))
    await ok("admin", "DELETE", f"/courses/{cid}/enrolments/{cast.other_trainee.id}")
    expected.append(("course.unenrolled", cid))
    await ok("trainer", "DELETE", f"/courses/{cid}/enrolments/{cast.trainee.id}")
    expected.append(("course.unenrolled", cid))
    await ok("trainer", "DELETE", f"/lessons/{lesson['id']}")
    expected.append(("lesson.deleted", lesson["id"]))
    await ok("trainer", "DELETE", f"/modules/{module['id']}")
    expected.append(("module.deleted", module["id"]))
    await ok("trainer", "DELETE", f"/courses/{cid}")
    expected.append(("course.deleted", cid))
    # A calendar feed URL, made and revoked: the entries never hold the token.
    feed = await ok("trainee", "POST", "/me/calendar-token")
    expected.append(("calendar_token.created", cast.trainee.id))
    await ok("trainee", "DELETE", "/me/calendar-token")
    expected.append(("calendar_token.revoked", cast.trainee.id))
    feed_token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    # Notification preferences: a change is audited, the same choices again are not.
    for _ in range(2):
        await ok("trainee", "PUT", "/me/preferences", json={"reminder_minutes": [30]})
    expected.append(("preferences.updated", cast.trainee.id))

    # Single sign-on: a first sign-in at the provider links the account with the address the
    # provider vouches for (the flow itself is tested against a real provider elsewhere).
    walk.container.oidc_provider.override(VouchingProvider(cast.other_trainee.user.email))
    walk.container.sso.reset()
    started = await walk.client.get("/auth/oidc/login")
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    back = await walk.client.get("/auth/oidc/callback", params={"code": "c", "state": state})
    assert back.status_code == 302, back.text
    expected.append(("user.identity_linked", cast.other_trainee.id))

    # A dry run of an import: started, then finished by its job.
    people = b"email,first_name,last_name\nimp@example.org,Imp,Orter\n"
    checking = await ok(
        "admin",
        "POST",
        "/imports/users",
        params={"dry_run": "true"},
        files={"file": ("people.csv", people, "text/csv")},
    )
    expected.append(("import.started", checking["id"]))
    await run_due_jobs(walk.container)
    expected.append(("import.finished", checking["id"]))

    # A partner's API client, rotated and revoked; a webhook (to a loopback address,
    # allowed for this walk only), changed, tested and removed.
    scoped = {"name": "Walk", "scopes": ["users:read"]}
    partner = await ok("admin", "POST", "/api-clients/", json=scoped)
    expected.append(("api_client.created", partner["id"]))
    await ok("admin", "POST", f"/api-clients/{partner['id']}/rotate-secret")
    expected.append(("api_client.rotated", partner["id"]))
    await ok("admin", "DELETE", f"/api-clients/{partner['id']}")
    expected.append(("api_client.revoked", partner["id"]))
    walk.container.integrations.guard.override(AddressGuard(allow_private=True))
    walk.container.integrations.webhooks.reset()
    hook = await ok(
        "admin",
        "POST",
        "/webhooks/",
        json={"url": "http://127.0.0.1:9/hook", "events": ["course_created"]},
    )
    expected.append(("webhook.created", hook["id"]))
    await ok("admin", "PUT", f"/webhooks/{hook['id']}", json={"events": ["user_created"]})
    expected.append(("webhook.updated", hook["id"]))
    await ok("admin", "POST", f"/webhooks/{hook['id']}/test")
    expected.append(("webhook.tested", hook["id"]))
    await ok("admin", "DELETE", f"/webhooks/{hook['id']}")
    expected.append(("webhook.deleted", hook["id"]))

    # Deleting: a session, then a user.
    await ok("admin", "DELETE", f"/sessions/{sid}")
    expected.append(("session.deleted", sid))
    await ok("admin", "DELETE", f"/users/{walker}")
    expected.append(("user.deleted", walker))

    # Background jobs: a dead-lettered one, retried.
    container = walk.container
    async with container.uow()() as uow:
        uow.jobs.enqueue("nobody.handles.this", {}, idempotency_key="walk")
        await uow.commit()
    # The password notices the walk caused are due first; they go to the outbox.
    while await container.jobs.executor().run_next():
        pass
    [failed] = await ok("admin", "GET", "/jobs/", params={"status": "failed"})
    await ok("admin", "POST", f"/jobs/{failed['id']}/retry")
    expected.append(("job.retried", failed["id"]))

    entries = await ok("admin", "GET", "/audit/", params={"limit": 1000})
    recorded = [(e["action"], e["target_id"]) for e in reversed(entries)]
    assert recorded == expected
    assert feed_token not in json.dumps(entries)
    assert [e for e in entries if e["target_type"] != e["action"].split(".")[0]] == []
    # The walk met every action the code can record.
    # (A webhook disabled after a day of failures is walked in test_http_integrations.py.)
    walked = {action for action, _ in recorded} | {"webhook.disabled"}
    assert walked == {action for _, action, _ in audit_calls()}

    by_target = await ok("admin", "GET", "/audit/", params={"target_type": "enrolment"})
    assert [(e["action"], e["target_id"], e["changes"]) for e in by_target] == [
        (
            "enrolment.removed",
            sid,
            {"session_id": [sid, None], "trainee_id": [cast.third_trainee.id, None]},
        ),
        (
            "enrolment.added",
            sid,
            {"session_id": [None, sid], "trainee_id": [None, cast.trainee.id]},
        ),
        (
            "enrolment.added",
            sid,
            {"session_id": [None, sid], "trainee_id": [None, cast.third_trainee.id]},
        ),
    ]

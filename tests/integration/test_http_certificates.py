"""Certificates (API.md part two, "Skills, assessments, certificates") through the real app
on SQLite and MariaDB: one issued per completion, its PDF with a QR code that leads to the
public verification page, revoking, renewing (the course taken again from the start),
public verification that tells a missing code from a revoked one by nothing but the answer,
recertification (expiry, status, the reminder, compliance), who may do what, and every bad
input answered with a 4xx."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pypdf
import pytest
import zxingcpp
from sqlalchemy import event

from conftest import FakeClock
from mail_support import run_due_jobs
from support import Cast, RecordingClient, add_cast, api_client, bearer, login
from tms_domain.kernel import Page
from tms_domain.notifications import NotificationKind
from tms_domain.skills import Certificate
from tms_entrypoints.container import Container

CERTIFICATE_KEYS = {"id", "code", "course", "trainee", "issued_at", "expires_at", "status"}
VERIFY_KEYS = {"valid", "trainee_name", "course_title", "issued_at"}  # the minimum, no more
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


@dataclass
class Api:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]
    container: Container

    async def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = bearer(self.tokens[who]) if who else {}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()

    def id(self, who: str) -> int:
        return int(getattr(self.cast, who).id)

    async def sign_in_again(self) -> None:
        """After the clock moved past the tokens' lifetime."""
        for who in self.tokens:
            self.tokens[who] = await login(self.client, getattr(self.cast, who).user.username)


@pytest.fixture
async def api(sql_container: Container) -> AsyncIterator[Api]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "other_trainer", "trainee", "other_trainee")
        }
        api = Api(client, cast, tokens, sql_container)
        # The trainer follows the trainee (not the other trainee).
        await api.ok(
            "admin",
            "POST",
            "/assignments/",
            json={"student_id": api.id("trainee"), "teacher_id": api.id("trainer")},
        )
        yield api


async def a_course(
    api: Api, months: int | None = 12, title: str = "Fire safety"
) -> tuple[int, int]:
    """A published course of one lesson; its id and the lesson's."""
    fields: dict[str, Any] = {"title": title}
    if months is not None:
        fields["certificate_valid_months"] = months
    course = await api.ok("trainer", "POST", "/courses/", json=fields)
    assert course["certificate_valid_months"] == months
    module = await api.ok(
        "trainer", "POST", f"/courses/{course['id']}/modules", json={"title": "Basics"}
    )
    lesson = await api.ok(
        "trainer",
        "POST",
        f"/modules/{module['id']}/lessons",
        json={"title": "Read", "kind": "text", "body": "Text"},
    )
    await api.ok("trainer", "POST", f"/courses/{course['id']}/publish")
    return int(course["id"]), int(lesson["id"])


async def complete(api: Api, course_id: int, lesson_id: int, who: str = "trainee") -> None:
    await api.ok(
        "admin", "POST", f"/courses/{course_id}/enrolments", json={"trainee_ids": [api.id(who)]}
    )
    await api.ok(who, "POST", f"/lessons/{lesson_id}/complete")


async def certificates_of(api: Api, who: str, query: str = "") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await api.ok(who, "GET", f"/certificates/{query}")
    return found


def qr_url(pdf: bytes) -> str:
    """The URL the QR code in the PDF carries, read as a scanner reads the image."""
    [image] = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    [code] = zxingcpp.read_barcodes(image.image)
    return str(code.text)


async def test_completing_a_course_issues_one_certificate_with_its_pdf(
    api: Api, clock: FakeClock
) -> None:
    course_id, lesson_id = await a_course(api)
    await complete(api, course_id, lesson_id)
    [certificate] = await certificates_of(api, "trainee")
    assert set(certificate) == CERTIFICATE_KEYS
    assert CODE.match(certificate["code"])
    assert certificate["course"] == {"id": course_id, "title": "Fire safety"}
    assert certificate["trainee"] == {"id": api.id("trainee"), "name": "Pia Doe"}
    assert certificate["status"] == "valid"
    issued = datetime.fromisoformat(certificate["issued_at"])
    assert issued == clock.now()
    assert datetime.fromisoformat(certificate["expires_at"]) == issued.replace(year=2027)

    # Losing the completion and regaining it issues nothing more: one per completion.
    await api.ok("trainee", "DELETE", f"/lessons/{lesson_id}/complete")
    await api.ok("trainee", "POST", f"/lessons/{lesson_id}/complete")
    assert len(await certificates_of(api, "trainee")) == 1
    assert await certificates_of(api, "other_trainee") == []
    assert [c["id"] for c in await certificates_of(api, "admin")] == [certificate["id"]]
    assert await certificates_of(api, "admin", f"?trainee_id={api.id('other_trainee')}") == []
    assert len(await certificates_of(api, "admin", f"?course_id={course_id}&status=valid")) == 1
    assert await certificates_of(api, "admin", "?status=revoked") == []

    path = f"/certificates/{certificate['id']}.pdf"
    response = await api.call("trainee", "GET", path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for shown in ("Pia Doe", "Fire safety", certificate["code"], issued.strftime("%d %B %Y")):
        assert shown in text
    url = qr_url(response.content)
    assert url == f"http://localhost:8002/app/verify/{certificate['code']}"
    for who, status in (("admin", 200), ("trainer", 200), ("other_trainer", 404)):
        assert (await api.call(who, "GET", path)).status_code == status, who
    assert (await api.call("other_trainee", "GET", path)).status_code == 404
    assert (await api.call(None, "GET", path)).status_code == 401


async def test_each_change_is_pushed_to_the_holder_their_trainers_and_admins(api: Api) -> None:
    course_id, lesson_id = await a_course(api)
    async with api.container.uow()(read_only=True) as uow:
        before = await uow.events.last_id()
    await complete(api, course_id, lesson_id)
    [certificate] = await certificates_of(api, "trainee")
    await api.ok("trainer", "POST", f"/certificates/{certificate['id']}/renew")
    await api.ok("admin", "POST", f"/certificates/{certificate['id']}/revoke")
    async with api.container.uow()(read_only=True) as uow:
        events = await uow.events.since(before, limit=100)
    pushed = [
        (e.type, sorted(e.audience.user_ids), e.audience.private)
        for e in events
        if e.type.startswith("certificate_")
    ]
    audience = sorted([api.id("trainee"), api.id("trainer")])
    assert pushed == [
        ("certificate_issued", audience, False),
        ("certificate_renewed", audience, False),
        ("certificate_revoked", audience, False),
    ]
    for stored in events:
        assert certificate["code"] not in str(stored.data)


async def test_anyone_verifies_a_code_and_a_revoked_one_verifies_as_revoked(api: Api) -> None:
    course_id, lesson_id = await a_course(api, months=None)
    await complete(api, course_id, lesson_id)
    [certificate] = await certificates_of(api, "trainee")
    assert certificate["expires_at"] is None
    code = certificate["code"]
    verified = await api.ok(None, "GET", f"/verify/{code}")
    assert set(verified) == VERIFY_KEYS
    assert verified == {
        "valid": True,
        "trainee_name": "Pia Doe",
        "course_title": "Fire safety",
        "issued_at": certificate["issued_at"],
    }
    # Typed by hand: case, spaces and look-alike letters aside.
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert (await api.ok(None, "GET", f"/verify/{typed}"))["valid"] is True

    path = f"/certificates/{certificate['id']}"
    assert (await api.call("trainee", "POST", f"{path}/revoke")).status_code == 403
    assert (await api.call("trainer", "POST", f"{path}/revoke")).status_code == 403
    assert (await api.call("other_trainee", "POST", f"{path}/revoke")).status_code == 404
    revoked = await api.ok("admin", "POST", f"{path}/revoke")
    assert revoked["status"] == "revoked"
    assert (await api.call("admin", "POST", f"{path}/revoke")).status_code == 409
    after = await api.ok(None, "GET", f"/verify/{code}")
    assert after == {**verified, "valid": False}
    assert (await certificates_of(api, "trainee"))[0]["status"] == "revoked"


async def test_a_code_nobody_holds_is_404_after_the_same_work_as_a_revoked_one(
    api: Api,
) -> None:
    """The same statements, in the same order, and one comparison: nothing but the answer
    tells the two apart."""
    course_id, lesson_id = await a_course(api)
    await complete(api, course_id, lesson_id)
    [certificate] = await certificates_of(api, "trainee")
    await api.ok("admin", "POST", f"/certificates/{certificate['id']}/revoke")
    engine = api.container.engine()
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        revoked = await api.call(None, "GET", f"/verify/{certificate['code']}")
        for_revoked, statements[:] = list(statements), []
        missing = await api.call(None, "GET", "/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        for_missing, statements[:] = list(statements), []
        malformed = await api.call(None, "GET", "/verify/not-a-code")
        for_malformed = list(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)
    assert (revoked.status_code, missing.status_code, malformed.status_code) == (200, 404, 404)
    assert for_revoked == for_missing == for_malformed
    assert len(for_revoked) >= 1
    assert missing.json()["detail"] == malformed.json()["detail"] == "Certificate not found"


async def test_renewing_sends_the_trainee_through_the_course_again(api: Api) -> None:
    course_id, lesson_id = await a_course(api)
    await complete(api, course_id, lesson_id)
    [first] = await certificates_of(api, "trainee")
    path = f"/certificates/{first['id']}/renew"
    assert (await api.call("trainee", "POST", path)).status_code == 403
    assert (await api.call("other_trainer", "POST", path)).status_code == 404
    assert (await api.call("other_trainee", "POST", path)).status_code == 404
    renewed = await api.ok("trainer", "POST", path)
    assert renewed["id"] == first["id"]
    assert (await api.call("admin", "POST", path)).status_code == 409
    progress = await api.ok("trainee", "GET", f"/progress/trainee/{api.id('trainee')}/courses")
    [enrolment] = [c for c in progress["courses"] if c["course_id"] == course_id]
    assert (enrolment["status"], enrolment["completed_lessons"]) == ("not_started", 0)

    await api.ok("trainee", "POST", f"/lessons/{lesson_id}/complete")
    newer, older = await certificates_of(api, "trainee")
    assert older["id"] == first["id"]
    assert newer["code"] != first["code"]
    assert newer["status"] == "valid"
    # The first stands until it expires; the new one is renewable in its turn.
    assert (await api.ok(None, "GET", f"/verify/{first['code']}"))["valid"] is True
    await api.ok("admin", "POST", f"/certificates/{newer['id']}/renew")

    # Renewing after the trainee left the course enrols them again.
    await api.ok("trainee", "POST", f"/lessons/{lesson_id}/complete")
    latest = (await certificates_of(api, "trainee"))[0]
    await api.ok("admin", "DELETE", f"/courses/{course_id}/enrolments/{api.id('trainee')}")
    await api.ok("admin", "POST", f"/certificates/{latest['id']}/renew")
    progress = await api.ok("trainee", "GET", f"/progress/trainee/{api.id('trainee')}/courses")
    assert [c["status"] for c in progress["courses"] if c["course_id"] == course_id] == [
        "not_started"
    ]
    # An archived course cannot be taken again.
    await api.ok("trainee", "POST", f"/lessons/{lesson_id}/complete")
    latest = (await certificates_of(api, "trainee"))[0]
    await api.ok("trainer", "POST", f"/courses/{course_id}/archive")
    refused = await api.call("admin", "POST", f"/certificates/{latest['id']}/renew")
    assert refused.status_code == 409
    assert "not published" in refused.json()["detail"]


async def test_recertification_status_reminder_and_compliance(api: Api, clock: FakeClock) -> None:
    course_id, lesson_id = await a_course(api, months=1)
    other_course, other_lesson = await a_course(api, months=None, title="No expiry")
    batch = await api.ok(
        "admin",
        "POST",
        "/batches/",
        json={"code": "B1", "name": "Batch", "trainee_ids": []},
    )
    await api.ok(
        "admin",
        "POST",
        f"/batches/{batch['id']}/trainees",
        json={"trainee_ids": [api.id("trainee")]},
    )
    await complete(api, course_id, lesson_id)
    await complete(api, other_course, other_lesson)
    await api.ok(
        "admin",
        "POST",
        f"/courses/{course_id}/enrolments",
        json={"trainee_ids": [api.id("other_trainee")]},
    )
    rows = await api.ok("admin", "GET", "/compliance/")
    assert [r["status"] for r in rows] == ["missing", "valid"]
    clock.advance(days=2)  # within 30 days of the expiry (a month after the issue)
    await api.sign_in_again()
    rows = await api.ok("admin", "GET", "/compliance/")
    assert [(r["trainee"]["name"], r["course"]["id"], r["status"]) for r in rows] == [
        ("Paul Doe", course_id, "missing"),
        ("Pia Doe", course_id, "expiring"),
    ]
    assert set(rows[1]) == {
        "trainee",
        "course",
        "status",
        "certificate_id",
        "issued_at",
        "expires_at",
    }
    trainer_rows = await api.ok("trainer", "GET", "/compliance/")
    assert [r["trainee"]["id"] for r in trainer_rows] == [api.id("trainee")]
    assert await api.ok("other_trainer", "GET", "/compliance/") == []
    assert (await api.call("trainee", "GET", "/compliance/")).status_code == 403
    in_batch = await api.ok("admin", "GET", f"/compliance/?batch_id={batch['id']}")
    assert [r["trainee"]["id"] for r in in_batch] == [api.id("trainee")]
    assert len(await api.ok("admin", "GET", "/compliance/?status=missing")) == 1
    of_trainer = await api.ok("admin", "GET", f"/compliance/?trainer_id={api.id('trainer')}")
    assert [r["trainee"]["id"] for r in of_trainer] == [api.id("trainee")]
    other = api.id("other_trainer")
    assert await api.ok("admin", "GET", f"/compliance/?trainer_id={other}") == []
    assert await api.ok("trainer", "GET", f"/compliance/?trainer_id={other}") == []
    assert await api.ok("admin", "GET", f"/compliance/?course_id={other_course}") == []
    assert len(await api.ok("admin", "GET", "/compliance/?limit=1&skip=1")) == 1

    # The report: the same rows as a file.
    csv_file = await api.call("trainer", "GET", "/compliance/report?format=csv")
    assert csv_file.status_code == 200, csv_file.text
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "compliance-20260503.csv" in csv_file.headers["content-disposition"]
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Trainee,Trainee id,Course")
    assert [line.split(",")[4] for line in lines[1:]] == ["expiring"]
    excel = await api.call("admin", "GET", f"/compliance/report?format=excel&course_id={course_id}")
    sheet = openpyxl.load_workbook(io.BytesIO(excel.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Paul Doe",
        "Pia Doe",
    ]
    of_trainer_file = await api.call(
        "admin", "GET", f"/compliance/report?format=csv&trainer_id={api.id('trainer')}"
    )
    assert [line.split(",")[0] for line in of_trainer_file.text.splitlines()[1:]] == ["Pia Doe"]
    pdf = await api.call("admin", "GET", "/compliance/report?format=pdf&status=missing")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Paul Doe" in text
    assert "Pia Doe" not in text
    assert (await api.call("admin", "GET", "/compliance/report?format=doc")).status_code == 400
    assert (await api.call("trainee", "GET", "/compliance/report")).status_code == 403

    # The reminder: due 30 days before the expiry, sent once.
    await run_due_jobs(api.container)
    await run_due_jobs(api.container)
    found = await api.container.notifications().list(api.cast.trainee, Page(0, 50))
    reminders = [n for n in found if n.kind is NotificationKind.CERTIFICATE_EXPIRING]
    assert [(n.title, n.link) for n in reminders] == [
        ("A certificate expires soon", "/certificates")
    ]
    assert "Fire safety" in reminders[0].message

    clock.advance(days=30)
    await api.sign_in_again()
    [row] = await api.ok("admin", "GET", f"/compliance/?status=expired&course_id={course_id}")
    assert row["trainee"]["id"] == api.id("trainee")
    expired = [c for c in await certificates_of(api, "trainee") if c["course"]["id"] == course_id]
    assert expired[0]["status"] == "expired"
    verified = await api.ok(None, "GET", f"/verify/{expired[0]['code']}")
    assert (set(verified), verified["valid"]) == (VERIFY_KEYS, False)


async def test_a_reminder_waits_until_thirty_days_before_the_expiry(
    api: Api, clock: FakeClock
) -> None:
    course_id, lesson_id = await a_course(api, months=12)
    await complete(api, course_id, lesson_id)
    async with api.container.uow()(read_only=True) as uow:
        jobs = await uow.jobs.page(None, skip=0, limit=50)
    [job] = [j for j in jobs if j.kind == "notifications.certificate_expiring"]
    assert job.run_after == datetime(2027, 5, 1, 9, tzinfo=UTC) - timedelta(days=30)


async def test_the_course_s_validity_field(api: Api) -> None:
    course = await api.ok("admin", "POST", "/courses/", json={"title": "Forklift"})
    assert course["certificate_valid_months"] is None
    path = f"/courses/{course['id']}"
    changed = await api.ok("admin", "PUT", path, json={"certificate_valid_months": 24})
    assert changed["certificate_valid_months"] == 24
    assert (await api.ok("admin", "GET", path))["certificate_valid_months"] == 24
    listed = await api.ok("admin", "GET", "/courses/?q=Forklift")
    assert listed[0]["certificate_valid_months"] == 24
    cleared = await api.ok("admin", "PUT", path, json={"certificate_valid_months": 0})
    assert cleared["certificate_valid_months"] is None
    for bad in (-1, 601, "twelve", 1.5, True):
        response = await api.call("admin", "PUT", path, json={"certificate_valid_months": bad})
        assert response.status_code == 422, (bad, response.text)
        assert "certificate_valid_months" in response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/certificates/?status=lost", 422),
        ("GET", "/certificates/?course_id=0", 422),
        ("GET", "/certificates/?limit=0", 422),
        ("GET", "/certificates/?skip=-1", 422),
        ("GET", "/certificates/abc.pdf", 404),
        ("GET", "/certificates/1.txt", 404),
        ("GET", "/certificates/0.pdf", 404),
        ("GET", "/certificates/99999999999999999999.pdf", 404),
        ("GET", "/certificates/999.pdf", 404),
        ("POST", "/certificates/999/revoke", 404),
        ("POST", "/certificates/999/renew", 404),
        ("POST", "/certificates/0/revoke", 422),
        ("GET", "/verify/" + "A" * 65, 422),
        ("GET", "/verify/%00", 400),
        ("GET", "/compliance/?status=lost", 422),
        ("GET", "/compliance/?batch_id=-4", 422),
    ],
)
async def test_bad_input_is_a_4xx(api: Api, method: str, path: str, status: int) -> None:
    response = await api.call("admin", method, path)
    assert response.status_code == status, response.text


async def test_two_issues_at_once_keep_one_current_certificate(
    api: Api, database_kind: str, clock: FakeClock
) -> None:
    """The database settles it (the unique current_key): both transactions insert at once,
    one certificate is kept and neither fails. SQLite serialises writers, so the race is
    MariaDB's."""
    if database_kind == "sqlite":
        pytest.skip("SQLite runs one writer at a time")
    course_id, _lesson_id = await a_course(api)

    async def issue(code: str) -> bool:
        async with api.container.uow()() as uow:
            kept = await uow.certificates.add(
                Certificate(
                    0, code, course_id, "Fire safety", api.id("trainee"), "Pia Doe", clock.now()
                )
            )
            await asyncio.sleep(0.2)
            await uow.commit()
            return kept is not None

    kept = await asyncio.gather(
        issue("AAAA-AAAA-AAAA-AAAA-AAAA"), issue("BBBB-BBBB-BBBB-BBBB-BBBB")
    )
    assert sorted(kept) == [False, True]
    assert len(await certificates_of(api, "trainee")) == 1

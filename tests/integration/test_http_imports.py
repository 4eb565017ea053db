"""Bulk imports through a real `tms serve` (API.md part two, "Imports"): templates, an
upload answered 202 and run by the background job with `import_progress` events to the
importer alone, counts and row errors, errors.csv, the same file twice changing nothing, a
dry run writing nothing, and every bad input of the issue: 415, 422 (empty, no e-mail
column, header only, not UTF-8 naming the line, too many rows), 413, 409, 403."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets

import servers
from servers import TmsServer, running

SECRET_KEY = "imports-secret-key-" + "i" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
MAX_ROWS = 400
MAX_BYTES = 64 * 1024

GOOD_AND_BAD = (
    b"E-mail;First name;Surname;Role;Batch;Course\r\n"
    b"ada@example.org;Ada;Lovelace;;;\r\n"
    b"alan@example.org;Alan;Turing;trainer;;\r\n"
    b"not-an-address;X;Y;;;\r\n"
    b"grace@example.org;Grace;Hopper;boss;;\r\n"
    b"ADA@example.org;Ada;Again;;;\r\n"
    b"linus@example.org;Linus;T;;B-1;\r\n"
    b"ken@example.org;Ken;T;;;NOPE\r\n"
    b'edsger@example.org;"=HYPERLINK(""http://evil.example"",""x"")";Dijkstra;;;\r\n'
)
"""With a BOM added when sent: 3 good rows, 5 bad ones (one per error of the issue)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    tmp_path = tmp_path_factory.mktemp("imports")
    env = servers.server_env(
        f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}",
        tmp_path,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_STORAGE_URL=str(tmp_path / "uploads"),
        TMS_UPLOAD_MAX_BYTES=str(MAX_BYTES),
        TMS_IMPORT_MAX_ROWS=str(MAX_ROWS),
        TMS_JOBS_POLL_MS="100",
    )
    with running(TmsServer(env, tmp_path)) as started:
        yield started


@pytest.fixture
async def client(server: TmsServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        yield http


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post(
        "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    content: bytes,
    name: str = "people.csv",
    **query: Any,
) -> httpx.Response:
    return await client.post(
        "/imports/users",
        headers=headers,
        params={k: str(v).lower() for k, v in query.items()},
        files={"file": (name, content, "application/octet-stream")},
    )


async def finished(
    client: httpx.AsyncClient, headers: dict[str, str], import_id: int
) -> dict[str, Any]:
    for _ in range(300):
        answer = await client.get(f"/imports/{import_id}", headers=headers)
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in ("succeeded", "failed"):
            return dict(answer.json())
        await asyncio.sleep(0.1)
    raise AssertionError("the import did not finish")


async def emails(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    answer = await client.get("/users/", headers=headers, params={"limit": 1000})
    return {user["email"] for user in answer.json()}


async def test_an_import_runs_reports_rows_and_is_harmless_twice(
    server: TmsServer, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    token = admin["Authorization"].removeprefix("Bearer ")
    socket = await websockets.connect(f"{server.ws_url}?token={token}", open_timeout=5)
    assert json.loads(await socket.recv())["type"] == "ready"

    answer = await upload(client, admin, codecs.BOM_UTF8 + GOOD_AND_BAD, "staff list.csv")
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert set(queued) == {
        "id", "kind", "file_name", "dry_run", "status", "total_rows", "processed_rows",
        "created", "updated", "unchanged", "failed", "errors", "created_by", "created_at",
        "finished_at",
    }  # fmt: skip
    assert (queued["kind"], queued["file_name"], queued["total_rows"]) == (
        "users",
        "staff list.csv",
        8,
    )
    assert queued["status"] in ("queued", "running")
    done = await finished(client, admin, queued["id"])
    assert done["status"] == "succeeded"
    assert (done["created"], done["updated"], done["unchanged"], done["failed"]) == (3, 0, 0, 5)
    assert {(e["row"], e["column"]) for e in done["errors"]} == {
        (4, "email"),
        (5, "role"),
        (6, "email"),
        (7, "batch"),
        (8, "course"),
    }
    assert {"ada@example.org", "alan@example.org", "edsger@example.org"} <= await emails(
        client, admin
    )

    kinds: list[dict[str, Any]] = []
    while not any(frame.get("type") == "import_finished" for frame in kinds):
        kinds.append(json.loads(await asyncio.wait_for(socket.recv(), 10)))
    progress = [f["data"] for f in kinds if f.get("type") == "import_progress"]
    assert progress[-1] == {"import_id": queued["id"], "processed_rows": 8, "total_rows": 8}
    await socket.close()

    errors = await client.get(f"/imports/{queued['id']}/errors.csv", headers=admin)
    assert errors.status_code == 200
    assert errors.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(errors.text.removeprefix("\ufeff"))))
    assert [row["row"] for row in rows] == ["4", "5", "6", "7", "8"]
    assert rows[3]["batch"] == "B-1"
    assert rows[3]["reason"] == "batch: Unknown batch code B-1"
    assert rows[0]["email"] == "not-an-address"

    users = await client.get("/users/", headers=admin, params={"limit": 1000})
    edsger = next(u for u in users.json() if u["email"] == "edsger@example.org")
    assert edsger["first_name"] == '=HYPERLINK("http://evil.example","x")'

    again = await upload(client, admin, codecs.BOM_UTF8 + GOOD_AND_BAD, "again.csv")
    assert again.status_code == 202, again.text
    second = await finished(client, admin, again.json()["id"])
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 3)

    listed = await client.get("/imports/", headers=admin)
    assert [i["id"] for i in listed.json()][:2] == [again.json()["id"], queued["id"]]


async def test_a_dry_run_checks_every_row_and_writes_nothing(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    before = await emails(client, admin)
    content = b"email,first_name\ndry1@example.org,A\ndry2@example.org,B\nbad,C\n"
    answer = await upload(client, admin, content, dry_run=True)
    assert answer.status_code == 202, answer.text
    assert answer.json()["dry_run"] is True
    done = await finished(client, admin, answer.json()["id"])
    assert (done["created"], done["failed"]) == (2, 1)
    assert await emails(client, admin) == before


async def test_an_xlsx_file_is_imported(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    template = await client.get("/imports/template.xlsx", headers=admin)
    assert template.status_code == 200
    assert template.content.startswith(b"PK")
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Email address", "Given name", "Family name"])
    sheet.write_row(1, 0, ["xl@example.org", "Excel", "User"])
    book.close()
    answer = await upload(client, admin, out.getvalue(), "people.bin")
    assert answer.status_code == 202, answer.text
    done = await finished(client, admin, answer.json()["id"])
    assert done["created"] == 1


async def test_templates_are_for_admins(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    template = await client.get("/imports/template.csv", headers=admin)
    assert template.status_code == 200
    assert template.text.splitlines()[0] == "email,first_name,last_name,username,role,batch,course"
    assert "attachment" in template.headers["content-disposition"]
    created = await client.post(
        "/users/",
        headers=admin,
        json={
            "username": "tina",
            "email": "tina@example.org",
            "first_name": "Tina",
            "last_name": "Trainer",
            "role": "trainer",
            "password": "correct horse battery staple",
            "is_temporary_password": False,
        },
    )
    assert created.status_code == 201, created.text
    login = await client.post(
        "/auth/login", json={"username": "tina", "password": "correct horse battery staple"}
    )
    trainer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for path in ("/imports/template.csv", "/imports/template.xlsx", "/imports/"):
        assert (await client.get(path, headers=trainer)).status_code == 403
    assert (await upload(client, trainer, b"email\nx@example.org\n")).status_code == 403


@pytest.mark.parametrize(
    ("content", "status", "says"),
    [
        pytest.param(b"%PDF-1.7\n" + b"x" * 100, 415, "neither a CSV file", id="pdf"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"x" * 100, 415, "neither a CSV file", id="png"),
        pytest.param(b"", 422, "The file is empty", id="empty"),
        pytest.param(b"name,surname\nAnn,Smith\n", 422, "no e-mail column", id="no-email"),
        pytest.param(b"email,first_name\r\n", 422, "no rows to import", id="header-only"),
        pytest.param(
            "email,first_name\na@example.org,Ann\nb@example.org,Zoë\n".encode("latin-1"),
            422,
            "Line 3 is not UTF-8",
            id="latin-1",
        ),
        pytest.param(
            b"email\n" + b"".join(b"r%d@example.org\n" % n for n in range(MAX_ROWS + 1)),
            422,
            f"more than {MAX_ROWS} rows",
            id="too-many-rows",
        ),
        pytest.param(b"email\n" + b"x" * (MAX_BYTES + 1), 413, "larger than", id="too-large"),
    ],
)
async def test_bad_files_are_refused_saying_why(
    client: httpx.AsyncClient, admin: dict[str, str], content: bytes, status: int, says: str
) -> None:
    answer = await upload(client, admin, content)
    assert answer.status_code == status, answer.text
    assert says in answer.text


async def test_unknown_batch_and_course_ids_are_422(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    answer = await upload(client, admin, b"email\nq@example.org\n", batch_id=7, course_id=9)
    assert answer.status_code == 422
    assert "batch_id" in answer.text
    assert "course_id" in answer.text


async def test_a_second_import_of_a_file_while_it_runs_is_409(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    content = b"email\n" + b"".join(b"busy%d@example.org\n" % n for n in range(MAX_ROWS))
    first = await upload(client, admin, content)
    assert first.status_code == 202, first.text
    second = await upload(client, admin, content)
    assert second.status_code == 409, second.text
    assert "under way" in second.text
    await finished(client, admin, first.json()["id"])
    third = await upload(client, admin, content)
    assert third.status_code == 202
    done = await finished(client, admin, third.json()["id"])
    assert (done["created"], done["unchanged"]) == (0, MAX_ROWS)


async def a_batch_in_a_course(
    client: httpx.AsyncClient, admin: dict[str, str], code: str
) -> tuple[int, int]:
    """A batch (by ``code``) enrolled in a published course: (batch id, course id)."""

    async def ok(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = await client.request(method, path, headers=admin, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    batch = await ok("POST", "/batches/", {"code": code, "name": f"Batch {code}"})
    course = await ok("POST", "/courses/", {"title": f"Course of {code}"})
    module = await ok("POST", f"/courses/{course['id']}/modules", {"title": "Basics"})
    await ok(
        "POST",
        f"/modules/{module['id']}/lessons",
        {"title": "Read", "kind": "text", "body": "Text"},
    )
    await ok("POST", f"/courses/{course['id']}/publish")
    await ok("POST", f"/courses/{course['id']}/enrolments", {"batch_ids": [batch["id"]]})
    return int(batch["id"]), int(course["id"])


async def members_and_enrolled(
    client: httpx.AsyncClient, admin: dict[str, str], batch_id: int, course_id: int
) -> tuple[set[str], dict[str, int | None]]:
    """The batch's members' e-mails, and the course's trainees' e-mails with their batch."""
    members = await client.get(f"/batches/{batch_id}/trainees", headers=admin)
    enrolments = await client.get(f"/courses/{course_id}/enrolments", headers=admin)
    assert members.status_code == enrolments.status_code == 200, enrolments.text
    return {u["email"] for u in members.json()}, {
        e["trainee"]["email"]: e["batch_id"] for e in enrolments.json()
    }


async def test_the_batch_column_makes_members_enrolled_in_the_batch_s_courses(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    batch_id, course_id = await a_batch_in_a_course(client, admin, "Autumn-26")
    content = (
        b"email,first_name,role,batch\n"
        b"bm1@example.org,Bea,,autumn-26\n"
        b"bm2@example.org,Ben,,NOPE-9\n"
        b"bm3@example.org,Bo,trainer,AUTUMN-26\n"
    )
    dry = await finished(
        client, admin, (await upload(client, admin, content, dry_run=True)).json()["id"]
    )
    assert (dry["created"], dry["failed"]) == (2, 1)
    assert await members_and_enrolled(client, admin, batch_id, course_id) == (set(), {})

    answer = await upload(client, admin, content)
    assert answer.status_code == 202, answer.text
    done = await finished(client, admin, answer.json()["id"])
    assert (done["created"], done["failed"]) == (2, 1)
    assert [(e["row"], e["column"], e["message"]) for e in done["errors"]] == [
        (3, "batch", "Unknown batch code NOPE-9")
    ]
    members, enrolled = await members_and_enrolled(client, admin, batch_id, course_id)
    assert members == {"bm1@example.org"}  # a trainer joins no batch as a member
    assert enrolled == {"bm1@example.org": batch_id}

    audit = await client.get(
        "/audit/",
        headers=admin,
        params={"action": "batch.members_added", "target_id": batch_id},
    )
    assert audit.status_code == 200, audit.text
    assert len(audit.json()) == 1
    assert audit.json()[0]["target_type"] == "batch"


async def test_the_batch_id_option_makes_every_trainee_a_member(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    batch_id, course_id = await a_batch_in_a_course(client, admin, "Winter-26")
    content = b"email\nbq1@example.org\nbq2@example.org\n"
    answer = await upload(client, admin, content, batch_id=batch_id)
    assert answer.status_code == 202, answer.text
    done = await finished(client, admin, answer.json()["id"])
    assert (done["created"], done["failed"]) == (2, 0)
    members, enrolled = await members_and_enrolled(client, admin, batch_id, course_id)
    assert members == {"bq1@example.org", "bq2@example.org"}
    assert enrolled == {"bq1@example.org": batch_id, "bq2@example.org": batch_id}

    again = await finished(
        client, admin, (await upload(client, admin, content, batch_id=batch_id)).json()["id"]
    )
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert (await members_and_enrolled(client, admin, batch_id, course_id))[0] == members

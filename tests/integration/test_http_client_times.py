"""Times as clients send them, through the real app: every body field and query parameter
that takes a time accepts the ISO 8601 forms browsers and scripts write (an HTML
datetime-local input sends minutes only), reads a naive one as UTC, and answers 422 naming
the field for anything else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from support import Cast, RecordingClient, add_cast, api_client, bearer, sign_in
from tms_entrypoints.container import Container


@pytest.fixture
def database_kind() -> str:
    """Parsing happens at the edge: SQLite is enough."""
    return "sqlite"


@dataclass
class Caller:
    client: RecordingClient
    cast: Cast
    token: str

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.token), **kwargs)

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return response.json()


@pytest.fixture
async def admin(sql_container: Container) -> AsyncIterator[Caller]:
    cast = await add_cast(sql_container)
    token, _ = await sign_in(sql_container, cast.admin.user.username)
    async with api_client(sql_container) as client:
        yield Caller(client, cast, token)


def body(admin: Caller, scheduled_date: str) -> dict[str, Any]:
    return {
        "title": "Times",
        "trainer_id": admin.cast.trainer.id,
        "trainees": [admin.cast.trainee.id],
        "scheduled_date": scheduled_date,
        "duration_minutes": 30,
    }


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-12-08T10:30", "2026-12-08T10:30:00+00:00"),  # datetime-local
        ("2026-12-08T10:30:15", "2026-12-08T10:30:15+00:00"),
        ("2026-12-08T10:30:15.5", "2026-12-08T10:30:15.500000+00:00"),
        ("2026-12-08T10:30:15.123456789", "2026-12-08T10:30:15.123456+00:00"),
        ("2026-12-08T10:30Z", "2026-12-08T10:30:00+00:00"),
        ("2026-12-08T11:30+01:00", "2026-12-08T10:30:00+00:00"),
        ("2026-12-08T11:30:00.250+0100", "2026-12-08T10:30:00.250000+00:00"),
        ("2026-12-08T05:30-05", "2026-12-08T10:30:00+00:00"),
        ("2026-12-08 10:30", "2026-12-08T10:30:00+00:00"),
        ("20261208T103000Z", "2026-12-08T10:30:00+00:00"),
        ("2026-12-08", "2026-12-08T00:00:00+00:00"),
    ],
)
async def test_a_session_is_scheduled_with_any_iso_form(
    admin: Caller, sent: str, stored: str
) -> None:
    created = await admin.ok("POST", "/sessions/", json=body(admin, sent))
    assert created["scheduled_date"] == stored
    path = f"/sessions/{created['id']}"
    await admin.ok("PUT", path, json={"scheduled_date": "2026-12-01T09:00:00Z"})
    assert (await admin.ok("PUT", path, json={"scheduled_date": sent}))["scheduled_date"] == stored


async def test_attendance_and_the_listings_take_the_same_forms(admin: Caller) -> None:
    first = await admin.ok("POST", "/sessions/", json=body(admin, "2026-12-08T10:30"))
    second = await admin.ok("POST", "/sessions/", json=body(admin, "2026-12-09T10:30"))
    mark = await admin.ok(
        "POST",
        "/attendance/",
        json={
            "session_id": first["id"],
            "trainee_id": admin.cast.trainee.id,
            "present": True,
            "marked_at": "2026-12-08T11:45",
        },
    )
    assert mark["marked_at"] == "2026-12-08T11:45:00+00:00"

    async def listed(**params: str) -> list[int]:
        return [s["id"] for s in await admin.ok("GET", "/sessions/", params=params)]

    assert await listed(**{"from": "2026-12-08T10:30"}) == [first["id"], second["id"]]
    assert await listed(**{"from": "2026-12-08T10:31"}) == [second["id"]]
    assert await listed(**{"to": "2026-12-09"}) == [first["id"]]
    assert await listed(**{"from": "2026-12-08", "to": "2026-12-09T11:30+01:00"}) == [first["id"]]
    assert await listed(**{"to": "2026-12-09T11:30:00.000001+01:00"}) == [
        first["id"],
        second["id"],
    ]

    entries = await admin.ok(
        "GET", "/audit/", params={"from": "2026-05-01T09:00", "to": "2026-05-02"}
    )
    # The sign-ins (user.signed_in) of the same period are there too.
    assert {e["action"] for e in entries} == {
        "session.created",
        "attendance.marked",
        "user.signed_in",
    }
    assert await admin.ok("GET", "/audit/", params={"from": "2026-05-01T09:01"}) == []


@pytest.mark.parametrize(
    ("method", "path", "field", "payload"),
    [
        ("POST", "/sessions/", "scheduled_date", {"scheduled_date": "08/12/2026 10:30"}),
        ("POST", "/sessions/", "scheduled_date", {"scheduled_date": "2026-12-08T25:00"}),
        ("GET", "/sessions/", "from", {"from": "tomorrow"}),
        ("GET", "/sessions/", "to", {"to": "2026-13-01"}),
        ("GET", "/audit/", "from", {"from": "2026-12-08T10:30+25:00"}),
        ("GET", "/audit/", "to", {"to": "x" * 200}),
        ("POST", "/attendance/", "marked_at", {"marked_at": "soon"}),
    ],
)
async def test_other_text_is_a_422_naming_the_field(
    admin: Caller, method: str, path: str, field: str, payload: dict[str, str]
) -> None:
    if method == "GET":
        response = await admin.call(method, path, params=payload)
    elif path == "/sessions/":
        response = await admin.call(method, path, json=body(admin, payload["scheduled_date"]))
    else:
        session = await admin.ok("POST", "/sessions/", json=body(admin, "2026-12-08T10:30"))
        mark = {"session_id": session["id"], "trainee_id": admin.cast.trainee.id, "present": True}
        response = await admin.call(method, path, json={**mark, **payload})
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["detail"]
    assert [e["field"] for e in answer["errors"]] == [field]


async def test_the_openapi_document_shows_every_time_as_a_date_time(admin: Caller) -> None:
    document = (await admin.client.get("/schema/openapi.json")).json()
    for path in ("/sessions", "/audit"):
        parameters = document["paths"][path]["get"]["parameters"]
        times = {p["name"]: p["schema"] for p in parameters if p["name"] in ("from", "to")}
        assert set(times) == {"from", "to"}, path
        for schema in times.values():
            kinds = [schema, *schema.get("oneOf", [])]
            assert any(k.get("format") == "date-time" for k in kinds), (path, schema)
    schemas = document["components"]["schemas"]
    create = next(s for name, s in schemas.items() if name.endswith("SessionCreateIn"))
    assert create["properties"]["scheduled_date"]["format"] == "date-time"

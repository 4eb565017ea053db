"""The `from` and `to` filters of the report, the session list and the audit trail, through a
real `tms serve` process: a plain date is its midnight UTC, a value that is no time is a 422
naming the parameter the client sent, and `from` after `to` is a 422 naming both rather
than an empty answer."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from servers import TmsServer, server_env

SECRET_KEY = "time-filter-tests-secret-" + "k" * 32
ADMIN_PASSWORD = "Granite-Orchard-6150"
TRAINER_PASSWORD = "Willow-Canyon-3847"
ENDPOINTS = {
    "report": ("/reports/generate", {"format": "csv", "sections": "sessions"}),
    "sessions": ("/sessions/", {}),
    "audit": ("/audit/", {}),
}


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An admin's client of a server with two sessions, on 2026-05-01 and 2026-06-01."""
    server = TmsServer(
        server_env(
            f"sqlite+aiosqlite:///{tmp_path / 'tms.db'}",
            tmp_path,
            secret_key=SECRET_KEY,
            admin_password=ADMIN_PASSWORD,
        ),
        tmp_path,
    )
    await server.start_async()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            signed_in = await client.post(
                "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
            trainer = await client.post(
                "/users/",
                json={
                    "username": "tom",
                    "email": "tom@example.org",
                    "first_name": "Tom",
                    "last_name": "Trainer",
                    "role": "trainer",
                    "password": TRAINER_PASSWORD,
                    "is_temporary_password": False,
                },
            )
            assert trainer.status_code == 201, trainer.text
            for title, start in (("May", "2026-05-01T09:00:00Z"), ("June", "2026-06-01T09:00:00Z")):
                made = await client.post(
                    "/sessions/",
                    json={
                        "title": title,
                        "trainer_id": trainer.json()["user"]["id"],
                        "scheduled_date": start,
                        "duration_minutes": 60,
                    },
                )
                assert made.status_code == 201, made.text
            yield client
    finally:
        server.stop()


async def titles(client: httpx.AsyncClient, kind: str, **params: str) -> list[str]:
    path, fixed = ENDPOINTS[kind]
    response = await client.get(path, params={**fixed, **params})
    assert response.status_code == 200, response.text
    if kind == "report":
        return [row[1] for row in list(csv.reader(io.StringIO(response.text)))[1:]]
    return [session["title"] for session in response.json()]


@pytest.mark.parametrize("kind", ["report", "sessions"])
async def test_a_plain_date_is_its_midnight_utc(api: httpx.AsyncClient, kind: str) -> None:
    assert await titles(api, kind, **{"from": "2026-05-02"}) == ["June"]
    assert await titles(api, kind, to="2026-06-01") == ["May"]
    assert await titles(api, kind, **{"from": "2026-05-01", "to": "2026-06-02"}) == ["May", "June"]


@pytest.mark.parametrize("kind", list(ENDPOINTS))
async def test_a_value_that_is_no_time_is_named_as_sent(api: httpx.AsyncClient, kind: str) -> None:
    path, fixed = ENDPOINTS[kind]
    for name, value in (("from", "soon"), ("to", "2026-13-01"), ("from", "2026-05-01T25:00")):
        response = await api.get(path, params={**fixed, name: value})
        assert response.status_code == 422, response.text
        body = response.json()
        assert [error["field"] for error in body["errors"]] == [name]
        assert "starts_" not in response.text
        assert "at_" not in response.text
        assert value in body["detail"]
        assert "content-disposition" not in response.headers


@pytest.mark.parametrize("kind", list(ENDPOINTS))
async def test_from_after_to_is_refused_naming_both(api: httpx.AsyncClient, kind: str) -> None:
    path, fixed = ENDPOINTS[kind]
    response = await api.get(
        path, params={**fixed, "from": "2026-06-01T00:00:00Z", "to": "2026-05-01T00:00:00Z"}
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert sorted(error["field"] for error in body["errors"]) == ["from", "to"]
    assert "`from` comes after `to`" in body["detail"]
    # The same moment at both ends is an empty period, not an error.
    same = await api.get(path, params={**fixed, "from": "2026-05-01", "to": "2026-05-01"})
    assert same.status_code == 200, same.text

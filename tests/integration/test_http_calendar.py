"""Calendar feeds through a real `tms serve` on SQLite: the feed URL handed out, read
without a sign-in, parsed by the icalendar library; its caching; revocation; one session as
a download; and the token kept out of the server's log and the audit trail. (The ports are
held alike on MariaDB by tests/contract/test_calendar.py.)"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar

import servers
from servers import TmsServer, running

SECRET_KEY = "calendar-tests-shared-secret-" + "s" * 32
ADMIN_PASSWORD = "Sturdy-Garden-93"
PASSWORD = "Velvet-Harbor-4821"
PUBLIC_URL = "https://tms.example.org"
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TmsServer]:
    directory = tmp_path_factory.mktemp("calendar")
    env = servers.server_env(
        f"sqlite+aiosqlite:///{directory / 'tms.db'}",
        directory,
        secret_key=SECRET_KEY,
        admin_password=ADMIN_PASSWORD,
        TMS_PUBLIC_URL=PUBLIC_URL,
        TMS_LOG_LEVEL="DEBUG",
    )
    with running(TmsServer(env, directory)) as started:
        yield started


@dataclass
class User:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    def __init__(self, client: httpx.AsyncClient, admin: User) -> None:
        self.client = client
        self.admin = admin

    async def call(self, method: str, path: str, who: User | None = None, **kw: Any) -> Any:
        response = await self.client.request(
            method, path, headers=(who or self.admin).headers, **kw
        )
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def user(self, role: str) -> User:
        username = f"{role}-{secrets.token_hex(3)}"
        created = await self.call(
            "POST",
            "/users/",
            json={
                "username": username,
                "email": f"{username}@example.org",
                "first_name": role.title(),
                "last_name": "Doe",
                "role": role,
                "password": PASSWORD,
                "is_temporary_password": False,
            },
        )
        response = await self.client.post(
            "/auth/login", json={"username": username, "password": PASSWORD}
        )
        return User(int(created["user"]["id"]), response.json()["access_token"])

    async def session(self, trainer: User, trainees: list[User], hours: int, **fields: Any) -> int:
        made = await self.call(
            "POST",
            "/sessions/",
            trainer,
            json={
                "title": fields.pop("title", "Forklift safety"),
                "trainer_id": trainer.id,
                "scheduled_date": (START + timedelta(hours=hours)).isoformat(),
                "duration_minutes": 60,
                "trainees": [t.id for t in trainees],
                **fields,
            },
        )
        return int(made["id"])

    async def feed_url(self, who: User) -> str:
        response = await self.client.post("/me/calendar-token", headers=who.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["url"])


@contextlib.asynccontextmanager
async def api_of(server: TmsServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        response = await client.post(
            "/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        signed_in = response.json()
        yield Api(client, User(int(signed_in["user"]["id"]), signed_in["access_token"]))


def path_of(url: str) -> str:
    """The feed URL as served here: the public address is another host."""
    assert url.startswith(f"{PUBLIC_URL}/calendar/")
    assert url.endswith(".ics")
    return urlsplit(url).path


def events_of(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.errors == []
    assert calendar["METHOD"] == "PUBLISH"
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_a_trainees_feed_holds_their_sessions_only(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer, pia, paul = (
            await api.user("trainer"),
            await api.user("trainee"),
            await api.user("trainee"),
        )
        hers = await api.session(trainer, [pia], 1, class_link="https://meet.example.org/a")
        not_hers = await api.session(trainer, [paul], 3)
        url = await api.feed_url(pia)
        # No sign-in: the URL is the credential.
        response = await api.client.get(path_of(url))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert response.headers["cache-control"] == "private, max-age=300"
        assert response.headers["etag"]
        assert response.headers["last-modified"].endswith(" GMT")
        events = events_of(response.content)
        assert list(events) == [f"session-{hers}@tms.example.org"]
        assert f"session-{not_hers}@tms.example.org" not in events
        event = events[f"session-{hers}@tms.example.org"]
        assert event["URL"] == "https://meet.example.org/a"
        assert event.decoded("DTSTART") == START + timedelta(hours=1)
        assert event["STATUS"] == "CONFIRMED"

        trainers = events_of((await api.client.get(path_of(await api.feed_url(trainer)))).content)
        assert set(trainers) == {
            f"session-{hers}@tms.example.org",
            f"session-{not_hers}@tms.example.org",
        }


async def test_uids_stay_and_sequence_follows_changes(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer, pia = await api.user("trainer"), await api.user("trainee")
        sid = await api.session(trainer, [pia], 10)
        uid = f"session-{sid}@tms.example.org"
        path = path_of(await api.feed_url(pia))

        async def event() -> Any:
            response = await api.client.get(path)
            assert response.status_code == 200
            return events_of(response.content)[uid]

        first = await event()
        assert first.decoded("SEQUENCE") == 0
        assert (await event())["UID"] == first["UID"]
        await api.call("PUT", f"/sessions/{sid}", trainer, json={"title": "Renamed"})
        renamed = await event()
        assert (renamed["SUMMARY"], renamed.decoded("SEQUENCE")) == ("Renamed", 0)
        moved = (START + timedelta(hours=12)).isoformat()
        await api.call("PUT", f"/sessions/{sid}", trainer, json={"scheduled_date": moved})
        assert (await event()).decoded("SEQUENCE") == 1
        await api.call(
            "PUT", f"/sessions/{sid}", trainer, json={"class_link": "https://meet.example.org/b"}
        )
        linked = await event()
        assert (linked.decoded("SEQUENCE"), linked["LOCATION"]) == (2, "https://meet.example.org/b")
        await api.call("PUT", f"/sessions/{sid}", trainer, json={"status": "cancelled"})
        cancelled = await event()
        assert (cancelled["STATUS"], cancelled.decoded("SEQUENCE")) == ("CANCELLED", 3)
        assert cancelled["UID"] == first["UID"]


async def test_if_none_match_answers_304_until_the_feed_changes(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer, pia = await api.user("trainer"), await api.user("trainee")
        sid = await api.session(trainer, [pia], 20)
        path = path_of(await api.feed_url(pia))
        first = await api.client.get(path)
        etag = first.headers["etag"]
        again = await api.client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
        await api.call("PUT", f"/sessions/{sid}", trainer, json={"duration_minutes": 45})
        changed = await api.client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != etag


async def test_a_new_url_ends_the_old_and_a_revoked_one_is_gone(server: TmsServer) -> None:
    async with api_of(server) as api:
        pia = await api.user("trainee")
        old = path_of(await api.feed_url(pia))
        new = path_of(await api.feed_url(pia))
        assert old != new
        assert (await api.client.get(old)).status_code == 404
        assert (await api.client.get(new)).status_code == 200
        revoked = await api.client.delete("/me/calendar-token", headers=pia.headers)
        assert revoked.status_code == 200
        assert (await api.client.get(new)).status_code == 404
        for guess in ("/calendar/nothing.ics", "/calendar/" + "A" * 43 + ".ics", new[:-4]):
            assert (await api.client.get(guess)).status_code == 404
        assert (await api.client.post("/me/calendar-token")).status_code == 401


async def test_one_session_downloads_for_its_readers_only(server: TmsServer) -> None:
    async with api_of(server) as api:
        trainer, pia, paul = (
            await api.user("trainer"),
            await api.user("trainee"),
            await api.user("trainee"),
        )
        sid = await api.session(trainer, [pia], 30, title="Ladders, and you")
        for reader in (pia, trainer, api.admin):
            response = await api.client.get(f"/sessions/{sid}/ics", headers=reader.headers)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "text/calendar; charset=utf-8"
            assert (
                response.headers["content-disposition"]
                == f'attachment; filename="session-{sid}.ics"'
            )
            (event,) = events_of(response.content).values()
            assert event["SUMMARY"] == "Ladders, and you"
        outsider = await api.client.get(f"/sessions/{sid}/ics", headers=paul.headers)
        assert outsider.status_code == 404
        assert (await api.client.get(f"/sessions/{sid}/ics")).status_code == 401


async def test_the_token_never_reaches_the_log_or_the_audit_trail(server: TmsServer) -> None:
    async with api_of(server) as api:
        pia = await api.user("trainee")
        url = await api.feed_url(pia)
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert (await api.client.get(path_of(url))).status_code == 200
        assert (await api.client.get(path_of(url) + "?x=1")).status_code == 200
        await api.client.delete("/me/calendar-token", headers=pia.headers)
        assert (await api.client.get(path_of(url))).status_code == 404
        trail = await api.call("GET", "/audit/", params={"actor_id": pia.id})
        assert {e["action"] for e in trail} >= {"calendar_token.created", "calendar_token.revoked"}
        assert token not in str(trail)
    log = server.log()
    assert "/calendar/***" in log
    assert token not in log

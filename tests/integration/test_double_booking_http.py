"""The 409 of a double booking, through the real app: `detail` names every clashing session
(id, title, start with its offset) and who is in both, and `conflicts` carries the same as
data, so a client can show the times in its own zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from support import Cast, RecordingClient, add_cast, api_client, at, bearer, login
from tms_entrypoints.container import Container

CONFLICT_KEYS = {"session_id", "title", "scheduled_date", "ends_at", "trainer", "trainees"}


@pytest.fixture
def database_kind() -> str:
    return "sqlite"


@dataclass
class Booker:
    client: RecordingClient
    cast: Cast
    tokens: dict[str, str]

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return await self.client.request(method, path, headers=bearer(self.tokens[who]), **kwargs)

    async def session(self, who: str = "admin", **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Session",
            "trainer_id": self.cast.trainer.id,
            "scheduled_date": at(0).isoformat(),
            "duration_minutes": 60,
        }
        body.update(fields)
        return await self.call(who, "POST", "/sessions/", json=body)  # type: ignore[no-any-return]


@pytest.fixture
async def booker(sql_container: Container) -> AsyncIterator[Booker]:
    cast = await add_cast(sql_container)
    async with api_client(sql_container) as client:
        tokens = {
            who: await login(client, getattr(cast, who).user.username)
            for who in ("admin", "trainer", "trainee")
        }
        yield Booker(client, cast, tokens)


def person(cast: Cast, who: str) -> dict[str, Any]:
    actor = getattr(cast, who)
    return {"id": actor.id, "name": actor.user.name}


async def test_a_double_booking_names_each_clash_with_its_offset_and_as_data(
    booker: Booker,
) -> None:
    cast = booker.cast
    morning = (
        await booker.session(title="Morning", trainees=[cast.trainee.id, cast.other_trainee.id])
    ).json()
    late = (
        await booker.session(
            title="Late morning",
            trainer_id=cast.other_trainer.id,
            trainees=[cast.third_trainee.id],
            scheduled_date=at(minutes=45).isoformat(),
        )
    ).json()

    # The trainer and two trainees clash with the first; a third trainee with the second.
    refused = await booker.session(
        title="Overlapping",
        trainees=[cast.third_trainee.id, cast.other_trainee.id, cast.trainee.id],
        scheduled_date="2026-05-04T11:30+02:00",
    )
    assert refused.status_code == 409, refused.text
    answer = refused.json()
    assert set(answer) == {"detail", "conflicts"}
    assert answer["conflicts"] == [
        {
            "session_id": morning["id"],
            "title": "Morning",
            "scheduled_date": "2026-05-04T09:00:00+00:00",
            "ends_at": "2026-05-04T10:00:00+00:00",
            "trainer": person(cast, "trainer"),
            "trainees": [person(cast, "trainee"), person(cast, "other_trainee")],
        },
        {
            "session_id": late["id"],
            "title": "Late morning",
            "scheduled_date": "2026-05-04T09:45:00+00:00",
            "ends_at": "2026-05-04T10:45:00+00:00",
            "trainer": None,
            "trainees": [person(cast, "third_trainee")],
        },
    ]
    detail = answer["detail"]
    for clash in answer["conflicts"]:
        assert f'session {clash["session_id"]} "{clash["title"]}"' in detail
        assert f"starting {clash['scheduled_date']}" in detail
    assert f"the trainer {cast.trainer.user.name} is already booked" in detail
    assert f"trainee {cast.third_trainee.id} ({cast.third_trainee.user.name})" in detail


async def test_every_way_into_a_clash_answers_the_same_shape(booker: Booker) -> None:
    cast = booker.cast
    booked = (await booker.session(title="Booked", trainees=[cast.trainee.id])).json()
    other = (
        await booker.session(trainer_id=cast.other_trainer.id, scheduled_date=at(0.5).isoformat())
    ).json()
    attempts = [
        await booker.call("admin", "POST", f"/sessions/{other['id']}/trainees/{cast.trainee.id}"),
        await booker.call(
            "admin", "PUT", f"/sessions/{other['id']}", json={"trainees": [cast.trainee.id]}
        ),
        await booker.call("trainee", "GET", f"/join/{other['session_link']}"),
        await booker.call(
            "trainer",
            "POST",
            "/sessions/",
            json={
                "title": "Mine",
                "trainer_id": cast.trainer.id,
                "scheduled_date": "2026-05-04T09:59",
                "duration_minutes": 10,
            },
        ),
    ]
    for response in attempts:
        assert response.status_code == 409, response.text
        (clash,) = response.json()["conflicts"]
        assert set(clash) == CONFLICT_KEYS
        assert (clash["session_id"], clash["scheduled_date"]) == (
            booked["id"],
            "2026-05-04T09:00:00+00:00",
        )
    assert attempts[-1].json()["conflicts"][0]["trainer"] == person(cast, "trainer")
    # Other conflicts keep the plain shape.
    again = await booker.call(
        "admin", "POST", f"/sessions/{booked['id']}/trainees/{cast.trainee.id}"
    )
    assert again.status_code == 409
    assert set(again.json()) == {"detail"}
